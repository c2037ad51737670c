"""Employers: the rules of their records, their forms, their page and their list."""

import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gonghui.audit.models import AuditEntry
from gonghui.core import identifiers as ids
from gonghui.members.models import WorkerType
from gonghui.organizations import employer_sections, services
from gonghui.organizations.models import Employer

from .factories import EmployerFactory, MembershipFactory, OrganizationFactory, WorkerFactory

pytestmark = pytest.mark.django_db

NEW_USCC = ids.make_uscc("91", "360428", "NEW00001")


def create(world, **overrides):
    data = {
        "by": world.township_staff,
        "uscc": NEW_USCC.lower(),
        "name": " 东湖新材料有限公司 ",
        "ownership": "private",
        "industry": "C",
        "region_code": "360428",
        "union": world.union_a,
        "headcount": 80,
        "headcount_by_type": {"regular": 50, "migrant": 30},
    }
    data.update(overrides)
    return services.employer_create(**data)


def test_an_employer_is_created_under_its_union_and_audited(world):
    employer = create(world)
    assert employer.uscc == NEW_USCC and employer.name == "东湖新材料有限公司"
    assert employer.organization == world.union_a and employer.union == world.union_a
    assert employer.headcount_by_type == {"regular": 50, "migrant": 30}
    assert AuditEntry.objects.filter(
        action="create", object_type="organizations.employer", object_id=str(employer.pk)
    ).exists()


def test_without_a_union_the_employer_sits_with_the_township(world):
    employer = create(world, union=None, organization=world.township_a)
    assert employer.organization == world.township_a and employer.union is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"uscc": "91360428MA35XXXXXX"}, "uscc"),
        ({"uscc": ""}, "uscc"),
        ({"name": "  "}, "name"),
        ({"ownership": "feudal"}, "ownership"),
        ({"industry": "Z"}, "industry"),
        ({"size": "huge"}, "size"),
        ({"region_code": "12345"}, "region_code"),
        ({"headcount": -1, "headcount_by_type": {}}, "headcount"),
        ({"headcount_by_type": {"regular": 60, "migrant": 30}}, "headcount_by_type"),
        ({"headcount_by_type": {"robots": 3}}, "headcount_by_type"),
        ({"headcount_by_type": {"regular": -3}}, "headcount_by_type"),
        ({"union": None}, "organization"),
    ],
)
def test_each_bad_value_names_its_field_and_nothing_is_saved(world, overrides, field):
    before = Employer.objects.count()
    with pytest.raises(ValidationError) as exc:
        create(world, **overrides)
    assert field in exc.value.message_dict
    assert Employer.objects.count() == before
    assert not AuditEntry.objects.filter(object_type="organizations.employer").exists()


def test_the_parts_by_type_may_not_exceed_the_total(world, english):
    with pytest.raises(ValidationError) as exc:
        create(world, headcount=80, headcount_by_type={"regular": 60, "migrant": 30})
    assert exc.value.message_dict["headcount_by_type"] == [
        "The workers by type add up to 90, more than the 80 workers employed."
    ]


def test_a_duplicate_credit_code_names_the_other_employer_only_to_who_may_see_it(world, english):
    with pytest.raises(ValidationError) as exc:
        create(world, uscc=world.employer_a.uscc)
    assert exc.value.message_dict["uscc"] == ["甲方机械有限公司 already has this credit code."]
    with pytest.raises(ValidationError) as exc:
        create(world, uscc=world.employer_b.uscc)
    assert exc.value.message_dict["uscc"] == ["Another employer already has this credit code."]


def test_the_union_must_be_an_open_grassroots_union_in_scope(world):
    for union, expected in (
        (world.union_b, "union"),
        (world.township_a, "union"),
    ):
        with pytest.raises(ValidationError) as exc:
            create(world, union=union)
        assert expected in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        create(world, union=None, organization=world.township_b)
    assert "organization" in exc.value.message_dict


def test_roles_without_the_change_right_cannot_create_or_edit(world):
    with pytest.raises(PermissionDenied):
        create(world, by=world.auditor)
    with pytest.raises(PermissionDenied):
        services.employer_update(by=world.outsider, employer=world.employer_a, name="改名")


def test_a_rename_keeps_the_old_name_among_the_former_names(world):
    services.employer_update(
        by=world.union_chair, employer=world.employer_a, name="甲方重工有限公司"
    )
    services.employer_update(
        by=world.union_chair, employer=world.employer_a, name="甲方集团有限公司"
    )
    world.employer_a.refresh_from_db()
    assert world.employer_a.name == "甲方集团有限公司"
    assert world.employer_a.former_names == ["甲方机械有限公司", "甲方重工有限公司"]
    entry = AuditEntry.objects.filter(object_id=str(world.employer_a.pk), action="update").first()
    assert entry.changes["name"] == ["甲方重工有限公司", "甲方集团有限公司"]


def test_an_employer_leaving_its_union_goes_to_the_union_above(world):
    services.employer_update(by=world.township_staff, employer=world.employer_a, union=None)
    world.employer_a.refresh_from_db()
    assert world.employer_a.union is None and world.employer_a.organization == world.township_a


# --- pages -----------------------------------------------------------------------------------


def form_data(world, **overrides):
    data = {
        "uscc": NEW_USCC,
        "name": "东湖新材料有限公司",
        "ownership": "private",
        "industry": "C",
        "size": "small",
        "region_code": "360428",
        "address": "东湖镇工业路1号",
        "headcount": "80",
        "headcount_regular": "50",
        "headcount_migrant": "40",
        "union": str(world.union_a.pk),
    }
    data.update(overrides)
    return data


def test_the_form_keeps_the_input_and_shows_the_error_on_the_total(world, login, english):
    client = login(world.township_staff)
    response = client.post("/employers/new/", form_data(world))
    body = response.content.decode()
    assert response.status_code == 200
    assert "The workers by type add up to 90, more than the 80 workers employed." in body
    assert 'value="东湖镇工业路1号"' in body and 'value="40"' in body
    assert not Employer.objects.filter(uscc=NEW_USCC).exists()

    response = client.post("/employers/new/", form_data(world, uscc="91360428MA35XXXXXX"))
    assert "has-error" in response.content.decode()

    response = client.post("/employers/new/", form_data(world, headcount_migrant="30"))
    employer = Employer.objects.get(uscc=NEW_USCC)
    assert response.status_code == 302 and response["Location"] == f"/employers/{employer.pk}/"
    assert employer.headcount_by_type == {"regular": 50, "migrant": 30}


def test_the_union_choices_stay_in_scope(world, login):
    body = login(world.township_staff).get("/employers/new/").content.decode()
    assert world.union_a.name in body and world.union_b.name not in body


def test_the_edit_form_starts_from_the_record_and_saves_a_rename(world, login):
    client = login(world.union_chair)
    url = f"/employers/{world.employer_a.pk}/edit/"
    assert 'value="甲方机械有限公司"' in client.get(url).content.decode()
    data = form_data(
        world, uscc=world.employer_a.uscc, name="甲方重工有限公司", headcount_migrant="30"
    )
    assert client.post(url, data).status_code == 302
    world.employer_a.refresh_from_db()
    assert world.employer_a.former_names == ["甲方机械有限公司"]


def test_the_employer_page_gathers_what_the_union_knows(world, login):
    employer = world.employer_a
    employer.headcount_by_type = {"regular": 70, "migrant": 31}
    employer.save()
    WorkerFactory(employer=employer, worker_type="migrant", name="农民工甲")
    MembershipFactory(worker=WorkerFactory(employer=employer, worker_type="migrant"))
    body = login(world.township_staff).get(f"/employers/{employer.pk}/").content.decode()
    assert "甲方主席" in body  # the cadre of its union
    assert "张三丰" in body  # a member (world's worker_a holds an active membership)
    assert 'id="section-members"' in body and 'id="section-cadres"' in body
    # migrant workers: 31 reported, 2 on record, 1 member
    assert 'worker_type=migrant">2</a>' in body


def test_a_section_registered_by_another_area_appears_on_the_employer_page(world, login):
    def rights_cases(request, employer):
        if employer != world.employer_a:
            return None
        return employer_sections.Section(
            key="rights_cases",
            title="维权案件",
            template="organizations/sections/_employer_cadres.html",
            context={"union": employer.union, "cadres": []},
            order=5,
        )

    employer_sections.register(rights_cases)
    try:
        body = login(world.township_staff).get(f"/employers/{world.employer_a.pk}/").content
        body = body.decode()
        assert 'id="section-rights_cases"' in body and "维权案件" in body
        # ordered before the registry's own sections
        assert body.index("section-rights_cases") < body.index("section-members")
    finally:
        employer_sections.unregister(rights_cases)
    assert rights_cases not in employer_sections.registered()


def test_the_employer_list_filters_by_size_union_and_worker_type(world, login):
    closed = OrganizationFactory(parent=world.township_a, name="已撤销工会")
    EmployerFactory(name="大户无会", organization=world.township_a, headcount=300)
    EmployerFactory(name="小户无会", organization=world.township_a, headcount=5)
    EmployerFactory(
        name="会已撤销", union=closed, headcount=60, headcount_by_type={"dispatched": 10}
    )
    services.organization_close(by=None, organization=closed, reason="撤销")
    client = login(world.township_staff)

    def names(**params):
        body = client.get("/employers/", params).content.decode()
        return {n for n in ("大户无会", "小户无会", "会已撤销", "甲方机械有限公司") if n in body}

    assert names(min_headcount=25, has_union="no") == {"大户无会", "会已撤销"}
    assert names(has_union="yes") == {"甲方机械有限公司"}
    assert names(worker_type="dispatched") == {"会已撤销"}
    assert names(organization=world.township_a.pk, direct=1) == {"大户无会", "小户无会"}


def test_the_employer_export_has_the_workers_by_type(world, login):
    world.employer_a.headcount_by_type = {"regular": 70, "migrant": 31}
    world.employer_a.save()
    response = login(world.township_staff).get("/employers/", {"format": "xlsx"})
    rows = list(
        openpyxl.load_workbook(io.BytesIO(response.getvalue())).active.iter_rows(values_only=True)
    )
    header, first = rows[0], rows[1]
    assert first[header.index(str(WorkerType.REGULAR.label))] == 70
    assert first[header.index(str(WorkerType.MIGRANT.label))] == 31
    assert first[header.index(str(WorkerType.PLATFORM.label))] == 0
    assert first[1] == "甲方机械有限公司" and len(rows) == 2  # only the side's own employer
