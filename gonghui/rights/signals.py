"""What happens to cases, for the parts of the area that react to it.

``case_received`` is sent (inside the transaction, after the case and its parties are saved) when
a case is created from any channel; early warning listens to it. ``case_changed`` is sent after
every transition with ``event`` (the CaseEvent written).
"""

from django.dispatch import Signal

case_received = Signal()  # sender=Case, case=Case
case_changed = Signal()  # sender=Case, case=Case, event=CaseEvent
