"""The timeline: the whole recording, one lane per category, events as markers or bars.

With ``set_subject_lanes(True)`` (the View menu's "Timeline lanes per subject", kept in the
coder's preferences) a scheme's subjects split each category into one lane per subject
("Withdrawal · Patient"); the category's name is then written once over its subjects' lanes.

Point events are ticks, state events bars (open ones run to the playhead, drawn live); segment
boundaries are dashed lines; the playhead is a red line. Under the lanes, faintly, the
recording's sound: ``set_envelope`` (a ``media.audio_views.WavePyramid``: each pixel column the
min/max of its own span at any zoom, its RMS darker) and ``set_spectrogram`` (a
``media.audio_views.Spectrogram``), ``set_audio_view("waveform" | "spectrogram")`` choosing.
Wheel scrolls, Ctrl+wheel zooms around the mouse; a click seeks; dragging an event retimes it
(the edit goes through the session, so it is undoable).

Painting stays cheap with 10,000 events: everything but the playhead and the open states is
rendered into a cached image, rebuilt only when the events, the view or the size change; the
rebuild places the markers of the events in view with numpy (one column per pixel), so its cost
depends on the width of the widget rather than on the number of events.
A newly logged point or state onset is drawn into the cached layer and repaints only its own
rectangle (a key press does not repaint the timeline).

Modules: ``canvas`` (events and mouse), ``painting`` (rendering), ``view`` (view state and
geometry), ``lanes`` (the per-category store), ``widget`` (canvas and scroll bar).
"""

from observer_app.ui.timeline.canvas import TimelineCanvas
from observer_app.ui.timeline.lanes import Item, Style
from observer_app.ui.timeline.view import HIT_PX, LABEL_W, MIN_LANE_H, MIN_VIEW_MS
from observer_app.ui.timeline.widget import Timeline

__all__ = [
    "HIT_PX",
    "LABEL_W",
    "MIN_LANE_H",
    "MIN_VIEW_MS",
    "Item",
    "Style",
    "Timeline",
    "TimelineCanvas",
]
