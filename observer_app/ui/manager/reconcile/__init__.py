"""Reconciliation: two coders' timelines under the video, decisions into a consensus assignment.

Pick a double-coded recording (and, if it has more than two coders, which two); the coders'
timelines are drawn one above the other on the recording's time axis, each event coloured by how
it aligned with the other coder's (green matched, orange a different code, red unmatched). Next /
previous disagreement jumps the video a few seconds before it and plays. Each disagreement is
decided: accept A, accept B, both, neither, or edit. Instrument ratings are compared item by item
with differences highlighted, and the consensus value is entered in the table.

All decisions go through :mod:`observer_app.services.consensus` (one audited transaction each);
the player is any object with the ``MediaPlayer`` API (``VlcPlayer``; ``FakePlayer`` in tests).

Modules: ``page`` (the page: builds the controllers, lays out their widgets, wires them once),
``session`` (the open pair's ``ReconcileSession``, shared by the controllers), and the
controllers, each a QObject owning its widgets: ``choice`` (the recording, coders A and B,
tolerance, Open), ``events`` (the aligned-event table, the timelines, navigating and deciding),
``ratings`` (the instrument ratings tab), ``completion`` (completing the consensus),
``playback`` (the player); ``models`` (the tables), ``edit_dialog`` (the manager's own version of
an event).
"""

from observer_app.ui.manager.reconcile.choice import ChoiceController
from observer_app.ui.manager.reconcile.completion import CompletionController
from observer_app.ui.manager.reconcile.edit_dialog import EditEventDialog
from observer_app.ui.manager.reconcile.events import EventsController
from observer_app.ui.manager.reconcile.models import KIND_TEXT, AlignedModel, RatingModel
from observer_app.ui.manager.reconcile.page import ReconcilePage
from observer_app.ui.manager.reconcile.playback import PlaybackController, PlayerFactory
from observer_app.ui.manager.reconcile.ratings import RatingsController
from observer_app.ui.manager.reconcile.session import ReconcileSession

__all__ = [
    "KIND_TEXT",
    "AlignedModel",
    "ChoiceController",
    "CompletionController",
    "EditEventDialog",
    "EventsController",
    "PlaybackController",
    "PlayerFactory",
    "RatingModel",
    "RatingsController",
    "ReconcilePage",
    "ReconcileSession",
]
