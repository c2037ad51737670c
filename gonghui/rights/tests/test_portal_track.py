"""Following a case on the portal: the tracking code and PIN, what the status page shows and
never shows, slowing down guesses, and the worker's answer to the follow-up question."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from gonghui.rights import codes, ratelimit
from gonghui.rights.models import Case, CaseStatus, HandlingMethod
from gonghui.rights.services import cases as case_services
from gonghui.rights.services.intake import case_create

pytestmark = pytest.mark.django_db

WRONG = "The tracking code or the PIN is not right."


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def filed(world):
    """An anonymous portal case about employer A, with its code and PIN."""
    created = case_create(
        by=None,
        channel="portal",
        category="complaint.wage_arrears",
        description="老板拖欠两个月工资，共五个人。",
        employer=world.employer_a,
        workers_affected=5,
        anonymous=True,
    )
    created.case.refresh_from_db()
    return created


def track(client, code, pin):
    return client.post(reverse("portal:case_track"), {"code": code, "pin": pin})


def test_the_right_code_and_pin_open_the_case_in_plain_words(world, filed):
    client = Client()
    # typed loosely: lower case, spaces instead of dashes
    typed = codes.format_code(filed.case.tracking_code).lower().replace("-", " ")
    response = track(client, typed, filed.pin)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:case_status", args=[filed.case.pk])
    page = client.get(response["Location"]).content.decode()
    assert "We have received your request" in page
    assert "Your submission was received" in page  # the first public event
    assert codes.format_code(filed.case.tracking_code) in page


def test_the_status_page_shows_public_steps_never_staff_names_or_internal_notes(world, filed):
    admin = world.county_admin
    admin.full_name = "王处长"
    admin.save()
    case_services.case_accept(
        by=admin, case=filed.case, tier="general", note="内部：老板是惯犯，注意取证"
    )
    case_services.case_note(
        by=admin, case=filed.case, internal_note="内部：与劳动监察大队电话沟通", public_text=""
    )
    client = Client()
    track(client, filed.case.tracking_code, filed.pin)
    page = client.get(reverse("portal:case_status", args=[filed.case.pk])).content.decode()
    assert "accepted" in page.lower()
    assert "Your case was accepted on" in page
    for secret in ("王处长", admin.username, "惯犯", "劳动监察大队", "handler"):
        assert secret not in page
    assert world.employer_a.uscc not in page


def test_a_declined_case_shows_the_reason(world, filed):
    case_services.case_decline(
        by=world.county_admin, case=filed.case, reason="不属于工会受理范围，请向劳动监察投诉。"
    )
    client = Client()
    track(client, filed.case.tracking_code, filed.pin)
    page = client.get(reverse("portal:case_status", args=[filed.case.pk])).content.decode()
    assert "could not be accepted" in page
    assert "不属于工会受理范围" in page


def test_a_wrong_pin_and_an_unknown_code_get_the_same_answer(world, filed):
    client = Client()
    wrong_pin = track(
        client, filed.case.tracking_code, "000000" if filed.pin != "000000" else "111111"
    )
    unknown = track(Client(), "ABCD-EFGH-JKMN", filed.pin)
    nonsense = track(Client(), "hello", "1")
    bodies = []
    for response in (wrong_pin, unknown, nonsense):
        assert response.status_code == 200
        body = response.content.decode()
        assert WRONG in body
        bodies.append(body.split('<main id="main"')[1].split("</main>")[0])
        assert "csrfmiddlewaretoken" in body
    # nothing else differs between a known code with a wrong PIN and an unknown code
    strip = lambda b: b.replace(filed.case.tracking_code, "").replace("ABCDEFGHJKMN", "")  # noqa: E731
    assert strip(bodies[0]).count("error") == strip(bodies[1]).count("error")
    assert filed.case.get_status_display() not in bodies[0]


def test_without_the_code_the_case_page_is_not_found(world, filed):
    response = Client().get(reverse("portal:case_status", args=[filed.case.pk]))
    assert response.status_code == 404
    assert "老板拖欠" not in response.content.decode()


def test_guessing_a_code_is_slowed_down_then_let_through_again(world, filed, monkeypatch):
    now = [2_000_000.0]
    monkeypatch.setattr(ratelimit, "_now", lambda: now[0])
    code = filed.case.tracking_code
    for _i in range(5):
        assert WRONG in track(Client(REMOTE_ADDR="10.0.0.1"), code, "999999").content.decode()
    # locked for this code, even with the right PIN and from another address
    locked = track(Client(REMOTE_ADDR="10.0.0.2"), code, filed.pin)
    assert locked.status_code == 429
    assert "Too many wrong tries for this tracking code. Try again at" in locked.content.decode()
    now[0] += 15 * 60 + 1
    assert track(Client(), code, filed.pin).status_code == 302


def test_one_address_trying_many_codes_is_slowed_down(world, filed, settings):
    settings.RIGHTS_RATE_LIMITS = {"track_address": (3, 3600)}
    client = Client(REMOTE_ADDR="10.0.0.9")
    for guess in ("ABCD-EFGH-JKM2", "ABCD-EFGH-JKM3", "ABCD-EFGH-JKM4"):
        assert track(client, guess, "123456").status_code == 200
    response = track(client, filed.case.tracking_code, filed.pin)
    assert response.status_code == 429
    assert "from this network" in response.content.decode()
    assert (
        track(Client(REMOTE_ADDR="10.0.0.10"), filed.case.tracking_code, filed.pin).status_code
        == 302
    )


def test_a_right_answer_does_not_count_against_the_limit(world, filed):
    for _i in range(8):
        assert track(Client(), filed.case.tracking_code, filed.pin).status_code == 302


def _conclude(world, case, solved=True):
    admin = world.county_admin
    case_services.case_accept(by=admin, case=case, tier="general")
    case_services.case_assign(by=admin, case=case, organization=world.township_a)
    case_services.case_start_handling(by=admin, case=case, method=HandlingMethod.COORDINATION)
    case_services.case_conclude(
        by=admin,
        case=case,
        outcome="与企业协调，工资已全部发放。",
        solved=solved,
        amount_recovered="10000",
        workers_benefited=5,
        public_text="经协调，企业已补发工资。",
    )


def test_the_worker_answers_solved_and_the_case_closes(world, filed):
    _conclude(world, filed.case)
    client = Client()
    track(client, filed.case.tracking_code, filed.pin)
    url = reverse("portal:case_status", args=[filed.case.pk])
    page = client.get(url).content.decode()
    assert "Tell us how it went" in page and "经协调，企业已补发工资。" in page
    # missing answers are named
    bad = client.post(reverse("portal:case_follow_up", args=[filed.case.pk]), {})
    assert "Say whether your problem has been solved." in bad.content.decode()
    assert "Choose how satisfied you are" in bad.content.decode()
    response = client.post(
        reverse("portal:case_follow_up", args=[filed.case.pk]),
        {"solved": "yes", "satisfaction": "5", "comment": "谢谢工会"},
    )
    assert response.status_code == 302
    case = Case.objects.get(pk=filed.case.pk)
    assert case.status == CaseStatus.CLOSED and case.solved is True and case.satisfaction == 5
    page = client.get(url).content.decode()
    assert "Tell us how it went" not in page and "Your case is closed" in page


def test_the_worker_answers_not_solved_and_the_case_opens_again(world, filed):
    _conclude(world, filed.case)
    client = Client()
    track(client, filed.case.tracking_code, filed.pin)
    client.post(
        reverse("portal:case_follow_up", args=[filed.case.pk]),
        {"solved": "no", "satisfaction": "2", "comment": "只发了一半"},
    )
    case = Case.objects.get(pk=filed.case.pk)
    assert case.status == CaseStatus.IN_HANDLING and case.reopen_count == 1
    assert case.satisfaction == 2


def test_follow_up_needs_the_code_first(world, filed):
    _conclude(world, filed.case)
    response = Client().post(
        reverse("portal:case_follow_up", args=[filed.case.pk]),
        {"solved": "yes", "satisfaction": "5"},
    )
    assert response.status_code == 404
    assert Case.objects.get(pk=filed.case.pk).status == CaseStatus.CONCLUDED
