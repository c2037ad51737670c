from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RightsConfig(AppConfig):
    name = "gonghui.rights"
    label = "rights"
    verbose_name = _("Rights protection")

    def ready(self):
        # Each part of the area hooks itself into the registry's pages (employer sections,
        # worker timeline) and into case events (early warning) from its own module.
        from . import hooks  # noqa: F401
