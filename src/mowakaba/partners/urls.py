from django.urls import path

from mowakaba.partners import views

app_name = "partners"
urlpatterns = [
    path("", views.associations, name="associations"),
    path("<int:pk>/", views.association, name="association"),
    path("<int:pk>/edit/", views.association_edit, name="association_edit"),
    path("conventions/", views.conventions, name="conventions"),
    path("conventions/new/", views.convention_new, name="convention_new"),
    # The late-report reminder links here: /partners/conventions/<id>/.
    path("conventions/<int:pk>/", views.convention, name="convention"),
    path("conventions/<int:pk>/edit/", views.convention_edit, name="convention_edit"),
    path("conventions/<int:pk>/sign/", views.sign, name="sign"),
    path("conventions/<int:pk>/suspend/", views.suspend, name="suspend"),
    path("conventions/<int:pk>/resume/", views.resume, name="resume"),
    path("conventions/<int:pk>/close/", views.close, name="close"),
    path("conventions/<int:pk>/tranches/", views.tranche_add, name="tranche_add"),
    path("conventions/<int:pk>/reports/", views.report_add, name="report_add"),
    path("conventions/<int:pk>/visits/", views.visit_add, name="visit_add"),
    path("tranches/<int:pk>/pay/", views.tranche_pay, name="tranche_pay"),
    path("reports/<int:pk>/receive/", views.report_receive, name="report_receive"),
]
