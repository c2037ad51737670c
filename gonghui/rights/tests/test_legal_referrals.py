"""Referrals: reply deadlines by body on the working-day calendar, receipt and reply, the
overdue list, the case clock paused while a body is awaited; labor-law supervision notices."""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from gonghui.audit.models import AuditEntry
from gonghui.rights.models import Attachment, CaseEvent, Referral, SupervisionNotice
from gonghui.rights.services import legal
from gonghui.rights.tests.test_legal_mediation import make_case

SENT = dt.date(2026, 9, 28)  # the Monday before National Day (1–7 October 2026)


def aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def refer(world, case, **changes):
    values = {
        "by": world.township_staff,
        "case": case,
        "body": "labor_inspection",
        "body_name": "都昌县劳动保障监察大队",
        "matters": "甲方机械有限公司拖欠工资，请依法查处。",
        "asked": "责令限期支付",
    }
    values.update(changes)
    return legal.referral_create(**values)


def _pdf_text(content: bytes) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).replace("\n", "")


# --- deadlines -------------------------------------------------------------------------------


def test_labor_inspection_replies_in_five_working_days_across_national_day():
    # 29 and 30 September, then 8, 9 and the make-up Saturday 10 October.
    assert legal.reply_due_for("labor_inspection", SENT) == dt.date(2026, 10, 10)


def test_calendar_day_periods_move_off_the_holiday():
    # Arbitration 5 days → 3 October, legal aid 7 days → 5 October: both inside the holiday.
    assert legal.reply_due_for("arbitration", SENT) == dt.date(2026, 10, 8)
    assert legal.reply_due_for("legal_aid", SENT) == dt.date(2026, 10, 8)
    # Others: 15 working days [U].
    assert legal.reply_due_for("hr_bureau", SENT) == dt.date(2026, 10, 23)


@pytest.mark.django_db
def test_a_referral_reaches_its_deadline_on_the_working_day_calendar_and_is_listed_overdue(world):
    case = make_case(world, received=aware(dt.date(2026, 9, 20)))
    referral = refer(world, case, sent_on=SENT)
    case.refresh_from_db()
    assert referral.reply_due == dt.date(2026, 10, 10)
    assert case.status == "in_handling" and case.handling_method == "referral"
    event = CaseEvent.objects.filter(case=case, kind="referral").get()
    assert "2026-10-10" in event.public_text and "都昌县" not in event.public_text
    assert referral.is_overdue
    client = client_for(world.township_staff)
    overdue = client.get("/rights/referrals/?state=overdue").content.decode()
    assert case.number in overdue
    legal.referral_reply_record(
        by=world.township_staff, referral=referral, replied_on=dt.date(2026, 10, 12), reply="已立案"
    )
    assert case.number not in client.get("/rights/referrals/?state=overdue").content.decode()
    assert case.number in client.get("/rights/referrals/?state=status:replied").content.decode()
    assert case.number not in client_for(world.outsider).get("/rights/referrals/").content.decode()
    export = client.get("/rights/referrals/?format=xlsx")
    assert export.status_code == 200 and "spreadsheetml" in export["Content-Type"]


# --- the case clock --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_case_clock_pauses_while_the_body_is_awaited_and_resumes_on_the_reply(world):
    case = make_case(world, status="in_handling")
    referral = refer(world, case, pause_clock=True)
    case.refresh_from_db()
    assert case.paused and referral.pauses_clock
    pause = case.pauses.get()
    assert pause.reason == "outside" and pause.ended_on is None
    # A second referral while the clock stands still cannot pause it again.
    with pytest.raises(ValidationError) as caught:
        refer(world, case, pause_clock=True)
    assert "already paused" in caught.value.message_dict["pause_clock"][0]
    assert case.referrals.count() == 1
    legal.referral_receipt_record(
        by=world.township_staff,
        referral=referral,
        received_on=timezone.localdate(),
        receipt_number="监察受字〔2026〕88号",
    )
    case.refresh_from_db()
    assert case.paused  # receipt is not the reply
    legal.referral_reply_record(
        by=world.township_staff,
        referral=referral,
        replied_on=timezone.localdate(),
        reply="已责令企业限期支付。",
    )
    case.refresh_from_db()
    pause.refresh_from_db()
    assert not case.paused and pause.ended_on == timezone.localdate()


@pytest.mark.django_db
def test_withdrawing_a_referral_resumes_the_clock(world):
    case = make_case(world, status="in_handling")
    referral = refer(world, case, pause_clock=True)
    legal.referral_withdraw(by=world.township_staff, referral=referral, reason="送错单位")
    case.refresh_from_db()
    referral.refresh_from_db()
    assert referral.status == "withdrawn" and not case.paused


# --- receipt and reply -----------------------------------------------------------------------


@pytest.mark.django_db
def test_receipt_and_reply_are_recorded_once(world):
    case = make_case(world)
    referral = refer(world, case)
    today = timezone.localdate()
    legal.referral_receipt_record(by=world.township_staff, referral=referral, received_on=today)
    with pytest.raises(ValidationError) as caught:
        legal.referral_receipt_record(by=world.township_staff, referral=referral, received_on=today)
    assert "already recorded" in caught.value.message_dict["received_on"][0]
    legal.referral_reply_record(
        by=world.township_staff, referral=referral, replied_on=today, reply="ok"
    )
    with pytest.raises(ValidationError) as caught:
        legal.referral_reply_record(
            by=world.township_staff, referral=referral, replied_on=today, reply="again"
        )
    assert "already recorded" in caught.value.message_dict["reply"][0]
    referral.refresh_from_db()
    assert referral.reply == "ok"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"matters": ""}, "matters", "what is referred"),
        ({"body": "ministry"}, "body", "Choose the body"),
        ({"sent_on": dt.date(2099, 1, 1)}, "sent_on", "in the future"),
        ({"reply_due": "2026-01-01"}, "reply_due", "after the day"),
        ({"reply_due": "someday"}, "reply_due", "date like"),
    ],
)
def test_bad_referral_input_saves_nothing(world, changes, field, message):
    case = make_case(world)
    with pytest.raises(ValidationError) as caught:
        refer(world, case, **changes)
    assert message in " ".join(caught.value.message_dict[field])
    assert not Referral.objects.filter(case=case).exists()
    case.refresh_from_db()
    assert case.status == "assigned" and not case.paused


@pytest.mark.django_db
def test_attachments_of_another_case_cannot_go_into_the_packet(world):
    case = make_case(world)
    other = Attachment.objects.create(
        case=world.side_a.case,
        file="x.pdf",
        original_name="别案.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
    )
    with pytest.raises(ValidationError) as caught:
        refer(world, case, attachments=[other.pk])
    assert "attachments" in caught.value.message_dict
    assert not Referral.objects.filter(case=case).exists()


@pytest.mark.django_db
def test_bad_reply_input(world):
    case = make_case(world, received=aware(dt.date(2026, 9, 20)))
    referral = refer(world, case, sent_on=SENT)
    with pytest.raises(ValidationError) as caught:
        legal.referral_reply_record(
            by=world.township_staff, referral=referral, replied_on=dt.date(2026, 9, 1), reply="x"
        )
    assert "before the referral was sent" in caught.value.message_dict["replied_on"][0]
    with pytest.raises(ValidationError) as caught:
        legal.referral_reply_record(
            by=world.township_staff, referral=referral, replied_on=SENT, reply=""
        )
    assert "reply" in caught.value.message_dict
    referral.refresh_from_db()
    assert referral.status == "sent" and referral.replied_on is None


@pytest.mark.django_db
def test_roles_and_scope_of_referrals(world):
    case = make_case(world)
    with pytest.raises(PermissionDenied):
        refer(world, case, by=world.auditor)
    with pytest.raises(PermissionDenied):
        refer(world, case, by=world.outsider)
    referral = refer(world, case)
    with pytest.raises(PermissionDenied):
        legal.referral_reply_record(
            by=world.outsider, referral=referral, replied_on=timezone.localdate(), reply="x"
        )
    outsider = client_for(world.outsider)
    assert outsider.get(f"/rights/referrals/{referral.pk}/").status_code == 404
    assert outsider.post(f"/rights/cases/{case.pk}/referrals/new/", {}).status_code == 404
    assert (
        client_for(world.auditor).get(f"/rights/referrals/{referral.pk}/reply/").status_code == 403
    )


@pytest.mark.django_db(transaction=True)
def test_two_staff_recording_one_reply_at_the_same_moment_one_wins(world):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks and concurrent connections")
    case = make_case(world)
    referral = refer(world, case)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def record(user, text):
        from django.db import connections

        try:
            barrier.wait()
            legal.referral_reply_record(
                by=user, referral=referral, replied_on=timezone.localdate(), reply=text
            )
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append("refused: " + " ".join(exc.messages))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=record, args=(u, t))
        for u, t in ((world.township_staff, "one"), (world.admin_a, "two"))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o.split(":")[0] for o in outcomes) == ["ok", "refused"]
    assert "already recorded" in next(o for o in outcomes if o.startswith("refused"))
    assert CaseEvent.objects.filter(case=case, data__action="replied").count() == 1


# --- pages and the letter --------------------------------------------------------------------


@pytest.mark.django_db
def test_referring_on_the_page_and_the_letter(world):
    case = make_case(world)
    client = client_for(world.township_staff)
    assert client.get(f"/rights/cases/{case.pk}/referrals/new/").status_code == 200
    response = client.post(
        f"/rights/cases/{case.pk}/referrals/new/",
        {"body": "legal_aid", "body_name": "都昌县法律援助中心", "matters": "请为赵六提供法律援助"},
    )
    referral = Referral.objects.get(case=case)
    assert response.status_code == 302
    assert referral.reply_due == legal.reply_due_for("legal_aid", timezone.localdate())
    full = _pdf_text(client.get(f"/rights/referrals/{referral.pk}/letter.pdf").content)
    for text in ("转办函", "都昌县法律援助中心", "赵六", "13700000077", case.number, "附件清单"):
        assert text in full, text
    masked = _pdf_text(
        client_for(world.auditor).get(f"/rights/referrals/{referral.pk}/letter.pdf").content
    )
    assert "赵六" not in masked and "13700000077" not in masked and "赵*" in masked
    assert AuditEntry.objects.filter(object_type="rights.referral", action="export").count() == 2
    detail = client.get(f"/rights/referrals/{referral.pk}/").content.decode()
    assert "都昌县法律援助中心" in detail


@pytest.mark.django_db
def test_a_bad_referral_form_keeps_the_input(world):
    case = make_case(world)
    response = client_for(world.township_staff).post(
        f"/rights/cases/{case.pk}/referrals/new/",
        {"body": "labor_inspection", "body_name": "监察大队甲", "matters": "", "reply_due": ""},
    )
    assert response.status_code == 200 and 'value="监察大队甲"' in response.content.decode()
    assert not Referral.objects.filter(case=case).exists()


# --- supervision notices ---------------------------------------------------------------------


@pytest.mark.django_db
def test_notices_are_numbered_per_organization_and_year(world):
    held = SupervisionNotice.objects.filter(organization=world.township_a).count()  # the world's
    first = legal.notice_issue(
        by=world.township_staff,
        employer=world.employer_a,
        findings="未按时足额支付工资",
        demands="十五日内补发",
        issued_on=dt.date(2026, 9, 22),
    )
    second = legal.notice_issue(
        by=world.township_staff,
        employer=world.employer_a,
        findings="未签订书面劳动合同",
        demands="补签",
        issued_on=dt.date(2026, 10, 9),
    )
    other_org = legal.notice_issue(
        by=world.outsider, employer=world.employer_b, findings="超时加班", demands="改正"
    )
    org = world.township_a.pk
    assert first.number == f"JD2026-{org:06d}-{held + 1:04d}"
    assert second.number == f"JD2026-{org:06d}-{held + 2:04d}"
    assert other_org.number == f"JD2026-{world.township_b.pk:06d}-{held + 1:04d}"
    last_year = legal.notice_issue(
        by=world.township_staff,
        employer=world.employer_a,
        findings="x",
        demands="y",
        issued_on=dt.date(2025, 12, 1),
    )
    assert last_year.number == f"JD2025-{org:06d}-0001"
    # 15 days from 22 September end on 7 October, a holiday: moved to 8 October.
    assert first.reply_due == dt.date(2026, 10, 8)


@pytest.mark.django_db
def test_notice_from_a_case_overdue_list_and_reply(world):
    case = make_case(world)
    notice = legal.notice_issue(
        by=world.township_staff,
        employer=world.employer_a,
        case=case,
        findings="拖欠工资",
        legal_basis="《保障农民工工资支付条例》",
        demands="限期支付",
        issued_on=dt.date(2026, 10, 9),
    )
    assert CaseEvent.objects.filter(case=case, data__action="notice_issued").exists()
    client = client_for(world.township_staff)
    assert notice.number in client.get("/rights/notices/?state=overdue").content.decode()
    assert notice.number in client.get(f"/employers/{world.employer_a.pk}/").content.decode()
    response = client.post(
        f"/rights/notices/{notice.pk}/reply/", {"replied_on": "2026-11-20", "reply": "已整改"}
    )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.replied_on == dt.date(2026, 11, 20) and not notice.is_overdue
    assert notice.number not in client.get("/rights/notices/?state=overdue").content.decode()
    text = _pdf_text(client.get(f"/rights/notices/{notice.pk}/notice.pdf").content)
    assert "工会劳动法律监督建议书" in text and notice.number in text and "限期支付" in text
    with pytest.raises(ValidationError) as caught:
        legal.notice_reply_record(
            by=world.township_staff, notice=notice, replied_on=dt.date(2026, 11, 21), reply="x"
        )
    assert "already recorded" in caught.value.message_dict["reply"][0]


@pytest.mark.django_db
def test_bad_notice_input_saves_nothing(world):
    before = SupervisionNotice.objects.count()
    with pytest.raises(ValidationError) as caught:
        legal.notice_issue(
            by=world.township_staff,
            employer=world.employer_a,
            findings="",
            demands="",
            reply_due=dt.date(2020, 1, 1),
        )
    errors = caught.value.message_dict
    assert {"findings", "demands", "reply_due"} <= set(errors)
    with pytest.raises(ValidationError) as caught:
        legal.notice_issue(
            by=world.township_staff,
            employer=world.employer_a,
            findings="x",
            demands="y",
            issued_on="not a date",
        )
    assert "issued_on" in caught.value.message_dict
    with pytest.raises(PermissionDenied):
        legal.notice_issue(by=world.outsider, employer=world.employer_a, findings="x", demands="y")
    response = client_for(world.township_staff).post(
        "/rights/notices/new/",
        {"employer": world.employer_a.pk, "findings": "查明欠薪", "demands": ""},
    )
    assert response.status_code == 200 and "查明欠薪" in response.content.decode()
    assert SupervisionNotice.objects.count() == before


@pytest.mark.django_db
def test_a_notice_about_another_employer_than_the_case_is_refused(world):
    case = make_case(world)
    from gonghui.organizations.models import Employer
    from tests.world import make_employer

    other: Employer = make_employer("甲方第二公司", world.union_a, world.union_a, 7)
    with pytest.raises(ValidationError) as caught:
        legal.notice_issue(
            by=world.township_staff, employer=other, case=case, findings="x", demands="y"
        )
    assert "another employer" in caught.value.message_dict["case"][0]
