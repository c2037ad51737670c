import io

import pytest
from django.core.management import CommandError, call_command

from gonghui.accounts.models import User
from gonghui.core import identifiers as ids
from gonghui.members.models import Worker
from gonghui.organizations.models import Employer, Organization


@pytest.mark.django_db
def test_the_tiny_demo_is_a_valid_realistic_county(settings):
    settings.GONGHUI_DEMO_PASSWORD = "demo-password-123"
    out = io.StringIO()
    call_command("seed_demo", scale="tiny", stdout=out)
    root = Organization.objects.get(parent=None)
    assert root.name == "都昌县总工会" and root.region_code == "360428"
    assert Organization.objects.filter(kind="township").count() == 3
    assert Employer.objects.count() == 60
    assert 550 <= Worker.objects.count() <= 650
    from gonghui.members.models import Membership

    assert Membership.objects.filter(status="active").count() > 100
    for employer in Employer.objects.all():
        ids.parse_uscc(employer.uscc)
    for worker in Worker.objects.all()[:200]:
        parsed = ids.parse_resident_id(worker.id_number)
        assert parsed.birth_date == worker.birth_date and parsed.sex == worker.sex
        if worker.phone:
            assert ids.normalize_mobile(worker.phone) == worker.phone
    assert set(User.objects.values_list("username", flat=True)) >= {
        "county_admin",
        "township_staff",
        "union_chair",
        "mediator",
        "auditor",
    }
    assert User.objects.get(username="county_admin").check_password("demo-password-123")
    assert "county_admin" in out.getvalue()


def _snapshot():
    return (
        list(Organization.objects.order_by("code").values_list("code", "name")),
        list(Employer.objects.order_by("uscc").values_list("uscc", "name", "headcount")),
        list(
            Worker.objects.order_by("id_number_hash").values_list(
                "name", "birth_date", "worker_type", "id_number_hash"
            )
        ),
    )


def _empty():
    from gonghui.members.models import Membership, MembershipTransfer
    from gonghui.rights import models as rights

    rights.Case.objects.update(merged_into=None)
    for model in (
        rights.SupervisionNotice,
        rights.Inspection,
        rights.Alert,
        rights.HotlineCall,
        rights.JointMeeting,
        rights.Article,
        rights.Case,
    ):
        model.objects.all().delete()
    MembershipTransfer.objects.all().delete()
    Membership.objects.all().delete()
    Worker.objects.all().delete()
    Employer.objects.all().delete()
    User.objects.all().delete()
    for org in Organization.objects.order_by("-depth"):
        org.delete()


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_county_and_a_full_database_is_refused(settings):
    settings.GONGHUI_DEMO_PASSWORD = "demo-password-123"
    call_command("seed_demo", scale="tiny", stdout=io.StringIO())
    first = _snapshot()
    with pytest.raises(CommandError, match="already holds organizations"):
        call_command("seed_demo", scale="tiny", stdout=io.StringIO())
    call_command("seed_demo", scale="tiny", if_empty=True, stdout=io.StringIO())
    assert _snapshot() == first
    _empty()
    call_command("seed_demo", scale="tiny", stdout=io.StringIO())
    assert _snapshot() == first
