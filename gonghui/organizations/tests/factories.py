"""factory_boy factories for the registry. Organizations are made through the service, so
their paths are right; everything else is a plain row with sensible defaults."""

from __future__ import annotations

import datetime as dt

import factory

from gonghui.core import identifiers as ids
from gonghui.members.models import Membership, Worker
from gonghui.organizations.models import Cadre, Election, Employer, Organization
from gonghui.organizations.services import organization_create


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    parent = None
    code = factory.Sequence(lambda n: f"GHT{n:05d}")
    name = factory.Sequence(lambda n: f"测试工会{n}")
    kind = "grassroots"
    region_code = "360428"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        if kwargs.get("parent") is None:
            kwargs.setdefault("level", "county")
        return organization_create(by=None, **kwargs)


class EmployerFactory(factory.django.DjangoModelFactory):
    """Give ``union`` (the employer's records then sit with it) or ``organization``."""

    class Meta:
        model = Employer

    uscc = factory.Sequence(lambda n: ids.make_uscc("91", "360428", f"T{n:07d}"))
    name = factory.Sequence(lambda n: f"测试企业{n}有限公司")
    ownership = "private"
    industry = "C"
    region_code = "360428"
    headcount = 50
    union = None
    organization = factory.LazyAttribute(lambda o: o.union)


class WorkerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Worker

    name = factory.Sequence(lambda n: f"职工{n}")
    id_number = factory.Sequence(
        lambda n: ids.make_resident_id(
            "360428", dt.date(1985, 1, 1) + dt.timedelta(n // 900), n % 900
        )
    )
    worker_type = "regular"
    employer = None
    organization = factory.LazyAttribute(lambda o: o.employer.organization)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    worker = factory.SubFactory(WorkerFactory)
    union = factory.LazyAttribute(lambda o: o.worker.organization)
    joined_on = dt.date(2020, 1, 1)
    status = "active"


class ElectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Election

    held_on = dt.date(2022, 5, 1)
    kind = "regular"
    term_years = 5
    members_total = 50
    members_voting = 45


class CadreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cadre

    name = factory.Sequence(lambda n: f"干部{n}")
    position = "committee_member"
    term_start = dt.date(2022, 5, 1)
    term_end = dt.date(2027, 4, 30)
