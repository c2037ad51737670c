"""The knowledge base: answers written, searched in Chinese, reviewed, listed when stale per
owner, and the public ones shown to workers on the portal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gonghui.audit.models import AuditEntry
from gonghui.rights import search
from gonghui.rights.models import Article
from gonghui.rights.services import knowledge

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def write(user, question, answer, **extra):
    return knowledge.article_create(by=user, question=question, answer=answer, **extra)


@pytest.fixture
def answers(world):
    staff = world.township_staff
    return {
        "overtime": write(
            staff,
            "加班费怎么计算？",
            "工作日延长工作时间支付百分之一百五十，休息日百分之二百，法定节假日百分之三百。",
            category="consultation.wages",
            keywords="加班 工钱",
            legal_basis="《劳动法》第四十四条",
        ),
        "arrears": write(
            staff,
            "老板拖欠工资怎么办？",
            "先与单位协商，可拨打12351求助，也可向劳动保障监察机构投诉或申请劳动争议仲裁。",
            category="complaint.wage_arrears",
            keywords="欠薪 讨薪",
        ),
        "internal": write(
            staff,
            "内部口径：群体性讨薪如何上报？",
            "十人以上讨薪，立即报县总工会权益保障部，并同步人社部门。",
            public=False,
        ),
    }


def found(user, q, category=""):
    qs = knowledge.article_search(knowledge.articles_for(user), q=q, category=category)
    return sorted(a.question for a in qs)


def test_search_in_chinese_by_words_of_the_question_answer_and_keywords(world, answers):
    user = world.township_staff
    assert found(user, "加班费") == ["加班费怎么计算？"]
    assert found(user, "仲裁") == ["老板拖欠工资怎么办？"]  # a word of the answer
    assert found(user, "讨薪") == ["内部口径：群体性讨薪如何上报？", "老板拖欠工资怎么办？"]
    assert found(user, "拖欠 工资") == ["老板拖欠工资怎么办？"]
    assert found(user, "工伤") == []
    assert found(user, "", category="complaint") == ["老板拖欠工资怎么办？"]


def test_the_search_text_follows_every_edit(world, answers):
    article = knowledge.article_update(
        by=world.township_staff,
        article=answers["overtime"],
        question="加班工资如何计算？",
        answer="按照《劳动法》第四十四条，延长工作时间的工资不低于百分之一百五十。",
        keywords="延时",
    )
    assert article.search_text == search.document(
        article.question, article.keywords, article.answer
    )
    assert found(world.township_staff, "延时") == ["加班工资如何计算？"]
    assert found(world.township_staff, "休息日") == []
    assert AuditEntry.objects.filter(object_type="rights.article", action="update").exists()


def test_an_answer_has_an_owner_and_a_review_date(world, answers):
    article = answers["overtime"]
    assert article.owner == world.township_staff
    assert article.review_due == timezone.localdate() + dt.timedelta(days=365)
    assert article.organization == world.township_a


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"question": "问"}, "question"),
        ({"answer": "太短"}, "answer"),
        ({"category": "nope"}, "category"),
        ({"review_due": dt.date(2020, 1, 1)}, "review_due"),
    ],
)
def test_bad_answers_are_named_and_not_saved(world, changes, field):
    data = {
        "question": "病假工资怎么发？",
        "answer": "病假工资不得低于当地最低工资标准的百分之八十。",
    }
    data.update(changes)
    before = Article.objects.count()
    with pytest.raises(ValidationError) as exc:
        knowledge.article_create(by=world.township_staff, **data)
    assert field in exc.value.message_dict
    assert Article.objects.count() == before


def test_an_owner_outside_the_tree_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        write(
            world.township_staff,
            "病假工资怎么发？",
            "不得低于最低工资的百分之八十。",
            owner=world.outsider,
        )
    assert "owner" in exc.value.message_dict


def test_an_auditor_may_not_write(world):
    with pytest.raises(PermissionDenied):
        write(world.auditor, "病假工资怎么发？", "不得低于最低工资的百分之八十。")


def test_the_stale_list_shows_answers_past_their_review_date_per_owner(world, answers):
    old = answers["arrears"]
    Article.objects.filter(pk=old.pk).update(review_due=timezone.localdate() - dt.timedelta(days=1))
    client = Client()
    client.force_login(world.township_staff)
    body = client.get(reverse("rights:knowledge_stale")).content.decode()
    assert "老板拖欠工资怎么办？" in body and "加班费怎么计算？" not in body
    assert str(world.township_staff) in body
    assert (
        "老板拖欠工资怎么办？"
        in client.get(reverse("rights:knowledge_stale"), {"mine": "1"}).content.decode()
    )
    # someone else's "mine" does not list it
    other = Client()
    other.force_login(world.admin_a)
    assert (
        "老板拖欠工资怎么办？"
        not in other.get(reverse("rights:knowledge_stale"), {"mine": "1"}).content.decode()
    )
    # reviewing takes it off the list
    assert client.post(reverse("rights:knowledge_review", args=[old.pk])).status_code == 302
    old.refresh_from_db()
    assert old.reviewed_on == timezone.localdate() and old.review_due > timezone.localdate()
    assert (
        "老板拖欠工资怎么办？" not in client.get(reverse("rights:knowledge_stale")).content.decode()
    )


def test_the_sibling_township_does_not_see_the_answers(world, answers):
    client = Client()
    client.force_login(world.outsider)
    assert (
        "加班费怎么计算"
        not in client.get(reverse("rights:knowledge_list"), {"q": "加班"}).content.decode()
    )
    assert (
        client.get(reverse("rights:knowledge_detail", args=[answers["overtime"].pk])).status_code
        == 404
    )


def test_the_county_answers_serve_every_township(world):
    county = write(
        world.county_admin,
        "工会会费怎么交？",
        "会员每月按工资收入的百分之零点五交纳会费。",
        organization=world.county,
    )
    client = Client()
    client.force_login(world.outsider)
    assert "工会会费怎么交" in client.get(reverse("rights:knowledge_list")).content.decode()
    assert client.get(reverse("rights:knowledge_detail", args=[county.pk])).status_code == 200
    # but only the county may edit it
    assert client.get(reverse("rights:knowledge_edit", args=[county.pk])).status_code == 404


def test_pages_create_and_edit_an_answer(world):
    client = Client()
    client.force_login(world.township_staff)
    response = client.post(
        reverse("rights:knowledge_create"),
        {
            "question": "试用期最长多久？",
            "answer": "三年以上固定期限合同试用期不得超过六个月。",
            "public": "on",
            "category": "",
        },
    )
    assert response.status_code == 302
    article = Article.objects.get(question="试用期最长多久？")
    response = client.post(
        reverse("rights:knowledge_edit", args=[article.pk]),
        {"question": "试用期最长多久？", "answer": "", "public": "on"},
    )
    assert response.status_code == 200 and "answer" in response.context["form"].errors
    article.refresh_from_db()
    assert article.answer.startswith("三年以上")


def test_workers_see_only_the_public_answers_on_the_portal(world, answers):
    client = Client()
    body = client.get(reverse("portal:case_answers"), {"q": "讨薪"}).content.decode()
    assert "老板拖欠工资怎么办？" in body
    assert "内部口径" not in body
    assert (
        client.get(reverse("portal:case_answer", args=[answers["internal"].pk])).status_code == 404
    )
    page = client.get(reverse("portal:case_answer", args=[answers["overtime"].pk])).content.decode()
    assert "百分之一百五十" in page and "《劳动法》第四十四条" in page
    assert str(world.township_staff) not in page  # the owner is staff: not shown to workers
