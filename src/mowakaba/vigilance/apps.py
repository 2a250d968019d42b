from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VigilanceConfig(AppConfig):
    name = "mowakaba.vigilance"
    label = "vigilance"
    verbose_name = _("Social vigilance")
