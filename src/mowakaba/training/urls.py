from django.http import HttpRequest, HttpResponse
from django.urls import path

from mowakaba.training import views


def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """The certificate is written by the PDF module; imported on use, not at start-up."""
    from mowakaba.training import pdf_views

    return pdf_views.certificate(request, pk)


def export(request: HttpRequest) -> HttpResponse:
    from mowakaba.training import export as xlsx

    return xlsx.export_view(request)


app_name = "training"
urlpatterns = [
    path("", views.session_list, name="list"),
    path("new/", views.session_new, name="new"),
    path("mine/", views.mine, name="mine"),
    path("totals/", views.totals, name="totals"),
    path("export.xlsx", export, name="export"),
    path("<int:pk>/", views.session, name="session"),
    path("<int:pk>/edit/", views.session_edit, name="edit"),
    path("<int:pk>/open/", views.session_open, name="open"),
    path("<int:pk>/cancel/", views.session_cancel, name="cancel"),
    path("<int:pk>/close/", views.session_close, name="close"),
    path("<int:pk>/register/", views.register, name="register"),
    path("<int:pk>/candidates/", views.candidates, name="candidates"),
    path("<int:pk>/attendance/", views.attendance, name="attendance"),
    path("<int:pk>/join/", views.join, name="join"),
    path("participants/<int:pk>/remove/", views.participant_remove, name="remove"),
    path("participants/<int:pk>/evaluate/", views.evaluate, name="evaluate"),
    path("participants/<int:pk>/certificate/", certificate, name="certificate"),
]
