from django.urls import path

from mowakaba.vigilance import views_coverage

# Included under /vigilance/coverage/; the names are used as "vigilance:<name>".
urlpatterns = [
    path("", views_coverage.coverage_page, name="coverage"),
    path("vulnerability/", views_coverage.vulnerability_page, name="coverage_vulnerability"),
    path("siting/<int:pk>/", views_coverage.siting_page, name="coverage_siting"),
]
