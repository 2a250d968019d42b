from django.contrib import admin
from django.urls import include, path

from mowakaba.api import api

admin.site.site_header = "Mowakaba"
admin.site.site_title = "Mowakaba"

urlpatterns = [
    path("", include("mowakaba.portal.urls")),
    path("accounts/", include("mowakaba.accounts.urls")),
    path("territory/", include("mowakaba.territory.urls")),
    path("journal/", include("mowakaba.audit.urls")),
    path("registry/", include("mowakaba.registry.urls")),
    path("cases/", include("mowakaba.cases.urls")),
    path("referrals/", include("mowakaba.referrals.urls")),
    path("notifications/", include("mowakaba.notifications.urls")),
    path("programs/", include("mowakaba.programs.urls")),
    path("training/", include("mowakaba.training.urls")),
    path("partners/", include("mowakaba.partners.urls")),
    path("planning/", include("mowakaba.planning.urls")),
    path("vigilance/", include("mowakaba.vigilance.urls")),
    path("open-data/", include("mowakaba.vigilance.urls_open")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
