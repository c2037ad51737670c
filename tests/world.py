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

    def a_records(self):
        """Records that only the A side (and the county) may see, with a text that marks them."""
        return [self.township_a, self.union_a, self.employer_a, self.worker_a, self.township_staff]

    def b_records(self):
        return [self.township_b, self.union_b, self.employer_b, self.worker_b, self.outsider]


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
    return World(
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
