"""The standard catalog of what workers bring, as the 12351 hotline sorts it.

Five kinds (consultation, assistance, complaint, legal service, suggestion — DOMAIN-RULES
"Complaints, 12351 and petitions" [P]), each with sub-items. A case stores the sub-item's code
(``complaint.wage_arrears``); the kind is its first part. Codes never change once used; labels
may be reworded.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseKind(models.TextChoices):
    CONSULTATION = "consultation", _("Consultation")
    COMPLAINT = "complaint", _("Complaint or petition")
    LEGAL_SERVICE = "legal", _("Legal service")
    ASSISTANCE = "assistance", _("Assistance")
    SUGGESTION = "suggestion", _("Suggestion")


# (code, label) per kind; the order is the order shown to a call taker.
CATEGORIES: dict[str, list[tuple[str, object]]] = {
    CaseKind.CONSULTATION: [
        ("consultation.labor_contract", _("Labor contract")),
        ("consultation.wages", _("Wages and pay")),
        ("consultation.social_insurance", _("Social insurance")),
        ("consultation.work_injury", _("Work injury")),
        ("consultation.hours_leave", _("Working hours and leave")),
        ("consultation.union_membership", _("Joining the union, membership")),
        ("consultation.policy", _("Union policy and services")),
        ("consultation.other", _("Other consultation")),
    ],
    CaseKind.COMPLAINT: [
        ("complaint.wage_arrears", _("Wage arrears")),
        ("complaint.dismissal", _("Unlawful dismissal")),
        ("complaint.no_contract", _("No written labor contract")),
        ("complaint.social_insurance", _("Social insurance not paid")),
        ("complaint.overtime", _("Overtime and rest days")),
        ("complaint.work_injury", _("Work-injury treatment")),
        ("complaint.safety", _("Occupational safety and health")),
        ("complaint.female_workers", _("Female workers' special protection")),
        ("complaint.dispatch", _("Labor dispatch")),
        ("complaint.union_rights", _("Union rights obstructed")),
        ("complaint.other", _("Other complaint")),
    ],
    CaseKind.LEGAL_SERVICE: [
        ("legal.legal_aid", _("Legal aid")),
        ("legal.mediation", _("Labor dispute mediation")),
        ("legal.arbitration", _("Help with arbitration")),
        ("legal.litigation", _("Help with a lawsuit")),
        ("legal.document", _("Drafting a legal document")),
    ],
    CaseKind.ASSISTANCE: [
        ("assistance.hardship", _("Hardship assistance")),
        ("assistance.medical", _("Medical relief")),
        ("assistance.school", _("School aid")),
        ("assistance.employment", _("Job seeking and training")),
        ("assistance.psychological", _("Psychological counselling")),
        ("assistance.other", _("Other assistance")),
    ],
    CaseKind.SUGGESTION: [
        ("suggestion.union_work", _("Union work")),
        ("suggestion.policy", _("Labor policy")),
        ("suggestion.other", _("Other suggestion")),
    ],
}

CATEGORY_CHOICES: list[tuple[str, object]] = [
    (code, label) for items in CATEGORIES.values() for code, label in items
]
CATEGORY_LABELS = dict(CATEGORY_CHOICES)

# Categories that are about unpaid wages: their cases carry the wage-arrears details and count
# in the arrears figures and the construction-season warning.
WAGE_ARREARS_CATEGORIES = frozenset({"complaint.wage_arrears"})


def kind_of(category: str) -> str:
    return category.split(".", 1)[0]


def grouped_choices() -> list[tuple[object, list[tuple[str, object]]]]:
    """For a <select> with one <optgroup> per kind."""
    return [(CaseKind(kind).label, items) for kind, items in CATEGORIES.items()]
