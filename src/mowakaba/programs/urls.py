from django.urls import path

from mowakaba.programs import views

app_name = "programs"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("directory.xlsx", views.directory_export, name="directory_export"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("enrol/", views.enrol, name="enrol"),
    path("enrolments.xlsx", views.enrolments_export, name="enrolments_export"),
    path("offerings/new/", views.offering_new, name="offering_new"),
    path("offerings/<int:pk>/", views.offering, name="offering"),
    path("offerings/<int:pk>/attendance/", views.attendance_new, name="attendance_new"),
    path("offerings/<int:pk>/enrolments.xlsx", views.offering_export, name="offering_export"),
    path("offerings/<int:pk>/import/", views.offering_import, name="offering_import"),
    path("enrolments/<int:pk>/admit/", views.admit, name="admit"),
    path("enrolments/<int:pk>/exit/", views.exit_, name="exit"),
    path("sessions/<int:pk>/", views.session, name="session"),
    path("persons/<int:pk>/", views.person_enrolments, name="person_enrolments"),
]
