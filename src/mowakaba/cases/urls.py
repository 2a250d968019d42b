from django.http import HttpRequest, HttpResponse
from django.urls import path

from mowakaba.cases import views


def case_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable file is written by the PDF module; imported on use, not at start-up."""
    from mowakaba.cases import pdf_views

    return pdf_views.case_pdf(request, pk)


app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("listen/", views.listen, name="listen"),
    path("listen/persons/", views.listen_persons, name="listen_persons"),
    path("tasks/", views.tasks, name="tasks"),
    path("team/", views.team, name="team"),
    path("approvals/", views.approvals, name="approvals"),
    path("approvals/<int:pk>/decide/", views.decide, name="decide"),
    path("approvals/<int:pk>/withdraw/", views.approval_withdraw, name="approval_withdraw"),
    path("inbox/", views.transfers, name="transfers"),
    path("transfers/<int:pk>/decide/", views.transfer_decide, name="transfer_decide"),
    path("transfers/<int:pk>/cancel/", views.transfer_cancel, name="transfer_cancel"),
    path("places/", views.places, name="places"),
    path("assess/preview/", views.assess_preview, name="assess_preview"),
    path("persons/<int:pk>/", views.person_cases, name="person_cases"),
    path("<int:pk>/", views.case, name="case"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/assess/", views.assess, name="assess"),
    path("<int:pk>/first-action/", views.first_action, name="first_action"),
    path("<int:pk>/conference/", views.conference, name="conference"),
    path("<int:pk>/plan/submit/", views.submit_plan, name="submit_plan"),
    path("<int:pk>/goals/", views.goal_add, name="goal_add"),
    path("goals/<int:pk>/state/", views.goal_state, name="goal_state"),
    path("<int:pk>/tasks/", views.task_add, name="task_add"),
    path("tasks/<int:pk>/done/", views.task_done, name="task_done"),
    path("tasks/<int:pk>/cancel/", views.task_cancel, name="task_cancel"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/placement/", views.placement, name="placement"),
    path("placements/<int:pk>/end/", views.placement_end, name="placement_end"),
    path("<int:pk>/transfer/", views.transfer, name="transfer"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/reopen/", views.reopen, name="reopen"),
    path("<int:pk>/pdf/", case_pdf, name="pdf"),
]
