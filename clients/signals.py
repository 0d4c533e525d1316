"""What the clients app announces, so that apps built on it can act without being imported.

Receivers only call a service of their own app; the rules stay in services.
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the transaction that stores a new intake version, with `intake`.
intake_recorded = Signal()
