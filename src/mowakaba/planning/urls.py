from django.urls import path

from mowakaba.planning import views

app_name = "planning"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("new/", views.plan_new, name="new"),
    path("<int:year>/", views.plan_detail, name="plan"),
    path("<int:year>/edit/", views.plan_edit, name="edit"),
    path("<int:year>/adopt/", views.plan_adopt, name="adopt"),
    path("<int:year>/copy/", views.plan_copy, name="copy"),
    path("<int:year>/axes/new/", views.axis_new, name="axis_new"),
    path("axes/<int:pk>/edit/", views.axis_edit, name="axis_edit"),
    path("axes/<int:pk>/delete/", views.axis_delete, name="axis_delete"),
    path("axes/<int:pk>/objectives/new/", views.objective_new, name="objective_new"),
    path("objectives/<int:pk>/edit/", views.objective_edit, name="objective_edit"),
    path("objectives/<int:pk>/delete/", views.objective_delete, name="objective_delete"),
    path("objectives/<int:pk>/targets/new/", views.target_new, name="target_new"),
    path("targets/<int:pk>/edit/", views.target_edit, name="target_edit"),
    path("targets/<int:pk>/delete/", views.target_delete, name="target_delete"),
]
