"""Printable documents of the legal work: mediation agreement (调解协议书), referral letter
(转办函) and labor-law supervision notice (工会劳动法律监督建议书), as A4 PDFs.

The documents are official papers handed to the parties, a government body or an employer, and
may be taken to court (a mediation agreement on wage arrears, art. 16 of the Labor Dispute
Mediation and Arbitration Law). They are therefore always written in Chinese, the language
such papers must be in, whatever the language of the user's screens: their wording is not
translated, only the data put into them is the user's. Chinese is drawn with reportlab's
built-in CID font STSong-Light, so no font file is needed on a county intranet.

Personal data of workers are in full only when ``reveal`` is true (the view passes it for users
with the REVEAL right and writes the download to the audit log), else masked.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from xml.sax.saxutils import escape

from django.utils import translation
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from gonghui.core.fields import mask

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

_BASE = ParagraphStyle("base", fontName=FONT, fontSize=11.5, leading=19, wordWrap="CJK")
TITLE = ParagraphStyle("title", parent=_BASE, fontSize=20, leading=30, alignment=TA_CENTER)
SUBTITLE = ParagraphStyle("subtitle", parent=_BASE, fontSize=12, alignment=TA_CENTER)
NUMBER = ParagraphStyle("number", parent=_BASE, alignment=TA_RIGHT)
HEADING = ParagraphStyle("heading", parent=_BASE, fontSize=12.5, spaceBefore=8, spaceAfter=2)
BODY = ParagraphStyle("body", parent=_BASE, firstLineIndent=0)
NOTE = ParagraphStyle(
    "note", parent=_BASE, fontSize=10, leading=16, textColor=colors.HexColor("#333333")
)
RIGHT = ParagraphStyle("right", parent=_BASE, alignment=TA_RIGHT)

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = ["", "拾", "佰", "仟"]
_GROUPS = ["", "万", "亿", "万亿"]


def _group_words(n: int) -> str:
    """Words of 1..9999 (仟佰拾), zeros inside said once."""
    text, zero = "", False
    for pos, unit in enumerate(_UNITS[::-1]):
        digit = n // 10 ** (3 - pos) % 10
        if digit == 0:
            zero = bool(text)
            continue
        if zero:
            text += "零"
            zero = False
        text += _DIGITS[digit] + unit
    return text


def amount_in_words(amount: Decimal) -> str:
    """人民币大写, as written on Chinese financial papers (36000.50 → 叁万陆仟元伍角整)."""
    amount = Decimal(amount).quantize(Decimal("0.01"))
    yuan = int(amount)
    jiao, fen = divmod(int((amount - yuan) * 100), 10)
    groups = []
    while yuan:
        groups.append(yuan % 10000)
        yuan //= 10000
    words, zero = "", False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            zero = bool(words)
            continue
        if words and (zero or group < 1000):
            words += "零"
        zero = False
        words += _group_words(group) + _GROUPS[index]
    if words:
        words += "元"
    if jiao:
        words += _DIGITS[jiao] + "角"
    if fen:
        words += ("零" if words and not jiao else "") + _DIGITS[fen] + "分"
    return (words or "零元") + ("" if fen else "整")


def _p(text, style=BODY) -> Paragraph:
    """A paragraph of plain text (escaped; line breaks kept)."""
    return Paragraph(escape(str(text or "")).replace("\n", "<br/>"), style)


def _date(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "　　年　　月　　日"


def _yuan(amount) -> str:
    return f"{Decimal(amount):,.2f}"


def _masked_address(value: str, reveal: bool) -> str:
    if reveal or not value:
        return value
    return value[:6] + "****"


def _table(rows, widths, header=True) -> Table:
    data = [[_p(cell) if not isinstance(cell, Paragraph) else cell for cell in row] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1 if header else 0)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")))
    table.setStyle(TableStyle(style))
    return table


def _signatures(blocks: list[tuple[str, str]]) -> Table:
    """Signature and seal blocks, two per row: (who signs, what is written under)."""
    cells = [_p(f"{who}：\n\n\n＿＿＿＿＿＿＿＿＿＿＿＿\n{under}", BODY) for who, under in blocks]
    if len(cells) % 2:
        cells.append(_p(""))
    rows = [cells[i : i + 2] for i in range(0, len(cells), 2)]
    table = Table(rows, colWidths=[82 * mm, 82 * mm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 10),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 10),
            ]
        )
    )
    return table


def _build(story, title: str) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=22 * mm,
        rightMargin=22 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=title,
        author="Gonghui",
    )

    def page_number(canvas, document):
        canvas.saveState()
        canvas.setFont(FONT, 9)
        canvas.drawCentredString(A4[0] / 2, 12 * mm, f"第 {document.page} 页")
        canvas.restoreState()

    doc.build(story, onFirstPage=page_number, onLaterPages=page_number)
    return buffer.getvalue()


def _person(kind: str, value: str, reveal: bool) -> str:
    return (value if reveal else mask(kind, value)) or "—"


def _scrub(text: str, names, reveal: bool) -> str:
    """Free text (facts, terms) with the workers' names masked where they appear, unless the
    data are revealed: staff often write the name into the facts."""
    if reveal:
        return text
    for name in sorted({n for n in names if n and len(n) >= 2}, key=len, reverse=True):
        text = text.replace(name, mask("name", name))
    return text


# --- mediation agreement ---------------------------------------------------------------------


def mediation_agreement_pdf(mediation, *, reveal: bool) -> bytes:
    """调解协议书 with what art. 14 and 16 and the MOHRSS practice require: the parties and their
    basic details, the matters in dispute and the claims, the agreed terms and amounts, how and
    by when it is carried out, the signatures or seals of both parties and the mediator, the
    mediation body's seal and the date, and the court payment-order note (art. 16)."""
    m = mediation
    claims = list(m.claims.all())
    mediator = m.mediator.full_name or m.mediator.get_username()
    names = [m.applicant_name, m.case.complainant_name]
    story = [
        _p(m.body, SUBTITLE),
        _p("调解协议书", TITLE),
        _p(f"编号：调协〔{(m.signed_on or m.received_on).year}〕第{m.pk}号", NUMBER),
        Spacer(1, 4 * mm),
        _p("一、当事人基本情况", HEADING),
        _p(
            f"申请人：{_person('name', m.applicant_name, reveal)}　"
            f"公民身份号码：{_person('id_number', m.applicant_id_number, reveal)}"
        ),
        _p(f"住址：{_masked_address(m.applicant_address, reveal) or '—'}"),
        _p(
            f"被申请人：{m.respondent_name}　"
            f"法定代表人（主要负责人）：{m.respondent_representative or '—'}"
        ),
        _p(f"住所：{m.respondent_address or '—'}"),
        _p("二、争议事项及请求", HEADING),
        _p(_scrub(m.facts or m.case.description, names, reveal)),
        Spacer(1, 2 * mm),
        _table(
            [["序号", "请求事项", "请求金额（元）", "协议金额（元）"]]
            + [
                [str(i), c.item, _yuan(c.amount), _yuan(c.amount_agreed)]
                for i, c in enumerate(claims, start=1)
            ]
            + [
                [
                    "",
                    "合计",
                    _yuan(sum((c.amount for c in claims), Decimal("0.00"))),
                    _yuan(m.amount_agreed),
                ]
            ],
            [14 * mm, 86 * mm, 33 * mm, 33 * mm],
        ),
        _p("三、协议内容", HEADING),
        _p(
            f"本调解组织于{_date(m.received_on)}受理申请人的调解申请。经调解，双方当事人"
            "在自愿、平等的基础上达成如下协议："
        ),
        _p(_scrub(m.agreement_terms, names, reveal)),
        _p(
            f"协议金额合计人民币{_yuan(m.amount_agreed)}元（大写：{amount_in_words(m.amount_agreed)}）。"
        ),
        _p("四、履行方式及期限", HEADING),
        _p(
            (_scrub(m.performance, names, reveal) + "\n" if m.performance else "")
            + f"被申请人应于{_date(m.payment_due)}前履行完毕。"
        ),
        _p("五、其他事项", HEADING),
        _p(
            "本协议书由双方当事人签名或者盖章，经调解员签名并加盖调解组织印章后生效，对双方当事人"
            "具有约束力，当事人应当履行（《中华人民共和国劳动争议调解仲裁法》第十四条）。"
        ),
        _p(
            "达成调解协议后，一方当事人在协议约定期限内不履行调解协议的，另一方当事人可以依法申请"
            "仲裁（同法第十五条）。"
        ),
        _p(
            "因支付拖欠劳动报酬、工伤医疗费、经济补偿或者赔偿金事项达成调解协议，用人单位在协议"
            "约定期限内不履行的，劳动者可以持调解协议书依法向人民法院申请支付令（同法第十六条）。"
        ),
        _p("本协议书一式三份，双方当事人和调解组织各执一份。"),
        Spacer(1, 6 * mm),
        _signatures(
            [
                ("申请人（签名）", "日期：" + _date(m.signed_on)),
                ("被申请人（盖章）\n法定代表人或委托代理人（签名）", "日期：" + _date(m.signed_on)),
                (f"调解员（签名）　{mediator}", "日期：" + _date(m.signed_on)),
                (f"调解组织（印章）　{m.body}", "日期：" + _date(m.signed_on)),
            ]
        ),
        Spacer(1, 4 * mm),
        _p(f"{m.body}　{_date(m.signed_on)}", RIGHT),
    ]
    return _build(story, "调解协议书")


# --- referral letter -------------------------------------------------------------------------


def referral_letter_pdf(referral, *, reveal: bool) -> bytes:
    """转办函: the case summarized for the body (facts, parties masked unless revealed, claims,
    what is referred and asked, the reply deadline) and the list of attachments sent."""
    from .catalog import CATEGORY_LABELS

    r = referral
    case = r.case
    sender = case.organization
    with translation.override("zh-hans"):
        category = str(CATEGORY_LABELS.get(case.category, case.category))
    complainant = (
        "匿名"
        if case.anonymous
        else f"{_person('name', case.complainant_name, reveal)}"
        f"（联系电话：{_person('phone', case.complainant_phone, reveal)}）"
    )
    employer = case.employer.name if case.employer_id else (case.employer_name_given or "—")
    employer_address = case.employer.address if case.employer_id else ""
    parties = list(case.parties.all())
    names = [case.complainant_name, *(p.name for p in parties)]
    attachments = list(r.attachments.all())
    story = [
        _p(sender.name, SUBTITLE),
        _p("转办函", TITLE),
        _p(f"编号：转〔{r.sent_on.year}〕第{r.pk}号", NUMBER),
        Spacer(1, 4 * mm),
        _p(f"{r.body_name}："),
        _p(
            f"　　我会于{_date(timezone_day(case.received_at))}收到职工反映的“{category}”问题"
            f"（案件编号：{case.number}），经研究，现转你单位依法处理。有关情况如下："
        ),
        _p("一、基本情况", HEADING),
        _p(_scrub(case.description, names, reveal)),
        _p("二、当事人", HEADING),
        _p(f"反映人：{complainant}"),
        _p(
            f"用人单位：{employer}"
            + (f"（住所：{employer_address}）" if employer_address else "")
            + f"；涉及职工 {case.workers_affected} 人。"
        ),
    ]
    if case.project_name:
        story.append(
            _p(
                f"工程项目：{case.project_name}；总承包单位：{case.general_contractor or '—'}"
                + (f"；分包链条：{' → '.join(case.subcontractors)}" if case.subcontractors else "")
            )
        )
    story.append(_p("三、诉求", HEADING))
    story.append(_p(f"涉及金额合计人民币{_yuan(case.amount_claimed)}元。"))
    if parties:
        story.append(
            _table(
                [["序号", "姓名", "欠薪月份", "金额（元）"]]
                + [
                    [
                        str(i),
                        _person("name", p.name, reveal),
                        p.months or "—",
                        _yuan(p.amount_claimed),
                    ]
                    for i, p in enumerate(parties, start=1)
                ],
                [14 * mm, 40 * mm, 70 * mm, 42 * mm],
            )
        )
    story += [
        _p("四、转办事项及请求", HEADING),
        _p(_scrub(r.matters, names, reveal)),
        _p(_scrub(r.asked, names, reveal) or "请依法调查处理，并将处理结果函复我会。"),
        _p(
            f"　　请于{_date(r.reply_due)}前将受理及办理情况函复我会。",
        ),
        _p("附件清单", HEADING),
    ]
    if attachments:
        story += [
            _p(f"{i}. {a.original_name}（{a.size // 1024 or 1} KB）")
            for i, a in enumerate(attachments, start=1)
        ]
    else:
        story.append(_p("无"))
    contact = (r.sent_by.full_name or r.sent_by.get_username()) if r.sent_by else "—"
    phone = r.sent_by.phone if r.sent_by and r.sent_by.phone else ""
    story += [
        Spacer(1, 4 * mm),
        _p(f"联系人：{contact}" + (f"　联系电话：{phone}" if phone else "")),
        Spacer(1, 10 * mm),
        _p(f"{sender.name}（印章）", RIGHT),
        _p(_date(r.sent_on), RIGHT),
    ]
    return _build(story, "转办函")


def timezone_day(moment) -> dt.date:
    from django.utils import timezone

    return timezone.localdate(moment)


# --- supervision notice ----------------------------------------------------------------------


def notice_pdf(notice) -> bytes:
    """工会劳动法律监督建议书 to the employer: findings, legal basis, what to correct, the reply
    date, the issuing union's seal block and the receipt stub for the employer to sign."""
    n = notice
    story = [
        _p(n.organization.name, SUBTITLE),
        _p("工会劳动法律监督建议书", TITLE),
        _p(f"编号：{n.number}", NUMBER),
        Spacer(1, 4 * mm),
        _p(f"{n.employer.name}："),
        _p(
            "　　根据《中华人民共和国工会法》《工会劳动法律监督办法》等规定，我会对你单位遵守劳动"
            "法律法规的情况进行了监督，现提出如下建议："
        ),
        _p("一、发现的问题", HEADING),
        _p(n.findings),
        _p("二、法律依据", HEADING),
        _p(n.legal_basis or "《中华人民共和国劳动法》《中华人民共和国劳动合同法》等有关规定。"),
        _p("三、整改建议", HEADING),
        _p(n.demands),
        _p(
            f"　　请你单位于{_date(n.reply_due)}前将整改情况书面回复我会。逾期不整改的，我会将"
            "依法提请劳动保障行政部门处理。"
        ),
        Spacer(1, 10 * mm),
        _p(f"{n.organization.name}（印章）", RIGHT),
        _p(_date(n.issued_on), RIGHT),
        Spacer(1, 12 * mm),
        _p("- - - - - - - - - - - - - - - - 送达回执 - - - - - - - - - - - - - - - -", SUBTITLE),
        _p(f"文书名称：工会劳动法律监督建议书（{n.number}）"),
        _signatures(
            [("受送达单位（盖章）", "签收人：　　　　日期："), ("送达人（签名）", "日期：")]
        ),
    ]
    return _build(story, "工会劳动法律监督建议书")
