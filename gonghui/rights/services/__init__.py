"""Services of the rights area: every write goes through one of these functions.

- ``intake``: ``case_create`` for every channel, matching of workers, employers and open cases.
- ``cases``: the transitions (accept, decline, assign, return, handle, pause, resume, conclude,
  follow up, close, re-open, merge, supervise), deadlines and escalation.
- ``legal``: mediation, referrals, labor-law supervision notices.
- ``arrears``: special inspections, early warning, joint meetings.
- ``knowledge``: the knowledge base and hotline calls.
"""
