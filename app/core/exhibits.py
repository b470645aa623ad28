"""Exhibits: files the investigator shows or plays to participants during an action (CPC Art. 210).

:func:`prepare_exhibit` reads the file once, checks that it can be shown (a picture that decodes, a
PDF page that renders, a clip with audio or video), and stores a byte-identical copy as evidence
(``evidence/exhibit-<n>.<ext>``, plus the rendered page ``exhibit-<n>-page-<p>.png`` of a PDF). The
tracks are decoded from that copy, so the record holds exactly what was shown.

:class:`ExhibitDesk` (run by the hub) shows one exhibit at a time: its tracks are recorded as the
investigator's ``exhibit-<n>-video`` / ``exhibit-<n>-audio`` and, for the participants chosen, sent
on the **exhibit slot** of their connection: the hub's last audio+video transceiver pair, offered
send-only from the start and silent (no RTP) until an exhibit is put on it, through a
:class:`~app.core.media_sources.SwitchTrack`. The investigator's camera and microphone go on beside
it. ``exhibit_shown`` and ``exhibit_ended`` are logged (docs/exhibits.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

import av
import numpy as np
from aiortc.contrib.media import MediaPlayer, MediaRelay
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av.frame import Frame
from PIL import Image, ImageOps

from app.core.errors import TergeuError
from app.core.evidence import EvidenceError, EvidenceFile, encode_png, store_evidence
from app.core.media_sources import ScreenArea, StillTrack, SwitchTrack, fit_size, grab_screen
from app.core.peer import FrameCounts, IsolatedTrack
from app.core.policy import INVESTIGATOR

MAX_EXHIBIT_BYTES = 512 * 1024 * 1024  # the file is read into memory once, hashed and copied
MAX_FRAME = (1280, 960)  # pictures larger than this are scaled down for the live track
STILL_FPS = 15
PDF_DPI = 150
MAX_TITLE_CHARS = 200
MEDIA = ("image", "document", "video", "audio", "screen")
# suffix -> (stored suffix, media or "clip" when PyAV decides between audio and video, MIME type)
SUFFIXES: dict[str, tuple[str, str, str]] = {
    ".png": ("png", "image", "image/png"),
    ".jpg": ("jpg", "image", "image/jpeg"),
    ".jpeg": ("jpg", "image", "image/jpeg"),
    ".pdf": ("pdf", "document", "application/pdf"),
    ".mp4": ("mp4", "clip", "video/mp4"),
    ".m4a": ("m4a", "clip", "audio/mp4"),
    ".mov": ("mov", "clip", "video/quicktime"),
    ".mkv": ("mkv", "clip", "video/x-matroska"),
    ".webm": ("webm", "clip", "video/webm"),
    ".mp3": ("mp3", "clip", "audio/mpeg"),
    ".wav": ("wav", "clip", "audio/wav"),
    ".ogg": ("ogg", "clip", "audio/ogg"),
    ".opus": ("opus", "clip", "audio/opus"),
}
_EXHIBIT_FILE = re.compile(r"exhibit-(\d+)\.[a-z0-9]+")


class ExhibitError(TergeuError):
    """An exhibit cannot be prepared, shown or stopped."""


@dataclass(frozen=True)
class Exhibit:
    """A prepared exhibit: the evidence copy it is shown from and what the log says about it."""

    number: int
    name: str  # the file's own name, as the investigator chose it (for the log)
    media: str  # one of MEDIA
    mime: str
    evidence: EvidenceFile  # the byte-identical copy (relative path, size, SHA-256)
    path: Path  # absolute path of that copy
    has_audio: bool = False
    has_video: bool = True
    page: int | None = None  # documents: the page shown (1-based)
    page_image: EvidenceFile | None = None  # documents: the rendered page as stored
    duration: float | None = None  # clips, seconds, when the container says
    screen: ScreenArea | None = None  # screen: the area shown live (the file: its first picture)
    title: str = ""  # what participants and the protocol call it ("" : the file's name)

    def __post_init__(self) -> None:
        if len(self.title) > MAX_TITLE_CHARS or any(c in self.title for c in "\r\n\t"):
            raise ValueError(
                f"exhibit title {self.title[:40]!r}: expected one line of at most "
                f"{MAX_TITLE_CHARS} characters"
            )
        if self.number < 1:
            raise ValueError(f"exhibit number {self.number}: expected 1 or more")
        if self.media not in MEDIA:
            raise ValueError(f"exhibit media {self.media!r}: expected one of {', '.join(MEDIA)}")
        if not (self.has_audio or self.has_video):
            raise ValueError(f"exhibit {self.number} has neither audio nor video")
        if (self.media == "document") != (self.page is not None and self.page_image is not None):
            raise ValueError(f"exhibit {self.number}: a document needs its page and page image")
        if (self.media == "screen") != (self.screen is not None):
            raise ValueError(f"exhibit {self.number}: a screen exhibit needs its screen area")

    @property
    def display_title(self) -> str:
        """The title typed when it was shown, or else the file's own name."""
        return self.title.strip() or self.name

    def titled(self, title: str | None) -> Exhibit:
        """This exhibit under another display title (None or blank: the file's name)."""
        return replace(self, title=(title or "").strip())

    @property
    def picture(self) -> Path:
        """The picture shown (the image itself, or the rendered page of a document)."""
        if self.page_image is not None:
            return self.path.parent.parent / self.page_image.file
        return self.path

    def kinds(self) -> tuple[str, ...]:
        return tuple(k for k, on in (("video", self.has_video), ("audio", self.has_audio)) if on)

    def track_name(self, kind: str, showing: int = 1) -> str:
        """``exhibit-<n>-<kind>``; ``exhibit-<n>-<showing>-<kind>`` when shown again (a new track:
        one track resumed after a pause nothing in the log explains would be a gap)."""
        if showing < 1:
            raise ValueError(f"showing {showing}: expected 1 or more")
        if showing == 1:
            return f"exhibit-{self.number}-{kind}"
        return f"exhibit-{self.number}-{showing}-{kind}"

    def log_data(self, to: Sequence[str], showing: int = 1) -> dict[str, Any]:
        """The data of the ``exhibit_shown`` entry (see docs/exhibits.md)."""
        data: dict[str, Any] = {
            "number": self.number,
            "showing": showing,
            "name": self.name,
            "title": self.display_title,
            "media": self.media,
            "mime": self.mime,
            "file": self.evidence.file,
            "size": self.evidence.size,
            "sha256": self.evidence.sha256,
            "to": list(to),
            "tracks": [self.track_name(k, showing) for k in self.kinds()],
        }
        if self.page is not None and self.page_image is not None:
            data["page"] = self.page
            data["page_file"] = self.page_image.file
            data["page_sha256"] = self.page_image.sha256
        if self.screen is not None:
            area = self.screen
            data["screen"] = f"{area.display} {area.width}x{area.height}+{area.x}+{area.y}"
        if self.duration is not None:
            data["duration"] = round(self.duration, 3)
        return data


def next_number(action_dir: Path) -> int:
    """The next free exhibit number of an action (1 + the highest stored so far)."""
    folder = Path(action_dir) / "evidence"
    numbers = [
        int(m.group(1))
        for p in (folder.iterdir() if folder.is_dir() else ())
        if (m := _EXHIBIT_FILE.fullmatch(p.name))
    ]
    return max(numbers, default=0) + 1


async def prepare_screen(action_dir: Path, area: ScreenArea, *, number: int) -> Exhibit:
    """A part of the investigator's screen as exhibit ``number``: shown live while it is on; its
    first picture is stored (``evidence/exhibit-<n>.png``) and hashed into the log, and the live
    track is recorded like any exhibit. X11 only (FFmpeg's ``x11grab``)."""
    return await asyncio.to_thread(_prepare_screen, Path(action_dir), area, number)


def _prepare_screen(action_dir: Path, area: ScreenArea, number: int) -> Exhibit:
    if number < 1:
        raise ExhibitError(f"exhibit number {number}: expected 1 or more")
    try:
        png = encode_png(grab_screen(area))
    except (OSError, av.FFmpegError) as e:
        raise ExhibitError(f"cannot capture {area.describe()}: {e}") from e
    try:
        evidence = store_evidence(action_dir, f"exhibit-{number}.png", png)
    except EvidenceError as e:
        raise ExhibitError(f"exhibit {number} ({area.describe()}): {e}") from e
    return Exhibit(
        number=number,
        name=area.describe(),
        media="screen",
        mime="image/png",
        evidence=evidence,
        path=action_dir / evidence.file,
        screen=area,
    )


async def prepare_exhibit(
    action_dir: Path, source: Path, *, number: int, page: int | None = None
) -> Exhibit:
    """Check ``source`` and store it as exhibit ``number`` of the action (see the module doc).

    ``page`` (1-based) is required for a PDF and refused for anything else. Raises
    :class:`ExhibitError` naming the file and what was expected.
    """
    return await asyncio.to_thread(_prepare, Path(action_dir), Path(source), number, page)


def _prepare(action_dir: Path, source: Path, number: int, page: int | None) -> Exhibit:
    if number < 1:
        raise ExhibitError(f"exhibit number {number}: expected 1 or more")
    suffix = source.suffix.lower()
    if suffix not in SUFFIXES:
        raise ExhibitError(
            f"exhibit file {source.name!r}: type {suffix or '(none)'!r} cannot be shown; "
            f"expected one of {' '.join(SUFFIXES)}"
        )
    stored, media, mime = SUFFIXES[suffix]
    if (page is not None) != (media == "document"):
        raise ExhibitError(
            f"exhibit file {source.name!r}: "
            + ("a PDF needs the page to show" if page is None else "only a PDF has pages")
        )
    try:
        size = source.stat().st_size
        if size > MAX_EXHIBIT_BYTES:
            raise ExhibitError(
                f"exhibit file {source.name!r} has {size} bytes; "
                f"expected at most {MAX_EXHIBIT_BYTES} (cut the clip first)"
            )
        data = source.read_bytes()
    except OSError as e:
        raise ExhibitError(f"cannot read exhibit file {source}: {e}") from e
    if not data:
        raise ExhibitError(f"exhibit file {source.name!r} is empty")
    has_audio, has_video, duration, page_png = False, True, None, None
    if media == "image":
        _picture(data, source.name)
    elif media == "document":
        assert page is not None
        page_png = render_pdf_page(data, page, source.name)
    else:
        has_audio, has_video, duration = probe_clip(data, source.name)
        media = "video" if has_video else "audio"
    try:
        evidence = store_evidence(action_dir, f"exhibit-{number}.{stored}", data)
        page_image = (
            store_evidence(action_dir, f"exhibit-{number}-page-{page}.png", page_png)
            if page_png is not None
            else None
        )
    except EvidenceError as e:
        raise ExhibitError(f"exhibit {number} ({source.name}): {e}") from e
    return Exhibit(
        number=number,
        name=source.name,
        media=media,
        mime=mime,
        evidence=evidence,
        path=action_dir / evidence.file,
        has_audio=has_audio,
        has_video=has_video,
        page=page,
        page_image=page_image,
        duration=duration,
    )


def _picture(data: bytes, name: str) -> np.ndarray:
    """The picture as H×W×3 RGB, turned upright as its EXIF says (phone photos)."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            rgb = ImageOps.exif_transpose(img).convert("RGB")
            return np.asarray(rgb, dtype=np.uint8)
    except (OSError, ValueError, Image.DecompressionBombError) as e:
        raise ExhibitError(f"exhibit file {name!r} is not a readable picture: {e}") from e


def render_pdf_page(data: bytes, page: int, name: str, dpi: int = PDF_DPI) -> bytes:
    """Page ``page`` (1-based) of a PDF as PNG, rendered by poppler's ``pdftoppm``."""
    with tempfile.TemporaryDirectory(prefix="tergeu-exhibit-") as tmp:
        pdf = Path(tmp) / "exhibit.pdf"
        pdf.write_bytes(data)
        try:
            info = subprocess.run(
                ["pdfinfo", str(pdf)], capture_output=True, text=True, timeout=60, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as e:
            raise ExhibitError(f"cannot run pdfinfo (poppler-utils) for {name!r}: {e}") from e
        pages = re.search(r"^Pages:\s+(\d+)", info.stdout, re.MULTILINE)
        if info.returncode != 0 or pages is None:
            why = info.stderr.strip()
            raise ExhibitError(f"exhibit file {name!r} is not a readable PDF: {why}")
        count = int(pages.group(1))
        if not 1 <= page <= count:
            raise ExhibitError(f"page {page} of {name!r}: expected 1..{count}")
        out = Path(tmp) / "page"
        args = ["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page)]
        try:
            run = subprocess.run(
                [*args, "-singlefile", str(pdf), str(out)],
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as e:
            raise ExhibitError(f"cannot render page {page} of {name!r}: {e}") from e
        png = out.with_suffix(".png")
        if run.returncode != 0 or not png.is_file():
            raise ExhibitError(f"cannot render page {page} of {name!r}: {run.stderr.strip()}")
        return png.read_bytes()


def probe_clip(data: bytes, name: str) -> tuple[bool, bool, float | None]:
    """(has audio, has video, duration in seconds or None): decodes a first frame of each."""
    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            has_audio = bool(container.streams.audio)
            has_video = bool(container.streams.video)
            if not (has_audio or has_video):
                raise ExhibitError(f"exhibit file {name!r} has no audio or video stream")
            duration = None if container.duration is None else container.duration / av.time_base
            wanted = {kind for kind, on in (("audio", has_audio), ("video", has_video)) if on}
            for frame in container.decode(*container.streams.audio, *container.streams.video):
                wanted.discard("video" if isinstance(frame, av.VideoFrame) else "audio")
                if not wanted:
                    break
    except av.FFmpegError as e:
        raise ExhibitError(f"exhibit file {name!r} is not a playable clip: {e}") from e
    if wanted:
        missing = " and ".join(sorted(wanted))
        raise ExhibitError(f"exhibit file {name!r}: its {missing} never decodes")
    return has_audio, has_video, duration


class _EndOnStop(MediaStreamTrack):
    """Ends a pending ``recv`` when stopped (a MediaPlayer track stopped early would leave the
    relay, and so the recorder, waiting for a frame that never comes)."""

    def __init__(self, source: MediaStreamTrack) -> None:
        super().__init__()
        self.kind = source.kind
        self._source = source
        self._stopped = asyncio.Event()

    async def recv(self) -> Frame:
        if self.readyState != "live":
            raise MediaStreamError
        get = asyncio.ensure_future(self._source.recv())
        stopped = asyncio.ensure_future(self._stopped.wait())
        done, _ = await asyncio.wait({get, stopped}, return_when=asyncio.FIRST_COMPLETED)
        if get not in done:
            get.cancel()
            with contextlib.suppress(asyncio.CancelledError, MediaStreamError):
                await get
            raise MediaStreamError
        stopped.cancel()
        try:
            frame = get.result()
        except MediaStreamError:
            self.stop()  # the clip is over
            raise
        if not isinstance(frame, Frame):
            raise MediaStreamError
        return frame

    def stop(self) -> None:
        super().stop()
        self._stopped.set()
        self._source.stop()


async def open_exhibit(exhibit: Exhibit) -> dict[str, MediaStreamTrack]:
    """The exhibit's live tracks by kind, decoded from its evidence copy (a screen: captured)."""
    if exhibit.screen is not None:
        area = exhibit.screen
        try:
            capture = MediaPlayer(area.url, format="x11grab", options=area.options())
        except (av.FFmpegError, OSError) as e:
            raise ExhibitError(f"cannot capture {area.describe()}: {e}") from e
        assert capture.video is not None
        return {"video": _EndOnStop(capture.video)}
    if exhibit.media in ("image", "document"):
        rgb = await asyncio.to_thread(_fitted_picture, exhibit.picture, exhibit.name)
        return {"video": StillTrack(rgb, fps=STILL_FPS)}
    try:
        player = MediaPlayer(str(exhibit.path))
    except (av.FFmpegError, OSError) as e:
        raise ExhibitError(f"cannot play exhibit {exhibit.number} ({exhibit.name}): {e}") from e
    tracks: dict[str, MediaStreamTrack] = {}
    if exhibit.has_video and player.video is not None:
        tracks["video"] = _EndOnStop(player.video)
    if exhibit.has_audio and player.audio is not None:
        tracks["audio"] = _EndOnStop(player.audio)
    return tracks


def _fitted_picture(path: Path, name: str) -> np.ndarray:
    import cv2

    rgb = _picture(path.read_bytes(), name)
    height, width = rgb.shape[:2]
    size = fit_size(width, height, *MAX_FRAME)
    if size == (width, height):
        return np.ascontiguousarray(rgb)
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)


class ExhibitRecorder(Protocol):
    """What the desk needs of ``recorder.recording.Recorder``."""

    async def add_track(self, track: MediaStreamTrack, *, participant: str, name: str) -> Any: ...

    async def event(self, kind: str, data: dict[str, Any]) -> Any: ...


@dataclass
class _Showing:
    exhibit: Exhibit
    tracks: dict[str, MediaStreamTrack]
    to: tuple[str, ...]
    started: float
    count: int  # 1 the first time this exhibit is shown in the session, 2 the next, ...
    # participant id -> the exhibit slot of the connection it was put on
    applied: dict[str, Mapping[str, SwitchTrack]] = field(default_factory=dict)
    watcher: asyncio.Task[None] | None = None


# a participant's exhibit slot: the SwitchTrack on each of the connection's exhibit senders
ExhibitSlot = Mapping[str, SwitchTrack]


class ExhibitDesk:
    """Shows one exhibit at a time on behalf of the hub (see the module docstring).

    ``slot`` gives a participant's exhibit slot on their current connection (``audio`` and
    ``video`` SwitchTracks, waiting without a source while nothing is shown), or None while they
    are away. A new connection has a new slot: the desk puts the exhibit on it too.
    """

    POLL_SECONDS = 0.1

    def __init__(
        self,
        *,
        relay: MediaRelay,
        counts: FrameCounts,
        recorder: ExhibitRecorder | None,
        slot: Callable[[str], ExhibitSlot | None],
        on_error: Callable[[str], None],
        on_view: Callable[[str, Exhibit | None], None] | None = None,
    ) -> None:
        self._relay = relay
        self._counts = counts
        self._recorder = recorder
        self._slot = slot
        self._on_error = on_error
        # told per participant when their exhibit tile shows an exhibit (or None: nothing
        # again), so their page can show the tile and label it
        self._on_view = on_view
        self._showing: _Showing | None = None
        self._shown: dict[int, int] = {}  # exhibit number -> times shown in this session
        self._lock = asyncio.Lock()

    @property
    def showing(self) -> Exhibit | None:
        return self._showing.exhibit if self._showing is not None else None

    def switch(self, participant_id: str, kind: str) -> SwitchTrack | None:
        """The exhibit slot's track on a participant's connection (tests and diagnostics)."""
        slot = self._slot(participant_id)
        return slot.get(kind) if slot is not None else None

    async def show(self, exhibit: Exhibit, to: Sequence[str], title: str | None = None) -> Exhibit:
        """Record ``exhibit`` and send it to the participants ``to``; log ``exhibit_shown``.
        ``title`` (when given) replaces its display title; returns the exhibit as shown."""
        if title is not None:
            try:
                exhibit = exhibit.titled(title)
            except ValueError as e:
                raise ExhibitError(str(e)) from e
        async with self._lock:
            if self._showing is not None:
                shown = self._showing.exhibit.number
                raise ExhibitError(
                    f"exhibit {shown} is still shown; stop it before showing exhibit "
                    f"{exhibit.number}"
                )
            targets = tuple(dict.fromkeys(to))
            if not targets:
                raise ExhibitError(f"exhibit {exhibit.number}: expected at least one participant")
            for pid in targets:
                if self._slot(pid) is None:
                    raise ExhibitError(
                        f"participant {pid!r} is not connected; exhibit {exhibit.number} can be "
                        "shown to connected participants only"
                    )
            tracks = await open_exhibit(exhibit)
            count = self._shown.get(exhibit.number, 0) + 1
            self._shown[exhibit.number] = count  # a failed attempt's track name is not reused
            showing = _Showing(exhibit, tracks, targets, time.monotonic(), count)
            try:
                for kind, track in tracks.items():
                    name = exhibit.track_name(kind, count)
                    if self._recorder is not None:
                        await self._recorder.add_track(
                            IsolatedTrack(
                                self._relay.subscribe(track, buffered=True), self._counts, name
                            ),
                            participant=INVESTIGATOR,
                            name=name,
                        )
                for pid in targets:
                    self._apply(showing, pid)
                if self._recorder is not None:
                    await self._recorder.event("exhibit_shown", exhibit.log_data(targets, count))
            except Exception as e:
                self._clear(showing)
                for track in tracks.values():
                    track.stop()
                if isinstance(e, ExhibitError):
                    raise
                raise ExhibitError(f"cannot show exhibit {exhibit.number}: {e}") from e
            self._showing = showing
            showing.watcher = asyncio.ensure_future(self._watch(showing))
            return exhibit

    async def stop(self, number: int, reason: str) -> None:
        """End exhibit ``number`` now (the investigator's choice); log ``exhibit_ended``."""
        async with self._lock:
            showing = self._showing
            if showing is None or showing.exhibit.number != number:
                shown = "none" if showing is None else str(showing.exhibit.number)
                raise ExhibitError(f"exhibit {number} is not shown (shown now: {shown})")
            await self._end(showing, reason)

    async def close(self, reason: str) -> None:
        """End any exhibit shown (the session is ending)."""
        async with self._lock:
            if self._showing is not None:
                await self._end(self._showing, reason)

    # ---- internals ----------------------------------------------------------------------------
    def _apply(self, showing: _Showing, pid: str) -> None:
        """Put the exhibit on the exhibit slot of ``pid``'s current connection (once per slot)."""
        slot = self._slot(pid)
        if slot is None or showing.applied.get(pid) is slot:
            return
        missing = [kind for kind in showing.tracks if kind not in slot]
        if missing:
            raise ExhibitError(f"the connection of {pid!r} has no exhibit {missing[0]} sender")
        for kind, track in showing.tracks.items():
            slot[kind].set_source(
                self._relay.subscribe(track, buffered=False),
                showing.exhibit.track_name(kind, showing.count),
            )
        old = showing.applied.get(pid)
        showing.applied[pid] = slot
        if old is not None:  # a connection that is gone: release its copy of the exhibit
            for switch in old.values():
                switch.set_source(None, None)
        if self._on_view is not None:
            self._on_view(pid, showing.exhibit)

    def _clear(self, showing: _Showing) -> None:
        """Take the exhibit off the participants' exhibit slots (they wait, sending nothing)."""
        for pid, slot in showing.applied.items():
            if self._on_view is not None:
                self._on_view(pid, None)
            for kind in showing.tracks:
                slot[kind].set_source(None, None)
        showing.applied.clear()

    async def _end(self, showing: _Showing, reason: str) -> None:
        self._showing = None
        if showing.watcher is not None and showing.watcher is not asyncio.current_task():
            showing.watcher.cancel()
        self._clear(showing)
        for track in showing.tracks.values():
            track.stop()
        if self._recorder is not None:
            data = {
                "number": showing.exhibit.number,
                "showing": showing.count,
                "reason": reason,
                "seconds": round(time.monotonic() - showing.started, 3),
                "to": list(showing.to),
            }
            try:
                await self._recorder.event("exhibit_ended", data)
            except Exception as e:
                self._on_error(f"could not log the end of exhibit {showing.exhibit.number}: {e}")

    async def _watch(self, showing: _Showing) -> None:
        """Follow participants who reconnect (a new connection gets the exhibit too) and end the
        exhibit when a clip has played to its end."""
        while self._showing is showing:
            if all(t.readyState == "ended" for t in showing.tracks.values()):
                async with self._lock:
                    if self._showing is showing:
                        await self._end(showing, "played to the end")
                return
            for pid in showing.to:
                try:
                    self._apply(showing, pid)
                except ExhibitError as e:
                    self._on_error(str(e))
            await asyncio.sleep(self.POLL_SECONDS)
