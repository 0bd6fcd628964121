#!/usr/bin/env python3
"""Generate the demo session recordings in ``resources/demo/`` and their ``manifest.json``.

Regenerate with::

    make demo-media                      # checks the system packages, then runs this script
    scripts/make_demo_media.sh [OUTDIR]  # the same without the package check
    python3 scripts/make_demo_media.py [OUTDIR]

Needs ``espeak-ng``, ``ffmpeg`` (with libx264, libvorbis and drawtext) and ``ffprobe`` on PATH and
the DejaVu fonts (Debian: ``apt-get install espeak-ng ffmpeg fonts-dejavu-core``); the standard
library only on the Python side. The default OUTDIR is ``resources/demo`` of this checkout.

What it makes (all content is FICTIONAL and synthetic; no real person or session is depicted):

* ``demo_session_1.mp4``: H.264 + AAC, 640x360 at 25 fps. Two panels ("Therapist", "Client"), the
  current speaker highlighted, the current utterance as a caption, and a burned-in timecode
  ``hh:mm:ss.mmm`` with the frame number, so a coder can check seeking and timestamps by eye.
* ``demo_session_2.ogg``: audio only, Vorbis.
* ``demo_session_3.ogg`` ... ``demo_session_6.ogg``: four short (35-45 s) audio-only sessions of
  the same two dyads at later session numbers, Vorbis at a lower quality, each with one rupture
  marker moment and one resolution moment, so the demo study has more double-coded units.
* ``manifest.json``: per file the duration, frame rate, the utterances (speaker, onset_ms,
  offset_ms, text) and ``demo_codes``: moments where a rupture marker or a resolution strategy
  plausibly occurs, with the generic codes ``withdrawal_marker``, ``confrontation_marker`` and
  ``resolution_strategy`` (the demo-study builder maps them to a coding scheme's codes).

Determinism: espeak-ng renders byte-identical speech for the same version and voice data; the
utterance times come from sample counts, not from the encoders. ffmpeg runs single-threaded with
bitexact flags and no metadata, so a re-run with the same tool versions reproduces the same bytes.
Other versions of espeak-ng or ffmpeg may change the bytes and shift the times by a few
milliseconds; the manifest is always rewritten together with the media, and it records the tool
versions that produced them.
"""

from __future__ import annotations

import array
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import wave
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "resources" / "demo"
FONT_DIR = Path(os.environ.get("DEMO_FONT_DIR", "/usr/share/fonts/truetype/dejavu"))
FONTS = {
    "regular": FONT_DIR / "DejaVuSans.ttf",
    "bold": FONT_DIR / "DejaVuSans-Bold.ttf",
    "mono": FONT_DIR / "DejaVuSansMono.ttf",
}

FPS = 25
FRAME_MS = 1000 // FPS
WIDTH, HEIGHT = 640, 360
LEAD_IN_MS = 800  # silence before the first utterance
TAIL_MS = 1200  # silence after the last one
SILENCE_THRESHOLD = 300  # |sample| below this (of 32767) counts as silence when trimming
TRIM_MARGIN_MS = 15  # kept around the speech when trimming espeak-ng's silences
CODES = ("withdrawal_marker", "confrontation_marker", "resolution_strategy")


@dataclass(frozen=True)
class Line:
    speaker: str  # "therapist" or "client"
    text: str
    pause_ms: int = 600  # silence after this line


@dataclass(frozen=True)
class Utterance:
    index: int
    speaker: str
    onset_ms: int
    offset_ms: int
    text: str


@dataclass(frozen=True)
class Code:
    code: str
    first: int  # index of the first utterance the moment spans
    last: int  # index of the last one
    note: str


@dataclass(frozen=True)
class Session:
    file: str
    kind: str  # "video" or "audio"
    title: str
    dyad: str
    client_id: str
    therapist_id: str
    session_number: int
    voices: dict[str, tuple[str, int, int]]  # speaker -> (espeak voice, words/min, pitch 0-99)
    lines: tuple[Line, ...]
    codes: tuple[Code, ...] = field(default=())
    vorbis_quality: int = 3  # ffmpeg -q:a for audio-only files (0-10; 3 is about 50 kbit/s mono)


# --- The fictional dialogues (written for this demo) -------------------------------------------

SESSION_1 = Session(
    file="demo_session_1.mp4",
    kind="video",
    title="Demo dyad A, session 3 (fictional)",
    dyad="demo-A",
    client_id="demo-client-A",
    therapist_id="demo-therapist-A",
    session_number=3,
    voices={"therapist": ("en+f3", 155, 55), "client": ("en+m3", 150, 40)},
    lines=(
        Line(
            "therapist",
            "Good to see you. Last week you talked about the argument with your sister. "
            "How have things been since then?",
        ),
        Line("client", "Fine. Nothing really happened."),
        Line("therapist", "Nothing at all? It seemed important to you last time.", 900),
        Line("client", "I don't know. I guess.", 1200),
        Line("therapist", "What comes up for you when I ask about her?"),
        Line("client", "Not much. Can we talk about something else? Work has been busy.", 900),
        Line(
            "therapist",
            "We can. I notice you went quiet when I mentioned your sister. "
            "What is it like to talk about her here, with me?",
            1000,
        ),
        Line("client", "Every time we talk about her, I leave feeling worse."),
        Line(
            "therapist",
            "That makes sense. I think I pushed too quickly last week. I am sorry about that.",
            900,
        ),
        Line(
            "client",
            "Honestly, I am not sure these sessions are helping. "
            "We keep going over the same things and nothing changes.",
        ),
        Line("therapist", "Tell me more."),
        Line(
            "client",
            "You ask questions, but you never tell me what to do. I still feel stuck.",
            900,
        ),
        Line(
            "therapist",
            "I am glad you are telling me this directly. You are right, I have mostly been "
            "asking questions. Could we look together at what you need from our time?",
        ),
        Line("client", "Maybe. I think I want something more concrete."),
        Line(
            "therapist",
            "Let's try that. We can set one small goal for this week and see how it feels.",
        ),
        Line("client", "Okay. That sounds better.", 0),
    ),
    codes=(
        Code("withdrawal_marker", 1, 5, "client gives minimal answers, then changes the topic"),
        Code("resolution_strategy", 6, 6, "therapist names the shift and invites exploration"),
        Code("resolution_strategy", 8, 8, "therapist acknowledges their part in the strain"),
        Code("confrontation_marker", 9, 11, "client complains about the therapy and its progress"),
        Code("resolution_strategy", 12, 14, "therapist validates and changes the task"),
    ),
)

SESSION_2 = Session(
    file="demo_session_2.ogg",
    kind="audio",
    title="Demo dyad B, session 5 (fictional)",
    dyad="demo-B",
    client_id="demo-client-B",
    therapist_id="demo-therapist-B",
    session_number=5,
    voices={"therapist": ("en+m3", 150, 35), "client": ("en+f3", 160, 60)},
    lines=(
        Line("therapist", "Welcome back. Where would you like to start today?"),
        Line("client", "I almost cancelled. The homework you gave me was pointless."),
        Line("therapist", "Pointless?"),
        Line(
            "client",
            "Writing down my thoughts every evening. It felt like school. "
            "I don't see why we are doing it.",
            900,
        ),
        Line(
            "therapist",
            "It sounds like the exercise felt imposed on you, and I did not explain why I "
            "suggested it. That is on me.",
        ),
        Line("client", "Well. I suppose.", 800),
        Line(
            "therapist",
            "The idea was to notice what happens in the evenings, when you said things get "
            "harder. Does that fit your experience?",
        ),
        Line("client", "Sometimes."),
        Line("therapist", "How were the evenings this week?"),
        Line("client", "Okay. The usual.", 1000),
        Line("therapist", "The usual?"),
        Line(
            "client",
            "Yes. It's fine. Anyway, did you see the weather? It has been raining all week.",
            900,
        ),
        Line(
            "therapist",
            "It has. I notice we moved away from the evenings quite quickly. "
            "I wonder whether something about my question felt uncomfortable.",
            1000,
        ),
        Line("client", "Maybe. I don't like admitting that I still drink at night."),
        Line(
            "therapist",
            "Thank you for telling me. That took courage. We can go at your pace with this.",
        ),
        Line("client", "Okay. I would like that.", 0),
    ),
    codes=(
        Code("confrontation_marker", 1, 3, "client complains about a therapy task"),
        Code("resolution_strategy", 4, 4, "therapist acknowledges their part in the strain"),
        Code("resolution_strategy", 6, 6, "therapist gives the rationale for the task"),
        Code("withdrawal_marker", 9, 11, "client gives minimal answers, then shifts topic"),
        Code("resolution_strategy", 12, 14, "therapist invites exploration of the shift"),
    ),
)

# Four short audio-only sessions so that the demo study has enough double-coded units for its
# reliability figures. Dyads A and B continue (same ids and voices): phase 1 = sessions 1-5,
# phase 2 = later sessions. Encoded at a lower Vorbis quality to keep resources/demo small.
SHORT_QUALITY = 1

SESSION_3 = Session(
    file="demo_session_3.ogg",
    kind="audio",
    title="Demo dyad A, session 4 (fictional)",
    dyad="demo-A",
    client_id="demo-client-A",
    therapist_id="demo-therapist-A",
    session_number=4,
    voices=SESSION_1.voices,
    vorbis_quality=SHORT_QUALITY,
    lines=(
        Line("therapist", "Last time we agreed on one small goal for the week. How did it go?"),
        Line("client", "I didn't really do it.", 900),
        Line("therapist", "What got in the way?"),
        Line("client", "I don't know. It doesn't matter.", 1200),
        Line("therapist", "It sounds like it might matter a little."),
        Line("client", "Can we just skip it today?", 900),
        Line(
            "therapist",
            "We can. Before we do, I wonder whether you expected me to be disappointed in you.",
        ),
        Line("client", "Maybe. It felt like I had failed the assignment."),
        Line(
            "therapist",
            "I am not here to grade you. Not doing it tells us something useful too.",
        ),
        Line("client", "I think I was afraid to call her.", 0),
    ),
    codes=(
        Code("withdrawal_marker", 1, 5, "client gives minimal answers and asks to skip the topic"),
        Code("resolution_strategy", 6, 8, "therapist explores the fear of disappointing them"),
    ),
)

SESSION_4 = Session(
    file="demo_session_4.ogg",
    kind="audio",
    title="Demo dyad B, session 6 (fictional)",
    dyad="demo-B",
    client_id="demo-client-B",
    therapist_id="demo-therapist-B",
    session_number=6,
    voices=SESSION_2.voices,
    vorbis_quality=SHORT_QUALITY,
    lines=(
        Line(
            "therapist",
            "Last week you told me about drinking in the evenings. How has this week been?",
        ),
        Line(
            "client",
            "Honestly, I regret telling you. Now every session is going to be about that.",
        ),
        Line("therapist", "You are worried it will take over our time."),
        Line("client", "Yes. And you are not my doctor. I don't need a lecture.", 900),
        Line(
            "therapist",
            "You are right that it is your choice what we focus on, and I don't want to "
            "lecture you. What would feel useful today?",
        ),
        Line("client", "Work, I think. My manager keeps changing my shifts."),
        Line(
            "therapist",
            "Let's start there. If the evenings come up, you decide whether we follow them.",
        ),
        Line("client", "That's fair. Thank you.", 0),
    ),
    codes=(
        Code("confrontation_marker", 1, 3, "client objects to the direction of the therapy"),
        Code("resolution_strategy", 4, 6, "therapist validates and lets the client set the focus"),
    ),
)

SESSION_5 = Session(
    file="demo_session_5.ogg",
    kind="audio",
    title="Demo dyad A, session 7 (fictional)",
    dyad="demo-A",
    client_id="demo-client-A",
    therapist_id="demo-therapist-A",
    session_number=7,
    voices=SESSION_1.voices,
    vorbis_quality=SHORT_QUALITY,
    lines=(
        Line("therapist", "I am sorry again that I had to move our appointment last week."),
        Line(
            "client",
            "To be honest, it annoyed me. I rearranged my whole day and then you cancelled.",
        ),
        Line("therapist", "It did disrupt your week."),
        Line(
            "client",
            "It makes me wonder whether this matters to you as much as it does to me.",
            900,
        ),
        Line(
            "therapist",
            "That makes sense. These sessions do matter to me, and I should have given you "
            "more notice.",
        ),
        Line("client", "I appreciate you saying that."),
        Line("therapist", "Is there anything else about how we work together that bothers you?"),
        Line("client", "Not really. I mostly wanted you to know."),
        Line("therapist", "I am glad you told me. Shall we go back to your sister?"),
        Line("client", "Yes. We actually spoke on the phone on Sunday.", 0),
    ),
    codes=(
        Code("confrontation_marker", 1, 3, "client voices anger about a cancelled session"),
        Code("resolution_strategy", 4, 6, "therapist acknowledges their part and invites more"),
    ),
)

SESSION_6 = Session(
    file="demo_session_6.ogg",
    kind="audio",
    title="Demo dyad B, session 8 (fictional)",
    dyad="demo-B",
    client_id="demo-client-B",
    therapist_id="demo-therapist-B",
    session_number=8,
    voices=SESSION_2.voices,
    vorbis_quality=SHORT_QUALITY,
    lines=(
        Line("therapist", "You said on the phone that this week was hard. What happened?"),
        Line("client", "Nothing worth talking about.", 1000),
        Line("therapist", "It sounded like something."),
        Line("client", "I had a bad night on Friday. That's all.", 1200),
        Line("therapist", "A bad night?"),
        Line("client", "I'd rather not go into it. How long have you worked here, anyway?", 900),
        Line(
            "therapist",
            "I notice we moved away from Friday. It is okay if it is hard to talk about. "
            "What is it like to be here with me right now?",
        ),
        Line("client", "Embarrassing. I had told you things were getting better."),
        Line(
            "therapist",
            "You don't have to show me progress. Bad nights are part of this, and we can "
            "look at them together.",
        ),
        Line("client", "Okay. Friday started with a fight at work.", 0),
    ),
    codes=(
        Code("withdrawal_marker", 1, 5, "client deflects and changes the topic"),
        Code("resolution_strategy", 6, 8, "therapist names the shift and normalises setbacks"),
    ),
)

SESSIONS = (SESSION_1, SESSION_2, SESSION_3, SESSION_4, SESSION_5, SESSION_6)


# --- Helpers -----------------------------------------------------------------------------------


class DemoMediaError(RuntimeError):
    """A tool is missing or failed; the message names it."""


def run(cmd: list[str]) -> str:
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise DemoMediaError(f"{cmd[0]} failed ({result.returncode}): {result.stderr.strip()}")
    return result.stdout


def check_tools() -> dict[str, str]:
    for tool in ("espeak-ng", "ffmpeg", "ffprobe"):
        if shutil.which(tool) is None:
            raise DemoMediaError(f"{tool} not found on PATH (Debian: apt-get install {tool})")
    for font in FONTS.values():
        if not font.is_file():
            raise DemoMediaError(f"font {font} missing (Debian: apt-get install fonts-dejavu-core)")
    return {
        "espeak-ng": run(["espeak-ng", "--version"]).split("  Data")[0].strip(),
        "ffmpeg": " ".join(run(["ffmpeg", "-hide_banner", "-version"]).split()[:3]),
    }


def speak(text: str, voice: tuple[str, int, int], out: Path) -> tuple[array.array[int], int]:
    """Render ``text`` with espeak-ng; return mono 16-bit samples (silences trimmed), rate."""
    name, speed, pitch = voice
    run(["espeak-ng", "-v", name, "-s", str(speed), "-p", str(pitch), "-w", str(out), text])
    with wave.open(str(out), "rb") as w:
        if w.getnchannels() != 1 or w.getsampwidth() != 2:
            raise DemoMediaError(f"espeak-ng wrote an unexpected WAV format in {out}")
        rate = w.getframerate()
        samples = array.array("h", w.readframes(w.getnframes()))
    if sys.byteorder == "big":
        samples.byteswap()
    loud = [i for i, s in enumerate(samples) if abs(s) >= SILENCE_THRESHOLD]
    if not loud:
        raise DemoMediaError(f"espeak-ng produced silence for {text!r}")
    margin = rate * TRIM_MARGIN_MS // 1000
    start, stop = max(0, loud[0] - margin), min(len(samples), loud[-1] + 1 + margin)
    return samples[start:stop], rate


def ms(samples: int, rate: int) -> int:
    return round(samples * 1000 / rate)


def render_speech(session: Session, work: Path) -> tuple[Path, list[Utterance], int]:
    """Concatenate the lines into one WAV; return it, the utterances and its length in ms."""
    pcm = array.array("h")
    utterances: list[Utterance] = []
    rate = 0
    for index, line in enumerate(session.lines):
        samples, rate_i = speak(line.text, session.voices[line.speaker], work / f"u{index}.wav")
        if rate and rate_i != rate:
            raise DemoMediaError("espeak-ng voices use different sample rates")
        rate = rate_i
        if index == 0:
            pcm.extend([0] * (rate * LEAD_IN_MS // 1000))
        onset = len(pcm)
        pcm.extend(samples)
        utterances.append(
            Utterance(index, line.speaker, ms(onset, rate), ms(len(pcm), rate), line.text)
        )
        pcm.extend([0] * (rate * line.pause_ms // 1000))
    pcm.extend([0] * (rate * TAIL_MS // 1000))
    frame_samples = rate * FRAME_MS // 1000  # pad to whole video frames
    pcm.extend([0] * (-len(pcm) % frame_samples))
    if sys.byteorder == "big":
        pcm.byteswap()
    path = work / "speech.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return path, utterances, ms(len(pcm), rate)


def demo_codes(session: Session, utterances: list[Utterance]) -> list[dict[str, object]]:
    codes = []
    for c in session.codes:
        if c.code not in CODES or not 0 <= c.first <= c.last < len(utterances):
            raise DemoMediaError(f"bad demo code {c} in {session.file}")
        codes.append(
            {
                "code": c.code,
                "onset_ms": utterances[c.first].onset_ms,
                "offset_ms": utterances[c.last].offset_ms,
                "utterances": list(range(c.first, c.last + 1)),
                "note": c.note,
            }
        )
    return codes


# --- Video filter graph ------------------------------------------------------------------------

BG, TITLE_BG, BAR_BG, HIGHLIGHT = "0x1b2129", "0x2b333d", "0x000000", "0xffe14d"
PANELS = {  # speaker -> (x, label, idle colour, speaking colour)
    "therapist": (16, "Therapist", "0x24435f", "0x3f7fbf"),
    "client": (328, "Client", "0x5a3b22", "0xc47a32"),
}
PANEL_Y, PANEL_W, PANEL_H = 40, 296, 170
CAPTION_Y, BAR_Y = 222, 316


def _between(spans: list[tuple[int, int]]) -> str:
    return "+".join(f"between(t,{a / 1000:.3f},{b / 1000:.3f})" for a, b in spans) or "0"


def _textfile(work: Path, name: str, text: str) -> str:
    path = work / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _drawtext(font: str, textfile: str, size: int, *, x: str, y: str, extra: str = "") -> str:
    return (
        f"drawtext=fontfile={FONTS[font]}:textfile={textfile}:fontsize={size}"
        f":fontcolor=white:x={x}:y={y}{extra}"
    )


def filter_graph(session: Session, utterances: list[Utterance], work: Path) -> str:
    """The drawbox/drawtext chain; texts go through files so nothing needs filter escaping."""
    title = _textfile(work, "title.txt", session.title)
    clock = _textfile(work, "clock.txt", "%{pts:hms}   frame %{n}")
    parts = [
        f"drawbox=x=0:y=0:w={WIDTH}:h=30:color={TITLE_BG}:t=fill",
        _drawtext("regular", title, 16, x="12", y="7", extra=":expansion=none"),
    ]
    for speaker, (x, label, idle, active) in PANELS.items():
        on = _between([(u.onset_ms, u.offset_ms) for u in utterances if u.speaker == speaker])
        box = f"drawbox=x={x}:y={PANEL_Y}:w={PANEL_W}:h={PANEL_H}"
        centred = f"{x}+({PANEL_W}-text_w)/2"
        name = _textfile(work, f"{speaker}.txt", label)
        speaking = _textfile(work, f"{speaker}-speaking.txt", "speaking")
        parts += [
            f"{box}:color={idle}:t=fill",
            f"{box}:color={active}:t=fill:enable='{on}'",
            f"{box}:color={HIGHLIGHT}:t=5:enable='{on}'",
            _drawtext("bold", name, 30, x=centred, y=f"{PANEL_Y + 55}", extra=":expansion=none"),
            _drawtext(
                "regular",
                speaking,
                18,
                x=centred,
                y=f"{PANEL_Y + 105}",
                extra=f":expansion=none:fontcolor={HIGHLIGHT}:enable='{on}'",
            ),
        ]
    for u in utterances:
        caption = _textfile(work, f"caption{u.index}.txt", "\n".join(textwrap.wrap(u.text, 62)))
        span = _between([(u.onset_ms, u.offset_ms)])
        extra = f":expansion=none:line_spacing=4:enable='{span}'"
        parts.append(_drawtext("regular", caption, 16, x="16", y=str(CAPTION_Y), extra=extra))
    parts += [
        f"drawbox=x=0:y={BAR_Y}:w={WIDTH}:h={HEIGHT - BAR_Y}:color={BAR_BG}:t=fill",
        _drawtext("mono", clock, 24, x="(w-text_w)/2", y=f"{BAR_Y + 10}", extra=""),
    ]
    return "[0:v]" + ",\n".join(parts) + "[v]"


# --- Encoding ----------------------------------------------------------------------------------

BITEXACT = ["-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact"]


def encode(
    session: Session,
    wav: Path,
    utterances: list[Utterance],
    *,
    duration_ms: int,
    out: Path,
    work: Path,
) -> None:
    base = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-threads", "1"]
    meta = ["-map_metadata", "-1", "-map_chapters", "-1", *BITEXACT]
    if session.kind == "video":
        graph = work / "graph.txt"
        graph.write_text(filter_graph(session, utterances, work), encoding="utf-8")
        cmd = [
            *base,
            "-f", "lavfi",
            "-i", f"color=c={BG}:s={WIDTH}x{HEIGHT}:r={FPS}:d={duration_ms / 1000:.3f}",
            "-i", str(wav),
            "-filter_complex_script", str(graph),
            "-map", "[v]", "-map", "1:a",
            "-c:v", "libx264", "-preset", "medium", "-tune", "stillimage", "-crf", "30",
            "-x264-params", "threads=1:keyint=50:min-keyint=25",
            "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-b:a", "64k", "-ar", "44100", "-ac", "1",
            "-movflags", "+faststart",
            *meta, str(out),
        ]  # fmt: skip
    else:
        cmd = [
            *base, "-i", str(wav),
            "-c:a", "libvorbis", "-q:a", str(session.vorbis_quality), "-ar", "44100", "-ac", "1",
            *meta, str(out),
        ]  # fmt: skip
    run(cmd)


def probe(path: Path) -> dict[str, object]:
    out = run(
        [
            "ffprobe",
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
            str(path),
        ]
    )
    data: dict[str, object] = json.loads(out)
    return data


def describe(session: Session, out: Path, utterances: list[Utterance]) -> dict[str, object]:
    info = probe(out)
    fmt = info["format"]
    streams = info["streams"]
    assert isinstance(fmt, dict) and isinstance(streams, list)
    entry: dict[str, object] = {
        "file": out.name,
        "kind": session.kind,
        "title": session.title,
        "fictional": True,
        "dyad": session.dyad,
        "client_id": session.client_id,
        "therapist_id": session.therapist_id,
        "session_number": session.session_number,
        "duration_ms": round(float(fmt["duration"]) * 1000),
        "size_bytes": out.stat().st_size,
        "sha256": hashlib.sha256(out.read_bytes()).hexdigest(),
        "codecs": [s["codec_name"] for s in streams],
        "voices": {k: v[0] for k, v in session.voices.items()},
    }
    video = [s for s in streams if s["codec_type"] == "video"]
    if video:
        entry["fps"] = FPS
        entry["width"], entry["height"] = video[0]["width"], video[0]["height"]
        entry["frame_count"] = int(video[0]["nb_frames"])
    entry["utterances"] = [asdict(u) for u in utterances]
    entry["demo_codes"] = demo_codes(session, utterances)
    return entry


def main(argv: list[str]) -> int:
    out_dir = Path(argv[0]) if argv else DEFAULT_OUT
    try:
        tools = check_tools()
        out_dir.mkdir(parents=True, exist_ok=True)
        entries = []
        for session in SESSIONS:
            with tempfile.TemporaryDirectory(prefix="demo-media-") as tmp:
                work = Path(tmp)
                wav, utterances, duration_ms = render_speech(session, work)
                out = out_dir / session.file
                encode(session, wav, utterances, duration_ms=duration_ms, out=out, work=work)
                entries.append(describe(session, out, utterances))
                print(f"wrote {out} ({out.stat().st_size} bytes, {duration_ms} ms of speech track)")
    except DemoMediaError as exc:
        print(f"make_demo_media: error: {exc}", file=sys.stderr)
        return 1
    manifest = {
        "format": "observer-app-demo-media",
        "version": 1,
        "generated_by": "scripts/make_demo_media.py",
        "note": "Synthetic, fictional sessions (espeak-ng voices); no real person is depicted.",
        "tools": tools,
        "codes": list(CODES),
        "files": entries,
    }
    path = out_dir / "manifest.json"
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
