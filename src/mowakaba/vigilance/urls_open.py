from django.urls import path  # noqa: F401

# The public open-data page (owned by the reports work): "opendata:<name>".
app_name = "opendata"
urlpatterns: list[object] = []
