"""A two-coder study whose scheme declares subjects (client, therapist), coded by hand so that
matching within subject and across subjects give different, known results.

Ana and Ben code the same three moments, 100 ms or less apart (tolerance 500 ms), with the same
codes; they disagree on the subject of the first one only:

    Ana  (AL, 1000, client)   (AL, 5000, therapist)   (AL, 9000, client)
    Ben  (AL, 1100, therapist)(AL, 5100, therapist)   (AL, 9050, client)

Across subjects all three pair (percent agreement 3/3 = 1). Within subject the first events
cannot pair: 2 pairs and 2 unmatched events, percent agreement 2/4 = 0.5. Agreement on the
subject of the three across-subject pairs: p_o = 2/3; Ana's margins client 2/3, therapist 1/3,
Ben's client 1/3, therapist 2/3, so p_e = 2/9 + 2/9 = 4/9 and Cohen's kappa =
(2/3 - 4/9) / (1 - 4/9) = 0.4.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from observer_app.services.study import Study
from tests.reliability.lab import fake_probe, make_media

SCHEME_TOML = """
kind = "scheme"
format_version = 1
id = "subject-markers"
name = "Subject markers"
version = "1"
citation = "observer-app test suite"
license = "MIT"
subject_mode = "focal"

[[subjects]]
id = "client"
label = "Client"
key = "c"

[[subjects]]
id = "therapist"
label = "Therapist"
key = "h"

[[categories]]
id = "alliance"
label = "Alliance"

[[codes]]
id = "AL"
label = "Alliance marker"
category = "alliance"
kind = "point"
key = "a"

[[codes]]
id = "BR"
label = "Break"
category = "alliance"
kind = "point"
key = "b"
"""

TOLERANCE_MS = 500
ANA = (("AL", 1000, "client"), ("AL", 5000, "therapist"), ("AL", 9000, "client"))
BEN = (("AL", 1100, "therapist"), ("AL", 5100, "therapist"), ("AL", 9050, "client"))


@dataclass
class SubjectLab:
    location: str
    scheme_id: int

    def manager(self) -> Study:
        return Study.open(self.location, as_coder="Mia Manager", password="s3cret", backup=False)


def build_subject_lab(location: str, folder: Path) -> SubjectLab:
    with Study.create(location, "Subject lab", probe=fake_probe) as admin:
        scheme_id = admin.definitions.import_text(SCHEME_TOML, "subject-markers.toml").id
        admin.coders.add("Mia Manager", role="manager", password="s3cret")
        rec = admin.recordings.add(make_media(folder, "s01.mp4", 1), session_number=1).id
        for k, (name, events) in enumerate((("Ana Alves", ANA), ("Ben Brook", BEN))):
            coder = admin.coders.add(name).id
            purpose = "primary" if k == 0 else "reliability"
            aid = admin.assignments.create(
                rec, coder, purpose=purpose, scheme_version_id=scheme_id
            ).id
            for code, onset, subject in events:
                admin.events.log(aid, code, onset, subject=subject)
            assert admin.assignments.complete(aid) == []
    return SubjectLab(location, scheme_id)
