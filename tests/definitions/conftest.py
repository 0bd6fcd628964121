"""Small, complete definition texts that tests then break one fact at a time."""

from __future__ import annotations

import pytest

INSTRUMENT = """\
# A tiny instrument for tests
kind = "instrument"
id = "mini"
name = "Mini alliance"
version = "1"
citation = "Test fixture"
license = "Test fixture"
perspective = "observer"
unit = "session"

[scale]
min = 1
max = 7
anchors = { 1 = "Very strong evidence against", 4 = "No evidence", 7 = "Very strong evidence for" }

[scoring]
method = "mean"
min_answered = 0.75

[[subscales]]
id = "Goal"

[[subscales]]
id = "Task"

[[subscales]]
id = "Bond"

[[items]]
id = "1"
subscale = "Goal"

[[items]]
id = "2"
subscale = "Goal"
reverse = true

[[items]]
id = "3"
subscale = "Task"

[[items]]
id = "4"
subscale = "Task"

[[items]]
id = "5"
subscale = "Bond"

[[items]]
id = "6"
subscale = "Bond"
reverse = true

[[items]]
id = "7"
subscale = "Bond"
"""

SCHEME = """\
kind = "scheme"
id = "mini-scheme"
name = "Mini scheme"
version = "1"
citation = "Test fixture"
license = "Test fixture"
session_instruments = ["mini"]

[segments]
minutes = 5
instrument = "mini-seg"

[[categories]]
id = "withdrawal"

[[categories]]
id = "talk"

[[codes]]
id = "W1"
label = "Denial"
category = "withdrawal"
kind = "point"
key = "1"
colour = "#1F77B4"

  [[codes.modifiers]]
  id = "intensity"
  type = "range"
  min = 1
  max = 5
  integer = true
  required = true

  [[codes.modifiers]]
  id = "topic"
  type = "single"
  choices = ["task", "goal", "bond"]

[[codes]]
id = "T"
label = "Therapist talks"
category = "talk"
kind = "state"
key = "t"

  [[codes.modifiers]]
  id = "moves"
  type = "multiple"
  choices = ["question", "reflection"]

  [[codes.modifiers]]
  id = "note"
  type = "text"
  max_length = 10

[[codes]]
id = "P"
label = "Patient talks"
category = "talk"
kind = "state"
key = "shift+t"

[[exclusive_groups]]
id = "speaker"
codes = ["T", "P"]
"""


@pytest.fixture
def instrument_text() -> str:
    return INSTRUMENT


@pytest.fixture
def scheme_text() -> str:
    return SCHEME
