"""``tergeu demo``: the headless showcase and main end-to-end check of a live session.

Starts the real signaling server and hub on loopback (media too: ICE on 127.0.0.1 only), makes
a demo PKI, invites synthetic guests (witnesses) and experts who join as separate ``tergeu join
--synthetic`` processes (with ``--browser`` the first guest is a headless Chromium going through
the real guest page with fake devices), admits them from the lobby and runs the real procedure
of the action type (:class:`~app.core.procedure.ProcedureRun`: every step started and done in
order; each acknowledgment is the participant's own act — the text shown on their side, their
typed name and the hash of the text sent back — and the read-back of a draft). With ``--browser``
the guest's document and face stills are taken at the camera's full resolution and stored as
evidence. Everything is recorded; the recording is verified, the protocol (PDF + JSON) generated,
signed with the demo investigator identity into an ``.asice`` container and the container
verified. The container path is the last line of output; the exit code is 0 only if the container
verifies.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.core.config import save_config
from app.core.hub import Hub, HubEvent, ParticipantEvent
from app.core.ice_hosts import pin_host_addresses
from app.core.invites import InviteBook, IssuedInvite
from app.core.paths import DataPaths, private_dir
from app.core.signaling.errors import SessionError
from app.core.signaling.messages import LANGUAGES
from app.core.signaling.server import SignalingServer
from recorder.clock import SessionClock
from recorder.errors import RecorderError
from recorder.recording import Recorder
from recorder.synthetic import SyntheticAudioTrack, SyntheticVideoTrack

ICE_HOSTS = "network.ice_host_addresses"
LOOPBACK = ["127.0.0.1"]  # the demo's media stays on loopback, as its signaling does

DRAFT = {
    "kk": "Куәгер көрсетті: 2026 жылғы 1 желтоқсанда сағат 21:40 шамасында үйдің кіреберісінде "
    "ақ түсті көлікті көрдім.",
    "ru": "Свидетель показал: 1 декабря 2026 года около 21:40 я видел у подъезда дома белый "
    "автомобиль.",
    "en": "The witness stated: on 1 December 2026 at about 21:40 I saw a white car at the "
    "entrance of the building.",
}


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("demo", help="run a complete headless live session end to end")
    p.add_argument("--seconds", type=float, default=20.0, help="length of the session (5-600)")
    p.add_argument("--guests", type=int, default=1, help="witnesses joining (0-4)")
    p.add_argument("--experts", type=int, default=1, help="experts joining (0-4)")
    p.add_argument("--lang", choices=LANGUAGES, default="ru", help="language (kk, ru, en)")
    p.add_argument("--browser", action="store_true", help="first guest: headless Chromium page")
    p.add_argument("--out", help="folder for the demo (default: <data>/demo/<stamp>)")
    p.set_defaults(func=run)


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


@dataclass
class _Run:
    out: Path
    action_id: str
    lang: str
    events: list[HubEvent] = field(default_factory=list)
    people: list[tuple[str, str]] = field(default_factory=list)


async def _wait_states(hub: Hub, ids: list[str], state: str, timeout: float) -> None:
    end = time.monotonic() + timeout
    while not all(hub.participant_state(pid) in (state, "reconnected") for pid in ids):
        if time.monotonic() > end:
            states = {pid: hub.participant_state(pid) for pid in ids}
            raise SessionError("demo", f"participants not {state} after {timeout:.0f} s: {states}")
        await asyncio.sleep(0.1)


def _spawn_join(
    issued: IssuedInvite, seconds: float, lang: str, shade: int, config: Path
) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TERGEU_PIN": issued.pin}  # never on the command line
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app.cli",
            "--config",
            str(config),
            "join",
            issued.link,
            "--synthetic",
            "--seconds",
            f"{seconds:.1f}",
            "--lang",
            lang,
            "--shade",
            str(shade),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


async def _browser_guest(issued: IssuedInvite, lang: str, stop: asyncio.Event) -> dict[str, Any]:
    import json

    from app.core.signaling.guest_browser import Chromium, join_as_guest

    async with Chromium() as browser:
        page = await browser.new_page(issued.link.replace("/join#", f"/join?lang={lang}#"))
        await join_as_guest(page, issued.pin, timeout=30)
        await page.wait_for("tergeuGuest.state === 'connected'", timeout=30)
        # the guest reads each text shown and confirms it by typing their own name
        confirm = (
            "(() => { if (tergeuGuest.screen !== 'act' || !tergeuGuest.act) return false;"
            " document.getElementById('act-name').value = NAME;"
            " document.getElementById('act-submit').click(); return true; })()"
        ).replace("NAME", json.dumps(issued.invite.display_name))
        while not stop.is_set():
            await page.evaluate(confirm)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.3)
        stats: dict[str, Any] = await page.evaluate("tergeuGuest.stats()")
        stats["recording_badge"] = await page.evaluate("!document.getElementById('rec').hidden")
        await page.evaluate("document.getElementById('hangup').click()")
        await asyncio.sleep(0.3)
        await page.close()
        return stats


async def _session(run: _Run, args: argparse.Namespace) -> Path:
    """Record the live session; returns the action folder."""
    # media on loopback too: the hub here, the `tergeu join` processes through their config
    loopback = run.out / "loopback.toml"
    pin_host_addresses(save_config({ICE_HOSTS: LOOPBACK}, loopback)[ICE_HOSTS])
    clock = SessionClock.start()
    action_dir = run.out / "action"
    rec = await Recorder.start(
        action_dir,
        action_id=run.action_id,
        planned_seconds=args.seconds + 60,
        signing_key=Ed25519PrivateKey.generate(),
        clock=clock,
        video_tracks=1 + args.guests + args.experts,
        audio_tracks=1 + args.guests + args.experts,
        data={"title": "Demo remote interrogation", "language": run.lang},
    )
    book = InviteBook()
    server = SignalingServer(book, port=0)
    await server.start()
    hub = Hub(
        action_id=run.action_id,
        action_title="Демо: дистанционный допрос",
        invites=book,
        recorder=rec,
        audio=SyntheticAudioTrack(clock),
        video=SyntheticVideoTrack(clock),
    )
    server.add_session(hub)

    admitting: set[asyncio.Future[None]] = set()

    def on_event(event: HubEvent) -> None:
        run.events.append(event)
        if isinstance(event, ParticipantEvent):
            _say(f"  {event.participant_id} ({event.role}): {event.state} {event.detail}".rstrip())
            if event.state == "waiting":  # the demo investigator admits from the lobby
                admitting.add(asyncio.ensure_future(hub.admit(event.participant_id)))

    hub.add_listener(on_event)
    await hub.start()
    people = [(f"w{i}", "witness") for i in range(1, args.guests + 1)]
    people += [(f"e{i}", "expert") for i in range(1, args.experts + 1)]
    run.people = people
    procs: list[subprocess.Popen[bytes]] = []
    stop = asyncio.Event()
    browser_task: asyncio.Task[dict[str, Any]] | None = None
    try:
        for n, (pid, role) in enumerate(people):
            issued = book.issue(
                action_id=run.action_id,
                participant_id=pid,
                role=role,
                display_name=_display_name(pid, role),
                base_url=server.base_url,
            )
            if args.browser and n == 0 and role == "witness":
                browser_task = asyncio.ensure_future(_browser_guest(issued, run.lang, stop))
            else:
                procs.append(
                    _spawn_join(issued, args.seconds + 60, run.lang, 40 + 50 * n, loopback)
                )
        _say(f"waiting for {len(people)} participant(s) to join …")
        await _wait_states(hub, [pid for pid, _ in people], "connected", 60)
        guests = [pid for pid, role in people if role == "witness"]
        browser_pid = people[0][0] if browser_task is not None else None
        await _procedure(run, args, rec, hub, guests or [pid for pid, _ in people], browser_pid)
        stop.set()
        if browser_task is not None:
            stats = await asyncio.wait_for(browser_task, 30)
            _say(f"browser guest: {stats}")
            if stats["videoFramesDecoded"] <= 0 or not stats["recording_badge"]:
                raise SessionError("demo", f"browser guest did not get media: {stats}")
    finally:
        stop.set()
        await hub.close()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        if browser_task is not None and not browser_task.done():
            browser_task.cancel()
            with contextlib.suppress(BaseException):
                await browser_task
        await rec.stop()
        await server.stop()
    _say(f"hub frames received: {hub.counts.received}")
    return action_dir


async def _procedure(
    run: _Run,
    args: argparse.Namespace,
    rec: Recorder,
    hub: Hub,
    answering: list[str],
    browser_pid: str | None,
) -> None:
    """Run every step of the action's procedure in order, with the participants' own acts."""
    from app.core.guest_acts import GuestActs
    from app.core.guest_identity import GuestIdentity
    from app.core.hub import StillStored
    from app.core.procedure import Procedure, ProcedureRun

    def append(kind: str, data: Any) -> None:
        rec.log.append(kind, dict(data))

    action_type = "remote_interrogation_witness" if args.guests else "expert_participation"
    procedure = ProcedureRun(Procedure.load(action_type), append, run.lang)
    acts = GuestActs(hub, procedure, append)
    stills: dict[str, StillStored] = {}
    hub.add_listener(
        lambda e: stills.update({e.request_id: e}) if isinstance(e, StillStored) else None
    )
    gap = args.seconds / len(procedure.procedure.steps)
    for n, step in enumerate(procedure.procedure.steps, start=1):
        _say(f"step {n}/{len(procedure.procedure.steps)}: {step.title[run.lang]}")
        await asyncio.to_thread(procedure.start, step.id, by="investigator")
        if step.id == "identity" and browser_pid is not None:
            invite = hub.invites.invite_of(run.action_id, browser_pid)
            assert invite is not None
            identity = GuestIdentity(browser_pid, None, append)
            await asyncio.to_thread(identity.possession, invite_id=invite.invite_id)
            taken = []
            for kind, caption in (
                ("document", "Identity document, photo page"),
                ("face", "Face of the participant"),
            ):
                request = await hub.request_still(browser_pid, kind, caption)
                await _until(lambda r=request: r in stills, f"the guest's {kind} still", 30)
                taken.append(stills[request])
            doc, face = taken
            await asyncio.to_thread(
                identity.document_stills,
                by="investigator",
                document=doc.evidence,
                face=face.evidence,
            )
            sizes = f"document {doc.width}x{doc.height}, face {face.width}x{face.height}"
            _say(f"  stills stored: {sizes}")
        if step.id == "read_back":
            requests = [await acts.request_read_back(pid, DRAFT[run.lang]) for pid in answering]
        elif step.acknowledge:
            requests = [await acts.request_acknowledgment(pid, step.id) for pid in answering]
        else:
            requests = []
        for request in requests:
            try:
                await acts.wait(request, 30)
            except TimeoutError as e:
                raise SessionError("demo", f"no acknowledgment of {step.id!r} in 30 s") from e
        await asyncio.sleep(gap)
        await asyncio.to_thread(procedure.complete, step.id, by="investigator")


async def _until(cond: Any, what: str, timeout: float) -> None:
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise SessionError("demo", f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def _protocol_and_container(run: _Run, action_dir: Path) -> Path:
    from protocol.container import build_container
    from protocol.demo_pki import create_demo
    from protocol.signing import Pkcs12Signer
    from protocol.verify import async_verify_container

    password = secrets.token_urlsafe(24)  # for this run's demo keys only; never shown
    pki = await asyncio.to_thread(create_demo, run.out / "pki", password)
    signer = Pkcs12Signer(pki.identities["investigator"], password)
    pdf, doc = await protocol_documents(action_dir, run.action_id, run.lang, signer, run.people)
    container = run.out / f"{run.action_id}.asice"
    await build_container(
        container,
        action_dir=action_dir,
        protocol_pdf=pdf,
        protocol_json=doc,
        signer=signer,
        container_id=run.action_id,
    )
    report = await async_verify_container(container, trust_anchors_dir=pki.root.parent)
    _say(report.summary())
    if not report.ok:
        failed = sorted({c.name for c in report.problems})
        raise SessionError("demo", f"container {container} does not verify: {failed}")
    return container


def recording_summary(action_dir: Path) -> Any:
    """The protocol's recording summary, read from the real action log."""
    import hashlib

    from protocol.technical import Checkpoint, Interval, Marker, RecordingSummary, TrackSummary
    from recorder.clock import parse_utc
    from recorder.log import read_log

    log_path = action_dir / "log.jsonl"
    entries = list(read_log(log_path))
    media: dict[str, str] = {}
    durations: dict[str, float] = {}
    counts: dict[str, int] = {}
    intervals: list[Interval] = []
    markers: list[Marker] = []
    left: dict[str, Any] = {}
    checkpoint = None
    for e in entries:
        d, at = e.data, parse_utc(e.utc, what="log utc")
        if e.kind == "track_started":
            media[d["track"]] = d["media"]
        elif e.kind == "segment_sealed":
            durations[d["track"]] = durations.get(d["track"], 0.0) + d["end"] - d["start"]
            counts[d["track"]] = counts.get(d["track"], 0) + 1
        elif e.kind == "participant_left":
            left[d["participant"]] = at
        elif e.kind == "participant_reconnected" and d.get("participant") in left:
            who = d["participant"]
            intervals.append(Interval("disconnection", left.pop(who), at, who))
        elif e.kind == "marker":
            markers.append(Marker(at, e.t, d.get("note", "")))
        elif e.kind == "checkpoint":
            checkpoint = e
    if checkpoint is None:
        raise SessionError("demo", f"{log_path} has no checkpoint")
    cp = checkpoint.data
    tracks = tuple(
        TrackSummary(t, media.get(t, "video"), round(durations[t], 3), counts[t]) for t in counts
    )
    return RecordingSummary(
        tracks=tracks,
        segments=dict(counts),
        intervals=tuple(intervals),
        markers=tuple(markers),
        merkle_root=cp["root"],
        tree_size=cp["tree_size"],
        log_entries=len(entries),
        log_sha256=hashlib.sha256(log_path.read_bytes()).hexdigest(),
        last_checkpoint=Checkpoint(
            checkpoint.seq,
            parse_utc(checkpoint.utc, what="checkpoint utc"),
            cp["tree_size"],
            cp["root"],
        ),
    )


async def protocol_documents(
    action_dir: Path, action_id: str, lang: str, signer: Any, people: list[tuple[str, str]]
) -> tuple[bytes, bytes]:
    """The protocol PDF and JSON made from this run's action log (``protocol.from_log``): the
    procedure's steps, acknowledgments, identity checks, read-back and recording summary; the
    demo investigator (the signer) and the invited participants named as entered."""
    from app.core.record_input import to_latin
    from protocol.case import Case, Place
    from protocol.from_log import Entered, protocol_from_action, signed_by
    from protocol.metadata import protocol_to_json
    from protocol.participants import Participant
    from protocol.render import render_pdf

    name = signer.identity.display_name
    participants = [
        Participant(
            id="investigator",
            role="investigator",
            full_name=name,
            full_name_latin=to_latin(name),
            iin=signer.identity.iin,
            location="investigator",
            position="investigator (demo)",
            agency="Tergeu demo department",
            language=lang,
        )
    ]
    participants += [
        Participant(
            id=pid,
            role=role,
            full_name=_display_name(pid, role),
            full_name_latin=_display_name(pid, role),
            iin=None,
            location="remote",
            language=lang,
        )
        for pid, role in people
    ]
    entered = Entered(
        document_id=action_id,
        case=Case("261234567890123"),
        action_type="remote_interrogation_witness"
        if any(role == "witness" for _, role in people)
        else "expert_participation",
        ground="difficulty_or_cost",
        ground_details="demo on loopback",
        investigator_place=Place(agency="Tergeu demo department", address="127.0.0.1"),
        remote_place=Place(agency="demo participant", address="127.0.0.1"),
        participants=tuple(participants),
        languages=(lang,),
        language=lang,
        devices=("synthetic camera and microphone",),
    )
    proto = await asyncio.to_thread(protocol_from_action, action_dir, entered)
    proto = signed_by(proto, "investigator", signer, datetime.now(UTC))
    pdf = await asyncio.to_thread(
        render_pdf, proto, lang, created=datetime.now(UTC), action_dir=action_dir
    )
    return pdf, protocol_to_json(proto)


def _display_name(pid: str, role: str) -> str:
    return f"{role.title()} {pid}"


async def _demo(args: argparse.Namespace) -> Path:
    from recorder.verify import verify_recording

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = Path(args.out) if args.out else DataPaths.resolve(args.data_dir).root / "demo" / stamp
    private_dir(out)
    run = _Run(out=out, action_id=f"demo-{stamp}-{secrets.token_hex(2)}", lang=args.lang)
    _say(f"demo {run.action_id} in {out}")
    action_dir = await _session(run, args)
    report = await asyncio.to_thread(verify_recording, action_dir)
    _say(report.summary())
    if not report.ok:
        failed = sorted({c.name for c in report.problems})
        raise SessionError("demo", f"recording does not verify: {failed}")
    return await _protocol_and_container(run, action_dir)


def run(args: argparse.Namespace) -> int:
    if not 5 <= args.seconds <= 600:
        print(f"tergeu demo: --seconds {args.seconds}: expected 5 to 600", file=sys.stderr)
        return 2
    if not (0 <= args.guests <= 4 and 0 <= args.experts <= 4 and args.guests + args.experts):
        print(
            "tergeu demo: --guests and --experts: 0 to 4 each, at least one participant",
            file=sys.stderr,
        )
        return 2
    if args.browser and args.guests < 1:
        print("tergeu demo: --browser needs at least one guest", file=sys.stderr)
        return 2
    try:
        container = asyncio.run(_demo(args))
    except (SessionError, RecorderError) as e:
        print(f"tergeu demo: {getattr(e, 'message', e)}", file=sys.stderr)
        return 1
    print(container)
    return 0
