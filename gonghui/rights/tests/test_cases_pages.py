"""The staff case pages: list filters and full-text search, export, the case page, the forms of
the transitions (plain POST, stale pages refused), reveal and downloads audited, settings."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.test import Client

from gonghui.audit.models import AuditEntry
from gonghui.rights import selectors
from gonghui.rights.models import Case, Channel, RightsSettings
from gonghui.rights.services import cases as services
from gonghui.rights.services.intake import case_create


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def staff(world):
    return client_for(world.township_staff)


@pytest.fixture
def more_cases(world):
    made = []
    for category, text, kwargs in [
        (
            "complaint.dismissal",
            "公司无故解除劳动合同，没有经济补偿。",
            {"channel": Channel.HOTLINE},
        ),
        ("consultation.social_insurance", "想问社保断缴怎么补缴。", {"channel": Channel.WALK_IN}),
    ]:
        made.append(
            case_create(
                by=world.township_staff,
                category=category,
                description=text,
                complainant_name="孙八",
                employer=world.employer_a,
                received_by=world.township_a,
                **kwargs,
            ).case
        )
    return made


def test_filters_and_full_text_search(world, more_cases):
    user = world.township_staff
    dismissal, consultation = more_cases
    assert set(selectors.case_list(user, {})) == {world.side_a.case, *more_cases}
    assert list(selectors.case_list(user, {"q": "解除劳动"})) == [dismissal]
    assert list(selectors.case_list(user, {"q": "三个月工资"})) == [world.side_a.case]
    assert list(selectors.case_list(user, {"kind": "consultation"})) == [consultation]
    assert list(selectors.case_list(user, {"channel": "hotline"})) == [dismissal]
    assert list(selectors.case_list(user, {"category": "complaint.dismissal"})) == [dismissal]
    services.case_accept(by=user, case=dismissal, tier="difficult")
    assert list(selectors.case_list(user, {"status": "accepted", "tier": "difficult"})) == [
        dismissal
    ]
    services.case_assign(
        by=user, case=dismissal, organization=world.union_a, handler=world.union_chair
    )
    assert list(selectors.case_list(user, {"organization": world.union_a.pk})) == [dismissal]
    assert list(selectors.case_list(user, {"handler": world.union_chair.pk})) == [dismissal]
    assert list(selectors.case_list(world.union_chair, {"handler": "me"})) == [dismissal]
    assert dismissal not in selectors.case_list(user, {"handler": "none"})
    assert set(selectors.case_list(user, {"employer": world.employer_a.pk})) == {
        world.side_a.case,
        *more_cases,
    }
    import datetime as dt

    today = dt.date.today()
    assert selectors.case_list(user, {"received_from": today, "received_to": today}).count() == 3
    assert not selectors.case_list(user, {"received_to": today - dt.timedelta(days=1)}).exists()
    # the sibling township sees none of them, whatever it asks
    assert not selectors.case_list(world.outsider, {"q": "解除劳动"}).exists()


def test_the_list_page_filters_and_pages(world, staff, more_cases):
    body = staff.get("/rights/cases/", {"q": "社保"}).content.decode()
    assert more_cases[1].title in body and more_cases[0].title not in body
    body = staff.get("/rights/cases/").content.decode()
    assert world.side_a.case.title in body and world.side_b.case.title not in body
    response = staff.get(
        "/rights/cases/", {"received_from": "2026-12-01", "received_to": "2026-01-01"}
    )
    assert "The end is before the start." in response.content.decode()


def test_the_export_is_masked_and_audited(world, staff):
    response = staff.get("/rights/cases/", {"format": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(response.getvalue()), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[1][0] == world.side_a.case.number
    assert world.side_a.case.complainant_phone not in " ".join(str(c) for c in rows[1])
    assert "****" in " ".join(str(c) for c in rows[1])
    assert AuditEntry.objects.filter(action="export", object_type="rights.case").exists()


def test_the_case_page_shows_everything_with_personal_data_masked(world, staff):
    case = world.side_a.case
    body = staff.get(f"/rights/cases/{case.pk}/").content.decode()
    assert case.title in body and case.description in body
    assert case.complainant_phone not in body  # masked: 137****0031
    assert "甲方工资条.pdf" in body  # the attachment
    assert "甲方督办" in body  # the supervision
    assert f'action="/rights/cases/{case.pk}/accept/"' in body
    assert f'action="/rights/cases/{case.pk}/start/"' not in body  # not allowed yet


def test_accepting_from_the_page_with_a_stale_version_is_refused(world, staff):
    case = world.side_a.case
    response = staff.post(f"/rights/cases/{case.pk}/accept/", {"tier": "general", "version": 1})
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).status == "accepted"
    other = client_for(world.admin_a)
    response = other.post(f"/rights/cases/{case.pk}/decline/", {"reason": "重复", "version": 1})
    assert response.status_code == 400
    assert "changed this case" in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == "accepted"


def test_the_assign_form_suggests_the_employers_union(world, staff):
    case = world.side_a.case
    services.case_accept(by=world.township_staff, case=case, tier="general")
    body = staff.get(f"/rights/cases/{case.pk}/assign/").content.decode()
    assert f'<option value="{world.union_a.pk}" selected>' in body
    assert f'<option value="{world.union_chair.pk}" selected>' in body


def test_a_missing_reason_keeps_the_form_and_says_what_to_fix(world, staff):
    case = world.side_a.case
    response = staff.post(
        f"/rights/cases/{case.pk}/decline/", {"reason": "", "version": case.version}
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == "received"


def test_a_handler_without_dispatch_cannot_open_the_accept_form(world):
    response = client_for(world.union_chair).get(f"/rights/cases/{world.side_a.case.pk}/accept/")
    assert response.status_code == 403


def test_the_whole_walk_from_the_pages(world, staff):
    case = world.side_a.case
    chair = client_for(world.union_chair)

    def post(client, action, data):
        version = Case.objects.get(pk=case.pk).version
        response = client.post(f"/rights/cases/{case.pk}/{action}/", {"version": version, **data})
        assert response.status_code == 302, response.content.decode()[-2000:]

    post(staff, "accept", {"tier": "general"})
    post(staff, "assign", {"organization": world.union_a.pk, "handler": world.union_chair.pk})
    post(chair, "start", {"method": "coordination"})
    post(chair, "pause", {"reason": "worker", "note": "补材料"})
    post(chair, "resume", {})
    post(chair, "note", {"internal_note": "已约谈企业", "public_text": "我们已联系企业"})
    post(
        chair,
        "conclude",
        {
            "outcome": "企业补发工资",
            "solved": "yes",
            "amount_recovered": "60000",
            "workers_benefited": "3",
        },
    )
    post(chair, "follow-up", {"solved": "yes", "satisfaction": "5"})
    c = Case.objects.get(pk=case.pk)
    assert (c.status, c.satisfaction) == ("closed", 5)
    body = staff.get(f"/rights/cases/{case.pk}/").content.decode()
    assert "我们已联系企业" in body and "已约谈企业" in body
    assert 'class="public"' in body and 'class="internal"' in body
    assert "补材料" in body  # the pause is visible with its note


def test_merging_from_the_similar_cases_list(world, staff):
    dup = case_create(
        by=world.township_staff,
        channel=Channel.HOTLINE,
        category="complaint.wage_arrears",
        description="甲方机械公司拖欠工资。",
        employer=world.employer_a,
        complainant_name="周九",
        received_by=world.township_a,
    ).case
    body = staff.get(f"/rights/cases/{world.side_a.case.pk}/").content.decode()
    assert dup.title in body
    response = staff.post(f"/rights/cases/{dup.pk}/merge/", {"into": world.side_a.case.pk})
    assert response.status_code == 302
    assert Case.objects.get(pk=dup.pk).merged_into_id == world.side_a.case.pk
    # into a case of the sibling township: not found
    other = case_create(
        by=world.township_staff,
        channel=Channel.HOTLINE,
        category="complaint.overtime",
        description="加班没有加班费。",
        complainant_name="吴十",
        received_by=world.township_a,
    ).case
    assert (
        staff.post(f"/rights/cases/{other.pk}/merge/", {"into": world.side_b.case.pk}).status_code
        == 404
    )
    assert Case.objects.get(pk=other.pk).status == "received"


def test_revealing_the_parties_and_downloading_an_attachment_are_audited(world, staff):
    from gonghui.rights.models import Attachment, CaseParty

    case = world.side_a.case
    CaseParty.objects.create(case=case, name="郑十一", phone="13912345678")
    body = staff.get(f"/rights/cases/{case.pk}/").content.decode()
    assert "13912345678" not in body
    body = staff.post(f"/rights/cases/{case.pk}/parties/reveal/").content.decode()
    assert "13912345678" in body and "郑十一" in body
    assert AuditEntry.objects.filter(
        action="reveal", object_id=str(case.pk), detail="parties"
    ).exists()
    auditor = client_for(world.auditor)
    assert auditor.post(f"/rights/cases/{case.pk}/parties/reveal/").status_code == 403
    attachment = Attachment.objects.get(case=case)
    response = staff.get(f"/rights/cases/attachments/{attachment.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert AuditEntry.objects.filter(object_type="rights.attachment").exists()
    other = Attachment.objects.get(case=world.side_b.case)
    assert staff.get(f"/rights/cases/attachments/{other.pk}/").status_code == 404


def test_the_deadlines_page_groups_per_handler_and_per_organization(world, staff, monkeypatch):
    import datetime as dt

    from gonghui.rights import deadlines

    monkeypatch.setattr(deadlines, "today", lambda: dt.date(2026, 9, 30))
    case = world.side_a.case
    services.case_accept(by=world.township_staff, case=case, tier="general")
    services.case_assign(
        by=world.township_staff, case=case, organization=world.union_a, handler=world.union_chair
    )
    monkeypatch.setattr(deadlines, "today", lambda: dt.date(2026, 10, 16))
    body = staff.get("/rights/cases/deadlines/").content.decode()
    overdue = body[body.index('id="overdue"') : body.index('id="due_soon"')]
    assert case.title in overdue and str(world.union_chair) in overdue
    body = staff.get("/rights/cases/deadlines/", {"group": "organization"}).content.decode()
    assert world.union_a.name in body[body.index('id="overdue"') : body.index('id="due_soon"')]


def test_settings_are_changed_by_administrators_only_and_audited(world):
    admin = client_for(world.county_admin)
    response = admin.post(
        "/rights/settings/",
        {
            "general_days": 5,
            "difficult_days": 15,
            "complex_days": 30,
            "accept_days": 3,
            "due_soon_days": 2,
            "followup_days": 5,
            "warning_cases": 3,
            "warning_window_days": 7,
            "warning_workers": 10,
            "festival_days": 60,
        },
    )
    assert response.status_code == 302
    assert RightsSettings.current().general_days == 5
    assert AuditEntry.objects.filter(object_type="rights.rightssettings", action="update").exists()
    response = admin.post("/rights/settings/", {"general_days": 0})
    assert response.status_code == 200 and RightsSettings.current().general_days == 5
    assert client_for(world.township_staff).get("/rights/settings/").status_code == 403


def test_the_worker_page_and_the_employer_page_list_the_cases(world, staff):
    case = world.side_a.case
    Case.objects.filter(pk=case.pk).update(worker=world.worker_a)
    body = staff.get(f"/workers/{world.worker_a.pk}/").content.decode()
    assert f"/rights/cases/{case.pk}/" in body and case.title in body
    body = staff.get(f"/employers/{world.employer_a.pk}/").content.decode()
    assert case.title in body and world.side_b.case.title not in body


# --- the filters the figures page links to; the organization picker --------------------------


def _make(org, status, **fields):
    import datetime as dt

    from gonghui.rights.tests.test_figures_numbers import make_case

    return make_case(org, received=dt.date(2026, 3, 5), status=status, **fields)


def test_outcome_direct_and_merged_filters_select_what_the_figures_count(world):
    user = world.county_admin
    township = world.side_a.township
    open_case = world.side_a.case  # received
    below = _make(world.union_a, "in_handling")  # held by a union below township A
    solved = _make(township, "closed", solved=True)
    unsolved = _make(township, "follow_up", solved=None)
    declined = _make(township, "declined")
    merged = _make(township, "merged", merged_into=solved)

    def listed(**filters):
        return set(selectors.case_list(user, {"organization": township.pk, **filters}))

    assert open_case.organization_id == township.pk
    # merged left out by default
    assert listed() == {open_case, below, solved, unsolved, declined}
    assert merged in listed(merged=True) and listed(status="merged") == {merged}
    assert listed(outcome="open") == {open_case, below}
    assert listed(outcome="concluded") == {solved, unsolved}
    assert listed(outcome="solved") == {solved}
    assert listed(outcome="not_solved") == {unsolved}
    assert listed(direct=True) == {open_case, solved, unsolved, declined}
    assert listed(direct=True, outcome="open") == {open_case}
    # the page reads them from the query string, as the figures link them
    body = client_for(user).get(
        "/rights/cases/", {"organization": township.pk, "outcome": "solved", "direct": "1"}
    )
    assert body.status_code == 200
    text = body.content.decode()
    assert solved.number in text and unsolved.number not in text and declined.number not in text


def test_the_organization_picker_lists_two_levels_and_accepts_a_deeper_id(world):
    from gonghui.rights.forms_cases import CaseFilterForm

    user = world.county_admin
    choices = dict(CaseFilterForm(user=user).fields["organization"].widget.choices)
    assert world.county.pk in choices and world.side_a.township.pk in choices
    assert world.union_a.pk not in choices  # grassroots: reached by id (drill-down)
    form = CaseFilterForm({"organization": str(world.union_a.pk)}, user=user)
    assert form.is_valid() and world.union_a.pk in dict(form.fields["organization"].widget.choices)
    # outside the scope: refused with a message, nothing listed from there
    form = CaseFilterForm({"organization": str(world.union_b.pk)}, user=world.township_staff)
    assert not form.is_valid()
    assert form.errors["organization"] == ["Choose an organization from the list."]
    response = client_for(world.township_staff).get(
        "/rights/cases/", {"organization": world.union_b.pk}
    )
    assert world.side_b.case.number not in response.content.decode()


def test_a_handler_given_by_id_is_shown_as_chosen(world):
    from gonghui.rights.forms_cases import CaseFilterForm

    form = CaseFilterForm({"handler": str(world.union_chair.pk)}, user=world.county_admin)
    assert form.is_valid()
    assert str(world.union_chair.pk) in dict(form.fields["handler"].widget.choices)
