from django.urls import path  # noqa: F401

# Owned by the plan work; the names are used as "vigilance:<name>".
urlpatterns: list[object] = []
