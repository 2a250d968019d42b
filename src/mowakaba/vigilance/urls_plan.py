from django.urls import path

from mowakaba.vigilance import views_plan

# Included under /vigilance/plan/; the names are used as "vigilance:<name>".
urlpatterns = [
    path("", views_plan.plan_progress, name="plan_progress"),
    path("<int:year>/", views_plan.plan_progress, name="plan_progress_year"),
]
