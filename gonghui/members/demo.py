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
