from django.urls import path  # noqa: F401

# Owned by the reports work; the names are used as "vigilance:<name>".
urlpatterns: list[object] = []
