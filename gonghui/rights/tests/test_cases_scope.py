"""The scope walk (tests/test_scope_walk.py) over this part's pages and endpoints only, so that
they are proven while the rest of the area is being built."""

from __future__ import annotations

import pytest

from tests import test_scope_walk as walk


@pytest.fixture
def only_mine(monkeypatch):
    every_url = walk.staff_urls
    monkeypatch.setattr(
        walk,
        "staff_urls",
        lambda: [
            u for u in every_url() if u[2].callback.__module__ == "gonghui.rights.views_cases"
        ],
    )
    every_operation = walk.api_operations

    def operations():
        for method, path, view in every_operation():
            if view.__module__ == "gonghui.rights.api_cases":
                yield method, path, view

    monkeypatch.setattr(walk, "api_operations", operations)


@pytest.mark.django_db
def test_case_pages_show_only_the_users_own_subtree(only_mine, world):
    walk.test_every_staff_url_shows_only_the_users_own_subtree(walk.sides.__wrapped__(world))


@pytest.mark.django_db
def test_case_endpoints_show_only_the_users_own_subtree(only_mine, world):
    walk.test_every_api_endpoint_shows_only_the_users_own_subtree(world)
