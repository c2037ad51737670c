"""Staff intake pages: the 12351 hotline's quick entry and its list of calls, the walk-in and
letter entry with several workers for a collective case, and the knowledge base.

Every view is a ``staff_view``; lists start from ``visible_to`` (the knowledge base also shows
the answers the federations above share, ``knowledge.articles_for``).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.accounts.roles import CHANGE, DISPATCH_CASES
from gonghui.core.decorators import staff_view
from gonghui.core.listing import Listing, Sort
from gonghui.core.scope import get_for_user

from .forms_intake import (
    ArticleFilterForm,
    ArticleForm,
    HotlineForm,
    PartyFormSet,
    WalkInForm,
)
from .models import Article, HotlineCall
from .portal_views import add_errors
from .services import knowledge
from .services.intake import case_create

CALL_SORTS = [Sort("called", "called_at", gettext_lazy("Call time"), descending=True)]
ARTICLE_SORTS = [
    Sort("question", "question", gettext_lazy("Question")),
    Sort("review", "review_due", gettext_lazy("Review by")),
]
HOTLINE_FIELDS = {
    "complainant_phone": "caller_phone",
    "complainant_name": "caller_name",
    "employer_text": "employer",
    "description": "summary",
}


def _created_message(request, created) -> None:
    messages.success(
        request,
        _(
            "Case %(number)s was created. Give the worker the tracking code %(code)s and the "
            "PIN %(pin)s: the PIN is shown only this once."
        )
        % {"number": created.case.number, "code": created.tracking_code, "pin": created.pin},
    )


# --- hotline ----------------------------------------------------------------------------------


@staff_view(permission=DISPATCH_CASES)
@require_http_methods(["GET", "POST"])
def hotline(request):
    """Quick entry while the phone rings: answered on the spot, or a case."""
    form = HotlineForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if form.ending == HotlineForm.CASE:
                call, created = knowledge.hotline_call_case(
                    by=request.user,
                    caller_phone=data["caller_phone"],
                    called_at=data["called_at"],
                    category=data["category"],
                    summary=data["summary"],
                    caller_name=data["caller_name"],
                    anonymous=data["anonymous"],
                    employer_text=data["employer"],
                    workers_affected=data["workers_affected"],
                    amount_claimed=data["amount_claimed"],
                    internal_note=data["answer"],
                )
            else:
                call = knowledge.hotline_call_answer(
                    by=request.user,
                    caller_phone=data["caller_phone"],
                    called_at=data["called_at"],
                    category=data["category"],
                    summary=data["summary"],
                    answer=data["answer"],
                    articles=list(data["articles"]),
                )
        except ValidationError as exc:
            add_errors(form, exc, HOTLINE_FIELDS)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            if form.ending == HotlineForm.CASE:
                _created_message(request, created)
                return redirect("rights:case_detail", pk=created.case.pk)
            messages.success(request, _("The call was recorded as answered on the spot."))
            return redirect("rights:hotline_call", pk=call.pk)
    selected = [str(a) for a in request.POST.getlist("articles")]
    calls, cases = knowledge.caller_history(request.user, form["caller_phone"].value() or "")
    return render(
        request,
        "rights/intake/hotline.html",
        {
            "form": form,
            "articles": _suggestions(request, form["summary"].value(), form["category"].value()),
            "selected": selected,
            "calls": calls,
            "cases": cases,
            "phone": form["caller_phone"].value() or "",
        },
    )


def _suggestions(request, text, category):
    qs = knowledge.articles_for(request.user)
    text = (text or "").strip()
    if not text and not category:
        return []
    # the category's whole kind: a caller's question rarely fits one sub-item exactly
    kind = (category or "").split(".", 1)[0]
    found = list(knowledge.article_search(qs, q=text, category=kind)[:8])
    if not found and text:
        found = list(knowledge.article_search(qs, q=text)[:8])
    return found


@staff_view(permission=DISPATCH_CASES)
@require_GET
def hotline_suggest(request):
    """The knowledge-base answers matching what the call taker types (an htmx fragment)."""
    return render(
        request,
        "rights/intake/hotline.html#kb-hits",
        {
            "articles": _suggestions(
                request,
                request.GET.get("summary", "")[:500],
                request.GET.get("category", ""),
            ),
            "selected": request.GET.getlist("articles"),
        },
    )


@staff_view(permission=DISPATCH_CASES)
@require_GET
def hotline_caller(request):
    """The caller's earlier calls and open cases, by the number's keyed hash (htmx fragment)."""
    phone = request.GET.get("caller_phone", "")[:20]
    calls, cases = knowledge.caller_history(request.user, phone)
    return render(
        request,
        "rights/intake/hotline.html#caller-history",
        {"calls": calls, "cases": cases, "phone": phone},
    )


@staff_view()
def hotline_calls(request):
    qs = HotlineCall.objects.visible_to(request.user).select_related("case", "taken_by")
    if request.GET.get("ending") == "case":
        qs = qs.filter(case__isnull=False)
    elif request.GET.get("ending") == "answered":
        qs = qs.filter(case__isnull=True)
    if request.GET.get("category"):
        qs = qs.filter(category__startswith=request.GET["category"])
    listing = Listing(queryset=qs, params=request.GET, sorts=CALL_SORTS)
    return render(
        request,
        "rights/intake/hotline_calls.html",
        {"listing": listing, "page": listing.page()},
    )


@staff_view(scope_model=HotlineCall)
def hotline_call(request, pk: int):
    call = get_for_user(
        HotlineCall.objects.select_related("case", "taken_by", "organization"), request.user, pk=pk
    )
    return render(
        request,
        "rights/intake/hotline_call.html",
        {"call": call, "articles": call.articles.all()},
    )


# --- walk-in station and letters -----------------------------------------------------------


def _parties(formset) -> list[dict]:
    rows = []
    for party_form in formset.forms:
        if not party_form.is_blank:
            row = dict(party_form.cleaned_data)
            rows.append(row)
    return rows


def _party_errors(formset, exc: ValidationError, form) -> ValidationError | None:
    """Put ``parties.<i>.<field>`` errors on the row; the rest is returned for the form."""
    if not hasattr(exc, "error_dict"):
        return exc
    rest = {}
    filled = [f for f in formset.forms if not f.is_blank]
    for key, messages_ in exc.message_dict.items():
        parts = key.split(".")
        if parts[0] == "parties" and len(parts) == 3 and int(parts[1]) < len(filled):
            for message in messages_:
                filled[int(parts[1])].add_error(parts[2], message)
        else:
            rest[key] = messages_
    return ValidationError(rest) if rest else None


@staff_view(permission=DISPATCH_CASES)
@require_http_methods(["GET", "POST"])
def case_new(request):
    """A complaint brought to the walk-in station or by letter, typed in by staff; several
    workers of one employer make one collective case with each listed."""
    files_lost = False
    if request.method == "POST" and "add_rows" in request.POST:
        # More rows: the page comes back with everything typed and three empty rows more.
        form = WalkInForm(initial=request.POST.dict())
        posted = PartyFormSet(request.POST, prefix="parties")
        rows = [{k: f.data.get(f.add_prefix(k), "") for k in f.fields} for f in posted.forms]
        formset = PartyFormSet(initial=rows, prefix="parties")
        files_lost = bool(request.FILES)
    elif request.method == "POST":
        form = WalkInForm(request.POST, request.FILES)
        formset = PartyFormSet(request.POST, prefix="parties")
        forms_ok = form.is_valid()
        rows_ok = formset.is_valid()
        if forms_ok and rows_ok:
            data = form.cleaned_data
            try:
                created = case_create(
                    by=request.user,
                    channel=data["channel"],
                    category=data["category"],
                    title=data["title"],
                    description=data["description"],
                    employer_text=data["employer_text"],
                    workers_affected=data["workers_affected"],
                    amount_claimed=data["amount_claimed"],
                    anonymous=data["anonymous"],
                    complainant_name=data["complainant_name"],
                    complainant_phone=data["complainant_phone"],
                    complainant_id_number=data["complainant_id_number"],
                    received_at=data["received_at"],
                    parties=_parties(formset),
                    project_name=data["project_name"],
                    general_contractor=data["general_contractor"],
                    arrears_months=data["arrears_months"],
                    uploads=data["attachments"],
                    internal_note=data["internal_note"],
                )
            except ValidationError as exc:
                rest = _party_errors(formset, exc, form)
                if rest is not None:
                    add_errors(form, rest, {"uploads": "attachments"})
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                _created_message(request, created)
                return redirect("rights:case_detail", pk=created.case.pk)
        files_lost = bool(request.FILES)
    else:
        form = WalkInForm()
        formset = PartyFormSet(prefix="parties")
    return render(
        request,
        "rights/intake/case_new.html",
        {"form": form, "formset": formset, "files_lost": files_lost},
    )


# --- knowledge base --------------------------------------------------------------------------


def _article_for(user, pk: int) -> Article:
    article = (
        knowledge.articles_for(user).select_related("owner", "organization").filter(pk=pk).first()
    )
    if article is None:
        raise Http404
    return article


@staff_view()
def knowledge_list(request):
    form = ArticleFilterForm(request.GET or None)
    qs = knowledge.articles_for(request.user).select_related("owner", "organization")
    if form.is_valid():
        qs = knowledge.article_search(
            qs, q=form.cleaned_data["q"], category=form.cleaned_data["category"]
        )
    listing = Listing(queryset=qs, params=request.GET, sorts=ARTICLE_SORTS)
    return render(
        request,
        "rights/intake/knowledge_list.html",
        {"form": form, "listing": listing, "page": listing.page()},
    )


@staff_view(scope_model=Article)
def knowledge_detail(request, pk: int):
    article = _article_for(request.user, pk)
    editable = (
        request.user.can(CHANGE)
        and Article.objects.visible_to(request.user).filter(pk=article.pk).exists()
    )
    return render(
        request,
        "rights/intake/knowledge_detail.html",
        {"article": article, "editable": editable},
    )


@staff_view(permission=CHANGE)
@require_http_methods(["GET", "POST"])
def knowledge_create(request):
    form = ArticleForm(request.POST or None, user=request.user, initial={"public": True})
    if request.method == "POST" and form.is_valid():
        try:
            article = knowledge.article_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc, {})
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The answer was saved."))
            return redirect("rights:knowledge_detail", pk=article.pk)
    return render(request, "rights/intake/knowledge_form.html", {"form": form, "article": None})


@staff_view(scope_model=Article, permission=CHANGE)
@require_http_methods(["GET", "POST"])
def knowledge_edit(request, pk: int):
    article = get_for_user(Article.objects.select_related("owner"), request.user, pk=pk)
    initial = {
        "question": article.question,
        "answer": article.answer,
        "category": article.category,
        "keywords": article.keywords,
        "legal_basis": article.legal_basis,
        "public": article.public,
        "owner": article.owner_id,
        "review_due": article.review_due,
    }
    form = ArticleForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            knowledge.article_update(by=request.user, article=article, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc, {})
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The answer was saved."))
            return redirect("rights:knowledge_detail", pk=article.pk)
    return render(request, "rights/intake/knowledge_form.html", {"form": form, "article": article})


@staff_view(scope_model=Article, permission=CHANGE)
@require_POST
def knowledge_review(request, pk: int):
    article = get_for_user(Article, request.user, pk=pk)
    try:
        knowledge.article_review(by=request.user, article=article)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("Marked as reviewed: still right."))
    return redirect("rights:knowledge_detail", pk=article.pk)


@staff_view()
def knowledge_stale(request):
    """Answers past their review date, grouped by owner; ``?mine=1`` only one's own."""
    owner = request.user if request.GET.get("mine") else None
    articles = list(knowledge.stale_articles(request.user, owner=owner)[:500])
    groups: dict = {}
    for article in articles:
        groups.setdefault(article.owner, []).append(article)
    return render(
        request,
        "rights/intake/knowledge_stale.html",
        {"groups": list(groups.items()), "mine": bool(owner), "count": len(articles)},
    )
