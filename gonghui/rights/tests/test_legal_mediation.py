"""Mediation: the 15 days of art. 14, agreement and its PDF, failure and time-out with the
arbitration route and the limitation date of art. 27 told to the worker."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from gonghui.audit.models import AuditEntry
from gonghui.core import identifiers as ids
from gonghui.notifications.models import Notification, OutboundMessage
from gonghui.rights import pdf
from gonghui.rights.models import Case, CaseEvent, Mediation, MediationStatus
from gonghui.rights.services import legal
from gonghui.rights.services.cases import case_accept, case_assign, case_start_handling
from gonghui.rights.services.intake import case_create

ID_NUMBER = ids.make_resident_id("360428", dt.date(1988, 6, 6), 77)


def make_case(world, *, status="assigned", anonymous=False, received=None, phone="13700000077"):
    """A wage-arrears case of township A, accepted and assigned to its staff (or further)."""
    created = case_create(
        by=world.township_staff,
        channel="walk_in",
        category="complaint.wage_arrears",
        title="讨薪案",
        description="甲方机械有限公司拖欠三个月工资共三万六千元。",
        employer=world.employer_a,
        amount_claimed="36000",
        anonymous=anonymous,
        complainant_name="" if anonymous else "赵六",
        complainant_phone="" if anonymous else phone,
        complainant_id_number="" if anonymous else ID_NUMBER,
        received_by=world.township_a,
        received_at=received,
    )
    case = created.case
    case_accept(by=world.township_staff, case=case, tier="general")
    case_assign(
        by=world.township_staff,
        case=case,
        organization=world.township_a,
        handler=world.township_staff,
    )
    if status == "in_handling":
        case_start_handling(by=world.township_staff, case=case, method="coordination")
    case.refresh_from_db()
    return case


def sms_sent() -> int:
    return OutboundMessage.objects.filter(channel="sms").count()


def open_mediation(world, case, **changes):
    values = {
        "by": world.township_staff,
        "case": case,
        "body": "东湖镇劳动争议调解委员会",
        "mediator": world.mediator,
        "received_on": timezone.localdate(),
        "knew_on": dt.date(2026, 9, 1),
        "claims": [
            {"item": "拖欠工资", "amount": "30000"},
            {"item": "经济补偿", "amount": "6000.50"},
        ],
        "respondent_representative": "钱大",
    }
    values.update(changes)
    return legal.mediation_open(**values)


# --- periods ---------------------------------------------------------------------------------


def test_fifteen_days_ending_on_a_makeup_working_saturday_stay_there():
    # 2026-09-25 + 15 = Saturday 2026-10-10, a make-up working day after National Day.
    assert legal.statutory_due_for(dt.date(2026, 9, 25)) == dt.date(2026, 10, 10)


def test_fifteen_days_ending_in_the_national_day_holiday_move_to_the_next_working_day():
    # 2026-09-22 + 15 = 2026-10-07, inside the holiday (1–7 October): Civil Code art. 203.
    assert legal.statutory_due_for(dt.date(2026, 9, 22)) == dt.date(2026, 10, 8)


def test_limitation_runs_a_year_from_when_the_worker_knew():
    ends = legal.limitation_ends_for(
        knew_on=dt.date(2025, 3, 10), employment_ended_on=None, pay_claim=False
    )
    assert ends == dt.date(2026, 3, 10)
    # A year ending on National Day moves off the holiday.
    assert legal.limitation_ends_for(
        knew_on=dt.date(2025, 10, 1), employment_ended_on=None, pay_claim=False
    ) == dt.date(2026, 10, 8)


def test_limitation_for_pay_during_employment_runs_from_its_end():
    assert legal.limitation_ends_for(
        knew_on=dt.date(2024, 1, 5), employment_ended_on=dt.date(2026, 3, 2), pay_claim=True
    ) == dt.date(2027, 3, 2)
    # Still employed: the period does not run (art. 27 para. 4).
    assert (
        legal.limitation_ends_for(
            knew_on=dt.date(2024, 1, 5), employment_ended_on=None, pay_claim=True
        )
        is None
    )


def test_amounts_in_chinese_capitals():
    assert pdf.amount_in_words(Decimal("36000.50")) == "叁万陆仟元伍角整"
    assert pdf.amount_in_words(Decimal("100005")) == "壹拾万零伍元整"
    assert pdf.amount_in_words(Decimal("1.05")) == "壹元零伍分"


# --- opening ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_opening_a_mediation_on_an_assigned_case_starts_handling_by_mediation(world):
    case = make_case(world)
    mediation = open_mediation(world, case)
    case.refresh_from_db()
    assert case.status == "in_handling" and case.handling_method == "mediation"
    assert mediation.applicant_name == "赵六" and mediation.applicant_id_number == ID_NUMBER
    assert mediation.respondent_name == world.employer_a.name
    assert mediation.statutory_due == legal.statutory_due_for(mediation.received_on)
    assert [c.amount for c in mediation.claims.all()] == [Decimal("30000.00"), Decimal("6000.50")]
    event = CaseEvent.objects.filter(case=case, kind="mediation").get()
    assert mediation.statutory_due.isoformat() in event.public_text
    assert AuditEntry.objects.filter(object_type="rights.mediation", action="create").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"knew_on": None}, "knew_on", "limitation period runs from that day"),
        ({"received_on": dt.date(2099, 1, 1)}, "received_on", "in the future"),
        ({"claims": []}, "claims", "at least one claim"),
        ({"claims": [{"item": "工资", "amount": "-5"}]}, "claims.0.amount", "cannot be negative"),
        ({"claims": [{"item": "工资", "amount": "12.345"}]}, "claims.0.amount", "two decimal"),
        ({"claims": [{"item": "", "amount": "100"}]}, "claims.0.item", "what is claimed"),
        ({"body": " "}, "body", "Name the mediation body"),
        ({"applicant_id_number": "360428199001011234"}, "applicant_id_number", ""),
    ],
)
def test_bad_input_opens_nothing(world, changes, field, message):
    case = make_case(world)
    with pytest.raises(ValidationError) as caught:
        open_mediation(world, case, **changes)
    assert field in caught.value.message_dict
    assert message in " ".join(caught.value.message_dict[field])
    assert not Mediation.objects.filter(case=case).exists()
    case.refresh_from_db()
    assert case.status == "assigned"


@pytest.mark.django_db
def test_a_mediator_from_the_sibling_township_is_refused(world):
    case = make_case(world)
    with pytest.raises(ValidationError) as caught:
        open_mediation(world, case, mediator=world.outsider)
    assert "can see this case" in caught.value.message_dict["mediator"][0]
    assert not Mediation.objects.filter(case=case).exists()


@pytest.mark.django_db
def test_a_case_not_yet_assigned_cannot_be_mediated(world):
    case = world.side_a.case  # received, not accepted
    with pytest.raises(ValidationError) as caught:
        open_mediation(world, case)
    assert "only a case assigned" in caught.value.message_dict["case"][0]


@pytest.mark.django_db
def test_one_open_mediation_per_case(world):
    case = make_case(world)
    open_mediation(world, case)
    with pytest.raises(ValidationError) as caught:
        open_mediation(world, case)
    assert "already in mediation" in caught.value.message_dict["case"][0]
    assert Mediation.objects.filter(case=case).count() == 1


@pytest.mark.django_db
def test_roles_and_scope(world):
    case = make_case(world)
    with pytest.raises(PermissionDenied):
        open_mediation(world, case, by=world.auditor)
    with pytest.raises(PermissionDenied):
        open_mediation(world, case, by=world.outsider)
    assert not Mediation.objects.filter(case=case).exists()


# --- sessions, agreement ---------------------------------------------------------------------


@pytest.mark.django_db
def test_sessions_and_agreement(world):
    case = make_case(world)
    mediation = open_mediation(world, case)
    legal.mediation_session_add(
        by=world.mediator,
        mediation=mediation,
        held_at=timezone.now() - dt.timedelta(hours=2),
        place="东湖镇总工会调解室",
        attendees="赵六；钱大",
        record="双方同意分两期支付。",
    )
    with pytest.raises(ValidationError) as caught:
        legal.mediation_session_add(
            by=world.mediator, mediation=mediation, held_at=timezone.now(), record=""
        )
    assert "record" in caught.value.message_dict
    assert mediation.sessions.count() == 1
    claims = list(mediation.claims.all())
    today = timezone.localdate()
    with pytest.raises(ValidationError) as caught:
        legal.mediation_agree(
            by=world.mediator,
            mediation=mediation,
            terms="分两期支付",
            payment_due=today - dt.timedelta(days=1),
            signed_on=today,
            amounts={claims[0].pk: "28000"},
        )
    assert "before the agreement is signed" in caught.value.message_dict["payment_due"][0]
    mediation.refresh_from_db()
    assert mediation.status == "open"
    legal.mediation_agree(
        by=world.mediator,
        mediation=mediation,
        terms="被申请人分两期支付申请人工资及经济补偿。",
        performance="银行转账至申请人账户",
        payment_due=today + dt.timedelta(days=10),
        signed_on=today,
        amounts={claims[0].pk: "28000", claims[1].pk: "4000"},
    )
    mediation.refresh_from_db()
    assert mediation.status == "agreed" and mediation.amount_agreed == Decimal("32000.00")
    with pytest.raises(ValidationError) as caught:
        legal.mediation_fail(by=world.mediator, mediation=mediation, reason="x")
    assert "already ended" in caught.value.message_dict["reason"][0]


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.mark.django_db
def test_the_agreement_pdf_holds_what_the_law_requires_masked_or_in_full(world):
    case = make_case(world)
    mediation = open_mediation(world, case, facts="赵六在甲方工作，被拖欠三个月工资。")
    claims = list(mediation.claims.all())
    legal.mediation_agree(
        by=world.mediator,
        mediation=mediation,
        terms="被申请人于约定日期前向赵六一次性支付拖欠工资。",
        performance="银行转账",
        payment_due=dt.date(2026, 12, 10),
        signed_on=timezone.localdate(),
        amounts={claims[0].pk: "30000", claims[1].pk: "6000.50"},
    )
    mediation.refresh_from_db()
    full = _pdf_text(pdf.mediation_agreement_pdf(mediation, reveal=True))
    for text in (
        "调解协议书",
        "赵六",
        ID_NUMBER,
        world.employer_a.name,
        "钱大",
        "拖欠工资",
        "30,000.00",
        "36,000.50",
        "叁万陆仟元伍角整",
        "2026年12月10日",
        "银行转账",
        "支付令",
        "调解员（签名）",
        "调解组织（印章）",
        "东湖镇劳动争议调解委员会",
    ):
        assert text.replace(" ", "") in full.replace(" ", "").replace("\n", ""), text
    masked = _pdf_text(pdf.mediation_agreement_pdf(mediation, reveal=False))
    assert "赵六" not in masked and ID_NUMBER not in masked
    assert ids.mask_id_number(ID_NUMBER) in masked.replace("\n", "")


@pytest.mark.django_db
def test_downloading_the_agreement_is_audited_and_masked_without_reveal(world):
    case = make_case(world)
    mediation = open_mediation(world, case)
    legal.mediation_agree(
        by=world.mediator,
        mediation=mediation,
        terms="一次性支付",
        payment_due=dt.date(2026, 12, 10),
        signed_on=timezone.localdate(),
        amounts={},
    )
    url = f"/rights/mediations/{mediation.pk}/agreement.pdf"
    staff = Client()
    staff.force_login(world.township_staff)
    response = staff.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "赵六" in _pdf_text(response.content)
    auditor = Client()
    auditor.force_login(world.auditor)  # may view, may not reveal
    assert "赵六" not in _pdf_text(auditor.get(url).content)
    entries = AuditEntry.objects.filter(object_type="rights.mediation", action="export")
    assert sorted(e.changes["personal_data"] for e in entries) == ["full", "masked"]
    outsider = Client()
    outsider.force_login(world.outsider)
    assert outsider.get(url).status_code == 404


# --- failure and time-out --------------------------------------------------------------------


@pytest.mark.django_db
def test_failure_tells_the_worker_the_arbitration_route_and_the_date_by_sms(world):
    case = make_case(world)
    mediation = open_mediation(world, case, knew_on=dt.date(2026, 3, 10))
    legal.mediation_fail(by=world.mediator, mediation=mediation, reason="用人单位拒绝调解")
    mediation.refresh_from_db()
    assert mediation.status == "failed" and mediation.limitation_ends == dt.date(2027, 3, 10)
    assert mediation.worker_told_at is not None
    event = CaseEvent.objects.filter(case=case, kind="mediation").last()
    assert "2027-03-10" in event.public_text and "李" not in event.public_text
    [sms] = OutboundMessage.objects.filter(channel="sms", body__contains="2027-03-10")
    assert sms.to == "13700000077" and case.tracking_code[:4] in sms.body
    assert Notification.objects.filter(recipient=world.mediator).exists()


@pytest.mark.django_db
def test_failure_of_a_pay_claim_counts_from_the_end_of_employment(world):
    case = make_case(world)
    mediation = open_mediation(world, case, knew_on=None, pay_claim=True)
    legal.mediation_fail(
        by=world.mediator,
        mediation=mediation,
        reason="协商不成",
        employment_ended_on=dt.date(2026, 2, 27),
    )
    mediation.refresh_from_db()
    assert mediation.limitation_ends == dt.date(2027, 3, 1)  # 2027-02-27 is a Saturday


@pytest.mark.django_db
def test_failure_without_a_reason_changes_nothing(world):
    case = make_case(world)
    mediation = open_mediation(world, case)
    before = sms_sent()
    with pytest.raises(ValidationError) as caught:
        legal.mediation_fail(by=world.mediator, mediation=mediation, reason="  ")
    assert "Say why" in caught.value.message_dict["reason"][0]
    mediation.refresh_from_db()
    assert mediation.status == "open" and sms_sent() == before


@pytest.mark.django_db
def test_an_anonymous_worker_gets_no_sms_but_the_status_page_tells_them(world):
    case = make_case(world, anonymous=True)
    mediation = open_mediation(world, case, applicant_name="匿名职工")
    before = sms_sent()
    legal.mediation_fail(by=world.mediator, mediation=mediation, reason="拒绝")
    assert sms_sent() == before
    assert CaseEvent.objects.filter(case=case, kind="mediation").last().public_text


@pytest.mark.django_db
def test_the_daily_check_times_out_mediations_past_the_fifteen_days_once(world):
    case = make_case(world, received=timezone.now() - dt.timedelta(days=40))
    mediation = open_mediation(
        world, case, received_on=timezone.localdate() - dt.timedelta(days=30)
    )
    other = make_case(world, phone="13700000078")
    fresh = open_mediation(world, other)
    before = sms_sent()
    assert legal.mediations_time_out(timezone.localdate()) == 1
    mediation.refresh_from_db()
    fresh.refresh_from_db()
    assert mediation.status == MediationStatus.TIMED_OUT and fresh.status == "open"
    assert mediation.ended_on == mediation.statutory_due
    assert mediation.limitation_ends == legal.limitation_ends_for(
        knew_on=dt.date(2026, 9, 1), employment_ended_on=None, pay_claim=False
    )
    assert sms_sent() == before + 1
    assert legal.mediations_time_out(timezone.localdate()) == 0  # idempotent
    # The parties may still agree after the period ran out.
    legal.mediation_agree(
        by=world.mediator,
        mediation=mediation,
        terms="补签协议",
        payment_due=timezone.localdate(),
        signed_on=timezone.localdate(),
        amounts={},
    )


@pytest.mark.django_db
def test_fewer_than_seven_days_left_is_urgent_for_legal_aid(world):
    case = make_case(world)
    soon = timezone.localdate() + dt.timedelta(days=1)
    mediation = open_mediation(world, case, knew_on=soon.replace(year=soon.year - 1))
    legal.mediation_fail(by=world.mediator, mediation=mediation, reason="拒绝")
    mediation.refresh_from_db()
    left = (mediation.limitation_ends - timezone.localdate()).days
    assert mediation.limitation_urgent == (left < 7)
    if mediation.limitation_urgent:
        assert Notification.objects.filter(
            recipient=world.mediator, title__startswith="Urgent"
        ).exists()
        assert "Legal Aid Law art. 44" in CaseEvent.objects.filter(case=case).last().internal_note


# --- pages -----------------------------------------------------------------------------------


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_opening_a_mediation_on_the_page(world):
    case = make_case(world)
    client = client_for(world.township_staff)
    page = client.get(f"/rights/cases/{case.pk}/mediation/new/")
    body = page.content.decode()
    assert page.status_code == 200 and "赵*" in body and "赵六" not in body
    response = client.post(
        f"/rights/cases/{case.pk}/mediation/new/",
        {
            "body": "东湖镇劳动争议调解委员会",
            "mediator": world.mediator.pk,
            "received_on": timezone.localdate().isoformat(),
            "respondent_name": world.employer_a.name,
            "knew_on": "2026-09-01",
            "claims-TOTAL_FORMS": "2",
            "claims-INITIAL_FORMS": "0",
            "claims-0-item": "拖欠工资",
            "claims-0-amount": "36000",
            "claims-1-item": "",
            "claims-1-amount": "",
        },
    )
    mediation = Mediation.objects.get(case=case)
    assert (
        response.status_code == 302
        and response["Location"] == f"/rights/mediations/{mediation.pk}/"
    )
    detail = client.get(response["Location"]).content.decode()
    assert "东湖镇劳动争议调解委员会" in detail and "赵六" not in detail
    case_page = client.get(f"/rights/cases/{case.pk}/").content.decode()
    assert f"/rights/mediations/{mediation.pk}/" in case_page  # the case page's panel
    assert f"/rights/cases/{case.pk}/referrals/new/" in case_page


@pytest.mark.django_db
def test_a_bad_mediation_form_keeps_the_input_and_saves_nothing(world):
    case = make_case(world)
    response = client_for(world.township_staff).post(
        f"/rights/cases/{case.pk}/mediation/new/",
        {
            "body": "东湖镇劳动争议调解委员会",
            "mediator": world.mediator.pk,
            "received_on": timezone.localdate().isoformat(),
            "respondent_name": world.employer_a.name,
            "knew_on": "",
            "claims-TOTAL_FORMS": "1",
            "claims-INITIAL_FORMS": "0",
            "claims-0-item": "拖欠工资",
            "claims-0-amount": "36000",
        },
    )
    assert response.status_code == 200
    assert 'value="拖欠工资"' in response.content.decode()
    assert not Mediation.objects.filter(case=case).exists()
    assert Case.objects.get(pk=case.pk).status == "assigned"


@pytest.mark.django_db
def test_the_mediation_list_filters_and_exports(world):
    case = make_case(world)
    open_mediation(world, case)
    client = client_for(world.township_staff)
    body = client.get("/rights/mediations/").content.decode()
    assert case.number in body
    response = client.get("/rights/mediations/?format=xlsx")
    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
    assert case.number not in client.get("/rights/mediations/?status=agreed").content.decode()
    assert case.number not in client_for(world.outsider).get("/rights/mediations/").content.decode()
