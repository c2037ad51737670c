"""Demo workers: valid resident ids of the county, phones, types as the county really has them."""

from __future__ import annotations

import datetime as dt

from gonghui.core import identifiers as ids
from gonghui.core.demo import DemoContext, person_name

from .models import Worker, WorkerType

MOBILE_PREFIXES = [
    "134",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "157",
    "158",
    "159",
    "182",
    "183",
    "187",
    "188",
    "130",
    "131",
    "132",
    "155",
    "156",
    "185",
    "186",
    "133",
    "153",
    "180",
    "181",
    "189",
    "177",
    "199",
    "191",
    "166",
    "192",
]


def seed(ctx: DemoContext) -> None:
    rng = ctx.rng
    employers = ctx.data.get("employers", [])
    if not employers:
        return
    per_county = ctx.scale.workers_per_county
    total_target = per_county * ctx.scale.counties
    total_headcount = sum(e.headcount for e in employers) or 1
    used_ids: set[str] = set()
    batch: list[Worker] = []
    created = 0
    # Spread workers over employers in proportion to headcount, at least one each.
    for employer in employers:
        if created >= total_target:
            break
        n = max(1, round(employer.headcount * total_target / total_headcount))
        n = min(n, total_target - created)
        for _ in range(n):
            sex_male = rng.random() < 0.55
            birth = dt.date(rng.randint(1962, 2005), rng.randint(1, 12), rng.randint(1, 28))
            # Most are born in the county; migrant workers come from elsewhere in the province.
            area = (
                employer.region_code[:6]
                if rng.random() < 0.7
                else rng.choice(
                    [
                        "360421",
                        "360423",
                        "360424",
                        "360425",
                        "360426",
                        "360429",
                        "360430",
                        "360481",
                        "360124",
                        "361127",
                        "361128",
                    ]
                )
            )
            while True:
                seq = rng.randint(0, 499) * 2 + (1 if sex_male else 0)
                number = ids.make_resident_id(area, birth, seq)
                if number not in used_ids:
                    used_ids.add(number)
                    break
            name = person_name(rng)
            worker_type = rng.choices(
                [
                    WorkerType.REGULAR,
                    WorkerType.MIGRANT,
                    WorkerType.DISPATCHED,
                    WorkerType.PLATFORM,
                ],
                [55, 30, 8, 7] if employer.industry in "CEG" else [75, 15, 6, 4],
            )[0]
            batch.append(
                Worker(
                    name=name,
                    id_number=number,
                    phone=rng.choice(MOBILE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}",
                    sex="M" if sex_male else "F",
                    birth_date=birth,
                    worker_type=worker_type,
                    employer=employer,
                    organization_id=employer.organization_id,
                )
            )
            created += 1
        if len(batch) >= 5000:
            Worker.objects.bulk_create(batch, batch_size=2500)
            batch = []
            if created % 100_000 < 5000:
                ctx.say(f"  {created} workers")
    if batch:
        Worker.objects.bulk_create(batch, batch_size=2500)
    ctx.say(f"workers: {created}")


def seed_memberships(ctx: DemoContext) -> None:
    """Most workers of employers with a union are members (migrant and dispatched workers a
    little less often, as in life); a few memberships lapsed; a few transfers wait for a
    decision; a few possible duplicates wait for review."""
    import datetime as dt

    from django.db import connection

    from gonghui.organizations.models import Employer

    from .models import DuplicateCandidate, Membership, MembershipEvent, MembershipTransfer

    rng = ctx.rng
    union_of = dict(Employer.objects.filter(union__isnull=False).values_list("id", "union_id"))
    from gonghui.organizations.models import Organization

    region_of = dict(
        Organization.objects.filter(pk__in=set(union_of.values())).values_list("id", "region_code")
    )
    memberships: list[Membership] = []
    counters: dict[int, int] = {}
    rate = {"regular": 0.85, "migrant": 0.7, "dispatched": 0.6, "platform": 0.5}
    rows = (
        Worker.objects.filter(employer_id__in=list(union_of))
        .values_list("id", "employer_id", "worker_type")
        .order_by("id")
    )
    for worker_id, employer_id, worker_type in rows.iterator(chunk_size=20000):
        if rng.random() > rate[worker_type]:
            continue
        union_id = union_of[employer_id]
        counters[union_id] = counters.get(union_id, 0) + 1
        joined = dt.date(rng.randint(2005, 2026), rng.randint(1, 12), rng.randint(1, 28))
        if joined > dt.date.today():
            joined = dt.date.today() - dt.timedelta(days=rng.randint(1, 300))
        lapsed = rng.random() < 0.03
        memberships.append(
            Membership(
                worker_id=worker_id,
                union_id=union_id,
                joined_on=joined,
                card_number=f"{region_of[union_id][:6]}{union_id:05d}{counters[union_id]:06d}",
                status="lapsed" if lapsed else "active",
                ended_on=joined + dt.timedelta(days=rng.randint(200, 2000)) if lapsed else None,
                end_reason="长期未缴纳会费" if lapsed else "",
            )
        )
        if len(memberships) >= 10000:
            Membership.objects.bulk_create(memberships, batch_size=5000)
            memberships = []
    Membership.objects.bulk_create(memberships, batch_size=5000)
    # the history's first line for every membership, in one statement
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO members_membershipevent (worker_id, organization_id, kind, at, data) "
            "SELECT worker_id, union_id, 'joined', created_at, '{}' FROM members_membership"
        )
    active = list(
        Membership.objects.filter(status="active")
        .order_by("id")
        .values_list("id", "worker_id", "union_id")[:20000]
    )
    unions = list(union_of.values())
    for membership_id, worker_id, union_id in rng.sample(active, min(len(active), 12)):
        to_union = rng.choice([u for u in unions if u != union_id] or [union_id])
        if to_union != union_id:
            MembershipTransfer.objects.create(
                membership_id=membership_id,
                worker_id=worker_id,
                from_union_id=union_id,
                to_union_id=to_union,
                reason="工作调动",
            )
    # a few records of one person typed twice: same name and birth date, another employer
    first = list(Worker.objects.order_by("id").values_list("id", flat=True)[:5000])
    positions = rng.sample(range(len(first)), min(8, len(first)))
    from gonghui.core import identifiers as ids

    for position in positions:
        worker_id = first[position]
        original = Worker.objects.get(pk=worker_id)
        twin = Worker.objects.create(
            name=original.name,
            # another registration place (濂溪区), so the number differs from every demo ID
            id_number=ids.make_resident_id(
                "360402", original.birth_date, 998 - 2 * (position % 400) + (original.sex == "M")
            ),
            sex=original.sex,
            birth_date=original.birth_date,
            worker_type=original.worker_type,
            organization=original.organization,
            employer_name_given="（手工录入）",
        )
        a, b = sorted([original, twin], key=lambda w: w.pk)
        DuplicateCandidate.objects.get_or_create(
            worker_a=a, worker_b=b, defaults={"reason": "same_name_birth"}
        )
    ctx.say(f"memberships: {Membership.objects.count()}, events: {MembershipEvent.objects.count()}")
