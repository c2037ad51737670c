"""The rights tests read messages, SMS and pages in English (the source language): the
platform's language is set to English for them, as the registry's portal tests do. The Chinese
pages are checked by the browser tests and the catalog test."""

import pytest


@pytest.fixture(autouse=True)
def english_platform(settings):
    settings.LANGUAGE_CODE = "en"
