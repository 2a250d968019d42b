from django.urls import path

from mowakaba.referrals import views

app_name = "referrals"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("new/", views.new, name="new"),
    path("establishments/", views.establishments, name="establishments"),
    # The services notify with this path: /referrals/<id>/.
    path("<int:pk>/", views.referral, name="referral"),
    path("<int:pk>/accept/", views.accept, name="accept"),
    path("<int:pk>/decline/", views.decline, name="decline"),
    path("<int:pk>/complete/", views.complete, name="complete"),
    path("<int:pk>/revoke/", views.revoke, name="revoke"),
]
