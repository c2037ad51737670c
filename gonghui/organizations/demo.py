"""Demo tree of organizations and employers, loaded in bulk with ids assigned up front so that
materialized paths are written in the same insert."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from gonghui.core import identifiers as ids
from gonghui.core.demo import (
    EMPLOYER_STEMS,
    EMPLOYER_TRADES,
    INDUSTRY_WEIGHTS,
    TOWNSHIP_NAMES,
    DemoContext,
    person_name,
)

from .models import (
    Cadre,
    CadrePosition,
    Election,
    ElectionKind,
    Employer,
    EmployerSize,
    FederationLevel,
    FoundingRecord,
    Organization,
    OrganizationKind,
    Ownership,
    path_segment,
)
from .services.cadres import add_years, term_end_for

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
    extra = _registry_rng(ctx)
    for employer in employers:
        employer.headcount_by_type = _headcount_by_type(extra, employer)
    Employer.objects.bulk_create(employers, batch_size=2000)
    ctx.data.setdefault("employers", []).extend(employers)
    _seed_registry(extra, employers, county)


# --- founding records, elections, cadres; workers by type ------------------------------------
#
# Drawn from a generator of their own, seeded from the demo's, so that adding them changes
# nothing of what the other seeders draw (the same seed still gives the same workers).


def _registry_rng(ctx: DemoContext) -> random.Random:
    if "registry_rng" not in ctx.data:
        ctx.data["registry_rng"] = random.Random(sum(ctx.rng.getstate()[1][:16]))
    return ctx.data["registry_rng"]


def _headcount_by_type(rng: random.Random, employer: Employer) -> dict[str, int]:
    """What an employer reports: most report every type, some only their regular staff, a
    few nothing; shares as the county's factories, building sites and logistics have them."""
    if rng.random() < 0.08 or employer.headcount == 0:
        return {}
    shares = (
        {"migrant": 0.30, "dispatched": 0.08, "platform": 0.07}
        if employer.industry in "CEG"
        else {"migrant": 0.15, "dispatched": 0.06, "platform": 0.04}
    )
    if employer.industry in "FGH":
        shares["platform"] += 0.06  # delivery riders and drivers
    result: dict[str, int] = {}
    left = employer.headcount
    for kind, share in shares.items():
        n = min(left, int(employer.headcount * share * rng.uniform(0.4, 1.6)))
        if n:
            result[kind] = n
            left -= n
    # Some report the parts without the regular staff, leaving the sum under the total.
    if rng.random() < 0.9 and left:
        result["regular"] = left
    return result


RANKS_STATE = ["副科级", "正科级", "副处级"]
# The demo's records are written in Chinese whatever language the seeding runs in.
POSITION_NAMES = {
    CadrePosition.CHAIR: "主席",
    CadrePosition.VICE_CHAIR: "副主席",
    CadrePosition.COMMITTEE_MEMBER: "委员",
    CadrePosition.ORGANIZER: "组织员",
    CadrePosition.FUNDS_AUDITOR: "经费审查委员会主任",
    CadrePosition.WOMEN_WORKERS: "女职工委员会主任",
}
TERM_CADRES = [
    CadrePosition.CHAIR,
    CadrePosition.VICE_CHAIR,
    CadrePosition.COMMITTEE_MEMBER,
    CadrePosition.COMMITTEE_MEMBER,
    CadrePosition.FUNDS_AUDITOR,
    CadrePosition.WOMEN_WORKERS,
]


def _committee(rng: random.Random, members: int, headcount: int, state: bool) -> list[dict]:
    if members < 25 and rng.random() < 0.7:
        # Trade Union Law art. 11: fewer than 25 members may elect one organizer.
        return [{"position": CadrePosition.ORGANIZER}]
    positions = list(TERM_CADRES)
    if members >= 100:
        positions += [CadrePosition.VICE_CHAIR, CadrePosition.COMMITTEE_MEMBER]
    if members >= 300:
        positions += [CadrePosition.COMMITTEE_MEMBER, CadrePosition.COMMITTEE_MEMBER]
    rows = []
    for position in positions:
        row = {"position": position}
        if position == CadrePosition.CHAIR:
            # Art. 13: an employer of 200 or more workers may have a full-time chair.
            row["full_time"] = headcount >= 200 and rng.random() < 0.6
            if state:
                row["rank"] = rng.choice(RANKS_STATE)
        rows.append(row)
    return rows


def _seed_registry(rng: random.Random, employers: list[Employer], county: Organization) -> None:
    """Founding records, the founding election and the current committee of every grassroots
    union: about one term in ten ends within 90 days and one in ten is overdue."""
    today = timezone.localdate()
    by_union: dict[int, list[Employer]] = {}
    unions: dict[int, Organization] = {}
    for employer in employers:
        if employer.union is not None:
            by_union.setdefault(employer.union.pk, []).append(employer)
            unions[employer.union.pk] = employer.union
    short = county.name.replace("总工会", "")[:2]
    foundings, elections, committees = [], [], []
    first_township = min(
        (u for u in unions.values() if u.parent.kind == OrganizationKind.TOWNSHIP),
        key=lambda u: (u.parent.pk, u.pk),
        default=None,
    )
    forced: dict[int, str] = {}
    if first_township is not None:
        nearby = sorted(pk for pk, u in unions.items() if u.parent_id == first_township.parent_id)
        forced = dict(zip(nearby, ["due", "overdue"], strict=False))
    for i, (union_id, covered) in enumerate(sorted(by_union.items())):
        union = unions[union_id]
        headcount = sum(e.headcount for e in covered)
        state = any(e.ownership in ("state_owned", "public_institution") for e in covered)
        founded = union.founded_on
        founding_members = max(3, int(headcount * rng.uniform(0.45, 0.9)))
        members_now = max(founding_members, int(headcount * rng.uniform(0.55, 0.95)))
        years = 5 if rng.random() < 0.8 else 3
        # Where the current term stands today: every tenth union's term is overdue and every
        # tenth ends within 90 days, among them the two first unions of the demo township
        # (where the demo's union chair and township staff sit), so reminders can be seen.
        if union_id in forced or i % 10 == 9:
            plan = forced.get(union_id, "overdue")
        elif i % 10 == 4:
            plan = "due"
        else:
            plan = "later"
        if plan == "overdue":
            current_end = today - dt.timedelta(days=rng.randint(1, 400))
            current_start = add_years(current_end + dt.timedelta(days=1), -years)
        elif plan == "due":
            current_end = today + dt.timedelta(days=rng.randint(0, 90))
            current_start = add_years(current_end + dt.timedelta(days=1), -years)
        else:
            # A founding term runs its course before the first re-election.
            earliest = add_years(founded, years)
            current_start = (
                founded
                if earliest > today
                else max(earliest, today - dt.timedelta(days=rng.randint(30, years * 300)))
            )
            current_end = term_end_for(current_start, years)
        if plan != "later" and current_start < add_years(founded, years):
            # Founded too recently for a full founding term before this one: the current
            # committee is the founding committee, and the founding is dated accordingly.
            founded = current_start
            union.founded_on = founded
            Organization.objects.filter(pk=union.pk).update(founded_on=founded)
        founding_committee = _committee(rng, founding_members, headcount, state)
        names = [person_name(rng) for _ in founding_committee]
        foundings.append(
            FoundingRecord(
                organization=union,
                founded_on=founded,
                founding_members=founding_members,
                approved_by=union.parent.name,
                approval_number=f"{short}总工字〔{founded.year}〕{rng.randint(1, 60)}号",
                first_committee="\n".join(
                    f"{name} {POSITION_NAMES[row['position']]}"
                    for name, row in zip(names, founding_committee, strict=True)
                ),
            )
        )
        terms = [(founded, ElectionKind.FOUNDING, founding_committee, names, founding_members)]
        if current_start > founded:
            committee = _committee(rng, members_now, headcount, state)
            # The chair is often re-elected.
            fresh = [person_name(rng) for _ in committee]
            if committee[0]["position"] == founding_committee[0]["position"] and rng.random() < 0.5:
                fresh[0] = names[0]
            terms.append((current_start, ElectionKind.REGULAR, committee, fresh, members_now))
        for i, (held_on, kind, committee, people, members) in enumerate(terms):
            last = i == len(terms) - 1
            election = Election(
                organization=union,
                held_on=held_on,
                kind=kind,
                term_years=years,
                members_total=members,
                members_voting=int(members * rng.uniform(0.82, 0.99)),
                approved_by=union.parent.name,
            )
            elections.append(election)
            end = current_end if last else term_end_for(held_on, years)
            for name, row in zip(people, committee, strict=True):
                committees.append(
                    (
                        election,
                        Cadre(
                            organization=union,
                            name=name,
                            position=row["position"],
                            rank=row.get("rank", ""),
                            full_time=row.get("full_time", False),
                            term_start=held_on,
                            term_end=end,
                            ended_on=None if last else terms[i + 1][0],
                        ),
                    )
                )
    FoundingRecord.objects.bulk_create(foundings, batch_size=2000)
    Election.objects.bulk_create(elections, batch_size=2000)
    cadres = []
    for election, cadre in committees:
        cadre.election = election
        cadres.append(cadre)
    Cadre.objects.bulk_create(cadres, batch_size=2000)


@transaction.atomic
def seed(ctx: DemoContext) -> None:
    b = _Builder(ctx)
    _registry_rng(ctx)  # drawn before anything else, whatever the scale
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
