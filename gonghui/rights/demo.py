"""Demo cases of rights protection: the last 18 months of a county's (or a province's) 12351
hotline, complaint website, walk-in stations and letters.

Every case is drawn from ``ctx``'s generator (through one of its own, so the other seeders'
records stay the same), moved along its life as the services would have moved it, with one
timeline event per step, so that its status always matches its events: received → accepted
(or declined) → assigned → in handling → concluded → follow-up → closed, or re-opened when the
worker said the problem was not solved; some merged as duplicates. Deadlines are counted on the
working-day calendar (``core.workdays``) with the tier limits and pauses as
``rights.deadlines`` counts them, so some open cases are overdue, some due soon and some
paused. Collective wage-arrears cases list their workers as parties; construction cases carry
the project and the contractor chain.

Around the cases of the first county: mediations, referrals, a labor-law supervision notice,
supervision (督办), two special inspections, early warnings, a knowledge base, hotline calls
answered on the spot and joint meetings, so that every page of the area has something to show.

Scale: ``tiny`` 300 cases, ``county`` 4,000, ``province`` 10,000 per county (1,000,000). The
rows are written per county in bulk with ids given up front; on PostgreSQL with COPY.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max
from django.utils import timezone, translation

from gonghui.core import workdays
from gonghui.core.demo import DemoContext, person_name
from gonghui.members.demo import MOBILE_PREFIXES
from gonghui.organizations.models import SEGMENT_WIDTH, Employer, Organization

from . import codes, search
from .catalog import CATEGORY_LABELS, kind_of
from .models import (
    ActionItem,
    Alert,
    AlertRule,
    AlertStatus,
    Article,
    Body,
    Case,
    CaseEvent,
    CaseParty,
    CasePause,
    CaseStatus,
    Channel,
    EventKind,
    HandlingMethod,
    HotlineCall,
    Inspection,
    InspectionTarget,
    JointMeeting,
    Mediation,
    MediationClaim,
    MediationSession,
    MediationStatus,
    PauseReason,
    Referral,
    ReferralStatus,
    RightsSettings,
    Supervision,
    SupervisionNotice,
    TargetStatus,
    Tier,
)

CASES_PER_COUNTY = {"tiny": 300, "county": 4000, "province": 10_000}
MONTHS_BACK = 18
DEMO_PIN = "135790"  # every demo case's PIN, so that the portal's status page can be tried

CHANNELS = [
    (Channel.HOTLINE, 40),
    (Channel.PORTAL, 26),
    (Channel.WALK_IN, 20),
    (Channel.LETTER, 9),
    (Channel.API, 5),
]
CATEGORIES = [
    ("complaint.wage_arrears", 24),
    ("complaint.dismissal", 6),
    ("complaint.no_contract", 5),
    ("complaint.social_insurance", 6),
    ("complaint.overtime", 5),
    ("complaint.work_injury", 4),
    ("complaint.safety", 2),
    ("complaint.female_workers", 1),
    ("complaint.dispatch", 1),
    ("complaint.union_rights", 1),
    ("complaint.other", 2),
    ("consultation.labor_contract", 5),
    ("consultation.wages", 5),
    ("consultation.social_insurance", 4),
    ("consultation.work_injury", 2),
    ("consultation.hours_leave", 2),
    ("consultation.union_membership", 2),
    ("consultation.policy", 1),
    ("consultation.other", 1),
    ("legal.legal_aid", 4),
    ("legal.mediation", 4),
    ("legal.arbitration", 2),
    ("legal.litigation", 1),
    ("legal.document", 1),
    ("assistance.hardship", 2),
    ("assistance.medical", 1),
    ("assistance.school", 1),
    ("assistance.employment", 1),
    ("assistance.psychological", 1),
    ("assistance.other", 1),
    ("suggestion.union_work", 1),
    ("suggestion.policy", 1),
    ("suggestion.other", 1),
]
TIERS = [(Tier.GENERAL, 70), (Tier.DIFFICULT, 22), (Tier.COMPLEX, 8)]

# What workers say, by category (the demo's records are written in Chinese). Fields:
# {employer} {months} {amount} {n} {project} {job} {years}
TEMPLATES: dict[str, list[str]] = {
    "complaint.wage_arrears": [
        "本人在{employer}从事{job}工作，{months}的工资共计{amount}元至今未发放，多次找老板讨要，"
        "对方以资金困难为由一直拖欠，请求工会帮助追讨。",
        "我们{n}名工人在{employer}承建的{project}干活，{months}工资共{amount}元被拖欠，"
        "包工头联系不上，总包单位说钱已经拨给分包，请求帮忙。",
        "{employer}自{months}起拖欠工资，涉及工人{n}人，金额约{amount}元，临近年底大家都很着急，"
        "希望工会尽快协调。",
        "在{employer}上班，老板说等货款回来再发工资，{months}的工资{amount}元一直没给，"
        "现在已经离职，担心拿不到钱。",
    ],
    "complaint.dismissal": [
        "我在{employer}工作了{years}年，公司突然口头通知我不用再来上班，没有任何书面通知，"
        "也不给经济补偿，请问这合法吗？",
        "{employer}以业绩不达标为由解除我的劳动合同，没有提前三十天通知，也没有支付补偿金，"
        "要求工会主持公道。",
    ],
    "complaint.no_contract": [
        "在{employer}做{job}已经{years}年了，公司一直不跟我们签劳动合同，请问可以要求双倍工资吗？",
        "{employer}招我们{n}个人进厂，一直没签劳动合同，工资也是现金发放，担心以后维权困难。",
    ],
    "complaint.social_insurance": [
        "{employer}从未给我缴纳社会保险，我在这里工作了{years}年，要求公司补缴。",
        "公司每月从工资里扣了社保钱，但查询发现{months}的社保没有缴纳，{employer}不给说法。",
    ],
    "complaint.overtime": [
        "{employer}要求我们每天工作十二个小时，每月只休息两天，加班费从来没有算过。",
        "春节期间在{employer}值班加班，公司不按规定支付三倍工资，共{n}人受影响。",
    ],
    "complaint.work_injury": [
        "我在{employer}工作时手指被机器压伤，公司不给申报工伤，医药费{amount}元都是自己垫付的。",
        "工友在{employer}从脚手架上摔下受伤，老板只给了一点慰问金，不愿意走工伤认定。",
    ],
    "complaint.safety": [
        "{employer}车间粉尘很大，不发防护口罩，也不组织职业健康体检，工人身体受影响。",
    ],
    "complaint.female_workers": [
        "我在{employer}怀孕后被调到更累的岗位，还被扣了工资，公司暗示我主动辞职。",
    ],
    "complaint.dispatch": [
        "我是劳务派遣到{employer}的，同样的岗位工资比正式工低很多，派遣公司和用工单位互相推诿。",
    ],
    "complaint.union_rights": [
        "{employer}阻挠职工成立工会，带头的同事被调岗，请求上级工会介入。",
    ],
    "complaint.other": [
        "{employer}强制要求员工交押金{amount}元，离职时不予退还。",
    ],
    "consultation": [
        "想咨询一下：在{employer}工作{years}年，{topic}",
        "请问{topic}我目前在{employer}上班。",
    ],
    "legal": [
        "与{employer}发生劳动争议，涉及金额{amount}元，想申请{service}，不知道需要准备哪些材料。",
        "{employer}拖欠我的工资和经济补偿共{amount}元，希望工会提供{service}。",
    ],
    "assistance": [
        "本人原在{employer}工作，{hardship}，生活十分困难，申请工会帮扶。",
    ],
    "suggestion": [
        "建议工会{idea}",
    ],
}
JOBS = [
    "普工",
    "焊工",
    "电工",
    "钢筋工",
    "木工",
    "装卸工",
    "司机",
    "厨师",
    "保洁",
    "仓管",
    "缝纫工",
]
TOPICS = [
    "试用期最长可以约定多久？",
    "公司不发年终奖是否合法？",
    "病假期间工资应该怎么计算？",
    "辞职需要提前多少天通知单位？",
    "单位不给缴纳公积金可以投诉吗？",
    "工伤认定的时限是多久？",
    "加班费的计算基数怎么确定？",
    "农民工怎样加入工会？",
]
SERVICES = ["法律援助", "劳动争议调解", "仲裁代理", "代写仲裁申请书"]
HARDSHIPS = ["因病住院花费较大", "家中孩子考上大学学费无着", "企业停产后一直没有找到工作"]
IDEAS = [
    "在工业园区多设几个职工维权服务站，方便下班后咨询。",
    "开通微信查询案件进度的功能。",
    "多组织针对农民工的劳动法律知识讲座。",
]
PROJECTS = ["城南安置小区", "滨湖大道改造", "县第二中学教学楼", "工业园标准厂房", "人民医院住院楼"]
SUBCONTRACTORS = ["鑫盛劳务有限公司", "宏达建筑劳务分包有限公司", "顺安劳务派遣有限公司"]

OUTCOME_SOLVED = [
    "经工会协调，用人单位已足额支付拖欠款项。",
    "经调解双方达成协议，单位已按协议履行。",
    "已为职工解答政策并协助其与单位协商，问题已解决。",
    "单位已补签劳动合同并补缴社会保险。",
]
OUTCOME_UNSOLVED = [
    "单位经营困难无力支付，已告知职工申请劳动仲裁的途径和时效。",
    "调解未能达成一致，已引导职工向劳动争议仲裁委员会申请仲裁。",
    "已转交人社部门劳动监察处理，职工另行主张权利。",
]


def _one_year_after(day: dt.date) -> dt.date:
    # Arbitration limitation, one year (Labor Dispute Mediation and Arbitration Law art. 27).
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _pick(rng: random.Random, weighted: list[tuple]) -> object:
    return rng.choices([v for v, _w in weighted], [w for _v, w in weighted])[0]


def _months_text(day: dt.date, rng: random.Random) -> tuple[str, int]:
    span = rng.randint(1, 6)
    end = (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    start = end
    for _ in range(span - 1):
        start = (start - dt.timedelta(days=1)).replace(day=1)
    if start == end:
        return f"{end.year}年{end.month}月", span
    return f"{start.year}年{start.month}月至{end.year}年{end.month}月", span


def _at(day: dt.date, minutes: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(8, 30))) + dt.timedelta(
        minutes=minutes
    )


# --- ids and bulk writes ----------------------------------------------------------------------


class _Ids:
    """Ids given up front (so that events point at their case in the same batch)."""

    def __init__(self, *models):
        self.next = {m: (m.objects.aggregate(m=Max("id"))["m"] or 0) + 1 for m in models}

    def take(self, model) -> int:
        value = self.next[model]
        self.next[model] = value + 1
        return value


def _write(model, objs: list) -> None:
    if not objs:
        return
    if connection.vendor == "postgresql" and len(objs) >= 1000:
        _copy(model, objs)
    else:
        model.objects.bulk_create(objs, batch_size=1000)


def _copy(model, objs: list) -> None:
    """COPY the rows in (several times faster than INSERT for a million cases); values are
    prepared by each field as a save would (encryption, keyed hashes, JSON)."""
    fields = [f for f in model._meta.concrete_fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row(
                    [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
                )


def _reset_sequences(*models) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(models)):
            cursor.execute(sql)


# --- one case's life -------------------------------------------------------------------------


@dataclass
class _Batch:
    cases: list = field(default_factory=list)
    events: list = field(default_factory=list)
    parties: list = field(default_factory=list)
    pauses: list = field(default_factory=list)

    def flush(self) -> None:
        _write(Case, self.cases)
        _write(CaseEvent, self.events)
        _write(CaseParty, self.parties)
        _write(CasePause, self.pauses)
        self.cases, self.events, self.parties, self.pauses = [], [], [], []


@dataclass
class _County:
    federation: Organization
    employers: list  # (id, name, organization_id, organization path, industry)
    handlers: dict  # organization id -> user (the demo county's staff)
    dispatcher: object = None


class _Seeder:
    def __init__(self, rng: random.Random, today: dt.date):
        self.rng = rng
        self.today = today
        self.horizon = today - dt.timedelta(days=1)
        self.first_day = today - dt.timedelta(days=round(MONTHS_BACK * 30.44))
        self.rules = RightsSettings.current()
        self.ids = _Ids(Case, CaseEvent, CaseParty, CasePause)
        self.pin_hashes: dict[str, str] = {}
        self.first_code = ""

    # -- the case as received --

    def _describe(self, category: str, employer_name: str, received: dt.date, n: int):
        rng = self.rng
        months, span = _months_text(received, rng)
        wage = rng.randrange(2800, 8500, 100)
        amount = Decimal(wage * span * n)
        kind = kind_of(category)
        pool = TEMPLATES.get(category) or TEMPLATES.get(kind) or TEMPLATES["complaint.other"]
        text = rng.choice(pool).format(
            employer=employer_name,
            months=months,
            amount=f"{amount:,.0f}",
            n=n,
            project=rng.choice(PROJECTS),
            job=rng.choice(JOBS),
            years=rng.randint(1, 12),
            topic=rng.choice(TOPICS),
            service=rng.choice(SERVICES),
            hardship=rng.choice(HARDSHIPS),
            idea=rng.choice(IDEAS),
        )
        label = str(CATEGORY_LABELS[category])
        return text, amount, months, label

    def case(self, county: _County, batch: _Batch, previous: list[int], index: int) -> None:
        """One case. The first cases of each county take every category and channel in turn,
        two arrive today and one is a duplicate, so that even the tiny demo shows them all."""
        rng, today = self.rng, self.today
        case_id = self.ids.take(Case)
        received = self.first_day + dt.timedelta(days=rng.randint(0, (today - self.first_day).days))
        if index < 2:
            received = today
        elif index < 4:  # in handling, clock paused now
            received = today - dt.timedelta(days=14)
        elif index == 4:  # likely due soon
            received = today - dt.timedelta(days=9)
        received_at = _at(received, rng.randint(0, 11 * 60))
        if received == today:
            # early today (not later than now), the same whenever the demo is seeded that day
            midnight = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
            received_at = min(midnight + dt.timedelta(seconds=rng.randint(0, 300)), timezone.now())
        channel = _pick(rng, CHANNELS)
        category = _pick(rng, CATEGORIES)
        if index < len(CATEGORIES):
            category = CATEGORIES[index][0]
            channel = CHANNELS[index % len(CHANNELS)][0]
        kind = kind_of(category)
        emp_id, emp_name, emp_org_id, emp_path, industry = rng.choice(county.employers)
        known_employer = rng.random() < 0.9
        wage_case = category == "complaint.wage_arrears"
        n = 1
        if wage_case and rng.random() < 0.3:
            n = rng.choice([2, 3, 4, 5, 6, 8, 12, 15, 23, 36])
        elif kind == "complaint" and rng.random() < 0.08:
            n = rng.randint(2, 9)
        description, amount, months, label = self._describe(category, emp_name, received, n)
        if kind in ("consultation", "suggestion", "assistance"):
            amount = Decimal("0.00")
        anonymous = channel == Channel.PORTAL and rng.random() < 0.35
        code = "".join(rng.choice(codes.ALPHABET) for _ in range(codes.LENGTH))
        if not self.first_code:
            self.first_code = code
        case = Case(
            id=case_id,
            number=f"{received:%Y}{case_id:08d}",
            tracking_code=code,
            pin_hash=codes.pin_hash(code, DEMO_PIN),
            channel=channel,
            kind=kind,
            category=category,
            title=f"{emp_name[:20]} {label}"[:200],
            description=description,
            anonymous=anonymous,
            complainant_name="" if anonymous else person_name(rng),
            complainant_phone=""
            if anonymous
            else rng.choice(MOBILE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}",
            employer_id=emp_id if known_employer else None,
            employer_name_given="" if known_employer else emp_name,
            workers_affected=n,
            collective=n > 1,
            amount_claimed=amount,
            organization=county.federation,
            received_by=county.federation,
            received_at=received_at,
            accept_due=workdays.add_working_days(received, self.rules.accept_days),
            created_by=None if channel in (Channel.PORTAL, Channel.API) else county.dispatcher,
        )
        if wage_case:
            case.arrears_months = months
            if industry == "E":
                case.project_name = f"{rng.choice(PROJECTS)}项目"
                case.general_contractor = emp_name
                case.subcontractors = rng.sample(SUBCONTRACTORS, rng.randint(1, 2))
        case.search_text = search.document(case.title, case.description, case.employer_name_given)
        if n > 1 and wage_case:
            share = (amount / n).quantize(Decimal("0.01"))
            for _party in range(min(n, 15)):
                batch.parties.append(
                    CaseParty(
                        id=self.ids.take(CaseParty),
                        case_id=case_id,
                        name=person_name(rng),
                        phone=rng.choice(MOBILE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}",
                        months=months,
                        amount_claimed=share,
                        created_at=received_at,
                    )
                )
        self._life(
            case, county, batch, emp_org_id, emp_path, previous,
            merge=index == 5, pause_now=index in (2, 3),
        )  # fmt: skip
        batch.cases.append(case)
        if case.status != CaseStatus.MERGED:
            previous.append(case_id)

    # -- what happened to it since --

    def _event(
        self, batch, case, kind, at, frm="", to="", public="", note="", actor=None, data=None
    ):
        batch.events.append(
            CaseEvent(
                id=self.ids.take(CaseEvent),
                case_id=case.id,
                kind=kind,
                at=at,
                actor=actor,
                from_status=frm,
                to_status=to,
                public_text=public,
                internal_note=note,
                data=data or {},
            )
        )

    def _life(
        self, case, county, batch, emp_org_id, emp_path, previous, merge=False, pause_now=False
    ) -> None:
        rng, rules = self.rng, self.rules
        received = timezone.localdate(case.received_at)
        clock = [case.received_at]

        def at(day: dt.date) -> dt.datetime:
            moment = max(_at(day, rng.randint(0, 8 * 60)), clock[0] + dt.timedelta(minutes=3))
            clock[0] = moment
            return moment

        dispatcher = county.dispatcher
        self._event(
            batch,
            case,
            EventKind.RECEIVED,
            case.received_at,
            to=CaseStatus.RECEIVED,
            public=f"您的诉求已收到，我们将在{rules.accept_days}个工作日内受理或答复。",
            data={"channel": case.channel, "attachments": 0},
        )
        status = CaseStatus.RECEIVED
        # a duplicate of an earlier complaint: merged
        if previous and (rng.random() < 0.01 or merge):
            decided = workdays.add_working_days(received, 1)
            if decided <= self.horizon:
                case.merged_into_id = rng.choice(previous[-50:])
                case.status = CaseStatus.MERGED
                self._event(
                    batch, case, EventKind.MERGED, at(decided), status, CaseStatus.MERGED,
                    public="您的诉求与已登记的案件为同一事项，已合并办理。", actor=dispatcher,
                    data={"into": case.merged_into_id},
                )  # fmt: skip
                case.version = 2
                return
        decided = workdays.add_working_days(received, rng.choice([0, 1, 1, 2, 3]))
        if decided > self.horizon:
            case.status = status
            return
        if rng.random() < 0.06:
            case.status = CaseStatus.DECLINED
            case.decline_reason = "所反映事项不属于工会受理范围，已告知向相关部门反映。"
            self._event(
                batch, case, EventKind.DECLINED, at(decided), status, CaseStatus.DECLINED,
                public=f"您的诉求未予受理，原因：{case.decline_reason}", actor=dispatcher,
            )  # fmt: skip
            case.version = 2
            return
        # accepted
        case.tier = _pick(rng, TIERS)
        case.time_limit_days = rules.days_for(case.tier)
        case.accepted_on = decided
        steps = 1
        status = CaseStatus.ACCEPTED
        self._event(
            batch, case, EventKind.ACCEPTED, at(decided), CaseStatus.RECEIVED, status,
            public="您的诉求已受理，正在安排办理。", actor=dispatcher,
            data={"tier": case.tier, "limit": case.time_limit_days},
        )  # fmt: skip
        # left lying at some step: these make the overdue list
        stalled = rng.choice(["accepted", "assigned", "in_handling"]) if rng.random() < 0.03 else ""
        limit = case.time_limit_days
        horizon = self.horizon  # steps after receipt happened by yesterday
        never = dt.date.max
        # assigned to the township (or park, sector) of the employer, some to its own union
        assign_day = workdays.add_working_days(decided, rng.choice([0, 0, 1, 2, 3, 5]))
        handling_day = workdays.add_working_days(assign_day, rng.choice([0, 1, 1, 2, 3, 5]))
        if pause_now:
            assign_day = handling_day = decided
        # a pause of the clock for some, while in handling (waiting on the worker or an
        # outside body); it stops the days started_on … ended_on - 1 (rights.deadlines)
        spans: list[tuple[dt.date, dt.date]] = []
        pause = None
        if rng.random() < 0.12 or pause_now:
            start = workdays.add_working_days(handling_day, rng.randint(0, max(1, limit // 2)))
            ended = start + dt.timedelta(days=rng.randint(3, 20))
            if pause_now:
                start, ended = horizon - dt.timedelta(days=1), never
            if start <= horizon:
                pause = CasePause(
                    id=0,
                    case_id=case.id,
                    reason=rng.choice([PauseReason.WORKER, PauseReason.OUTSIDE]),
                    note=rng.choice(["等待职工补充工资条和考勤记录", "等待人社部门调查结论"]),
                    started_on=start,
                    ended_on=ended if ended <= horizon else None,
                    created_by=county.handlers.get("county"),
                )
                if pause.ended_on:
                    spans.append((start, ended - dt.timedelta(days=1)))
        if rng.random() < 0.88:
            used = rng.randint(max(1, limit // 4), limit)
        else:
            used = limit + rng.randint(1, 10)
        concluded_on = workdays.add_working_days_excluding(decided, used, spans)
        if pause is not None and pause.ended_on and concluded_on <= pause.started_on:
            pause, spans = None, []  # concluded before it would have been paused
            concluded_on = workdays.add_working_days_excluding(decided, used, spans)
        if concluded_on < handling_day:
            concluded_on = handling_day
            used = workdays.working_days_elapsed(decided, concluded_on, spans)
        case.due_on = workdays.add_working_days_excluding(decided, limit, spans)
        if (pause is not None and pause.ended_on is None) or stalled:
            concluded_on = None  # still waiting, or left lying
        if stalled == "accepted":
            assign_day = handling_day = never
        elif stalled == "assigned":
            handling_day = never
        if pause is not None and pause.started_on < handling_day:
            pause, spans = None, []
            case.due_on = workdays.add_working_days_excluding(decided, limit, spans)
        if pause is not None:
            pause.id = self.ids.take(CasePause)
            batch.pauses.append(pause)

        child_path = emp_path[: len(county.federation.path) + SEGMENT_WIDTH + 1]
        middle_id = int(child_path[len(county.federation.path) :].strip("/"), 36)
        target = emp_org_id if rng.random() < 0.15 else middle_id
        events_due: list[tuple] = []
        if assign_day <= horizon:
            events_due.append(("assign", assign_day))
            if handling_day <= horizon:
                events_due.append(("handle", handling_day))
        if pause is not None:
            events_due.append(("pause", pause.started_on))
            if pause.ended_on:
                events_due.append(("resume", pause.ended_on))
        events_due.sort(key=lambda e: e[1])
        handler = county.handlers.get(target) or county.handlers.get(middle_id)
        for what, day in events_due:
            if what == "assign":
                case.organization_id = target
                case.handler = handler
                self._event(
                    batch, case, EventKind.ASSIGNED, at(day), status, CaseStatus.ASSIGNED,
                    public="您的诉求已交由属地工会办理。", actor=dispatcher,
                    data={"organization": target},
                )  # fmt: skip
                status = CaseStatus.ASSIGNED
            elif what == "handle":
                case.handling_method = rng.choice(
                    [
                        HandlingMethod.COORDINATION,
                        HandlingMethod.MEDIATION,
                        HandlingMethod.ANSWER,
                        HandlingMethod.LEGAL_AID,
                        HandlingMethod.REFERRAL,
                    ]
                    if case.kind != "consultation"
                    else [HandlingMethod.ANSWER]
                )
                self._event(
                    batch, case, EventKind.HANDLING, at(day), status, CaseStatus.IN_HANDLING,
                    public="工作人员正在办理您的诉求。", actor=handler,
                    data={"method": case.handling_method},
                )  # fmt: skip
                status = CaseStatus.IN_HANDLING
            elif what == "pause":
                self._event(
                    batch, case, EventKind.PAUSED, at(day), public="办理期限暂停：" + pause.note,
                    actor=handler, data={"reason": pause.reason},
                )  # fmt: skip
            else:
                self._event(
                    batch, case, EventKind.RESUMED, at(day), public="办理期限恢复计算。",
                    actor=handler, data={"due_on": case.due_on.isoformat()},
                )  # fmt: skip
            steps += 1
        case.paused = pause is not None and pause.ended_on is None
        if status != CaseStatus.IN_HANDLING or concluded_on is None or concluded_on > horizon:
            case.status = status
            case.version = steps + 1
            return
        # concluded; after the follow-up closed, or re-opened and concluded once more
        round_start = decided
        for round_no in (1, 2):
            done = self._conclude(case, batch, at, status, steps, concluded_on, used, handler)
            if done is None:
                return
            status, steps, reopen_day = done
            if round_no == 2:
                break
            # a fresh period of the case's limit from the day it was re-opened (deadlines)
            round_start = reopen_day
            case.due_on = workdays.add_working_days(round_start, limit)
            again = rng.randint(max(1, limit // 3), limit + 3)
            concluded_on = workdays.add_working_days(round_start, again)
            used = workdays.working_days_elapsed(decided, concluded_on, spans)
            if concluded_on > self.horizon or rng.random() < 0.2:
                case.status = status
                case.version = steps + 1
                return

    def _conclude(self, case, batch, at, status, steps, concluded_on, used, handler):
        """Conclusion, follow-up and closing (or re-opening). Returns None when the case's
        story ends here, else (status, steps, day re-opened)."""
        rng, rules, horizon = self.rng, self.rules, self.horizon
        solved = rng.random() < 0.82
        case.concluded_at = at(concluded_on)
        case.solved = solved
        case.handling_days = used
        case.concluded_late = concluded_on > case.due_on
        ratio = (
            Decimal(rng.choice(["1", "1", "1", "0.9", "0.8", "0.6"]))
            if solved
            else Decimal(rng.choice(["0", "0", "0.2", "0.3"]))
        )
        case.amount_recovered = (case.amount_claimed * ratio).quantize(Decimal("0.01"))
        case.workers_benefited = case.workers_affected if solved else 0
        case.outcome = rng.choice(OUTCOME_SOLVED if solved else OUTCOME_UNSOLVED)
        case.followup_due = workdays.add_working_days(concluded_on, rules.followup_days)
        self._event(
            batch, case, EventKind.CONCLUDED, case.concluded_at, status, CaseStatus.CONCLUDED,
            public=case.outcome, actor=handler,
            data={"solved": solved, "amount_recovered": str(case.amount_recovered)},
        )  # fmt: skip
        status = CaseStatus.CONCLUDED
        steps += 1
        asked = workdays.add_working_days(concluded_on, rng.randint(1, rules.followup_days + 2))
        if asked > horizon:
            case.status = status
            case.version = steps + 1
            return None
        if rng.random() < 0.1:  # asked, the worker has not answered yet
            self._event(
                batch, case, EventKind.FOLLOW_UP, at(asked), status, CaseStatus.FOLLOW_UP,
                public="我们正在回访您对办理结果的意见。", actor=handler,
            )  # fmt: skip
            case.status = CaseStatus.FOLLOW_UP
            case.version = steps + 2
            return None
        worker_solved = solved if rng.random() < 0.93 else not solved
        case.satisfaction = (
            _pick(rng, [(5, 45), (4, 35), (3, 12), (2, 5), (1, 3)])
            if worker_solved
            else _pick(rng, [(3, 20), (2, 40), (1, 40)])
        )
        case.followed_up_at = at(asked)
        self._event(
            batch, case, EventKind.FOLLOW_UP, case.followed_up_at, status, CaseStatus.FOLLOW_UP,
            public="感谢您对办理结果的评价。",
            data={"satisfaction": case.satisfaction, "solved": worker_solved},
        )  # fmt: skip
        status = CaseStatus.FOLLOW_UP
        steps += 1
        if worker_solved or case.reopen_count or rng.random() < 0.6:
            # closed (the staff close a case the worker says is unsolved when nothing more can
            # be done here: the worker was told the arbitration route)
            case.closed_at = case.followed_up_at + dt.timedelta(minutes=1)
            self._event(
                batch, case, EventKind.CLOSED, case.closed_at, status, CaseStatus.CLOSED,
                public="案件已办结归档。", actor=None if worker_solved else handler,
            )  # fmt: skip
            case.status = CaseStatus.CLOSED
            case.version = steps + 2
            return None
        # re-opened: the worker says the problem is not solved
        reopened = at(timezone.localdate(case.followed_up_at))
        self._event(
            batch, case, EventKind.REOPENED, reopened, status, CaseStatus.IN_HANDLING,
            public="您反映问题未解决，案件已重新办理。",
            data={"reason": "职工反映单位仍未支付"},
        )  # fmt: skip
        steps += 1
        case.reopen_count = 1
        case.status = CaseStatus.IN_HANDLING
        case.concluded_at = None
        case.solved = None
        case.handling_days = None
        case.concluded_late = None
        case.outcome = ""
        case.followup_due = None
        case.followed_up_at = None
        case.satisfaction = None
        case.amount_recovered = Decimal("0.00")
        case.workers_benefited = 0
        return CaseStatus.IN_HANDLING, steps, timezone.localdate(reopened)


# --- the rest of the area, around the first county ----------------------------------------


def _users():
    from gonghui.accounts.models import User

    return {u.username: u for u in User.objects.filter(username__in=_DEMO_USERNAMES)}


_DEMO_USERNAMES = ["county_admin", "county_staff", "township_staff", "union_chair", "mediator"]

ARTICLES = [
    (
        "单位拖欠工资怎么办？",
        "可以先与单位协商，也可以向工会、劳动保障监察机构投诉，或申请劳动争议调解、仲裁。用人单位拖欠工资的，劳动行政部门可责令限期支付，逾期不支付的加付赔偿金。",
        "complaint.wage_arrears",
        "《保障农民工工资支付条例》；《劳动合同法》第八十五条",
    ),
    (
        "建筑工地农民工工资被拖欠找谁？",
        "施工总承包单位对分包单位拖欠的农民工工资承担清偿责任，可向总包单位、项目所在地人社部门或工会反映。",
        "complaint.wage_arrears",
        "《保障农民工工资支付条例》第三十条",
    ),
    (
        "没有签劳动合同可以要求双倍工资吗？",
        "用人单位自用工之日起超过一个月不满一年未签书面劳动合同的，应当向劳动者每月支付二倍的工资。",
        "complaint.no_contract",
        "《劳动合同法》第八十二条",
    ),
    (
        "被公司辞退有没有经济补偿？",
        "按劳动者在本单位工作的年限，每满一年支付一个月工资；六个月以上不满一年的按一年计算；不满六个月的支付半个月工资。违法解除的支付二倍赔偿金。",
        "complaint.dismissal",
        "《劳动合同法》第四十七条、第八十七条",
    ),
    (
        "试用期最长可以约定多久？",
        "劳动合同期限三个月以上不满一年的，试用期不得超过一个月；一年以上不满三年的，不得超过二个月；三年以上固定期限和无固定期限的，不得超过六个月。",
        "consultation.labor_contract",
        "《劳动合同法》第十九条",
    ),
    (
        "加班费怎么计算？",
        "工作日延长工作时间支付不低于工资百分之一百五十，休息日安排工作又不能补休的支付不低于百分之二百，法定休假日支付不低于百分之三百。",
        "complaint.overtime",
        "《劳动法》第四十四条",
    ),
    (
        "申请劳动仲裁有时间限制吗？",
        "劳动争议申请仲裁的时效期间为一年，从当事人知道或者应当知道其权利被侵害之日起计算；劳动关系存续期间因拖欠劳动报酬发生争议的，不受该时效限制，但劳动关系终止的，应当自终止之日起一年内提出。",
        "legal.arbitration",
        "《劳动争议调解仲裁法》第二十七条",
    ),
    (
        "劳动争议调解多长时间？",
        "自劳动争议调解组织收到调解申请之日起十五日内未达成调解协议的，当事人可以依法申请仲裁。",
        "legal.mediation",
        "《劳动争议调解仲裁法》第十四条",
    ),
    (
        "工伤认定申请的时限是多久？",
        "用人单位应当自事故伤害发生之日起30日内提出工伤认定申请；单位未申请的，职工或其近亲属、工会组织在1年内可以直接提出。",
        "complaint.work_injury",
        "《工伤保险条例》第十七条",
    ),
    (
        "农民工申请法律援助需要经济困难证明吗？",
        "农民工请求支付劳动报酬或者工伤赔偿申请法律援助的，不受经济困难条件的限制。",
        "legal.legal_aid",
        "《法律援助法》第四十二条",
    ),
    (
        "怎样加入工会？",
        "以工资收入为主要生活来源的劳动者，承认工会章程，都可以向所在单位工会或者所在地乡镇（街道）工会申请入会，也可以在职工服务平台线上申请。",
        "consultation.union_membership",
        "《工会法》第三条",
    ),
    (
        "怀孕女职工能被辞退吗？",
        "女职工在孕期、产期、哺乳期的，用人单位不得依照劳动合同法第四十条、第四十一条的规定解除劳动合同，也不得降低其工资。",
        "complaint.female_workers",
        "《女职工劳动保护特别规定》第五条",
    ),
    (
        "单位不缴社保怎么办？",
        "可以要求单位补缴，也可以向社会保险费征收机构或劳动保障监察机构投诉；单位未依法缴纳社会保险费的，劳动者可以解除劳动合同并要求经济补偿。",
        "complaint.social_insurance",
        "《社会保险法》第六十三条；《劳动合同法》第三十八条",
    ),
    (
        "困难职工可以申请哪些帮扶？",
        "符合条件的困难职工可申请生活救助、医疗救助、助学救助等，具体标准以当地工会公布为准。",
        "assistance.hardship",
        "全国总工会困难职工帮扶工作有关规定",
    ),
    (
        "劳务派遣工同工同酬吗？",
        "被派遣劳动者享有与用工单位的劳动者同工同酬的权利。",
        "complaint.dispatch",
        "《劳动合同法》第六十三条",
    ),
]

BODIES = [
    (Body.LABOR_INSPECTION, "县人力资源和社会保障局劳动保障监察大队"),
    (Body.ARBITRATION, "县劳动人事争议仲裁委员会"),
    (Body.LEGAL_AID, "县法律援助中心"),
    (Body.HR_BUREAU, "县人力资源和社会保障局"),
    (Body.COURT, "县人民法院"),
    (Body.HOTLINE_12345, "县12345政务服务便民热线"),
]


def _seed_area(ctx: DemoContext, rng: random.Random, county: Organization, today: dt.date) -> None:
    users = _users()
    admin = users.get("county_admin")
    staff = users.get("county_staff") or admin
    mediator = users.get("mediator") or admin
    if admin is None:
        return
    cases = Case.objects.filter(received_by=county)
    sample = lambda qs, n: list(qs.order_by("id")[: n * 5])[::5][:n]  # noqa: E731 - spread

    # mediations on cases handled by mediation
    mediations = 0
    for case in sample(
        cases.filter(handling_method=HandlingMethod.MEDIATION).select_related("employer"), 24
    ):
        handling = case.events.filter(kind=EventKind.HANDLING).first()
        if handling is None:
            continue
        received_on = timezone.localdate(handling.at)
        due = workdays.calendar_deadline(received_on, 15)
        if case.status in ("concluded", "follow_up", "closed"):
            status = MediationStatus.AGREED if case.solved else MediationStatus.FAILED
        else:
            status = MediationStatus.TIMED_OUT if due < today else MediationStatus.OPEN
        knew = received_on - dt.timedelta(days=rng.randint(10, 90))
        ended = None
        if status != MediationStatus.OPEN:
            ended = min(due, timezone.localdate(case.concluded_at)) if case.concluded_at else due
        employer_name = case.employer.name if case.employer else case.employer_name_given
        mediation = Mediation.objects.create(
            case=case,
            body=f"{county.name}劳动争议调解委员会",
            mediator=mediator,
            applicant_name=case.complainant_name or person_name(rng),
            respondent_name=employer_name,
            respondent_representative=person_name(rng),
            received_on=received_on,
            statutory_due=due,
            knew_on=knew,
            pay_claim=case.category == "complaint.wage_arrears",
            status=status,
            facts=case.description,
            agreement_terms="被申请人于协议签订之日起十日内一次性支付申请人工资款项。"
            if status == MediationStatus.AGREED
            else "",
            amount_agreed=case.amount_recovered if status == MediationStatus.AGREED else 0,
            payment_due=ended + dt.timedelta(days=10)
            if status == MediationStatus.AGREED and ended
            else None,
            signed_on=ended if status == MediationStatus.AGREED else None,
            ended_on=ended,
            failure_reason="双方对补偿金额分歧较大" if status == MediationStatus.FAILED else "",
            limitation_ends=_one_year_after(knew)
            if status in (MediationStatus.FAILED, MediationStatus.TIMED_OUT)
            else None,
        )
        CaseEvent.objects.create(
            case=case,
            kind=EventKind.MEDIATION,
            at=handling.at + dt.timedelta(minutes=1),
            actor=mediator,
            public_text="已受理您的劳动争议调解申请。",
            data={"status": status},
        )
        MediationClaim.objects.create(
            mediation=mediation,
            item="拖欠工资" if case.category == "complaint.wage_arrears" else "经济补偿",
            amount=case.amount_claimed,
            amount_agreed=mediation.amount_agreed,
        )
        MediationSession.objects.create(
            mediation=mediation,
            held_at=_at(received_on + dt.timedelta(days=rng.randint(1, 5)), 90),
            place="县总工会职工法律服务中心调解室",
            attendees=f"申请人、被申请人代表{mediation.respondent_representative}、调解员",
            record="双方陈述了各自意见，调解员释明相关法律规定。",
        )
        mediations += 1

    # referrals: some replied, some awaiting reply, some overdue
    referrals = 0
    for i, case in enumerate(sample(cases.filter(handling_method=HandlingMethod.REFERRAL), 20)):
        handling = case.events.filter(kind=EventKind.HANDLING).first()
        if handling is None:
            continue
        body, body_name = BODIES[i % len(BODIES)]
        sent = timezone.localdate(handling.at)
        reply_due = workdays.add_working_days(sent, 15)
        replied = i % 3 != 1
        replied_on = min(today, workdays.add_working_days(sent, rng.randint(3, 12)))
        Referral.objects.create(
            case=case,
            body=body,
            body_name=body_name,
            sent_on=sent,
            reply_due=reply_due,
            status=ReferralStatus.REPLIED if replied else ReferralStatus.SENT,
            matters=f"转交{case.title}，请依法调查处理并于期限内回复。",
            received_on=workdays.add_working_days(sent, 1) if replied else None,
            receipt_number=f"JC{sent:%Y%m%d}{i:03d}" if replied else "",
            replied_on=replied_on if replied else None,
            reply="已责令用人单位限期整改。" if replied else "",
            sent_by=staff,
        )
        CaseEvent.objects.create(
            case=case,
            kind=EventKind.REFERRAL,
            at=handling.at + dt.timedelta(minutes=1),
            actor=staff,
            public_text=f"您的诉求已转交{body_name}依法处理。",
            data={"body": body},
        )
        referrals += 1

    # supervision (督办) of open cases, some reports overdue
    open_cases = sample(cases.filter(status__in=["assigned", "in_handling"]), 8)
    for i, case in enumerate(open_cases):
        Supervision.objects.create(
            case=case,
            organization=county,
            flagged_by=admin,
            instructions="请加快办理进度，按期报告办理情况。",
            report_due=workdays.add_working_days(today, 5)
            if i % 2
            else today - dt.timedelta(days=3),
        )

    employers = list(
        Employer.objects.filter(organization__path__subtree=county.path).order_by("id")[:400]
    )
    if not employers:
        return
    # a labor-law supervision notice
    for i, employer in enumerate(employers[:3]):
        issued = today - dt.timedelta(days=30 + 20 * i)
        SupervisionNotice.objects.create(
            number=f"{county.region_code}JD{issued:%Y}{i + 1:03d}",
            organization=county,
            employer=employer,
            issued_on=issued,
            findings="经查，该单位存在未按月足额支付劳动报酬、未依法缴纳社会保险费的情况。",
            legal_basis="《工会法》第二十二条；《劳动合同法》第三十条",
            demands="限期补发拖欠工资，依法为职工补缴社会保险费，并书面回复整改情况。",
            reply_due=issued + dt.timedelta(days=15),
            replied_on=issued + dt.timedelta(days=12) if i == 0 else None,
            reply="已补发全部工资，社保补缴手续正在办理。" if i == 0 else "",
            issued_by=admin,
        )

    # two special inspections of wage arrears
    winter = dt.date(today.year - 1, 11, 15)
    for name, starts, ends, picks in (
        (f"{winter.year}年冬季根治欠薪专项检查", winter, dt.date(winter.year + 1, 1, 31), employers[3:18]),
        (f"{today.year}年工程建设领域工资支付专项检查", today - dt.timedelta(days=40), today + dt.timedelta(days=50), employers[18:30]),
    ):  # fmt: skip
        inspection = Inspection.objects.create(
            organization=county,
            name=name,
            starts_on=starts,
            ends_on=ends,
            description="会同人社、住建部门，对在建工程项目和劳动密集型企业工资支付情况开展检查。",
            created_by=admin,
        )
        for j, employer in enumerate(picks):
            inspected = starts + dt.timedelta(days=rng.randint(1, 30))
            if inspected > today:
                InspectionTarget.objects.create(inspection=inspection, employer=employer)
                continue
            found = Decimal(rng.choice([0, 0, 0, 12000, 36500, 88000, 150000]))
            InspectionTarget.objects.create(
                inspection=inspection,
                employer=employer,
                status=TargetStatus.DONE if not found or j % 2 else TargetStatus.FOLLOW_UP,
                inspected_on=inspected,
                inspectors="县总工会、县人社局联合检查组",
                findings="工资支付台账完整，按月足额支付。"
                if not found
                else "存在拖欠农民工工资情况。",
                arrears_found=found,
                workers_owed=0 if not found else rng.randint(3, 30),
                amount_recovered=found if j % 2 else (found / 2).quantize(Decimal("0.01")),
                followup_due=inspected + dt.timedelta(days=30) if found else None,
            )

    # early warnings
    big = cases.filter(workers_affected__gte=10).order_by("-received_at").first()
    if big is not None:
        alert = Alert.objects.create(
            organization=county,
            rule=AlertRule.COLLECTIVE,
            employer=big.employer,
            employer_name_given=big.employer_name_given,
            summary=f"{big.workers_affected}名职工集体反映{big.title}",
            workers_affected=big.workers_affected,
            raised_at=big.received_at,
            status=AlertStatus.OPEN,
        )
        alert.cases.add(big)
    recent = list(
        cases.filter(employer__isnull=False, category="complaint.wage_arrears").order_by(
            "-received_at"
        )[:3]
    )
    if recent:
        alert = Alert.objects.create(
            organization=county,
            rule=AlertRule.CLUSTER,
            employer=recent[0].employer,
            summary=f"{recent[0].employer.name}等单位近期集中出现欠薪投诉",
            workers_affected=sum(c.workers_affected for c in recent),
            raised_at=recent[0].received_at,
            status=AlertStatus.ACKNOWLEDGED,
            acknowledged_by=admin,
            acknowledged_at=recent[0].received_at + dt.timedelta(hours=3),
            action_taken="已安排属地工会约谈企业负责人。",
        )
        alert.cases.add(*recent)
    building = cases.filter(category="complaint.wage_arrears").exclude(project_name="").first()
    if building is not None:
        alert = Alert.objects.create(
            organization=county,
            rule=AlertRule.FESTIVAL_ARREARS,
            employer=building.employer,
            summary=f"春节前{building.project_name}存在拖欠农民工工资情况",
            workers_affected=building.workers_affected,
            raised_at=building.received_at,
            status=AlertStatus.CLOSED,
            acknowledged_by=admin,
            acknowledged_at=building.received_at + dt.timedelta(hours=2),
            action_taken="会同住建部门督促总包单位从工资专用账户代发。",
            closed_at=building.received_at + dt.timedelta(days=5),
            closed_by=admin,
        )
        alert.cases.add(building)

    # knowledge base: some answers overdue for review
    articles = []
    for i, (question, answer, category, basis) in enumerate(ARTICLES):
        article = Article(
            organization=county,
            question=question,
            answer=answer,
            category=category,
            keywords=str(CATEGORY_LABELS[category]),
            legal_basis=basis,
            owner=staff if i % 2 else admin,
            review_due=today - dt.timedelta(days=20)
            if i % 5 == 0
            else today + dt.timedelta(days=90 + i * 10),
            reviewed_on=today - dt.timedelta(days=200 + i),
        )
        article.search_text = search.document(question, answer, article.keywords)
        articles.append(article)
    Article.objects.bulk_create(articles)
    articles = list(Article.objects.filter(organization=county).order_by("id"))

    # hotline calls answered on the spot
    for i in range(40):
        article = articles[i % len(articles)]
        call = HotlineCall.objects.create(
            organization=county,
            caller_phone=rng.choice(MOBILE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}",
            called_at=_at(today - dt.timedelta(days=rng.randint(0, 120)), rng.randint(0, 540)),
            category=article.category,
            summary=f"来电咨询：{article.question}",
            answer=article.answer[:120],
            taken_by=staff,
        )
        call.articles.add(article)

    # joint meetings with the government departments
    for i, (title, days_ago) in enumerate(
        (
            ("根治欠薪联席会议", 150),
            ("劳动关系三方协商会议", 60),
            ("春节前农民工工资支付工作调度会", 10),
        )
    ):
        meeting = JointMeeting.objects.create(
            organization=county,
            title=title,
            held_on=today - dt.timedelta(days=days_ago),
            place="县政府三楼会议室",
            attendees="县总工会、县人社局、县住建局、县司法局、县法院",
            issues="通报近期欠薪投诉情况，研究重点案件处理意见。",
            decisions="对重点欠薪项目实行挂牌督办，一周内反馈处理结果。",
            created_by=admin,
        )
        linked = sample(cases.filter(category="complaint.wage_arrears"), 3)
        meeting.cases.add(*linked)
        ActionItem.objects.create(
            meeting=meeting,
            text="督促施工总包单位清偿分包单位拖欠的农民工工资",
            owner="县住建局",
            due_on=meeting.held_on + dt.timedelta(days=14),
            done_on=meeting.held_on + dt.timedelta(days=12) if i < 2 else None,
            result="已清偿" if i < 2 else "",
        )
    ctx.say(f"  rights: {mediations} mediations, {referrals} referrals, {len(articles)} answers")


# --- entry point -----------------------------------------------------------------------------


def _handlers(county: Organization) -> dict:
    """The demo county's staff who would handle its cases, by organization id."""
    users = _users()
    result = {}
    if "county_staff" in users:
        result["county"] = users["county_staff"]
    township = users.get("township_staff")
    if township is not None and township.organization.path.startswith(county.path):
        result[township.organization_id] = township
    chair = users.get("union_chair")
    if chair is not None and chair.organization.path.startswith(county.path):
        result[chair.organization_id] = chair
    return result


def seed(ctx: DemoContext) -> None:
    """Cases of the last 18 months for every county of the demo, then the rest of the area
    around the first county (written in Chinese whatever language the seeding runs in)."""
    with translation.override("zh-hans"):
        _seed(ctx)


def _seed(ctx: DemoContext) -> None:
    # A generator of its own, seeded from the demo's without drawing from it, so that adding
    # these records changes nothing that later seeders draw.
    rng = random.Random(sum(ctx.rng.getstate()[1][:16]) + 4)
    counties = ctx.data.get("counties") or []
    if not counties:
        return
    today = timezone.localdate()
    per_county = CASES_PER_COUNTY.get(ctx.scale.name, 300)
    first_code = seed_cases(counties, per_county, rng=rng, today=today, say=ctx.say)
    _seed_area(ctx, rng, counties[0], today)
    ctx.say(
        f"cases: {Case.objects.count()}, events: {CaseEvent.objects.count()} "
        f"(try the portal with tracking code {codes.format_code(first_code)} "
        f"and PIN {DEMO_PIN})"
    )


def seed_cases(counties, per_county: int, *, rng, today=None, say=lambda message: None) -> str:
    """``per_county`` cases for each county federation, written per county in bulk; returns
    the first case's tracking code."""
    today = today or timezone.localdate()
    seeder = _Seeder(rng, today)
    rows = Employer.objects.values_list(
        "id", "name", "organization_id", "organization__path", "industry"
    ).order_by("id")
    by_county: dict[str, list] = {c.path: [] for c in counties}
    width = len(counties[0].path) if counties else 0
    for row in rows.iterator(chunk_size=20000):
        prefix = row[3][:width]
        if prefix in by_county:
            by_county[prefix].append(row)
    users = _users()
    total = 0
    for i, county in enumerate(counties):
        employers = by_county.get(county.path) or []
        if not employers:
            continue
        info = _County(
            federation=county,
            employers=employers,
            handlers=_handlers(county) if i == 0 else {},
            dispatcher=users.get("county_staff") if i == 0 else None,
        )
        batch = _Batch()
        previous: list[int] = []
        for index in range(per_county):
            seeder.case(info, batch, previous, index)
        batch.flush()
        total += per_county
        if (i + 1) % 10 == 0:
            say(f"  {total} cases")
    _reset_sequences(Case, CaseEvent, CaseParty, CasePause)
    return seeder.first_code


def add_cases(per_county: int, seed: int = 1) -> int:
    """More demo cases in every county federation of the database (the benchmark's quick pass
    tops the tiny demo up with these). Returns how many were added."""
    counties = list(Organization.objects.filter(kind="federation", level="county").order_by("path"))
    with translation.override("zh-hans"):
        seed_cases(counties, per_county, rng=random.Random(seed))
    return per_county * len(counties)
