from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def personal_data_keys_from_environment(app_configs, **kwargs):
    """In production the keys must come from the environment (and be backed up): keys that
    the app generated into var/ are lost with that folder, and the data with them."""
    if settings.KEYS_FROM_ENVIRONMENT:
        return []
    return [
        Warning(
            "FIELD_ENCRYPTION_KEYS and FIELD_HASH_KEY are not set; keys were generated in var/.",
            hint="Set both in the environment and keep a copy with the backups: without them the personal data cannot be read.",
            id="gonghui.W001",
        )
    ]
