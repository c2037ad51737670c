"""The workers' portal: sign-in with a one-time SMS code, binding an account to its worker
record, and the token behind the electronic member card's QR code.

A portal account is not a staff user. The session holds ``portal_account_id`` beside Django's
own auth keys and never instead of them: a worker is never signed in to the staff site, and a
staff sign-in never opens the portal.

Sign-in codes: six digits from ``secrets``; only a keyed hash is stored (``OneTimeCode``);
valid five minutes; single use; five wrong tries per code; a new code replaces the previous
one. Sending is rate-limited per phone (one a minute, five an hour) and per client address
(twenty an hour) in the shared cache, so several app instances count together.

The same page answers every number alike, known or not: a code is sent to any valid mobile
and the account is only created when the first code is entered correctly, so the login page
tells nobody whether a phone number belongs to a worker on record.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

import segno
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.audit.models import AuditAction
from gonghui.audit.services import audit_record
from gonghui.core import identifiers as ids
from gonghui.core.fields import hash_for, mask
from gonghui.members.models import Membership, MembershipStatus, OneTimeCode, PortalAccount, Worker
from gonghui.notifications.services import sms_send

SESSION_KEY = "portal_account_id"

CODE_DIGITS = 6
CODE_TTL = dt.timedelta(minutes=5)
CODE_MAX_TRIES = 5
CODE_INTERVAL_SECONDS = 60
CODES_PER_PHONE_PER_HOUR = 5
CODES_PER_ADDRESS_PER_HOUR = 20
BIND_FAILURES_PER_DAY = 5

HOUR = 3600
DAY = 24 * HOUR


def _now() -> dt.datetime:
    """The clock of this module (tests move it)."""
    return timezone.now()


# --- rate limits -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limit:
    """At most ``count`` events per ``window`` seconds under ``key`` (a sliding window: the
    times of recent events are kept in the cache, so "try again at" is exact)."""

    key: str
    count: int
    window: int
    message: str  # with %(seconds)s and %(time)s

    def recent(self, now: float) -> list[float]:
        return sorted(t for t in cache.get(self.key, []) if t > now - self.window)

    def retry_at(self, now: float) -> float | None:
        """When the next event is allowed, or None when it is allowed now."""
        hits = self.recent(now)
        if len(hits) < self.count:
            return None
        return hits[len(hits) - self.count] + self.window

    def hit(self, now: float) -> None:
        cache.set(self.key, [*self.recent(now), now], self.window)


def _refuse(limit: Limit, retry_at: float, now: float) -> ValidationError:
    at = timezone.localtime(dt.datetime.fromtimestamp(retry_at, tz=dt.UTC))
    seconds = max(1, int(retry_at - now + 0.999))
    message = limit.message % {"seconds": seconds, "time": formats.time_format(at, "H:i")}
    return ValidationError(message, code="rate_limited")


def _enforce(limits: list[Limit], now: float) -> None:
    """Refuse when any limit is reached; else count the event under every limit. (Checking
    and counting are two cache calls, so two requests in the same instant may both pass: a
    limit is a brake on abuse, not an exact quota.)"""
    for limit in limits:
        retry_at = limit.retry_at(now)
        if retry_at is not None:
            raise _refuse(limit, retry_at, now)
    for limit in limits:
        limit.hit(now)


def _code_limits(phone_hash: str, address: str | None) -> list[Limit]:
    return [
        Limit(
            f"portal:code:minute:{phone_hash}",
            1,
            CODE_INTERVAL_SECONDS,
            _(
                "A code was sent to this number less than a minute ago. "
                "You can ask for another in %(seconds)s seconds."
            ),
        ),
        Limit(
            f"portal:code:hour:{phone_hash}",
            CODES_PER_PHONE_PER_HOUR,
            HOUR,
            _(
                "Five codes have been sent to this number in the last hour. "
                "You can ask for another at %(time)s."
            ),
        ),
        Limit(
            f"portal:code:address:{address or 'unknown'}",
            CODES_PER_ADDRESS_PER_HOUR,
            HOUR,
            _(
                "Too many codes have been asked for from this network in the last hour. "
                "You can ask for another at %(time)s."
            ),
        ),
    ]


# --- sign-in codes -----------------------------------------------------------------------------


def _code_hash(phone_hash: str, code: str) -> str:
    # Keyed with SECRET_KEY: a copy of the table alone does not give the codes away.
    return salted_hmac(
        "gonghui.portal.one-time-code", f"{phone_hash}:{code}", algorithm="sha256"
    ).hexdigest()


def clean_phone(phone: str) -> str:
    try:
        return ids.normalize_mobile(phone)
    except ids.IdentifierError as exc:
        raise ValidationError({"phone": [str(exc.message)]}) from None


def code_request(*, phone: str, address: str | None = None) -> OneTimeCode:
    """Send a sign-in code by SMS to any valid mobile number (rate-limited). The previous
    unused code of that number stops working."""
    phone = clean_phone(phone)
    phone_hash = hash_for("phone", phone)
    now = _now()
    _enforce(_code_limits(phone_hash, address), now.timestamp())
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    with transaction.atomic():
        OneTimeCode.objects.filter(
            phone_hash=phone_hash, used_at__isnull=True, expires_at__gt=now
        ).update(expires_at=now)
        one_time_code = OneTimeCode.objects.create(
            phone_hash=phone_hash,
            code_hash=_code_hash(phone_hash, code),
            created_at=now,
            expires_at=now + CODE_TTL,
            ip_address=address,
        )
        # SMS templates are registered with the operator in Chinese: the text is always in the
        # site's language, whatever language the page was in.
        with translation.override(settings.LANGUAGE_CODE):
            text = _(
                "Your sign-in code is %(code)s, valid for 5 minutes. "
                "If you did not ask for it, ignore this message."
            ) % {"code": code}
        sms_send(phone=phone, text=text)
    return one_time_code


# Chinese input methods type full-width digits (０-９) that look the same on screen.
_FULL_WIDTH_DIGITS = str.maketrans({chr(0xFF10 + n): str(n) for n in range(10)})


def _normalize_code(code: str) -> str:
    return "".join(str(code or "").translate(_FULL_WIDTH_DIGITS).split())


def code_verify(*, phone: str, code: str) -> PortalAccount:
    """The account of ``phone`` (created on its first correct code), or ValidationError on
    ``code``. Only the newest code of the number counts; each wrong try is counted."""
    phone = clean_phone(phone)
    code = _normalize_code(code)
    if len(code) != CODE_DIGITS or not code.isdigit():
        raise ValidationError({"code": [_("Enter the 6 digits of the code.")]})
    phone_hash = hash_for("phone", phone)
    now = _now()
    with transaction.atomic():
        latest = (
            OneTimeCode.objects.select_for_update()
            .filter(phone_hash=phone_hash)
            .order_by("-created_at", "-pk")
            .first()
        )
        if latest is None or latest.used_at is not None:
            error = _("This code has already been used or was never sent. Ask for a new code.")
        elif latest.expires_at <= now:
            error = _("This code has expired (a code is valid for 5 minutes). Ask for a new code.")
        elif latest.attempts >= CODE_MAX_TRIES:
            error = _("A wrong code was entered too many times. Ask for a new code.")
        elif not constant_time_compare(latest.code_hash, _code_hash(phone_hash, code)):
            latest.attempts += 1
            latest.save(update_fields=["attempts"])
            left = CODE_MAX_TRIES - latest.attempts
            if left:
                error = _("The code is not right. You can try %(left)s more times.") % {
                    "left": left
                }
            else:
                error = _("A wrong code was entered too many times. Ask for a new code.")
        else:
            latest.used_at = now
            latest.save(update_fields=["used_at"])
            account = _account_for(phone, phone_hash, now)
            audit_record(
                by=None,
                action=AuditAction.LOGIN,
                obj=account,
                object_type="members.portalaccount",
                organization_path=account_path(account),
                detail="portal sign-in with an SMS code",
            )
            return account
        # The failed try is logged and counted in the same transaction, which commits.
        audit_record(
            by=None,
            action=AuditAction.LOGIN_FAILED,
            object_type="members.portalaccount",
            object_repr=mask("phone", phone),
            organization_path="",
            detail="portal sign-in: wrong, expired or used SMS code",
        )
    raise ValidationError({"code": [error]})


def _account_for(phone: str, phone_hash: str, now: dt.datetime) -> PortalAccount:
    account = PortalAccount.objects.select_for_update().filter(phone_hash=phone_hash).first()
    if account is None:
        try:
            with transaction.atomic():
                account = PortalAccount.objects.create(phone=phone, created_at=now)
        except IntegrityError:  # the same number signed in twice at the same moment
            account = PortalAccount.objects.select_for_update().get(phone_hash=phone_hash)
    account.last_login_at = now
    account.save(update_fields=["last_login_at"])
    return account


def account_path(account: PortalAccount) -> str:
    """Where the account's entries are filed in the audit log: its worker's organization, so
    that the auditors of that subtree see them (an unbound account belongs to nobody yet)."""
    worker = account.worker if account.worker_id else None
    return worker.organization.path if worker is not None else ""


def sign_out_record(account: PortalAccount) -> None:
    audit_record(
        by=None,
        action=AuditAction.LOGOUT,
        obj=account,
        object_type="members.portalaccount",
        organization_path=account_path(account),
        detail="portal sign-out",
    )


# --- binding the account to a worker record -------------------------------------------------------

_NAME_DOTS = str.maketrans({c: "·" for c in "•・‧∙⋅●.．"})


def same_name(a: str, b: str) -> bool:
    """Names compare exactly, apart from spaces and the look-alike middle dots that separate
    the parts of many Uyghur, Tibetan and foreign names (阿卜杜拉·买买提)."""

    def key(name: str) -> str:
        return "".join((name or "").split()).translate(_NAME_DOTS)

    return bool(key(a)) and key(a) == key(b)


BIND_REFUSED = gettext_lazy(
    "No union record matches this name, ID number and this phone number together. "
    "If you are not a member yet, apply to join: your ID number goes with the application. "
    "If you are a member, your union may have another phone number on record: ask your "
    "union (or call 12351) to update it, then try again."
)


def account_bind(*, by: PortalAccount, name: str, id_number: str) -> PortalAccount:
    """Link the signed-in account to the worker record of its holder, once.

    The rule: a record is linked only when the ID number, the name (exactly) **and** the mobile
    number on record all match, the last one being the number just proven by the SMS code.
    Knowing someone's name and ID number is common (an employer's personnel office knows both),
    so these alone never open a record; the phone on record is what only the worker holds.
    Every refusal reads the same, so the page does not tell whether a record exists; refused
    tries are limited per account (five a day) and written to the audit log.
    """
    if by.worker_id is not None:
        raise ValidationError(_("Your account is already linked to your record."))
    errors: dict[str, list[str]] = {}
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = [_("Enter your full name as on your ID card.")]
    try:
        number = ids.parse_resident_id(id_number).number
    except ids.IdentifierError as exc:
        errors["id_number"] = [str(exc.message)]
    if errors:
        raise ValidationError(errors)

    now = _now().timestamp()
    limit = Limit(
        f"portal:bind:{by.pk}",
        BIND_FAILURES_PER_DAY,
        DAY,
        _("Too many tries to link a record today. You can try again at %(time)s."),
    )
    retry_at = limit.retry_at(now)
    if retry_at is not None:
        raise _refuse(limit, retry_at, now)

    with transaction.atomic():
        account = PortalAccount.objects.select_for_update().get(pk=by.pk)
        if account.worker_id is not None:
            raise ValidationError(_("Your account is already linked to your record."))
        worker = (
            Worker.objects.select_for_update()
            .select_related("organization")
            .filter(id_number_hash=hash_for("id_number", number))
            .first()
        )
        if (
            worker is not None
            and same_name(worker.name, name)
            and worker.phone_hash
            and worker.phone_hash == account.phone_hash
        ):
            _link(account, worker, detail="portal: account linked to its worker record")
            return account
        # Refused: the audit row commits with this block; the error is raised after it.
        audit_record(
            by=None,
            action=AuditAction.LOGIN_FAILED,
            obj=account,
            object_type="members.portalaccount",
            organization_path=worker.organization.path if worker is not None else "",
            detail="portal: linking a worker record refused",
        )
    limit.hit(now)
    raise ValidationError(BIND_REFUSED, code="bind_refused")


def _link(account: PortalAccount, worker: Worker, *, detail: str) -> None:
    """Set the link (both rows locked by the caller). A worker whose phone on record changed
    since an older account was linked: the link moves to the account of the number on record."""
    previous = PortalAccount.objects.select_for_update().filter(worker=worker).first()
    if previous is not None and previous.pk != account.pk:
        previous.worker = None
        previous.bound_at = None
        previous.save(update_fields=["worker", "bound_at"])
        audit_record(
            by=None,
            action=AuditAction.UPDATE,
            obj=previous,
            object_type="members.portalaccount",
            organization_path=worker.organization.path,
            changes={"worker": [worker.pk, None]},
            detail="portal: link moved to the account of the phone on record",
        )
    account.worker = worker
    account.bound_at = timezone.now()
    account.save(update_fields=["worker", "bound_at"])
    audit_record(
        by=None,
        action=AuditAction.UPDATE,
        obj=account,
        object_type="members.portalaccount",
        organization_path=worker.organization.path,
        changes={"worker": [None, worker.pk]},
        detail=detail,
    )


def account_link_on_acceptance(*, account: PortalAccount, worker: Worker, created: bool) -> bool:
    """After a union accepted an application: link the applicant's account to the worker
    record when that is safe — the record was created from this very application (its phone
    is the account's), or it already holds the account's phone and the name matches. Never
    moves an existing link. Returns whether it linked. Runs inside the caller's transaction."""
    account = PortalAccount.objects.select_for_update().get(pk=account.pk)
    if account.worker_id is not None or PortalAccount.objects.filter(worker=worker).exists():
        return False
    if not created and not (worker.phone_hash and worker.phone_hash == account.phone_hash):
        return False
    _link(account, worker, detail="portal: account linked when its application was accepted")
    return True


# --- the electronic member card ----------------------------------------------------------------

CARD_SALT = "gonghui.portal.member-card"


def _card_signer() -> signing.Signer:
    return signing.Signer(salt=CARD_SALT)


def card_token(membership: Membership) -> str:
    """An HMAC-signed (not encrypted) token naming the membership and its card number: no ID
    number, no phone. No timestamp: the same card always shows the same QR code, and it stays
    valid exactly while the membership is active with that card number."""
    return _card_signer().sign_object([membership.pk, membership.card_number], compress=True)


def card_verify(token: str) -> Membership | None:
    """The active membership a card token stands for, or None (forged, altered or ended)."""
    try:
        pk, card_number = _card_signer().unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not card_number or not isinstance(pk, int):
        return None
    return (
        Membership.objects.select_related("worker", "union")
        .filter(pk=pk, card_number=card_number, status=MembershipStatus.ACTIVE)
        .first()
    )


def card_url(membership: Membership) -> str:
    """The address the card's QR code opens: a phone camera shows whether the card is valid."""
    path = reverse("portal:verify", args=[card_token(membership)])
    return settings.SITE_URL.rstrip("/") + path


def card_qr_svg(membership: Membership) -> str:
    """The QR code as inline SVG (no image file, no request to anything outside)."""
    qr = segno.make(card_url(membership), error="m")
    return qr.svg_inline(
        scale=1,
        border=2,
        omitsize=True,
        svgclass="qr",
        title=_("QR code to check this member card"),
    )
