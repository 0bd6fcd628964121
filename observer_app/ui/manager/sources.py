"""A recording's further sources (issue 11): add a camera or an audio track, set its offset on
the session clock, remove it, and preview them all in sync."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from observer_app.coding.errors import InputError, ObserverError
from observer_app.coding.state_logic import format_ms
from observer_app.services.records import RecordingInfo, SourceInfo
from observer_app.services.study import Study
from observer_app.ui import contrast
from observer_app.ui.manager._common import Column, RowsModel, hms, make_table, selected_rows
from observer_app.ui.workers import run_in_background

PlayerFactory = Callable[[], Any]


def parse_offset(value: Any) -> int:
    """An offset typed in seconds (``2.5``, ``-1.04``) or with ``ms`` (``2500 ms``), in ms."""
    text = str(value).strip().lower().replace(",", ".").replace("−", "-")
    try:
        if text.endswith("ms"):
            return int(text[:-2].strip())
        return round(float(text.removesuffix("s").strip()) * 1000)
    except ValueError:
        raise InputError(
            f"offset {str(value)!r}: give seconds (e.g. 2.5 or -1.04) or milliseconds (2500 ms)"
        ) from None


def offset_text(ms: int) -> str:
    return f"{ms / 1000:+.3f} s"


class SourceModel(RowsModel):
    """A recording's further sources; the offset column is editable (seconds)."""

    def __init__(self, study: Study, recording_id: int, parent: QObject | None = None) -> None:
        def set_offset(src: SourceInfo, value: Any) -> SourceInfo:
            return study.sources.set_offset(recording_id, src.id, parse_offset(value))

        super().__init__(
            [
                Column("#", lambda s: s.id, align_right=True),
                Column("Label", lambda s: s.label),
                Column("Kind", lambda s: s.kind),
                Column(
                    "Offset",
                    lambda s: offset_text(s.offset_ms),
                    set_offset,
                    raw=lambda s: f"{s.offset_ms / 1000:.3f}",
                    align_right=True,
                    tip=lambda s: (
                        "where the source's start falls on the session clock "
                        "(seconds; negative: it started before the main recording)"
                    ),
                ),
                Column("Duration", lambda s: hms(s.duration_ms), align_right=True),
                Column("File", lambda s: Path(s.media_path).name, tip=lambda s: s.media_path),
            ],
            parent,
        )


class SourcesDialog(QDialog):
    """The sources of one recording, with a synchronised preview."""

    def __init__(
        self,
        study: Study,
        recording: RecordingInfo,
        parent: QWidget | None = None,
        *,
        player_factory: PlayerFactory | None = None,
    ) -> None:
        super().__init__(parent)
        self.study = study
        self.recording = recording
        self._player_factory = player_factory
        self.preview: Any = None
        self.setWindowTitle(
            f"Sources of recording #{recording.id} — {Path(recording.media_path).name}"
        )
        self.model = SourceModel(study, recording.id, self)
        self.model.editFailed.connect(self._error)
        self.model.dataChanged.connect(lambda *_: self._reload_preview())
        self.view = make_table(self.model)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for name, text, slot in (
            ("add_video", "Add camera…", lambda: self._choose("video")),
            ("add_audio", "Add audio track…", lambda: self._choose("audio")),
            ("remove", "Remove", self.remove_selected),
            ("preview", "Preview in sync", self.open_preview),
        ):
            b = QPushButton(text)
            b.clicked.connect(slot)
            row.addWidget(b)
            self.buttons[name] = b
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                "Further cameras and audio tracks play in sync with the main recording; the "
                "offset says where a source starts on the session clock (edit it in the table)."
            )
        )
        layout.addLayout(row)
        layout.addWidget(self.view, 1)
        self.preview_box = QVBoxLayout()
        layout.addLayout(self.preview_box, 2)
        layout.addWidget(self.status)
        self.resize(900, 640)
        self.refresh()

    def refresh(self) -> None:
        self.model.set_rows(self.study.sources.of(self.recording.id))
        self.view.resizeColumnsToContents()

    def _error(self, text: str) -> None:
        self.status.setStyleSheet(f"color: {contrast.css('#a40000')};")
        self.status.setText(text)

    def _say(self, text: str) -> None:
        self.status.setStyleSheet("")
        self.status.setText(text)

    # -- adding and removing -------------------------------------------------------------------
    def _choose(self, kind: str) -> None:
        start = str(Path(self.recording.media_path).parent)
        name, _ = QFileDialog.getOpenFileName(self, f"Add a {kind} source", start, "Media (*)")
        if name:
            self.add_source(Path(name), kind)

    def add_source(self, path: Path, kind: str | None = None, offset_ms: int = 0) -> None:
        """Fingerprint and probe ``path`` off the GUI thread, then add it (one transaction)."""
        self._say(f"Reading {path.name}…")
        run_in_background(
            lambda: self.study.sources.add(self.recording.id, path, kind=kind, offset_ms=offset_ms),
            self._added,
            self._error,
            self,
        )

    def _added(self, info: SourceInfo) -> None:
        self.refresh()
        self._say(f"Added {info.label!r} ({info.kind}) at {offset_text(info.offset_ms)}")
        self._reload_preview()

    def selected(self) -> SourceInfo | None:
        rows = selected_rows(self.view)
        return self.model.row_at(rows[0]) if rows else None

    def remove_selected(self) -> None:
        src = self.selected()
        if src is None:
            self._error("Select the source to remove.")
            return
        try:
            self.study.sources.remove(self.recording.id, src.id)
        except ObserverError as exc:
            self._error(str(exc))
            return
        self.refresh()
        self._say(f"Removed {src.label!r}")
        self._reload_preview()

    # -- preview -------------------------------------------------------------------------------
    def _make_player(self) -> Any:
        if self._player_factory is not None:
            return self._player_factory()
        from observer_app.ui.manager import default_player

        return default_player()

    def open_preview(self) -> None:
        """Play the main recording and every source side by side, on one clock."""
        from observer_app.media.synced import SyncedPlayer, SyncSource

        if self.preview is None:
            self.preview = SyncedPlayer(
                self._make_player(),
                make_player=self._make_player,
                sources=lambda: [
                    SyncSource(s.media_path, s.offset_ms, s.kind, s.label)
                    for s in self.study.sources.of(self.recording.id)
                ],
                parent=self,
            )
            self._timer = QTimer(self)
            self._timer.setInterval(50)
            self._timer.timeout.connect(self._tick)
            self._timer.start()
        self._reload_preview(force=True)

    def _reload_preview(self, *, force: bool = False) -> None:
        if self.preview is None and not force:
            return
        player = self.preview
        at = player.position_ms() if player.info() is not None else 0
        try:
            player.load(self.recording.media_path)
        except ObserverError as exc:
            self._error(f"Cannot preview: {exc}")
            return
        player.seek(at)
        self._show_preview()

    def _show_preview(self) -> None:
        from observer_app.ui.player_panel import make_surface

        while self.preview_box.count():
            item = self.preview_box.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        info = self.preview.info()
        surface = make_surface(
            self.preview, bool(info and info.has_video), self.recording.media_path
        )
        self.preview_box.addWidget(surface, 1)
        transport = QWidget()
        row = QHBoxLayout(transport)
        row.setContentsMargins(0, 0, 0, 0)
        self.play_button = QPushButton("Play / pause")
        self.play_button.clicked.connect(self.preview.toggle)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, info.duration_ms if info else 0)
        self.slider.sliderMoved.connect(self.preview.seek)
        self.clock = QLabel("00:00:00.000")
        row.addWidget(self.play_button)
        row.addWidget(self.slider, 1)
        row.addWidget(self.clock)
        self.preview_box.addWidget(transport)

    def _tick(self) -> None:
        if self.preview is None or self.preview.info() is None:
            return
        pos = self.preview.position_ms()
        self.clock.setText(format_ms(pos))
        if not self.slider.isSliderDown():
            self.slider.blockSignals(True)
            self.slider.setValue(pos)
            self.slider.blockSignals(False)

    def done(self, result: int) -> None:
        if self.preview is not None:
            self._timer.stop()
            self.preview.close()
        super().done(result)
