from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JointConfig(AppConfig):
    name = "jianguan.joint"
    label = "joint"
    verbose_name = _("Joint supervision")
