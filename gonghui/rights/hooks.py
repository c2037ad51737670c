"""Loads the modules of the area that hook into other apps (employer page sections, the
worker timeline) and into case signals (early warning). Each module registers itself on import.
"""

from importlib import import_module

HOOK_MODULES = (
    "gonghui.rights.hooks_cases",  # worker timeline, employer section: cases
    "gonghui.rights.hooks_legal",  # employer section: supervision notices, mediations
    "gonghui.rights.hooks_arrears",  # early warning on case_received; employer section: inspections
)

for _name in HOOK_MODULES:
    import_module(_name)
