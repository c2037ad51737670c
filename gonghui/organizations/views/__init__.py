"""Staff pages of the registry, split by sub-topic; ``urls.py`` imports them from here."""

from .cadres import (
    cadre_edit,
    cadre_end,
    cadre_list,
    cadre_new,
    election_detail,
    election_new,
    terms_due,
)
from .coverage import coverage_home, coverage_of
from .employers import employer_create, employer_detail, employer_edit, employer_list
from .organizations import (
    founding_edit,
    organization_close,
    organization_create_child,
    organization_detail,
    organization_edit,
    organization_list,
    organization_move,
    organization_reopen,
)

__all__ = [
    "cadre_edit",
    "cadre_end",
    "cadre_list",
    "cadre_new",
    "coverage_home",
    "coverage_of",
    "election_detail",
    "election_new",
    "employer_create",
    "employer_detail",
    "employer_edit",
    "employer_list",
    "founding_edit",
    "organization_close",
    "organization_create_child",
    "organization_detail",
    "organization_edit",
    "organization_list",
    "organization_move",
    "organization_reopen",
    "terms_due",
]
