import pytest
from django.test import Client

from tests.world import PASSWORD


@pytest.fixture
def english(settings):
    """Messages in the source language, so tests can read them."""
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def login():
    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def api_client():
    """A client sending the bearer token of ``user`` (the API accepts writes only with one)."""

    def make(user) -> Client:
        response = Client().post(
            "/api/v1/auth/token",
            {"username": user.username, "password": PASSWORD},
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
        return Client(HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}")

    return make
