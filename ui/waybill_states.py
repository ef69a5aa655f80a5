"""A waybill request's state in the user's language (the store's words — ``issued``, ``failed``… — never shown).

For any list that shows a waybill state: ``state_text(row.waybill_state)``.
"""

from __future__ import annotations

from ui.i18n import tr

STATES = ("requesting", "issued", "failed", "cancelled", "needs_attention")


def state_text(state: str) -> str:
    """The state as the user reads it; "" for no waybill request; an unknown state as it came."""
    if not state:
        return ""
    if state == "needs_attention":
        return tr("waybill_state.needs_attention")
    return tr(f"batch.state.{state}") if state in STATES else state
