from django.urls import path

from mowakaba.vigilance import views_reports

# Included under /vigilance/reports/ in the "vigilance" namespace: "vigilance:<name>".
urlpatterns = [
    path("", views_reports.reports_home, name="reports"),
    path("<int:pk>/", views_reports.report_job_view, name="report_job"),
    path("<int:pk>/<str:fmt>/", views_reports.report_download, name="report_download"),
]
