"""A small county with two sibling townships, used by scope and area tests."""

from __future__ import annotations

from dataclasses import dataclass

from gonghui.accounts.models import User
from gonghui.accounts.roles import Role
from gonghui.core import identifiers as ids
from gonghui.members.models import Worker
from gonghui.organizations.models import Employer, Organization
from gonghui.organizations.services import organization_create

PASSWORD = "correct horse battery staple"


@dataclass
class World:
    county: Organization
    township_a: Organization
    township_b: Organization
    union_a: Organization
    union_b: Organization
    employer_a: Employer
    employer_b: Employer
    worker_a: Worker
    worker_b: Worker
    county_admin: User
    auditor: User
    mediator: User
    township_staff: User
    union_chair: User
    outsider: User
    admin_a: User  # every permission, at township A (as a county admin is, one level up)
    admin_b: User
    extra_a: list = None  # registry records of each side (memberships, cadres, imports, …)
    extra_b: list = None
    side_a: object = None  # tests.world_parts.Side of each side, for later areas' tests
    side_b: object = None

    def a_records(self):
        """Records that only the A side (and the county) may see, with a text that marks them."""
        return [
            self.township_a,
            self.union_a,
            self.employer_a,
            self.worker_a,
            self.township_staff,
            *(self.extra_a or []),
        ]

    def b_records(self):
        return [
            self.township_b,
            self.union_b,
            self.employer_b,
            self.worker_b,
            self.outsider,
            *(self.extra_b or []),
        ]


def make_user(username: str, role: str, organization: Organization, **extra) -> User:
    user = User(username=username, role=role, organization=organization, **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


def make_worker(
    name: str, organization: Organization, employer: Employer | None, seq: int, **extra
) -> Worker:
    import datetime as dt

    number = ids.make_resident_id("360428", dt.date(1990, 1, 1), seq)
    return Worker.objects.create(
        name=name,
        id_number=number,
        phone=f"138{seq:08d}",
        sex="M" if seq % 2 else "F",
        birth_date=dt.date(1990, 1, 1),
        organization=organization,
        employer=employer,
        **extra,
    )


def make_employer(
    name: str, organization: Organization, union: Organization | None, n: int
) -> Employer:
    return Employer.objects.create(
        uscc=ids.make_uscc("91", "360428", f"{n:08d}"),
        name=name,
        ownership="private",
        industry="C",
        region_code="360428",
        headcount=100 + n,
        organization=organization,
        union=union,
    )


def registry_records(
    side: str,
    township: Organization,
    union: Organization,
    employer: Employer,
    worker: Worker,
    seq: int,
) -> list:
    """One record of each registry model on one side, each with a name that marks the side."""
    import datetime as dt

    from django.core.files.base import ContentFile

    from gonghui.members.models import (
        DuplicateCandidate,
        ImportJob,
        JoinApplication,
        Membership,
        MembershipTransfer,
        PortalAccount,
    )
    from gonghui.organizations.models import Cadre, Election, FoundingRecord

    second_union = organization_create(
        by=None,
        parent=township,
        code=f"GH360428G9{seq}",
        name=f"{side}方第二工会",
        kind="grassroots",
        region_code="360428",
    )
    membership = Membership.objects.create(
        worker=worker, union=union, joined_on=dt.date(2015, 5, 1), card_number=f"36042800{seq}"
    )
    transfer = MembershipTransfer.objects.create(
        membership=membership,
        worker=worker,
        from_union=union,
        to_union=second_union,
        reason=f"{side}方调动",
    )
    twin = make_worker(f"{worker.name}", second_union, None, seq + 500)
    a, b = sorted([worker, twin], key=lambda w: w.pk)
    duplicate = DuplicateCandidate.objects.create(worker_a=a, worker_b=b, reason="same_name_birth")
    account = PortalAccount.objects.create(phone=f"139{seq:08d}")
    application = JoinApplication.objects.create(
        account=account,
        kind="join",
        union=union,
        name=f"{side}方申请人",
        id_number=ids.make_resident_id("360428", dt.date(1995, 3, 3), seq),
        phone=f"139{seq:08d}",
    )
    election = Election.objects.create(
        organization=union,
        held_on=dt.date(2022, 5, 1),
        kind="regular",
        term_years=5,
        members_total=100,
        members_voting=90,
    )
    cadre = Cadre.objects.create(
        organization=union,
        name=f"{side}方主席",
        position="chair",
        term_start=dt.date(2022, 5, 1),
        term_end=dt.date(2027, 4, 30),
        election=election,
    )
    founding = FoundingRecord.objects.create(
        organization=union, founded_on=dt.date(2010, 1, 1), founding_members=30
    )
    job = ImportJob.objects.create(
        organization=township,
        original_name=f"{side}方花名册.xlsx",
        file=ContentFile(b"x", name=f"{side}.xlsx"),
    )
    return [
        second_union,
        membership,
        transfer,
        duplicate,
        application,
        election,
        cadre,
        founding,
        job,
    ]


def build_world() -> World:
    county = organization_create(
        by=None,
        parent=None,
        code="GH360428",
        name="都昌县总工会",
        kind="federation",
        level="county",
        region_code="360428",
    )
    township_a = organization_create(
        by=None,
        parent=county,
        code="GH360428001",
        name="东湖镇总工会",
        kind="township",
        region_code="360428101",
    )
    township_b = organization_create(
        by=None,
        parent=county,
        code="GH360428002",
        name="西岭镇总工会",
        kind="township",
        region_code="360428102",
    )
    union_a = organization_create(
        by=None,
        parent=township_a,
        code="GH360428G0001",
        name="甲方机械有限公司工会委员会",
        kind="grassroots",
        region_code="360428",
    )
    union_b = organization_create(
        by=None,
        parent=township_b,
        code="GH360428G0002",
        name="乙方纺织有限公司工会委员会",
        kind="grassroots",
        region_code="360428",
    )
    employer_a = make_employer("甲方机械有限公司", union_a, union_a, 1)
    employer_b = make_employer("乙方纺织有限公司", union_b, union_b, 2)
    worker_a = make_worker("张三丰", union_a, employer_a, 11)
    worker_b = make_worker("李四海", union_b, employer_b, 22)
    world = World(
        county=county,
        township_a=township_a,
        township_b=township_b,
        union_a=union_a,
        union_b=union_b,
        employer_a=employer_a,
        employer_b=employer_b,
        worker_a=worker_a,
        worker_b=worker_b,
        county_admin=make_user("county_admin", Role.FEDERATION_ADMIN, county),
        auditor=make_user("auditor", Role.AUDITOR, county),
        mediator=make_user("mediator", Role.MEDIATOR, county),
        township_staff=make_user(
            "township_staff", Role.TOWNSHIP_STAFF, township_a, full_name="王东湖"
        ),
        union_chair=make_user("union_chair", Role.GRASSROOTS_CHAIR, union_a),
        outsider=make_user("outsider", Role.TOWNSHIP_STAFF, township_b, full_name="李西岭"),
        admin_a=make_user("admin_a", Role.FEDERATION_ADMIN, township_a),
        admin_b=make_user("admin_b", Role.FEDERATION_ADMIN, township_b),
    )
    world.extra_a = registry_records("甲", township_a, union_a, employer_a, worker_a, 31)
    world.extra_b = registry_records("乙", township_b, union_b, employer_b, worker_b, 42)
    # later areas' records, one module per part (tests/world_parts)
    from tests import world_parts

    world.side_a = world_parts.Side(
        "甲", 31, township_a, union_a, employer_a, worker_a, world.township_staff, world.admin_a
    )
    world.side_b = world_parts.Side(
        "乙", 42, township_b, union_b, employer_b, worker_b, world.outsider, world.admin_b
    )
    world.extra_a += world_parts.records(world.side_a)
    world.extra_b += world_parts.records(world.side_b)
    return world
