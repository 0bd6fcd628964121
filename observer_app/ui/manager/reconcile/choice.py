"""The choice of the two codings: a double-coded recording, its coders A and B, the tolerance;
opening them makes the :class:`ReconcileSession` the other parts attach to."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QHBoxLayout, QLabel, QPushButton

from observer_app.coding.errors import ObserverError
from observer_app.services.consensus import DoubleCoded, Reconciliation
from observer_app.services.study import Study
from observer_app.ui.manager.reconcile.session import ReconcileSession


class ChoiceController(QObject):
    """The recording and coder pickers, the tolerance and Open. ``sessionChanged(session)`` when
    a pair is opened; ``message(text)``, ``error(text)`` for the page's status line."""

    sessionChanged = Signal(object)
    message = Signal(str)
    error = Signal(str)

    def __init__(self, study: Study, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.study = study
        self.service = study.consensus
        self.session: ReconcileSession | None = None
        self.recording = QComboBox()
        self.coder_a = QComboBox()
        self.coder_b = QComboBox()
        self.tolerance = QDoubleSpinBox()
        self.tolerance.setRange(0, 60)
        self.tolerance.setDecimals(1)
        self.tolerance.setSingleStep(0.5)
        self.tolerance.setSuffix(" s")
        self.tolerance.setValue(2.0)
        self.open_button = QPushButton("Open")
        self.open_button.clicked.connect(self.open_selected)
        self.open_button.setEnabled(False)  # until a double-coded recording is listed
        self.recording.currentIndexChanged.connect(self._fill_pair)
        for combo, chars in ((self.recording, 40), (self.coder_a, 14), (self.coder_b, 14)):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(chars)

    def row(self) -> QHBoxLayout:
        """The pickers in a row (the page adds its own fields before Open)."""
        top = QHBoxLayout()
        top.addWidget(QLabel("Recording"))
        top.addWidget(self.recording, 3)
        top.addWidget(QLabel("A"))
        top.addWidget(self.coder_a, 1)
        top.addWidget(QLabel("B"))
        top.addWidget(self.coder_b, 1)
        top.addWidget(QLabel("Tolerance"))
        top.addWidget(self.tolerance)
        return top

    # -- choosing --------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the double-coded recordings (stale consensuses marked), keeping the choice."""
        try:
            items = self.service.double_coded()
            stale = self.service.stale()
        except ObserverError as exc:
            self.error.emit(str(exc))
            return
        labels = {r.id: r.label for r in self.study.recordings.all()}
        current = self.recording.currentData()
        self.recording.blockSignals(True)
        self.recording.clear()
        for d in items:
            self.recording.addItem(self._label(d, labels.get(d.recording_id, ""), stale), d)
        if current is not None:
            for i in range(self.recording.count()):
                if self.recording.itemData(i).recording_id == current.recording_id:
                    self.recording.setCurrentIndex(i)
        self.recording.blockSignals(False)
        self._fill_pair()
        if not items:
            self.message.emit("No recording is double-coded yet (plan a double-coded share first).")

    @staticmethod
    def _label(d: DoubleCoded, recording: str, stale: dict[int, str]) -> str:
        coders = " × ".join(
            f"{name} ({purpose}, {status.replace('_', ' ')})"
            for _id, name, purpose, status in d.assignments
        )
        extra = f"; consensus #{d.consensus_id}" if d.consensus_id else ""
        if d.consensus_id in stale:
            extra += f" — STALE ({stale[d.consensus_id]})"
        return f"#{d.recording_id} {recording}: {coders}{extra}"

    def _fill_pair(self) -> None:
        d: DoubleCoded | None = self.recording.currentData()
        for combo, default in ((self.coder_a, 0), (self.coder_b, 1)):
            before = combo.currentData()
            combo.clear()
            if d is None:
                continue
            for aid, name, purpose, _status in d.assignments:
                combo.addItem(f"{name} ({purpose})", aid)
            kept = combo.findData(before) if before is not None else -1
            combo.setCurrentIndex(kept if kept >= 0 else min(default, combo.count() - 1))
        self.open_button.setEnabled(d is not None)

    def select_recording(self, recording_id: int) -> None:
        for i in range(self.recording.count()):
            if self.recording.itemData(i).recording_id == recording_id:
                self.recording.setCurrentIndex(i)
                return

    # -- opening ---------------------------------------------------------------------------
    def open_selected(self) -> Reconciliation | None:
        """Open the chosen pair: ``sessionChanged`` with its session, then the summary."""
        d: DoubleCoded | None = self.recording.currentData()
        if d is None:
            return None
        a, b = self.coder_a.currentData(), self.coder_b.currentData()
        tolerance_ms = round(self.tolerance.value() * 1000)
        try:
            session = ReconcileSession.open(self.study, d, (a, b), tolerance_ms, self)
        except ObserverError as exc:
            self.error.emit(str(exc))
            return None
        if self.session is not None:
            self.session.changed.disconnect(self._consensus_named)
            self.session.deleteLater()
        self.session = session
        session.changed.connect(self._consensus_named)
        self.sessionChanged.emit(session)
        rec = session.rec
        self.message.emit(
            f"{len(rec.disagreements)} disagreement(s) of {len(rec.items)} aligned event(s); "
            "agreements are accepted automatically when you make the first decision."
        )
        return rec

    def _consensus_named(self, rec: Reconciliation) -> None:
        """The recording picker shows the consensus number once there is one."""
        index = self.recording.currentIndex()
        d = self.recording.currentData()
        if d is not None and d.consensus_id is None and rec.consensus_id:
            self.refresh()
            self.recording.setCurrentIndex(index)
