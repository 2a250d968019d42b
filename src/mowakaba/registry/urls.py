from django.urls import path

from mowakaba.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.search, name="search"),
    path("new/", views.register, name="register"),
    path("new/matches/", views.matches, name="matches"),
    path("persons/<int:pk>/", views.person, name="person"),
    path("persons/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("persons/<int:pk>/documents/", views.document_add, name="document_add"),
    path("persons/<int:pk>/phones/", views.phone_add, name="phone_add"),
    path("persons/<int:pk>/consents/", views.consent_add, name="consent_add"),
    path("persons/<int:pk>/consents/<int:consent_id>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("persons/<int:pk>/relatives/", views.relative_add, name="relative_add"),
    path("persons/<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("persons/<int:pk>/attachments/<int:attachment_id>/", views.attachment, name="attachment"),
    path("duplicates/", views.duplicates, name="duplicates"),
    path("duplicates/<int:pk>/", views.pair, name="pair"),
    path("merges/<int:pk>/undo/", views.merge_undo, name="merge_undo"),
]
