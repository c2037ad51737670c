"""The knowledge base (questions and answers on labor law and union policy) and the calls to the
12351 hotline.

Every answer has an owner who keeps it right and a review date; an answer whose review date has
passed is "stale" and listed for its owner (issue 4, section 8). ``search_text`` holds the
bigrams of the question, answer and keywords (``search.document``) so that it can be searched in
Chinese; every write here keeps it current.

A hotline call ends one of two ways: answered on the spot (``hotline_call_answer``, with the
answers used) or turned into a case (``hotline_call_case``, through ``intake.case_create``).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.models import User
from gonghui.accounts.roles import CHANGE, DISPATCH_CASES
from gonghui.audit.services import audit_create, audit_update, snapshot
from gonghui.core import identifiers as ids
from gonghui.core.fields import hash_for
from gonghui.organizations.models import Organization

from .. import search
from ..catalog import CATEGORY_LABELS
from ..models import OPEN_STATUSES, Article, Case, HotlineCall
from . import intake

REVIEW_EVERY_DAYS = 365  # an answer on law is looked at again at least yearly (house practice)
ARTICLE_FIELDS = ("question", "answer", "category", "keywords", "legal_basis", "public")


def _today() -> dt.date:
    return timezone.localdate()


def _in_scope(by, organization: Organization) -> bool:
    return by.is_superuser or (
        bool(by.scope_prefix) and organization.path.startswith(by.scope_prefix)
    )


def _clean_article(data: dict, errors: dict) -> dict:
    question = " ".join((data.get("question") or "").split())
    if len(question) < 4:
        errors["question"] = _(
            "Write the question as a worker would ask it (at least 4 characters)."
        )
    answer = (data.get("answer") or "").strip()
    if len(answer) < 10:
        errors["answer"] = _("Write the answer in full (at least 10 characters).")
    category = data.get("category") or ""
    if category and category not in CATEGORY_LABELS:
        errors["category"] = _("Choose a category from the list.")
    return {
        "question": question[:255],
        "answer": answer,
        "category": category,
        "keywords": " ".join(
            (data.get("keywords") or "").replace("，", " ").replace(",", " ").split()
        )[:255],
        "legal_basis": (data.get("legal_basis") or "").strip(),
        "public": bool(data.get("public", True)),
    }


def _check_owner(by, owner, organization, errors: dict) -> None:
    if owner is None:
        errors["owner"] = _("Choose who keeps this answer right.")
    elif not owner.is_active or not owner.organization_id:
        errors["owner"] = _("The owner must be an active staff account.")
    elif not (
        owner.organization.path.startswith(organization.path)
        or organization.path.startswith(owner.organization.path)
    ):
        errors["owner"] = _("The owner must work in this organization or above or below it.")


def _document(article: Article) -> str:
    return search.document(article.question, article.keywords, article.answer)


def article_create(
    *,
    by,
    question: str,
    answer: str,
    category: str = "",
    keywords: str = "",
    legal_basis: str = "",
    public: bool = True,
    owner=None,
    review_due: dt.date | None = None,
    organization: Organization | None = None,
) -> Article:
    """A new answer in ``organization`` (default: the author's), owned by ``owner`` (default:
    the author), to be reviewed by ``review_due`` (default: a year from today)."""
    if not by.can(CHANGE):
        raise PermissionDenied(_("Your role may not edit the knowledge base."))
    organization = organization or by.organization
    if organization is None or not _in_scope(by, organization):
        raise PermissionDenied(_("This organization is outside your scope."))
    errors: dict[str, str] = {}
    clean = _clean_article(
        {
            "question": question,
            "answer": answer,
            "category": category,
            "keywords": keywords,
            "legal_basis": legal_basis,
            "public": public,
        },
        errors,
    )
    owner = owner or by
    _check_owner(by, owner, organization, errors)
    today = _today()
    review_due = review_due or today + dt.timedelta(days=REVIEW_EVERY_DAYS)
    if review_due < today:
        errors["review_due"] = _("The review date cannot be in the past.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        article = Article(
            organization=organization,
            owner=owner,
            review_due=review_due,
            reviewed_on=today,
            **clean,
        )
        article.search_text = _document(article)
        article.save()
        audit_create(by=by, obj=article)
    return article


def article_update(
    *,
    by,
    article: Article,
    question: str,
    answer: str,
    category: str = "",
    keywords: str = "",
    legal_basis: str = "",
    public: bool = True,
    owner=None,
    review_due: dt.date | None = None,
) -> Article:
    """Change an answer (its search text follows). Editing the content counts as a review:
    the editor has read it through."""
    if not by.can(CHANGE):
        raise PermissionDenied(_("Your role may not edit the knowledge base."))
    errors: dict[str, str] = {}
    clean = _clean_article(
        {
            "question": question,
            "answer": answer,
            "category": category,
            "keywords": keywords,
            "legal_basis": legal_basis,
            "public": public,
        },
        errors,
    )
    with transaction.atomic():
        locked = Article.objects.visible_to(by).select_for_update().filter(pk=article.pk).first()
        if locked is None:
            raise PermissionDenied(_("This answer is outside your scope."))
        owner = owner or locked.owner
        _check_owner(by, owner, locked.organization, errors)
        if review_due is not None and review_due < _today() and review_due != locked.review_due:
            errors["review_due"] = _("The review date cannot be in the past.")
        if errors:
            raise ValidationError(errors)
        before = snapshot(locked)
        for name, value in clean.items():
            setattr(locked, name, value)
        locked.owner = owner
        if review_due is not None:
            locked.review_due = review_due
        locked.search_text = _document(locked)
        locked.save()
        audit_update(by=by, obj=locked, before=before)
    return locked


def article_review(*, by, article: Article, review_due: dt.date | None = None) -> Article:
    """The owner (or anyone who may edit) confirms the answer is still right: reviewed today,
    next review by ``review_due`` (default: a year from today)."""
    if not by.can(CHANGE):
        raise PermissionDenied(_("Your role may not edit the knowledge base."))
    today = _today()
    review_due = review_due or today + dt.timedelta(days=REVIEW_EVERY_DAYS)
    if review_due <= today:
        raise ValidationError({"review_due": _("The next review must be after today.")})
    with transaction.atomic():
        locked = Article.objects.visible_to(by).select_for_update().filter(pk=article.pk).first()
        if locked is None:
            raise PermissionDenied(_("This answer is outside your scope."))
        before = snapshot(locked)
        locked.reviewed_on = today
        locked.review_due = review_due
        locked.save(update_fields=["reviewed_on", "review_due", "updated_at"])
        audit_update(by=by, obj=locked, before=before, detail="reviewed")
    return locked


# --- reads ------------------------------------------------------------------------------------


def articles_for(user):
    """Answers a staff user may use: those of their subtree, plus the answers the federations
    above them share (a county's answers serve every township's call takers)."""
    own = Article.objects.visible_to(user)
    if user.is_superuser or not user.organization_id:
        return own
    above = user.organization.ancestor_ids()
    if not above:
        return own
    return Article.objects.filter(Q(pk__in=own.values("pk")) | Q(organization_id__in=above))


def article_search(queryset, *, q: str = "", category: str = ""):
    """Narrow ``queryset`` by words (Chinese bigrams, ``search.filter_text``) and category (a
    sub-item, or a kind such as ``consultation`` for all of its sub-items)."""
    if category:
        if "." in category:
            queryset = queryset.filter(Q(category=category) | Q(category=""))
        else:
            queryset = queryset.filter(category__startswith=f"{category}.")
    return search.filter_text(queryset, q)


def stale_articles(user, *, owner=None):
    """Answers whose review date has passed, oldest first (for the owner to look at again)."""
    qs = Article.objects.visible_to(user).filter(review_due__lt=_today())
    if owner is not None:
        qs = qs.filter(owner=owner)
    return qs.select_related("owner", "organization").order_by("owner_id", "review_due", "pk")


def caller_history(user, phone: str, *, limit: int = 10):
    """Earlier calls and open cases of one number (by its keyed hash), within the user's
    scope: (calls, cases)."""
    try:
        phone = ids.normalize_mobile(phone)
    except ids.IdentifierError:
        digits = "".join(ch for ch in phone or "" if ch.isdigit())
        if len(digits) < 7:
            return [], []
        phone = digits
    digest = hash_for("phone", phone)
    calls = list(
        HotlineCall.objects.visible_to(user)
        .filter(caller_phone_hash=digest)
        .select_related("case")
        .order_by("-called_at", "-pk")[:limit]
    )
    cases = list(
        Case.objects.visible_to(user)
        .filter(complainant_phone_hash=digest, status__in=OPEN_STATUSES)
        .order_by("-received_at", "-pk")[:limit]
    )
    return calls, cases


# --- hotline calls ----------------------------------------------------------------------------


def _clean_call(by, caller_phone: str, called_at, category: str, summary: str, errors: dict):
    if not by.can(DISPATCH_CASES):
        raise PermissionDenied(_("Your role may not take hotline calls."))
    if by.organization is None:
        raise PermissionDenied(_("Your account belongs to no organization."))
    phone = (caller_phone or "").strip()
    if phone:
        try:
            phone = ids.normalize_mobile(phone)
        except ids.IdentifierError:
            digits = "".join(ch for ch in phone if ch.isdigit() or ch == "-")
            if len(digits.replace("-", "")) < 7 or len(digits) > 20:
                errors["caller_phone"] = _(
                    "Enter the caller's number (a mobile or a landline with area code), or leave it empty for a hidden number."
                )
            phone = digits
    if called_at is None:
        called_at = timezone.now()
    elif called_at > timezone.now() + dt.timedelta(minutes=5):
        errors["called_at"] = _("The call time cannot be in the future.")
    if category not in CATEGORY_LABELS:
        errors["category"] = _("Choose a category from the list.")
    summary = (summary or "").strip()
    if len(summary) < 2:
        errors["summary"] = _("Write down what the caller asked.")
    return phone, called_at, summary


def hotline_call_answer(
    *,
    by,
    caller_phone: str = "",
    called_at: dt.datetime | None = None,
    category: str,
    summary: str,
    answer: str,
    articles=(),
) -> HotlineCall:
    """A call answered on the spot: what was asked, what was answered and from which
    knowledge-base answers."""
    errors: dict[str, str] = {}
    phone, called_at, summary = _clean_call(by, caller_phone, called_at, category, summary, errors)
    answer = (answer or "").strip()
    if not answer:
        errors["answer"] = _("Write down the answer given, or create a case instead.")
    allowed = set(
        articles_for(by).filter(pk__in=[a.pk for a in articles]).values_list("pk", flat=True)
    )
    if any(a.pk not in allowed for a in articles):
        errors["articles"] = _("Choose answers from the knowledge base you may use.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        call = HotlineCall.objects.create(
            organization=by.organization,
            caller_phone=phone,
            called_at=called_at,
            category=category,
            summary=summary,
            answer=answer,
            taken_by=by,
        )
        if articles:
            call.articles.set(articles)
        audit_create(by=by, obj=call, detail="answered on the spot")
    return call


def hotline_call_case(
    *,
    by,
    caller_phone: str = "",
    called_at: dt.datetime | None = None,
    category: str,
    summary: str,
    description: str = "",
    caller_name: str = "",
    anonymous: bool = False,
    employer=None,
    employer_text: str = "",
    workers_affected=1,
    amount_claimed=None,
    internal_note: str = "",
) -> tuple[HotlineCall, intake.Created]:
    """A call that becomes a case (``case_create`` with channel hotline); the call is kept and
    linked to the case. Returns the call and the created case with its PIN (read to the
    caller once)."""
    errors: dict[str, str] = {}
    phone, called_at, summary = _clean_call(by, caller_phone, called_at, category, summary, errors)
    if errors:
        raise ValidationError(errors)
    mobile = phone if phone.isdigit() and len(phone) == 11 else ""
    with transaction.atomic():
        created = intake.case_create(
            by=by,
            channel="hotline",
            category=category,
            description=description or summary,
            employer=employer,
            employer_text=employer_text,
            workers_affected=workers_affected,
            amount_claimed=amount_claimed,
            anonymous=anonymous,
            complainant_name=caller_name,
            complainant_phone=mobile,
            received_by=by.organization,
            received_at=called_at,
            internal_note=internal_note
            or (_("Caller's number: %(phone)s") % {"phone": phone} if phone and not mobile else ""),
        )
        call = HotlineCall.objects.create(
            organization=by.organization,
            caller_phone="" if anonymous else phone,
            called_at=called_at,
            category=category,
            summary=summary,
            answer=_("A case was opened: %(number)s") % {"number": created.case.number},
            case=created.case,
            taken_by=by,
        )
        audit_create(by=by, obj=call, detail=f"case {created.case.number}")
    return call, created


def owners_choices(user):
    """Staff accounts that may own an answer: active users in the user's subtree."""
    qs = User.objects.filter(is_active=True, organization__isnull=False).exclude(role="")
    if not user.is_superuser:
        qs = qs.filter(organization__path__startswith=user.scope_prefix)
    return qs.select_related("organization").order_by("organization__path", "username")
