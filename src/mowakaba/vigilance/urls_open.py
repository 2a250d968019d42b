from django.urls import path

from mowakaba.vigilance import views_reports

# The public open-data page (no sign-in; national and regional aggregates only): "opendata:<name>".
app_name = "opendata"
urlpatterns = [
    path("", views_reports.open_data_page, name="home"),
    path("data.<str:fmt>", views_reports.open_data_download, name="download"),
]
