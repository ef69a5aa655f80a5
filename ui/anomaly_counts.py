"""The active anomalies counted by kind and by carrier, as two rows of chips; a click on a chip asks to filter."""

from __future__ import annotations

from collections.abc import Sequence

from app.domain import AnomalyKind
from app.tracking.kinds import HIGH, MEDIUM, SEVERITY, kind_label
from app.tracking.values import CarrierCount, KindCount
from ui.anomaly_model import carrier_name, kind_name
from ui.chips import Chip, ChipBar
from ui.i18n import tr
from ui.qt.core import Qt, Signal
from ui.qt.widgets import QGridLayout, QLabel, QToolButton, QWidget


def kind_level(count: KindCount) -> str:
    """How a kind's chip looks: greyed when none is active, red for serious kinds, amber while some are open."""
    if not count.active:
        return "zero"
    if SEVERITY.get(AnomalyKind(count.kind), MEDIUM) >= HIGH:
        return "high"
    return "medium" if count.open else ""


class AnomalyCounts(QWidget):
    kind_clicked = Signal(str)
    carrier_clicked = Signal(str)  # "" is the chip of the anomalies without a carrier (orders not shipped in time)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind_bar, self.carrier_bar = ChipBar(), ChipBar()
        self.kind_bar.clicked.connect(self.kind_clicked)
        self.carrier_bar.clicked.connect(self.carrier_clicked)
        self.kind_bar.set_chips(
            [Chip(k.value, kind_name(k.value, *kind_label(k.value)), level="zero") for k in AnomalyKind]
        )
        self.kind_caption, self.carrier_caption = QLabel(), QLabel()
        for caption in (self.kind_caption, self.carrier_caption):
            caption.setContentsMargins(0, 4, 0, 0)  # level with the text inside the first row of chips
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        grid.addWidget(self.kind_caption, 0, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.kind_bar, 0, 1)
        grid.addWidget(self.carrier_caption, 1, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.carrier_bar, 1, 1)
        grid.setColumnStretch(1, 1)

    def retranslate(self) -> None:
        self.kind_caption.setText(tr("trk.by_kind"))
        self.carrier_caption.setText(tr("trk.by_carrier"))

    @property
    def kind_chips(self) -> dict[str, QToolButton]:
        return self.kind_bar.chips

    @property
    def carrier_chips(self) -> dict[str, QToolButton]:
        return self.carrier_bar.chips

    def show_counts(self, kinds: Sequence[KindCount], carriers: Sequence[CarrierCount]) -> None:
        self.kind_bar.set_chips(
            [
                Chip(c.kind, f"{kind_name(c.kind, c.label_zh, c.label_en)}  {c.active}",
                     tr("trk.chip_tip", open=c.open, ack=c.acknowledged), kind_level(c))
                for c in kinds
            ]
        )  # fmt: skip
        chips = [
            Chip(c.carrier, f"{carrier_name(c.carrier)}  {c.open + c.acknowledged}",
                 tr("trk.chip_tip", open=c.open, ack=c.acknowledged), "medium" if c.open else "")
            for c in carriers
        ]  # fmt: skip
        self.carrier_bar.set_chips(chips or [Chip("\0none", tr("trk.none"), level="zero", enabled=False)])

    def set_checked(self, kind: str, carrier: str) -> None:
        """Check the chips of the filter in force (``""``: no filter on that)."""
        self.kind_bar.set_checked([kind] if kind else [])
        # the "no waybill" chip ("") stands for the orders not shipped in time, the only ones without a carrier
        self.carrier_bar.set_checked([carrier] if carrier else [""] if kind == AnomalyKind.SHIP_LATE else [])
