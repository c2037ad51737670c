"""Demo tree of organizations and employers, loaded in bulk with ids assigned up front so that
materialized paths are written in the same insert."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max

from gonghui.core import identifiers as ids
from gonghui.core.demo import (
    EMPLOYER_STEMS,
    EMPLOYER_TRADES,
    INDUSTRY_WEIGHTS,
    TOWNSHIP_NAMES,
    DemoContext,
)

from .models import (
    Employer,
    EmployerSize,
    FederationLevel,
    Organization,
    OrganizationKind,
    Ownership,
    path_segment,
)

DEMO_PROVINCE = "36"  # Jiangxi
DEMO_COUNTY = "360428"  # 都昌县, Jiujiang


def _current_counties(province: str) -> list[tuple[str, str]]:
    """(code, name) of the counties and districts in use today, from the national table."""
    result = []
    for code in sorted(ids.all_area_codes()):
        if not code.startswith(province) or code.endswith("00"):
            continue
        history = ids.area_history(code)
        if history and history[-1].last_year is None and "市辖区" not in history[-1].name:
            result.append((code, history[-1].name))
    return result


class _Builder:
    def __init__(self, ctx: DemoContext):
        self.ctx = ctx
        self.next_id = (Organization.objects.aggregate(m=Max("id"))["m"] or 0) + 1
        self.rows: list[Organization] = []

    def add(self, parent: Organization | None, **fields) -> Organization:
        org = Organization(id=self.next_id, parent=parent, **fields)
        self.next_id += 1
        org.path = (parent.path if parent else "") + path_segment(org.id)
        org.depth = parent.depth + 1 if parent else 0
        self.rows.append(org)
        return org

    def flush(self) -> None:
        Organization.objects.bulk_create(self.rows, batch_size=2000)
        self.rows = []


def _employer_name(rng, town: str, industry: str, used: set[str]) -> str:
    while True:
        trade = rng.choice(EMPLOYER_TRADES[industry])
        suffix = (
            rng.choice(["有限公司", "有限责任公司", "股份有限公司"]) if industry not in "QP" else ""
        )
        name = f"{town}{rng.choice(EMPLOYER_STEMS)}{trade}{suffix}"
        if name in used:
            name = f"{town}{rng.choice(EMPLOYER_STEMS)}{rng.choice(EMPLOYER_STEMS)}{trade}{suffix}"
        if name not in used:
            used.add(name)
            return name


def _uscc(rng, region: str, used: set[str], prefix: str = "91") -> str:
    while True:
        body = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
        code = ids.make_uscc(prefix, region, body)
        if code not in used:
            used.add(code)
            return code


def _seed_county(
    ctx: DemoContext, b: _Builder, parent: Organization | None, code6: str, county_name: str, n: int
) -> None:
    rng, scale = ctx.rng, ctx.scale
    county = b.add(
        parent,
        code=f"GH{code6}",
        name=f"{county_name}总工会",
        short_name=f"{county_name}总工会",
        kind=OrganizationKind.FEDERATION,
        level=FederationLevel.COUNTY,
        region_code=code6,
        founded_on=dt.date(1951, 5, 1),
        address=f"江西省{county_name}人民路{rng.randint(1, 200)}号",
        phone=f"0792-{rng.randint(5200000, 5299999)}",
    )
    ctx.data.setdefault("counties", []).append(county)
    towns = rng.sample(TOWNSHIP_NAMES, scale.townships_per_county)
    township_orgs = []
    for i, town in enumerate(towns, start=1):
        suffix = "镇" if i % 3 else "乡"
        township_orgs.append(
            b.add(
                county,
                code=f"GH{code6}{i:03d}",
                name=f"{town}{suffix}总工会",
                kind=OrganizationKind.TOWNSHIP,
                region_code=f"{code6}{100 + i:03d}",
                founded_on=dt.date(rng.randint(1985, 2005), rng.randint(1, 12), 1),
                address=f"{county_name}{town}{suffix}政府大院",
            )
        )
    # A sector union and a park union beside the townships, as county federations have.
    park = b.add(
        county,
        code=f"GH{code6}P01",
        name=f"{county_name}工业园区工会联合会",
        kind=OrganizationKind.PARK,
        region_code=code6,
        founded_on=dt.date(2009, 3, 1),
    )
    sector = b.add(
        county,
        code=f"GH{code6}S01",
        name=f"{county_name}建筑业工会联合会",
        kind=OrganizationKind.SECTOR,
        region_code=code6,
        founded_on=dt.date(2012, 6, 1),
    )

    ctx.data.setdefault("townships", []).extend(township_orgs)

    # Employers: sizes follow a long tail; the larger ones have their own union.
    industries = list(INDUSTRY_WEIGHTS)
    weights = list(INDUSTRY_WEIGHTS.values())
    used_names: set[str] = ctx.data.setdefault("employer_names", set())
    used_codes: set[str] = ctx.data.setdefault("uscc", set())
    employers = []
    for _ in range(scale.employers_per_county):
        industry = rng.choices(industries, weights)[0]
        middle = (
            sector
            if industry == "E" and rng.random() < 0.5
            else (park if industry == "C" and rng.random() < 0.3 else rng.choice(township_orgs))
        )
        town = middle.name.replace("总工会", "").replace("工会联合会", "")[:3]
        headcount = min(3000, int(rng.paretovariate(1.2) * 6))
        ownership = rng.choices(
            [
                Ownership.PRIVATE,
                Ownership.STATE_OWNED,
                Ownership.COLLECTIVE,
                Ownership.FOREIGN_INVESTED,
                Ownership.HMT_INVESTED,
                Ownership.MIXED,
                Ownership.PUBLIC_INSTITUTION,
            ],
            [70, 6, 4, 3, 3, 4, 10],
        )[0]
        size = (
            EmployerSize.LARGE
            if headcount >= 1000
            else EmployerSize.MEDIUM
            if headcount >= 300
            else EmployerSize.SMALL
            if headcount >= 20
            else EmployerSize.MICRO
        )
        employers.append(
            Employer(
                uscc=_uscc(
                    rng,
                    code6,
                    used_codes,
                    prefix="12" if ownership == Ownership.PUBLIC_INSTITUTION else "91",
                ),
                name=_employer_name(
                    rng, town if rng.random() < 0.6 else county_name[:2], industry, used_names
                ),
                ownership=ownership,
                industry=industry,
                size=size,
                above_designated_size=industry == "C" and headcount >= 100,
                region_code=code6,
                address=f"{county_name}{town}{rng.randint(1, 300)}号",
                headcount=headcount,
                organization=middle,
            )
        )
    employers.sort(key=lambda emp: -emp.headcount)
    own = employers[: scale.grassroots_per_county]
    for e, employer in enumerate(own, start=1):
        union = b.add(
            employer.organization,
            code=f"GH{code6}G{e:04d}",
            name=f"{employer.name}工会委员会",
            kind=OrganizationKind.GRASSROOTS,
            region_code=code6,
            uscc=_uscc(rng, code6, used_codes, prefix="81"),
            founded_on=dt.date(rng.randint(1995, 2024), rng.randint(1, 12), rng.randint(1, 28)),
        )
        employer.union = union
        employer.organization = union
    small = [emp for emp in employers[scale.grassroots_per_county :] if emp.headcount < 25]
    rng.shuffle(small)
    for j in range(scale.joint_per_county):
        members = small[j * 5 : j * 5 + 5]
        if not members:
            break
        middle = members[0].organization
        joint = b.add(
            middle,
            code=f"GH{code6}J{j + 1:03d}",
            name=f"{middle.name.replace('总工会', '').replace('工会联合会', '')}第{j + 1}联合工会",
            kind=OrganizationKind.JOINT_GRASSROOTS,
            region_code=code6,
            founded_on=dt.date(rng.randint(2010, 2024), rng.randint(1, 12), 1),
        )
        for employer in members:
            employer.union = joint
            employer.organization = joint
    b.flush()
    Employer.objects.bulk_create(employers, batch_size=2000)
    ctx.data.setdefault("employers", []).extend(employers)


@transaction.atomic
def seed(ctx: DemoContext) -> None:
    b = _Builder(ctx)
    scale = ctx.scale
    if scale.counties == 1:
        _seed_county(ctx, b, None, DEMO_COUNTY, ids.area_name(DEMO_COUNTY) or "都昌县", 1)
        ctx.data["root"] = ctx.data["counties"][0]
    else:
        province = b.add(
            None,
            code=f"GH{DEMO_PROVINCE}0000",
            name="江西省总工会",
            kind=OrganizationKind.FEDERATION,
            level=FederationLevel.PROVINCE,
            region_code=f"{DEMO_PROVINCE}0000",
            founded_on=dt.date(1950, 6, 1),
        )
        ctx.data["root"] = province
        counties = _current_counties(DEMO_PROVINCE)
        cities: dict[str, Organization] = {}
        for code, _name in counties:
            city_code = code[:4] + "00"
            if city_code not in cities:
                cities[city_code] = b.add(
                    province,
                    code=f"GH{city_code}",
                    name=f"{ids.area_name(city_code)}总工会",
                    kind=OrganizationKind.FEDERATION,
                    level=FederationLevel.CITY,
                    region_code=city_code,
                    founded_on=dt.date(1951, 1, 1),
                )
        b.flush()
        for i, (code, name) in enumerate(counties[: scale.counties]):
            _seed_county(ctx, b, cities[code[:4] + "00"], code, name, i)
            if (i + 1) % 10 == 0:
                ctx.say(f"  {i + 1} counties")
    ctx.say(f"organizations: {Organization.objects.count()}, employers: {Employer.objects.count()}")
