"""Staff intake: the 12351 quick entry (answered on the spot, or a case), the caller's history,
and the walk-in and letter entry of a collective case with its workers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gonghui.rights.models import Attachment, Case, Channel, HotlineCall
from gonghui.rights.services import knowledge

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x00" * 64
EXE = b"MZ\x90\x00" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def staff(world):
    client = Client()
    client.force_login(world.township_staff)
    return client


@pytest.fixture
def overtime(world):
    return knowledge.article_create(
        by=world.county_admin,
        question="加班费怎么计算？",
        answer="工作日延长工作时间，支付不低于工资的百分之一百五十的工资报酬。",
        category="consultation.wages",
        keywords="加班 工钱",
        organization=world.county,
    )


def now_text():
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


def call(**changes):
    data = {
        "caller_phone": "13600001111",
        "called_at": now_text(),
        "category": "consultation.wages",
        "summary": "周末加班公司只给平时工资，加班费怎么算？",
        "answer": "按照劳动法第四十四条，休息日加班应支付百分之二百的工资。",
        "workers_affected": "1",
        "ending": "answered",
    }
    data.update(changes)
    return data


# --- hotline ------------------------------------------------------------------------------------


def test_a_call_answered_on_the_spot_records_the_answer_and_the_articles_used(
    world, staff, overtime
):
    response = staff.post(reverse("rights:hotline"), call(articles=[overtime.pk]))
    assert response.status_code == 302
    recorded = HotlineCall.objects.get(summary__startswith="周末加班")
    assert response["Location"] == reverse("rights:hotline_call", args=[recorded.pk])
    assert recorded.case is None and recorded.taken_by == world.township_staff
    assert recorded.organization == world.township_a
    assert recorded.caller_phone == "13600001111"
    assert list(recorded.articles.all()) == [overtime]  # the county's answer serves the township
    page = staff.get(response["Location"]).content.decode()
    assert "加班费怎么计算" in page


def test_answered_on_the_spot_needs_the_answer(world, staff):
    before = HotlineCall.objects.count()
    response = staff.post(reverse("rights:hotline"), call(answer=""))
    assert response.status_code == 200
    assert "Write down the answer given" in " ".join(response.context["form"].errors["answer"])
    assert HotlineCall.objects.count() == before
    assert "周末加班公司只给平时工资" in response.content.decode()  # typed text kept


def test_a_call_becomes_a_case_linked_to_the_call(world, staff):
    response = staff.post(
        reverse("rights:hotline"),
        call(
            ending="case",
            category="complaint.wage_arrears",
            summary="公司三个月没发工资，二十个人。",
            answer="",
            caller_name="赵六",
            employer=world.employer_a.name,
            workers_affected="20",
            amount_claimed="120000",
        ),
    )
    assert response.status_code == 302
    case = Case.objects.get(channel=Channel.HOTLINE)
    assert response["Location"] == reverse("rights:case_detail", args=[case.pk])
    assert case.employer == world.employer_a and case.workers_affected == 20 and case.collective
    assert case.complainant_phone == "13600001111" and case.complainant_name == "赵六"
    assert case.created_by == world.township_staff
    recorded = HotlineCall.objects.get(case=case)
    assert recorded.summary == "公司三个月没发工资，二十个人。"
    # the PIN is shown once to read to the caller
    from django.contrib.messages import get_messages

    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("PIN" in m and case.number in m for m in shown)


def test_a_case_from_the_hotline_must_name_the_employer_for_arrears(world, staff):
    before = Case.objects.count(), HotlineCall.objects.count()
    response = staff.post(
        reverse("rights:hotline"),
        call(ending="case", category="complaint.wage_arrears", employer=""),
    )
    assert response.status_code == 200
    assert "Name the employer" in " ".join(response.context["form"].errors["employer"])
    assert (Case.objects.count(), HotlineCall.objects.count()) == before


def test_a_bad_caller_number_is_named(world, staff):
    response = staff.post(reverse("rights:hotline"), call(caller_phone="12"))
    assert "caller_phone" in response.context["form"].errors


def test_answers_appear_while_the_call_taker_types(world, staff, overtime):
    response = staff.get(
        reverse("rights:hotline_suggest"),
        {"summary": "加班费", "category": "consultation.hours_leave"},
    )
    assert "加班费怎么计算" in response.content.decode()
    response = staff.get(reverse("rights:hotline_suggest"), {"summary": "工伤认定"})
    assert "加班费怎么计算" not in response.content.decode()


def test_the_callers_earlier_calls_and_open_cases_are_shown(world, staff):
    phone = world.side_a.case.complainant_phone  # the world's case on side A
    knowledge.hotline_call_answer(
        by=world.township_staff,
        caller_phone=phone,
        category="consultation.wages",
        summary="上次来电问工资",
        answer="已解答",
    )
    body = staff.get(reverse("rights:hotline_caller"), {"caller_phone": phone}).content.decode()
    assert world.side_a.case.number in body and "上次来电问工资" in body
    # the sibling township sees neither
    outsider = Client()
    outsider.force_login(world.outsider)
    body = outsider.get(reverse("rights:hotline_caller"), {"caller_phone": phone}).content.decode()
    assert world.side_a.case.number not in body and "上次来电问工资" not in body


def test_a_role_without_dispatch_may_not_take_calls(world):
    client = Client()
    client.force_login(world.union_chair)
    assert client.get(reverse("rights:hotline")).status_code == 403


def test_the_list_of_calls_masks_the_numbers(world, staff):
    knowledge.hotline_call_answer(
        by=world.township_staff,
        caller_phone="13655556666",
        category="consultation.wages",
        summary="问最低工资",
        answer="本地最低工资标准已解答",
    )
    body = staff.get(reverse("rights:hotline_calls")).content.decode()
    assert "问最低工资" in body and "13655556666" not in body and "136****6666" in body


# --- walk-in station and letters ---------------------------------------------------------------


def walk_in(**changes):
    data = {
        "channel": "walk_in",
        "received_at": now_text(),
        "category": "complaint.wage_arrears",
        "title": "",
        "description": "某工地拖欠三名工人工资，工人到站投诉。",
        "complainant_name": "钱七",
        "complainant_phone": "13511112222",
        "complainant_id_number": "",
        "employer_text": "",
        "workers_affected": "1",
        "amount_claimed": "",
        "project_name": "东湖安置房二期",
        "general_contractor": "某建工集团",
        "arrears_months": "2026-07 至 2026-09",
        "internal_note": "",
        "parties-TOTAL_FORMS": "3",
        "parties-INITIAL_FORMS": "0",
        "parties-MIN_NUM_FORMS": "0",
        "parties-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def rows(*people):
    data = {"parties-TOTAL_FORMS": str(max(3, len(people)))}
    for i, (name, phone, id_number, months, amount) in enumerate(people):
        data.update(
            {
                f"parties-{i}-name": name,
                f"parties-{i}-phone": phone,
                f"parties-{i}-id_number": id_number,
                f"parties-{i}-months": months,
                f"parties-{i}-amount_claimed": amount,
            }
        )
    return data


def test_a_collective_walk_in_case_lists_every_worker(world, staff):
    known_id = world.worker_a.id_number
    data = walk_in(
        **rows(
            ("钱七", "13511112222", "", "7-9月", "9000"),
            (world.worker_a.name, "", known_id, "7-9月", "12000.50"),
            ("孙八", "", "", "8-9月", "6000"),
        )
    )
    data["attachments"] = [SimpleUploadedFile("欠条.jpg", JPEG)]
    response = staff.post(reverse("rights:case_new"), data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    case = Case.objects.get(channel=Channel.WALK_IN, project_name="东湖安置房二期")
    assert response["Location"] == reverse("rights:case_detail", args=[case.pk])
    assert case.workers_affected == 3 and case.collective
    assert str(case.amount_claimed) == "27000.50"
    parties = list(case.parties.order_by("pk"))
    assert [p.name for p in parties] == ["钱七", world.worker_a.name, "孙八"]
    assert parties[1].worker == world.worker_a  # known by id number: linked
    assert case.attachments.get().content_type == "image/jpeg"
    assert case.received_by == world.township_a


def test_a_letter_keeps_its_arrival_day(world, staff):
    arrived = (timezone.localtime() - dt.timedelta(days=3)).strftime("%Y-%m-%dT09:00")
    response = staff.post(
        reverse("rights:case_new"),
        walk_in(channel="letter", received_at=arrived, category="complaint.dismissal"),
    )
    assert response.status_code == 302
    case = Case.objects.get(channel=Channel.LETTER)
    assert timezone.localtime(case.received_at).strftime("%Y-%m-%dT%H:%M") == arrived


def test_a_bad_row_is_named_on_its_row_and_nothing_is_saved(world, staff):
    before = Case.objects.count()
    data = walk_in(
        **rows(
            ("钱七", "123", "", "", "9000"),
            ("", "13511113333", "", "", ""),
            ("孙八", "", "", "", "-1"),
        )
    )
    response = staff.post(reverse("rights:case_new"), data)
    assert response.status_code == 200
    forms = response.context["formset"].forms
    assert "phone" in forms[0].errors
    assert "Enter the worker's name." in forms[1].errors["name"]
    assert "cannot be negative" in " ".join(forms[2].errors["amount_claimed"])
    assert Case.objects.count() == before
    assert "东湖安置房二期" in response.content.decode()


def test_a_faked_scan_is_refused(world, staff):
    before = Case.objects.count()
    data = walk_in()
    data["attachments"] = [SimpleUploadedFile("scan.pdf", EXE)]
    response = staff.post(reverse("rights:case_new"), data)
    assert "is not a photo or a PDF" in " ".join(response.context["form"].errors["attachments"])
    assert (
        Case.objects.count() == before
        and not Attachment.objects.filter(case__project_name="东湖安置房二期").exists()
    )


def test_more_rows_keeps_what_was_typed(world, staff):
    data = walk_in(**rows(("钱七", "13511112222", "", "7-9月", "9000")), add_rows="1")
    response = staff.post(reverse("rights:case_new"), data)
    assert response.status_code == 200
    assert len(response.context["formset"].forms) == 6  # the three posted rows and three more
    body = response.content.decode()
    assert 'value="钱七"' in body and "东湖安置房二期" in body
    assert not response.context["form"].errors


def test_an_id_number_is_checked(world, staff):
    response = staff.post(
        reverse("rights:case_new"), walk_in(complainant_id_number="360428199001011234")
    )
    assert "complainant_id_number" in response.context["form"].errors


def test_the_complainant_is_linked_by_id_number(world, staff):
    response = staff.post(
        reverse("rights:case_new"),
        walk_in(
            complainant_name=world.worker_a.name,
            complainant_phone="",
            complainant_id_number=world.worker_a.id_number,
        ),
    )
    assert response.status_code == 302
    case = Case.objects.get(project_name="东湖安置房二期")
    assert case.worker == world.worker_a
