"""Exhibits on loopback: a picture and a 2-second clip shown to one participant of two.

Real parts: the Recorder with a signed action log, the signaling server, the hub and two aiortc
participants. Each participant classifies what arrives on the investigator's transceivers and on
the exhibit slot (the hub's last audio+video pair) by colour (video) and by dominant frequency
(audio); the recording is decoded back and checked with the same verifier as ``tergeu verify``.
"""

from __future__ import annotations

import asyncio
import fractions
import hashlib
import itertools
import os
import subprocess
import sys
import time
import wave
import zoneinfo
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from PIL import Image

from app.core.exhibits import ExhibitError, next_number, prepare_exhibit, prepare_screen
from app.core.hub import Hub
from app.core.media_sources import ScreenArea, StillTrack, SwitchTrack
from app.core.participant import Participant
from app.core.signaling.server import SignalingServer
from protocol.case import DEFAULT_TIMEZONE
from protocol.from_log import protocol_from_action
from protocol.render import render_pdf
from recorder.clock import SessionClock, parse_utc
from recorder.log import read_log
from recorder.recording import Recorder
from recorder.synthetic import SyntheticAudioTrack, SyntheticVideoTrack
from recorder.verify import verify_recording
from tests.live import start_hub
from tests.protocol.live_action import entered

GREEN = (30, 200, 60)
MAGENTA = (220, 40, 220)
TONE_HZ = 440.0


def colour_of(rgb: np.ndarray) -> str:
    """'green', 'magenta' or 'other' for the centre of a decoded picture."""
    h, w = rgb.shape[:2]
    r, g, b = rgb[h // 4 : 3 * h // 4, w // 4 : 3 * w // 4].reshape(-1, 3).mean(axis=0)
    if g > 150 and r < 90 and b < 110:
        return "green"
    if r > 170 and b > 170 and g < 100:
        return "magenta"
    return "other"


async def settled(count: Callable[[], int], quiet: float = 0.5, timeout: float = 10.0) -> int:
    """``count()`` once it has not moved for ``quiet`` seconds (frames in flight have landed)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    value = count()
    while True:
        await asyncio.sleep(quiet)
        now = count()
        if now == value:
            return now
        if loop.time() > deadline:
            raise AssertionError(f"still receiving after {timeout} s: {value} -> {now}")
        value = now


def is_tone(samples: np.ndarray, rate: int) -> bool:
    """The clip's 440 Hz tone, clearly: its band holds most of the frame's energy.

    A dominant-bin test alone mistook two concealed (lost-packet) frames of the investigator's
    1 kHz beeps for the tone under load; the clip's pure tone puts nearly all energy in its band.
    """
    x = samples.astype(np.float32)
    full_scale = 32768.0 if samples.dtype == np.int16 else 1.0
    if np.abs(x).max() < 0.02 * full_scale:
        return False
    power = np.abs(np.fft.rfft(x * np.hanning(len(x)))) ** 2
    hz = np.fft.rfftfreq(len(x), 1 / rate)
    band = power[np.abs(hz - TONE_HZ) < 100].sum()
    return bool(band > 0.6 * power.sum())


def dominant_hz(samples: np.ndarray, rate: int) -> float:
    x = samples.astype(np.float32)
    full_scale = 32768.0 if samples.dtype == np.int16 else 1.0
    if np.abs(x).max() < 0.02 * full_scale:
        return 0.0  # silence
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.argmax(spectrum) * rate / len(x))


def write_clip(path: Path, seconds: float = 2.0) -> None:
    """A magenta 320×240 H.264 clip at 25 fps with a 440 Hz AAC tone."""
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=25)
        video.width, video.height, video.pix_fmt = 320, 240, "yuv420p"
        audio = out.add_stream("aac", rate=48000, layout="stereo")
        picture = np.zeros((240, 320, 3), np.uint8)
        picture[:] = MAGENTA
        for i in range(round(seconds * 25)):
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
            frame.pts = i
            frame.time_base = fractions.Fraction(1, 25)
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        t = np.arange(round(seconds * 48000)) / 48000
        tone = (np.sin(2 * np.pi * TONE_HZ * t) * 0.4).astype(np.float32)
        for start in range(0, len(tone), 1024):
            chunk = tone[start : start + 1024]
            planes = np.stack([chunk, chunk])
            frame = av.AudioFrame.from_ndarray(planes, format="fltp", layout="stereo")
            frame.sample_rate, frame.pts = 48000, start
            frame.time_base = fractions.Fraction(1, 48000)
            out.mux(audio.encode(frame))
        out.mux(audio.encode(None))


@dataclass
class Seen:
    """What one participant received: the investigator's camera and microphone (mids 0 and 1)
    and the exhibit slot (``exhibit-video``, ``exhibit-audio``)."""

    video: dict[str, int] = field(default_factory=dict)  # the investigator's camera
    exhibit: dict[str, int] = field(default_factory=dict)  # the exhibit tile
    tone_frames: int = 0  # exhibit audio frames with the clip's tone
    exhibit_audio: int = 0
    audio_frames: int = 0  # the investigator's microphone
    mic_tone: int = 0  # microphone frames with the tone (never: exhibits have their own track)

    def hook(self, name: str, frame: Any) -> None:
        if name in ("1-video", "exhibit-video"):
            table = self.video if name == "1-video" else self.exhibit
            c = colour_of(frame.to_ndarray(format="rgb24"))
            table[c] = table.get(c, 0) + 1
        elif name in ("0-audio", "exhibit-audio"):
            samples = frame.to_ndarray()[0][:: len(frame.layout.channels)]
            tone = is_tone(samples, frame.sample_rate)
            if name == "0-audio":
                self.audio_frames += 1
                self.mic_tone += tone
            else:
                self.exhibit_audio += 1
                self.tone_frames += tone


@dataclass
class Live:
    hub: Hub
    server: SignalingServer
    recorder: Recorder
    clock: SessionClock
    action_dir: Path
    seen: dict[str, Seen] = field(default_factory=dict)
    participants: dict[str, Participant] = field(default_factory=dict)
    tasks: list[asyncio.Task[str]] = field(default_factory=list)

    async def join(self, pid: str, role: str = "witness") -> None:
        issued = self.hub.invite(pid, role, pid, base_url=self.server.base_url)
        self.seen[pid] = Seen()
        p = Participant(
            issued.link,
            issued.pin,
            audio=SyntheticAudioTrack(self.clock),
            video=SyntheticVideoTrack(self.clock, shade=80),
            on_frame=self.seen[pid].hook,
        )
        self.participants[pid] = p
        self.tasks.append(asyncio.ensure_future(p.run()))
        await until(lambda: self.hub.participant_state(pid) == "waiting", f"{pid} waiting")
        await self.hub.admit(pid)
        await until(lambda: self.hub.participant_state(pid) == "connected", f"{pid} connected")


async def until(cond: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    start = time.monotonic()
    while not cond():
        assert time.monotonic() - start < timeout, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


@pytest.fixture
async def live(tmp_path: Path) -> AsyncIterator[Live]:
    action_dir = tmp_path / "action"
    rig = await start_hub(action_dir)
    s = Live(rig.hub, rig.server, rig.recorder, rig.clock, action_dir)
    yield s
    await rig.hub.close()
    await asyncio.wait_for(asyncio.gather(*s.tasks, return_exceptions=True), 10)
    await rig.stop()  # idempotent: the tests that check the log stopped the recorder already


def decode_segments(action_dir: Path, entries: list[Any], track: str) -> list[av.frame.Frame]:
    frames: list[av.frame.Frame] = []
    for e in entries:
        if e.kind == "segment_sealed" and e.data["track"] == track:
            with av.open(str(action_dir / e.data["file"])) as container:
                frames.extend(container.decode(container.streams[0]))
    return frames


async def test_picture_and_clip_shown_to_one_participant(live: Live, tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    picture = sources / "Scene Photo.PNG"
    Image.new("RGB", (800, 600), GREEN).save(picture)
    clip = sources / "cctv.mp4"
    write_clip(clip)
    # the ids of the participants the protocol test data enters (tests/protocol/live_action.py)
    await live.join("witness")
    await live.join("specialist", "specialist")
    w1, w2 = live.seen["witness"], live.seen["specialist"]
    await until(lambda: w1.video.get("other", 0) >= 10 and w2.video.get("other", 0) >= 10, "camera")

    # a picture, until the investigator stops it
    assert next_number(live.action_dir) == 1
    photo = await prepare_exhibit(live.action_dir, picture, number=1)
    assert photo.display_title == "Scene Photo.PNG"  # no title typed: the file's name
    shown_photo = await live.hub.show_exhibit(photo, ["witness"], title="  Scheme of the yard ")
    assert shown_photo.display_title == "Scheme of the yard"
    assert live.hub.exhibit_shown == shown_photo
    await until(lambda: w1.exhibit.get("green", 0) >= 15, "w1 sees the picture on its own tile")
    camera = w1.video.get("other", 0)  # ... and the investigator beside it
    await until(lambda: w1.video.get("other", 0) >= camera + 10, "w1 keeps seeing the camera")
    assert w1.video.get("green", 0) == 0
    await until(lambda: live.participants["witness"].exhibit == (1, "Scheme of the yard"), "label")
    w2_before = sum(w2.video.values())
    await until(lambda: sum(w2.video.values()) > w2_before + 10, "w2 keeps receiving the camera")
    assert w2.video.get("green", 0) == 0 and not w2.exhibit  # ... and never the exhibit
    assert live.participants["specialist"].exhibit is None
    with pytest.raises(ExhibitError, match="exhibit 1 is still shown"):
        await live.hub.show_exhibit(photo, ["specialist"])
    await live.hub.stop_exhibit(1)
    assert live.hub.exhibit_shown is None
    await until(lambda: live.participants["witness"].exhibit is None, "the tile taken away")
    stopped = await settled(lambda: sum(w1.exhibit.values()))  # frames already on their way
    back = w1.video.get("other", 0)
    await until(lambda: w1.video.get("other", 0) >= back + 10, "w1 sees the camera on")
    assert sum(w1.exhibit.values()) == stopped  # the exhibit slot sends nothing now

    # a clip with sound, which ends by itself
    assert next_number(live.action_dir) == 2
    film = await prepare_exhibit(live.action_dir, clip, number=2)
    assert (film.media, film.has_audio, film.has_video) == ("video", True, True)
    mic = w1.audio_frames
    await live.hub.show_exhibit(film, ["witness"])  # second exhibit on the same slot
    await until(lambda: live.participants["witness"].exhibit == (2, "cctv.mp4"), "the clip's label")
    await until(lambda: live.hub.exhibit_shown is None, "the clip to end", timeout=10)
    assert w1.exhibit.get("magenta", 0) >= 10, w1.exhibit  # of 50 (the receiver may skip some)
    assert w1.tone_frames >= 10, (w1.tone_frames, w1.exhibit_audio)  # of 100 (under load: fewer)
    assert w1.video.get("magenta", 0) == 0 and w1.mic_tone == 0  # the camera and microphone...
    assert w1.audio_frames > mic + 50  # ... went on beside the clip
    assert not w2.exhibit and w2.exhibit_audio == 0 and w2.mic_tone == 0
    assert w2.audio_frames > 100  # w2 heard the investigator's microphone all along
    await until(lambda: live.participants["witness"].exhibit is None, "the clip's tile taken away")
    back = w1.video.get("other", 0)
    await until(lambda: w1.video.get("other", 0) >= back + 10, "w1 sees the camera after the clip")

    await live.hub.close()
    await live.recorder.stop()
    entries = read_log(live.action_dir)
    shown = [e for e in entries if e.kind == "exhibit_shown"]
    ended = [e for e in entries if e.kind == "exhibit_ended"]
    assert [e.data["number"] for e in shown] == [1, 2] == [e.data["number"] for e in ended]
    for entry, source, media in ((shown[0], picture, "image"), (shown[1], clip, "video")):
        original = source.read_bytes()
        assert entry.data["sha256"] == hashlib.sha256(original).hexdigest()
        assert entry.data["size"] == len(original) and entry.data["name"] == source.name
        assert entry.data["title"] == ("Scheme of the yard" if media == "image" else source.name)
        assert entry.data["media"] == media and entry.data["to"] == ["witness"]
        assert (live.action_dir / entry.data["file"]).read_bytes() == original
    assert shown[0].data["tracks"] == ["exhibit-1-video"]
    assert shown[1].data["tracks"] == ["exhibit-2-video", "exhibit-2-audio"]
    assert abs(shown[1].data["duration"] - 2.0) < 0.1
    assert [e.data["reason"] for e in ended] == ["stopped by the investigator", "played to the end"]
    for s, e in zip(shown, ended, strict=True):
        assert e.t > s.t
    assert ended[1].t - shown[1].t > 1.5  # a 2-second clip cannot end sooner

    # the recording holds the exhibits as the investigator's tracks, decodable, of the right content
    started = {e.data["track"]: e.data for e in entries if e.kind == "track_started"}
    assert started["exhibit-1-video"]["participant"] == "investigator"
    pictures = decode_segments(live.action_dir, entries, "exhibit-1-video")
    assert len(pictures) >= 15
    assert {colour_of(f.to_ndarray(format="rgb24")) for f in pictures} == {"green"}
    film_frames = decode_segments(live.action_dir, entries, "exhibit-2-video")
    assert 40 <= len(film_frames) <= 52  # 50 frames in the clip
    assert {colour_of(f.to_ndarray(format="rgb24")) for f in film_frames} == {"magenta"}
    sound = decode_segments(live.action_dir, entries, "exhibit-2-audio")
    samples = np.concatenate([f.to_ndarray()[0] for f in sound])
    assert 1.6 * 48000 < len(samples) < 2.4 * 48000
    assert abs(dominant_hz(samples[:48000], 48000) - TONE_HZ) < 5
    report = verify_recording(live.action_dir)
    assert report.ok and not report.warnings, report.summary()

    # the protocol lists both, with their times, the people shown to and the files' SHA-256
    protocol = await asyncio.to_thread(protocol_from_action, live.action_dir, entered())
    listed = [(e.number, e.kind, e.shown_to, e.file) for e in protocol.exhibits]
    assert [(n, k, to, f.name if f else None) for n, k, to, f in listed] == [
        (1, "photo", ("witness",), "evidence/exhibit-1.png"),
        (2, "video", ("witness",), "evidence/exhibit-2.mp4"),
    ]
    assert [e.description for e in protocol.exhibits] == [
        "Scheme of the yard (Scene Photo.PNG)",  # the title, and the file's name
        "cctv.mp4",
    ]
    for exhibit, s, e in zip(protocol.exhibits, shown, ended, strict=True):
        assert exhibit.file is not None and exhibit.file.sha256 == s.data["sha256"]
        assert exhibit.at == parse_utc(s.utc, what="shown")
        assert exhibit.ended_at == parse_utc(e.utc, what="ended")
    assert protocol.exhibits[1].played_seconds is not None
    assert protocol.exhibits[1].played_seconds > 1.5
    created = parse_utc(ended[-1].utc, what="end")
    pdf = tmp_path / "protocol-ru.pdf"
    pdf.write_bytes(
        await asyncio.to_thread(
            render_pdf, protocol, "ru", created=created, action_dir=live.action_dir
        )
    )
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    flat = "".join(text.stdout.split())
    zone = zoneinfo.ZoneInfo(DEFAULT_TIMEZONE)
    for s, e in zip(shown, ended, strict=True):
        assert s.data["sha256"] in flat and s.data["name"].replace(" ", "") in flat
        assert s.data["title"].replace(" ", "") in flat
        start, end = (
            parse_utc(x.utc, what="entry").astimezone(zone).strftime("%H:%M:%S") for x in (s, e)
        )
        assert f"{start}–{end}" in flat, (start, end)


async def test_refusals_name_the_value(live: Live, tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "notes.txt").write_text("x")
    with pytest.raises(ExhibitError, match=r"type '\.txt' cannot be shown; expected one of"):
        await prepare_exhibit(live.action_dir, src / "notes.txt", number=1)
    (src / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    with pytest.raises(ExhibitError, match=r"'broken\.png' is not a readable picture"):
        await prepare_exhibit(live.action_dir, src / "broken.png", number=1)
    (src / "noise.mp4").write_bytes(bytes(range(256)) * 8)
    with pytest.raises(ExhibitError, match=r"'noise\.mp4' is not a playable clip"):
        await prepare_exhibit(live.action_dir, src / "noise.mp4", number=1)
    # a two-page PDF: page 2 is rendered and stored next to the PDF; page 3 does not exist
    pdf = src / "Act of seizure.pdf"
    pages = [Image.new("RGB", (400, 560), c) for c in ((255, 255, 255), (200, 30, 30))]
    pages[0].save(pdf, save_all=True, append_images=pages[1:])
    with pytest.raises(ExhibitError, match="a PDF needs the page"):
        await prepare_exhibit(live.action_dir, pdf, number=1)
    with pytest.raises(ExhibitError, match=r"page 3 of 'Act of seizure.pdf': expected 1\.\.2"):
        await prepare_exhibit(live.action_dir, pdf, number=1, page=3)
    assert next_number(live.action_dir) == 1  # nothing was stored by the refusals
    doc = await prepare_exhibit(live.action_dir, pdf, number=1, page=2)
    assert doc.media == "document" and doc.page == 2 and doc.page_image is not None
    assert doc.log_data(["w1"])["page_sha256"] == doc.page_image.sha256
    rendered = np.asarray(Image.open(doc.picture).convert("RGB"))
    assert rendered.shape[0] > rendered.shape[1]  # the portrait page, at 150 dpi
    centre = rendered[rendered.shape[0] // 2, rendered.shape[1] // 2].astype(int)
    assert np.abs(centre - (200, 30, 30)).max() <= 6, centre  # page 2 (PIL stores it as JPEG)
    assert (live.action_dir / doc.evidence.file).read_bytes() == pdf.read_bytes()
    with pytest.raises(ExhibitError, match="exists already; evidence is never replaced"):
        await prepare_exhibit(live.action_dir, pdf, number=1, page=1)
    with pytest.raises(ExhibitError, match=r"exhibit title 'Act\\nof seizure': expected one line"):
        await live.hub.show_exhibit(doc, ["nobody"], title="Act\nof seizure")
    with pytest.raises(ExhibitError, match="expected one line of at most 200 characters"):
        await live.hub.show_exhibit(doc, ["nobody"], title="x" * 201)
    with pytest.raises(ExhibitError, match="participant 'nobody' is not connected"):
        await live.hub.show_exhibit(doc, ["nobody"])
    with pytest.raises(ExhibitError, match="expected at least one participant"):
        await live.hub.show_exhibit(doc, [])
    with pytest.raises(ExhibitError, match=r"exhibit 1 is not shown \(shown now: none\)"):
        await live.hub.stop_exhibit(1)
    await live.recorder.stop()


async def test_switch_keeps_pts_increasing_and_audio_in_one_format() -> None:
    first = StillTrack(np.zeros((48, 64, 3), np.uint8), fps=50)
    second = StillTrack(np.full((48, 64, 3), 255, np.uint8), fps=50)
    switch = SwitchTrack("video", first, "first")
    pts = [(await switch.recv()).pts for _ in range(5)]
    switch.set_source(second, "second")  # its pts start again at 0
    frame = await switch.recv()
    pts += [frame.pts] + [(await switch.recv()).pts for _ in range(4)]
    assert all(b > a for a, b in itertools.pairwise(pts)), pts
    assert frame.to_ndarray(format="rgb24").min() > 240 and first.readyState == "ended"
    assert switch.frames == {"first": 5, "second": 5}
    second.stop()  # a source that ends leaves the switch waiting, never ended
    waiting = asyncio.ensure_future(switch.recv())
    await asyncio.sleep(0.1)
    assert not waiting.done() and switch.readyState == "live"
    switch.set_source(StillTrack(np.zeros((48, 64, 3), np.uint8), fps=50), "third")
    assert (await asyncio.wait_for(waiting, 2)).pts > pts[-1]
    switch.stop()

    # a switch put on a running sender first sends one frame of the track the sender had, so the
    # encoder's timeline goes on even when the new source is switched to at once
    camera = StillTrack(np.zeros((48, 64, 3), np.uint8), fps=50)
    for _ in range(20):
        sent = await camera.recv()  # what the sender had sent before the switch was installed
    switch = SwitchTrack("video", camera, "camera")
    switch.set_source(StillTrack(np.full((48, 64, 3), 255, np.uint8), fps=50), "exhibit")
    first_two = [await switch.recv(), await switch.recv()]
    assert first_two[0].pts > sent.pts and first_two[1].pts > first_two[0].pts
    assert switch.frames == {"camera": 1, "exhibit": 1} and camera.readyState == "ended"
    switch.stop()

    # without a first source (a forward slot before anyone is forwarded) it waits for one
    slot = SwitchTrack("video", None, None)
    pending = asyncio.ensure_future(slot.recv())
    await asyncio.sleep(0.05)
    assert not pending.done()
    slot.set_source(StillTrack(np.zeros((48, 64, 3), np.uint8), fps=50), "w1-video")
    assert (await asyncio.wait_for(pending, 2)).pts == 0 and slot.frames == {"w1-video": 1}
    slot.stop()

    mono = SyntheticAudioTrack(SessionClock.start(), paced=False)
    audio = SwitchTrack("audio", mono, "microphone")
    got = await audio.recv()
    assert (got.format.name, got.layout.name, got.sample_rate) == ("s16", "mono", 48000)

    class Stereo44k(SyntheticAudioTrack):
        async def recv(self) -> av.AudioFrame:
            frame = av.AudioFrame.from_ndarray(
                np.zeros((1, 2048), np.int16), format="s16", layout="stereo"
            )
            frame.sample_rate, frame.pts = 44100, 0
            await asyncio.sleep(0)
            return frame

    audio.set_source(Stereo44k(SessionClock.start()), "clip")
    for _ in range(5):
        got = await audio.recv()
        assert (got.format.name, got.layout.name, got.sample_rate) == ("s16", "mono", 48000)
    audio.stop()


async def test_sound_only_then_reconnect_and_close_while_shown(live: Live, tmp_path: Path) -> None:
    sound = tmp_path / "call.wav"
    t = np.arange(48000) / 48000
    tone = (np.sin(2 * np.pi * TONE_HZ * t) * 0.4 * 32767).astype(np.int16)
    with wave.open(str(sound), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(48000)
        w.writeframes(tone.tobytes())
    picture = tmp_path / "plan.jpg"
    Image.new("RGB", (640, 480), GREEN).save(picture, quality=95)
    await live.join("w1")
    w1 = live.seen["w1"]
    participant = live.participants["w1"]

    # a sound recording: w1 hears it and keeps seeing the investigator
    call = await prepare_exhibit(live.action_dir, sound, number=1)
    assert (call.media, call.has_audio, call.has_video, call.kinds()) == (
        "audio",
        True,
        False,
        ("audio",),
    )
    for _ in range(2):  # played twice: each time is logged and recorded on its own track
        await live.hub.show_exhibit(call, ["w1"])
        await until(lambda: live.hub.exhibit_shown is None, "the sound to end", timeout=10)
    assert w1.tone_frames >= 5 and not w1.exhibit and w1.mic_tone == 0
    assert w1.video.get("green", 0) == w1.video.get("magenta", 0) == 0

    # a picture, on through a reconnection, until the session ends
    photo = await prepare_exhibit(live.action_dir, picture, number=next_number(live.action_dir))
    assert photo.number == 2
    await live.hub.show_exhibit(photo, ["w1"])
    await until(lambda: w1.exhibit.get("green", 0) >= 10, "w1 sees the picture")
    await participant.cut_network()
    await until(lambda: live.hub.participant_state("w1") == "reconnected", "w1 back")
    assert participant.stats.connections == 2
    seen = w1.exhibit.get("green", 0)
    await until(lambda: w1.exhibit.get("green", 0) >= seen + 10, "the picture, new connection")
    await until(lambda: participant.exhibit == (2, "plan.jpg"), "the label on the new connection")
    await live.hub.close()  # the session ends while the picture is shown
    await live.recorder.stop()
    entries = read_log(live.action_dir)
    shown = [e.data for e in entries if e.kind == "exhibit_shown"]
    assert [(d["media"], d["showing"], d["tracks"]) for d in shown] == [
        ("audio", 1, ["exhibit-1-audio"]),
        ("audio", 2, ["exhibit-1-2-audio"]),
        ("image", 1, ["exhibit-2-video"]),
    ]
    ended = [e.data for e in entries if e.kind == "exhibit_ended"]
    assert [(d["number"], d["reason"]) for d in ended] == [
        (1, "played to the end"),
        (1, "played to the end"),
        (2, "the session has ended"),
    ]
    for track in ("exhibit-1-audio", "exhibit-1-2-audio"):
        decoded = decode_segments(live.action_dir, entries, track)
        samples = np.concatenate([f.to_ndarray()[0] for f in decoded])
        assert 0.8 * 48000 < len(samples) < 1.3 * 48000, (track, len(samples))
    report = verify_recording(live.action_dir)
    assert report.ok, report.summary()


GREEN_WINDOW = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget
app = QApplication(sys.argv)
w = QWidget()
w.setStyleSheet("background: #1ec83c")
w.setGeometry(0, 0, 640, 480)
w.show()
QTimer.singleShot(300, lambda: print("shown", flush=True))
app.exec()
"""


@pytest.fixture
def green_display() -> Iterator[str]:
    """A virtual X display (Xvfb) showing a green window: the investigator's screen."""
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", "1", "-screen", "0", "640x480x24", "-nolisten", "tcp"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert xvfb.stdout is not None
    display = f":{xvfb.stdout.readline().strip()}"
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
    window = subprocess.Popen(
        [sys.executable, "-c", GREEN_WINDOW], env=env, stdout=subprocess.PIPE, text=True
    )
    assert window.stdout is not None and window.stdout.readline().strip() == "shown"
    yield display
    for process in (window, xvfb):
        process.terminate()
        process.wait(10)


async def test_screen_area_shown_live_with_its_first_picture_as_evidence(
    live: Live, green_display: str
) -> None:
    with pytest.raises(ValueError, match=r"X display '0': expected like ':0'"):
        ScreenArea("0", 320, 240)
    with pytest.raises(ValueError, match="screen area 321x240: expected even sides"):
        ScreenArea(green_display, 321, 240)
    await live.join("witness")
    w1 = live.seen["witness"]
    area = ScreenArea(green_display, 320, 240, x=100, y=100)
    shown = await prepare_screen(live.action_dir, area, number=1)
    snapshot = np.asarray(Image.open(live.action_dir / shown.evidence.file).convert("RGB"))
    assert snapshot.shape == (240, 320, 3) and colour_of(snapshot) == "green"
    await live.hub.show_exhibit(shown, ["witness"])
    await until(lambda: w1.exhibit.get("green", 0) >= 10, "w1 sees the screen")
    await live.hub.stop_exhibit(1)
    await live.recorder.stop()
    entries = read_log(live.action_dir)
    data = next(e.data for e in entries if e.kind == "exhibit_shown")
    assert (data["media"], data["screen"], data["tracks"]) == (
        "screen",
        f"{green_display} 320x240+100+100",
        ["exhibit-1-video"],
    )
    assert (
        data["sha256"]
        == hashlib.sha256((live.action_dir / "evidence/exhibit-1.png").read_bytes()).hexdigest()
    )
    frames = decode_segments(live.action_dir, entries, "exhibit-1-video")
    assert len(frames) >= 5
    assert {colour_of(f.to_ndarray(format="rgb24")) for f in frames} == {"green"}
    report = verify_recording(live.action_dir)
    assert report.ok, report.summary()
    protocol = await asyncio.to_thread(protocol_from_action, live.action_dir, entered())
    [listed] = protocol.exhibits
    assert (listed.kind, listed.description, listed.shown_to) == (
        "screen",
        area.describe(),
        ("witness",),
    )
    assert listed.file is not None and listed.file.sha256 == data["sha256"]
