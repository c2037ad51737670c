import pytest


@pytest.fixture(autouse=True)
def _english_portal(settings):
    """These tests read the portal's English source text (the Chinese catalog is checked by
    tests/test_translations.py); SMS and pages then speak English."""
    settings.LANGUAGE_CODE = "en"
