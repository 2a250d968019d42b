from django.urls import path

from mowakaba.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read-all/", views.read_all, name="read_all"),
    path("<int:pk>/open/", views.open_one, name="open"),
]
