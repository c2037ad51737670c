import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from gonghui.organizations import services
from gonghui.organizations.models import Organization


@pytest.mark.django_db
def test_a_new_organization_gets_its_place_in_the_tree(world):
    org = services.organization_create(
        by=world.township_staff,
        parent=world.township_a,
        code="GHX1",
        name="丙公司工会",
        kind="grassroots",
        region_code="360428",
    )
    assert org.path.startswith(world.township_a.path) and org.depth == 2
    assert set(Organization.objects.visible_to(world.township_staff)) >= {org, world.township_a}
    assert org not in Organization.objects.visible_to(world.outsider)


@pytest.mark.django_db
def test_moving_a_subtree_rewrites_every_path_below(world):
    mid = services.organization_create(
        by=None,
        parent=world.township_a,
        code="GHP1",
        name="园区工会",
        kind="park",
        region_code="360428",
    )
    leaf = services.organization_create(
        by=None,
        parent=mid,
        code="GHL1",
        name="园区某公司工会",
        kind="grassroots",
        region_code="360428",
    )
    services.organization_move(by=world.county_admin, organization=mid, new_parent=world.township_b)
    mid.refresh_from_db()
    leaf.refresh_from_db()
    assert mid.parent == world.township_b and mid.path.startswith(world.township_b.path)
    assert leaf.path == mid.path + leaf.path.split("/")[-2] + "/" and leaf.depth == 3
    assert leaf in Organization.objects.visible_to(world.outsider)
    assert leaf not in Organization.objects.visible_to(world.township_staff)


@pytest.mark.django_db
def test_a_subtree_cannot_move_under_itself(world):
    with pytest.raises(ValidationError) as exc:
        services.organization_move(
            by=world.county_admin, organization=world.township_a, new_parent=world.union_a
        )
    assert "parent" in exc.value.message_dict


@pytest.mark.django_db
def test_closing_needs_a_reason_and_saves_nothing_without_one(world):
    with pytest.raises(ValidationError) as exc:
        services.organization_close(
            by=world.township_staff, organization=world.union_a, reason="  "
        )
    assert (
        exc.value.message_dict["reason"] == ["Give the reason for closing."]
        or exc.value.message_dict["reason"]
    )
    world.union_a.refresh_from_db()
    assert world.union_a.status == "active"


@pytest.mark.django_db
def test_closing_and_reopening_keeps_the_reason_and_date(world):
    union = world.extra_a[0]  # the side's second union, which has no members
    services.organization_close(by=world.township_staff, organization=union, reason="企业注销")
    union.refresh_from_db()
    assert (union.status, union.closed_reason) == ("closed", "企业注销") and union.closed_on
    services.organization_reopen(by=world.township_staff, organization=union)
    union.refresh_from_db()
    assert (union.status, union.closed_reason, union.closed_on) == ("active", "", None)


@pytest.mark.django_db
def test_a_parent_with_active_children_cannot_close(world):
    with pytest.raises(ValidationError):
        services.organization_close(
            by=world.county_admin, organization=world.township_a, reason="撤并"
        )


@pytest.mark.django_db
def test_nobody_changes_organizations_outside_their_scope_or_without_the_right(world):
    with pytest.raises(PermissionDenied):
        services.organization_update(by=world.outsider, organization=world.union_a, name="x")
    with pytest.raises(PermissionDenied):
        services.organization_update(by=world.auditor, organization=world.union_a, name="x")
    world.union_a.refresh_from_db()
    assert world.union_a.name == "甲方机械有限公司工会委员会"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message_part"),
    [
        ("region_code", "12345", "6 digits"),
        ("region_code", "369999", "not in the national table"),
        ("uscc", "91360428MA35XXXXXX", ""),
        ("code", "GH360428001", "already has this code"),
    ],
)
def test_bad_values_are_refused_with_the_field_and_reason(
    world, field, value, message_part, settings
):
    settings.LANGUAGE_CODE = "en"
    data = {
        "code": "GHNEW",
        "name": "新工会",
        "kind": "grassroots",
        "region_code": "360428",
        field: value,
    }
    before = Organization.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.organization_create(by=world.township_staff, parent=world.township_a, **data)
    assert field in exc.value.message_dict
    assert message_part in " ".join(exc.value.message_dict[field])
    assert Organization.objects.count() == before


@pytest.mark.django_db
def test_the_web_form_shows_the_field_error_in_chinese_and_keeps_the_input(world):
    client = Client()
    client.force_login(world.township_staff)
    response = client.post(
        f"/organizations/{world.township_a.pk}/new/",
        {"code": "GHNEW", "name": "新工会", "kind": "grassroots", "region_code": "12345"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="新工会"' in body
    assert "行政区划代码" in body  # the field's Chinese label names it
    assert not Organization.objects.filter(code="GHNEW").exists()


@pytest.mark.django_db
def test_the_web_form_creates_an_organization_and_audits_it(world):
    client = Client()
    client.force_login(world.township_staff)
    response = client.post(
        f"/organizations/{world.township_a.pk}/new/",
        {"code": "GHNEW", "name": "新工会", "kind": "grassroots", "region_code": "360428"},
    )
    org = Organization.objects.get(code="GHNEW")
    assert response.status_code == 302 and response["Location"] == f"/organizations/{org.pk}/"
    from gonghui.audit.models import AuditEntry

    assert AuditEntry.objects.filter(
        action="create", object_type="organizations.organization", object_id=str(org.pk)
    ).exists()


@pytest.mark.django_db
def test_a_mediator_cannot_change_organizations(world):
    with pytest.raises(PermissionDenied):
        services.organization_update(by=world.mediator, organization=world.union_a, name="x")


@pytest.mark.django_db
def test_the_top_federation_is_created_from_the_command_line():
    import io

    from django.core.management import CommandError, call_command

    out = io.StringIO()
    call_command(
        "create_federation",
        code="GH360000",
        name="江西省总工会",
        level="province",
        region_code="360000",
        stdout=out,
    )
    assert Organization.objects.get(code="GH360000").path and "江西省总工会" in out.getvalue()
    with pytest.raises(CommandError, match="region_code"):
        call_command(
            "create_federation",
            code="GHX",
            name="x",
            level="county",
            region_code="12",
            stdout=io.StringIO(),
        )
