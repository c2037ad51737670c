"""Knowledge base answer and a hotline call on each side."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gonghui.rights.models import Article, HotlineCall


def records(side) -> list:
    article = Article.objects.create(
        organization=side.township,
        question=f"{side.label}方镇加班费怎么算？",
        answer="工作日加班支付不低于工资的百分之一百五十。",
        category="consultation.wages",
        owner=side.staff,
        review_due=dt.date(2027, 6, 30),
    )
    call = HotlineCall.objects.create(
        organization=side.township,
        caller_phone=f"136{side.seq:08d}",
        called_at=timezone.now(),
        category="consultation.wages",
        summary=f"{side.label}方来电咨询加班费",
        answer="已解答",
        taken_by=side.staff,
    )
    return [article, call]
