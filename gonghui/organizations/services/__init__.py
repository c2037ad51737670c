"""Every change to the registry of organizations, employers and cadres goes through these
functions: each checks the actor's right, validates with field names, locks what it changes and
writes the audit log in the same transaction. Split by sub-topic; import from here."""

from .cadres import (
    CADRE_EDITABLE_FIELDS,
    COMMITTEE_THRESHOLD,
    SINGLE_SEAT_POSITIONS,
    TERM_YEARS,
    add_years,
    cadre_create,
    cadre_end,
    cadre_update,
    committee_note,
    election_record,
    founding_record_save,
    term_end_for,
)
from .employers import (
    EMPLOYER_EDITABLE_FIELDS,
    employer_create,
    employer_update,
    in_scope,
)
from .organizations import (
    EDITABLE_FIELDS,
    closing_blockers,
    organization_close,
    organization_create,
    organization_move,
    organization_reopen,
    organization_update,
    register_closing_check,
    unregister_closing_check,
    validate_region_code,
)
from .reminders import (
    REMINDER_RECORD_TYPE,
    organization_reelection_remind,
    reelection_reminders_send,
    reminder_recipients,
)

__all__ = [
    "CADRE_EDITABLE_FIELDS",
    "COMMITTEE_THRESHOLD",
    "EDITABLE_FIELDS",
    "EMPLOYER_EDITABLE_FIELDS",
    "REMINDER_RECORD_TYPE",
    "SINGLE_SEAT_POSITIONS",
    "TERM_YEARS",
    "add_years",
    "cadre_create",
    "cadre_end",
    "cadre_update",
    "closing_blockers",
    "committee_note",
    "election_record",
    "employer_create",
    "employer_update",
    "founding_record_save",
    "in_scope",
    "organization_close",
    "organization_create",
    "organization_move",
    "organization_reelection_remind",
    "organization_reopen",
    "organization_update",
    "reelection_reminders_send",
    "register_closing_check",
    "reminder_recipients",
    "term_end_for",
    "unregister_closing_check",
    "validate_region_code",
]
