"""The coding window: the player, the coding pad, the event log, the timeline, the segment
navigator and the instrument forms, as docks the coder can rearrange (layout kept in QSettings).

The window only wires things: actions come from ``ui/actions.py``; every change goes through
:class:`~observer_app.ui.session.CodingSession` (reversible edits over the services); what a key
press means is decided in ``coding/state_logic.py``.

Modules: ``window`` (builds the controllers, docks their widgets, wires them once) and one
controller each, a QObject owning its widgets with ``attach(session)``: ``keys``
(``KeymapController``: preferences, keymap, actions), ``assignment`` (``AssignmentController``:
opens the session, ``sessionChanged``), ``playback`` (``PlaybackController``: the player panel,
the tick), ``coding`` (``CodingController``: pad, log, picker, timeline), ``forms``
(``FormsController``: segments and instrument forms), ``completion`` (``CompletionController``:
problems, the complete banner), ``audio`` (``AudioController``: the waveform and spectrogram
under the timeline's lanes), ``save_banner`` (``SaveBanner``); ``banner`` (the strips).
"""

from observer_app.ui.coding_window.banner import Banner
from observer_app.ui.coding_window.playback import REMEMBER_EVERY_MS, TICK_MS
from observer_app.ui.coding_window.window import LAYOUT_VERSION, CodingWindow
from observer_app.ui.session import asks_modifiers

__all__ = [
    "LAYOUT_VERSION",
    "REMEMBER_EVERY_MS",
    "TICK_MS",
    "Banner",
    "CodingWindow",
    "asks_modifiers",
]
