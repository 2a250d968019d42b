"""Alerts, included under /vigilance/alerts/ in the ``vigilance`` namespace."""

from django.urls import path

from mowakaba.vigilance import views_alerts as v

urlpatterns = [
    path("", v.alert_list, name="alerts"),
    path("<int:pk>/", v.alert, name="alert"),
    path("<int:pk>/acknowledge/", v.alert_ack, name="alert_ack"),
    path("<int:pk>/action/", v.alert_action, name="alert_action"),
    path("<int:pk>/close/", v.alert_close, name="alert_close"),
    path("<int:pk>/reopen/", v.alert_reopen, name="alert_reopen"),
]
