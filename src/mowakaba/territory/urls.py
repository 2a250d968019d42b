from django.urls import path

from mowakaba.territory import views

app_name = "territory"
urlpatterns = [
    path("regions/", views.regions, name="regions"),
    path("regions/<str:code>/", views.region, name="region"),
    path("provinces/<str:code>/", views.province, name="province"),
    path("units/", views.units, name="units"),
    path("units/import/", views.import_view, name="import"),
    path("units/<int:pk>/", views.unit, name="unit"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:parent_pk>/new/", views.unit_create, name="unit_create"),
]
