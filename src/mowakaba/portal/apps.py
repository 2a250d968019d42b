from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The shell: home pages fitted to each role, navigation, language switch. Imported by nobody."""

    name = "mowakaba.portal"
    label = "portal"
    verbose_name = _("Portal")
