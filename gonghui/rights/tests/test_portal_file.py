"""The portal's complaint form on a phone: filing, every bad input, the human check, files
judged by their content, anonymity, rate limits and their switch."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from gonghui.rights import captcha, codes, ratelimit
from gonghui.rights.models import Attachment, Case, Channel
from gonghui.rights.portal_views import ACCESS_KEY

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _english_and_known_sums(settings, monkeypatch):
    """Pages in English (the source text); the human check always asks 3 + 4, and the form
    may be sent at once."""
    settings.LANGUAGE_CODE = "en"
    settings.RIGHTS_FORM_MIN_SECONDS = 0
    monkeypatch.setattr(captcha, "_numbers", lambda: (3, "+", 4))


def draw(client: Client):
    """Open the form (which draws the question) like a worker does before sending it."""
    response = client.get(reverse("portal:case_new"))
    assert response.status_code == 200
    return response


def good(**changes) -> dict:
    data = {
        "description": "公司拖欠我们三个月工资，老板不接电话。",
        "category": "complaint.wage_arrears",
        "employer": "某某建筑劳务有限公司",
        "workers_affected": "12",
        "amount_claimed": "36000",
        "name": "张三",
        "phone": "13912345678",
        "consent": "on",
        "answer": "7",
        "website": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def post(client: Client, data: dict, files=None):
    draw(client)
    payload = dict(data)
    if files:
        payload["attachments"] = files
    return client.post(reverse("portal:case_new"), payload)


def filed():
    """Cases from the portal (the test world holds walk-in cases of its own)."""
    return Case.objects.filter(channel=Channel.PORTAL)


def errors(response) -> dict[str, list[str]]:
    return {k: [str(e) for e in v] for k, v in response.context["form"].errors.items()}


# --- filing -----------------------------------------------------------------------------------


def test_a_worker_files_and_sees_the_code_and_pin_once(world, client):
    response = post(client, good())
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:case_created")
    case = filed().get()
    assert case.channel == Channel.PORTAL
    assert case.category == "complaint.wage_arrears"
    assert case.workers_affected == 12 and case.collective
    assert str(case.amount_claimed) == "36000.00"
    assert case.complainant_name == "张三" and case.complainant_phone == "13912345678"
    assert case.employer_name_given == "某某建筑劳务有限公司"
    assert case.created_by is None

    page = client.get(response["Location"]).content.decode()
    shown = codes.format_code(case.tracking_code)
    assert shown in page and len(shown) == 14  # XXXX-XXXX-XXXX
    pin = page.split('id="pin">')[1].split("<")[0]
    assert codes.pin_matches(case.tracking_code, pin, case.pin_hash)
    assert "Write both down" in page
    # once: a reload does not show the PIN again
    again = client.get(reverse("portal:case_created"))
    assert again.status_code == 302 and pin not in again.content.decode()
    # and the session may open the case's page
    assert client.session[ACCESS_KEY] == [case.pk]


def test_the_employer_is_matched_by_its_credit_code(world, client):
    response = post(client, good(employer=world.employer_a.uscc))
    assert response.status_code == 302
    case = filed().get()
    assert case.employer == world.employer_a and case.employer_name_given == ""


def test_employer_suggestions_come_from_the_registry(world, client):
    response = client.get(reverse("portal:case_employers"), {"employer": world.employer_a.name[:3]})
    assert f'<option value="{world.employer_a.name}">' in response.content.decode()
    assert (
        "<option"
        not in client.get(reverse("portal:case_employers"), {"employer": "x"}).content.decode()
    )


def test_the_form_is_chinese_first_and_groups_the_categories(world, client, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    body = client.get(reverse("portal:case_new")).content.decode()
    assert 'lang="zh-hans"' in body
    assert "<optgroup" in body and 'value="complaint.wage_arrears"' in body
    picture = body.split("<svg", 1)[1].split("</svg>")[0]
    assert "<text" not in picture  # the sum is drawn, not written


def test_an_anonymous_case_keeps_no_name_and_no_phone(world, client):
    response = post(client, good(anonymous="on"))
    assert response.status_code == 302
    case = filed().get()
    assert case.anonymous
    assert case.complainant_name == "" and case.complainant_phone == ""
    assert case.complainant_phone_hash == "" and case.worker is None


def test_anonymous_needs_no_phone(world, client):
    assert post(client, good(anonymous="on", name="", phone="")).status_code == 302


def test_a_signed_in_worker_files_with_the_account_linked_and_sees_it_on_their_page(world):
    from gonghui.portal.tests.support import sign_in

    client = Client()
    account = sign_in(client, world.worker_a.phone)
    response = post(client, good(name="", phone=""))
    assert response.status_code == 302, errors(response)
    case = filed().get()
    assert case.portal_account == account
    assert case.complainant_phone == world.worker_a.phone
    assert case.worker == world.worker_a
    me = client.get(reverse("portal:me")).content.decode()
    assert reverse("portal:case_status", args=[case.pk]) in me
    # without the code: a new session of the same account may open it
    client.session.pop(ACCESS_KEY, None)
    assert client.get(reverse("portal:case_status", args=[case.pk])).status_code == 200


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"description": ""}, "description", "Say in a few words what happened."),
        ({"description": "工资"}, "description", "at least 5 characters"),
        ({"category": ""}, "category", "Choose what your request is about."),
        ({"category": "complaint.nonsense"}, "category", "Select a valid choice"),
        ({"workers_affected": "0"}, "workers_affected", "At least 1"),
        ({"workers_affected": "很多"}, "workers_affected", "Enter a whole number"),
        ({"amount_claimed": "-5"}, "amount_claimed", "cannot be negative"),
        ({"amount_claimed": "三千"}, "amount_claimed", "Enter an amount in yuan"),
        ({"amount_claimed": "10.555"}, "amount_claimed", "two decimal places"),
        ({"phone": "12345"}, "phone", ""),
        ({"phone": ""}, "phone", "Leave a mobile number"),
        ({"consent": None}, "consent", "Your consent is needed"),
        ({"answer": "8"}, "answer", "not the result of the sum"),
        ({"answer": ""}, "answer", "Enter the result of the sum"),
    ],
)
def test_each_bad_input_is_named_nothing_is_saved_and_typed_values_are_kept(
    world, client, changes, field, message
):
    data = good(**changes)
    response = post(client, data)
    assert response.status_code == 200
    found = errors(response)
    assert field in found, found
    assert message in " ".join(found[field])
    assert not filed().exists()
    body = response.content.decode()
    if field != "description":
        assert "公司拖欠我们三个月工资" in body  # what happened is kept
    if field != "phone" and data.get("phone"):
        assert 'value="13912345678"' in body
    assert "everything you typed is kept" in body


def test_a_wage_arrears_complaint_must_name_the_employer(world, client):
    response = post(client, good(employer=""))
    assert "Name the employer" in " ".join(errors(response)["employer"])
    assert not filed().exists()


def test_an_exe_renamed_jpg_is_refused_and_files_must_be_chosen_again(world, client):
    fake = SimpleUploadedFile("工资条.jpg", EXE, content_type="image/jpeg")
    response = post(client, good(), files=[fake])
    assert response.status_code == 200
    assert "is not a photo or a PDF" in " ".join(errors(response)["attachments"])
    assert "choose your photos or PDF files again" in response.content.decode()
    assert (
        not filed().exists()
        and not Attachment.objects.filter(case__channel=Channel.PORTAL).exists()
    )


def test_real_jpeg_png_and_pdf_are_accepted_and_typed_by_content(world, client):
    files = [
        SimpleUploadedFile("a.jpg", JPEG, content_type="image/jpeg"),
        SimpleUploadedFile("scan.png", PNG, content_type="application/octet-stream"),
        SimpleUploadedFile("contract.pdf", PDF, content_type="application/pdf"),
    ]
    response = post(client, good(), files=files)
    assert response.status_code == 302, errors(response)
    kinds = sorted(
        Attachment.objects.filter(case__channel=Channel.PORTAL).values_list(
            "content_type", flat=True
        )
    )
    assert kinds == ["application/pdf", "image/jpeg", "image/png"]
    assert all(a.from_worker for a in Attachment.objects.filter(case__channel=Channel.PORTAL))


def test_too_many_files_are_refused(world, client):
    files = [SimpleUploadedFile(f"{i}.jpg", JPEG) for i in range(7)]
    response = post(client, good(), files=files)
    assert "At most 6 files" in " ".join(errors(response)["attachments"])
    assert not filed().exists()


# --- the human check --------------------------------------------------------------------------


def test_the_honeypot_refuses_a_bot(world, client):
    response = post(client, good(website="http://spam.example"))
    assert "The check failed" in " ".join(errors(response)["answer"])
    assert not filed().exists()


def test_a_form_sent_too_fast_is_refused(world, client, settings):
    settings.RIGHTS_FORM_MIN_SECONDS = 3
    response = post(client, good())
    assert "too fast" in " ".join(errors(response)["answer"])
    assert not filed().exists()


def test_a_question_is_good_for_one_try_only(world, client):
    draw(client)
    first = client.post(reverse("portal:case_new"), good(description=""))
    assert "description" in errors(first)
    # the answer of the first question again, without drawing the form: refused
    client.session.pop(captcha.SESSION_KEY, None)
    session = client.session
    session.pop(captcha.SESSION_KEY, None)
    session.save()
    second = client.post(reverse("portal:case_new"), good())
    assert "expired" in " ".join(errors(second)["answer"])
    assert not filed().exists()


def test_without_drawing_the_form_there_is_no_question_to_answer(world):
    response = Client().post(reverse("portal:case_new"), good())
    assert "expired" in " ".join(errors(response)["answer"])
    assert not filed().exists()


def test_the_picture_is_strokes_not_text(world, client):
    request = type("R", (), {"session": {}})()
    challenge = captcha.new_challenge(request)
    assert "<text" not in challenge.svg and "<line" in challenge.svg
    assert captcha.verify(request, answer="７") is None  # full-width digits are read


# --- rate limits ------------------------------------------------------------------------------


def test_the_same_phone_may_file_three_times_an_hour(world, client, monkeypatch):
    now = [1_000_000.0]
    monkeypatch.setattr(ratelimit, "_now", lambda: now[0])
    for _i in range(3):
        assert post(client, good()).status_code == 302
    response = post(client, good())
    assert response.status_code == 429
    assert "Too many complaints have been sent with this mobile number" in " ".join(
        response.context["form"].non_field_errors()
    )
    assert filed().count() == 3
    now[0] += 3601
    assert post(client, good()).status_code == 302


def test_one_address_may_file_ten_times_an_hour(world, client, settings):
    settings.RIGHTS_RATE_LIMITS = {"submit_address": (2, 3600)}
    assert post(client, good(phone="13900000001")).status_code == 302
    assert post(client, good(anonymous="on")).status_code == 302
    response = post(client, good(phone="13900000003"))
    assert response.status_code == 429
    assert "from this network" in response.content.decode()
    assert filed().count() == 2


def test_the_setting_switches_the_limits_off(world, client, settings):
    settings.RIGHTS_RATE_LIMITS = False
    for _i in range(5):
        assert post(client, good()).status_code == 302
    assert filed().count() == 5


def test_an_unknown_limit_name_fails_loudly(settings):
    settings.RIGHTS_RATE_LIMITS = {"submit_adress": (1, 60)}
    with pytest.raises(ValueError, match="unknown limit"):
        ratelimit.sizes()


def test_pages_are_never_cached(world, client):
    response = client.get(reverse("portal:case_new"))
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
