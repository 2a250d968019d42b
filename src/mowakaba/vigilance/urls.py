from django.urls import include, path

from mowakaba.vigilance import views

app_name = "vigilance"
urlpatterns = [
    path("", views.dashboard_home, name="home"),
    path("n/", views.dashboard, {"level": "N"}, name="national"),
    path("r/<int:pk>/", views.dashboard, {"level": "R"}, name="region"),
    path("p/<int:pk>/", views.dashboard, {"level": "P"}, name="province"),
    path("e/<int:pk>/", views.dashboard, {"level": "E"}, name="establishment"),
    path("indicators/", views.indicator_list, name="indicators"),
    path("refresh/", views.refresh_start, name="refresh"),
    path("alerts/", include("mowakaba.vigilance.urls_alerts")),
    path("reports/", include("mowakaba.vigilance.urls_reports")),
    path("plan/", include("mowakaba.vigilance.urls_plan")),
    path("coverage/", include("mowakaba.vigilance.urls_coverage")),
]
