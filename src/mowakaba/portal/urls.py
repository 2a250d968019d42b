from django.urls import path

from mowakaba.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("language/", views.set_language, name="set_language"),
    path("jobs/<int:pk>/", views.job, name="job"),
    path("healthz", views.healthz, name="healthz"),
]
