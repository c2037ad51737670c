"""Records of later areas for the two sides of the test world, one module per part.

Each module listed in ``PARTS`` has ``records(side: Side) -> list`` returning one record of each
scoped model it owns, on that side, each with a name or ``str()`` that marks the side (the scope
walk looks for those texts in the sibling's pages). A part adds its module here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Any

PARTS = (
    "tests.world_parts.rights_cases",
    "tests.world_parts.rights_intake",
    "tests.world_parts.rights_legal",
    "tests.world_parts.rights_arrears",
)


@dataclass
class Side:
    label: str  # "甲" or "乙"
    seq: int  # a number distinct per side, for ids and codes
    township: Any
    union: Any
    employer: Any
    worker: Any
    staff: Any  # township staff of this side
    admin: Any  # federation administrator at this side's township
    case: Any = None  # the side's rights case (made first, by rights_cases)


def records(side: Side) -> list:
    found: list = []
    for name in PARTS:
        try:
            module = import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        found.extend(module.records(side))
    return found
