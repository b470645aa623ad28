"""The investigator's live workflow through the real GUI with the real session core behind it.

Start screen → start a planned action → invite (link, QR, PIN shown once) → a real aiortc
participant joins over loopback → admit → procedure step → testimony → marker → stop and seal.
A watchdog timer measures the longest stall of the GUI thread while 4 participants are live.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QElapsedTimer, Qt, QTimer
from pytestqt.qtbot import QtBot

from app.core.cases import check_erdr_number, check_iin
from app.core.config import Config
from app.core.participant import Participant
from app.core.storage.db import Database
from app.core.storage.models import ActionState
from app.core.testimony import Testimony
from app.ui.i18n import Translations, compile_translations
from app.ui.live_window import LiveWindow
from app.ui.lobby import InviteDialog
from app.ui.main_window import MainWindow
from recorder.log import read_log
from recorder.synthetic import SyntheticAudioTrack, SyntheticVideoTrack
from recorder.verify import verify_recording
from tests.app.test_screenshots import OUT, save
from tests.live import entries_now
from tests.pki.fixtures import MAIN, PASSWORD

CONFIG = Config(
    values={
        "devices.camera": "synthetic",
        "devices.microphone": "synthetic",
        "signaling.port": 0,
        "network.ice_host_addresses": ("127.0.0.1",),  # media on loopback, as signaling
        "recording.segment_seconds": 1.0,
        "recording.checkpoint_seconds": 5.0,
        "trust.anchors_dir": str(MAIN / "ca"),
        "investigator.position": "senior investigator",
        "investigator.agency": "Investigation Department, Astana",
    }
)


@pytest.fixture
def main(qtbot: QtBot, tmp_path: Path) -> Iterator[MainWindow]:
    db = Database(tmp_path / "tergeu.db")
    translations = Translations(compile_translations(tmp_path / "i18n"))
    translations.switch("en")
    window = MainWindow(
        db, translations, check_erdr_number, check_iin, tmp_path / "actions", CONFIG
    )
    qtbot.addWidget(window)
    yield window
    if window.live is not None:
        for live in window.live.windows:
            if not live.finished:
                live.finish()
                qtbot.waitUntil(lambda w=live: w.finished, timeout=20000)
        window.live.shutdown()
        for top in [*window.live.windows, *window.live.finish_windows]:
            top.close()  # top-level windows: closed here, not by PySide's exit handler
            top.deleteLater()
    db.close()


def _plan(main: MainWindow, people: list[tuple[str, str]]) -> str:
    case = main.db.add_case("123456789012345", "Theft")
    main.db.add_action(
        ground="safety",
        action_id="act-2026-0001",
        case_id=case.id,
        type="remote_interrogation_witness",
        language="en",
        investigator_place="Astana, investigation department",
        remote_place="Almaty, police office 5",
        planned_start=None,
        planned_end=None,
        participants=[(role, name, None, "") for role, name in people],
    )
    main.refresh()
    main.table.selectRow(0)
    main.actions_table.selectRow(0)
    return "act-2026-0001"


def _start(main: MainWindow, qtbot: QtBot) -> LiveWindow:
    assert main.start_button.isEnabled()
    qtbot.mouseClick(main.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: main.live is not None and bool(main.live.windows), timeout=20000)
    assert main.live is not None
    return main.live.windows[0]


def test_start_invite_admit_steps_testimony_marker_seal(main: MainWindow, qtbot: QtBot) -> None:
    action_id = _plan(main, [("witness", "Aigerim Nurlanovna Seitkali")])
    live = _start(main, qtbot)
    assert main.db.action(action_id).state == ActionState.LIVE.value
    assert "http://127.0.0.1:" in live.signaling.text()
    qtbot.waitUntil(lambda: "REC" in live.rec.text(), timeout=5000)

    live.people.setCurrentRow(0)
    dialog = live.invite_selected()
    assert dialog is not None
    assert dialog.link.text() == dialog.issued.link
    assert dialog.pin.text().replace(" ", "").isdigit() and len(dialog.issued.pin) == 6
    assert not dialog.qr.pixmap().isNull() and dialog.qr.pixmap().width() > 100
    pid = dialog.issued.invite.participant_id
    assert live.person_state(pid) == "invited"
    clock = live.session.clock
    guest = Participant(
        dialog.issued.link,
        dialog.issued.pin,
        audio=SyntheticAudioTrack(clock),
        video=SyntheticVideoTrack(clock, shade=80),
    )
    dialog.close()
    run = live.bridge.runtime.submit(guest.run())

    qtbot.waitUntil(lambda: live.person_state(pid) == "waiting", timeout=15000)
    qtbot.mouseClick(live.admit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: live.person_state(pid) == "connected", timeout=15000)
    qtbot.waitUntil(lambda: live.tile_labels.get(pid) is not None, timeout=10000)
    qtbot.waitUntil(lambda: not live.tile_labels[pid].pixmap().isNull(), timeout=10000)
    # network quality: frames per second received from the witness, once a second
    qtbot.waitUntil(lambda: "fps" in live.people.item(0).text(), timeout=10000)
    assert live.quality[pid] > 0

    # screenshots of the live window and the invitation in each language (artefacts for people)
    expected = {"kk": "Қатысушылар", "ru": "Участники", "en": "Participants"}
    for lang in ("kk", "ru", "en"):
        main.set_language(lang)
        qtbot.wait(150)  # a refresh of the tiles and the REC line
        assert live.people_heading.text() == expected[lang]
        row = live.people.item(0).text()
        assert {"kk": ": қосылды", "ru": ": подключён", "en": ": connected"}[lang] in row, row
        assert live.stop_button.text() and live.invite_button.text()
        save(live, f"live-{lang}")
        invitation = InviteDialog(dialog.issued, "Aigerim Nurlanovna Seitkali", live)
        qtbot.addWidget(invitation)
        invitation.show()
        save(invitation, f"invite-{lang}")
        invitation.close()

    # identity: the document data cannot be entered before the stills (the python participant
    # takes no stills; the browser path is tests/e2e/test_identity_browser.py)
    live.people.setCurrentRow(0)
    identity = live.open_identity()
    assert identity is not None
    identity.iin.setText("900720401235")
    qtbot.mouseClick(identity.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(identity.errors), timeout=10000)
    assert "stills" in identity.outcome.text() and not identity.attest_button.isEnabled()
    save(identity, "identity-en")
    identity.close()

    # an exhibit shown to the connected witness from the live window
    from PIL import Image

    picture = main.actions_root.parent / "map.png"
    Image.new("RGB", (640, 480), (200, 30, 30)).save(picture)
    assert live.connected_people() == [pid]
    # the investigator picks the file and types the title the participants will see
    from unittest import mock

    with (
        mock.patch(
            "app.ui.live_window.QFileDialog.getOpenFileName", return_value=(str(picture), "")
        ),
        mock.patch(
            "app.ui.live_window.QInputDialog.getText", return_value=("Map of the district", True)
        ) as typed,
    ):
        live.choose_exhibit()
    assert typed.call_args.kwargs["text"] == "map.png"  # prefilled with the file's name
    qtbot.waitUntil(
        lambda: any(
            "Map of the district" in live.transcript.item(i).text()
            for i in range(live.transcript.count())
        ),
        timeout=15000,
    )
    qtbot.wait(500)
    qtbot.mouseClick(live.stop_exhibit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: any(e.kind == "exhibit_ended" for e in entries_now(live.session.action_dir)),
        timeout=15000,
    )
    shown = next(e for e in entries_now(live.session.action_dir) if e.kind == "exhibit_shown")
    assert (shown.data["title"], shown.data["name"]) == ("Map of the district", "map.png")

    qtbot.mouseClick(live.step_start, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "(started)" in live.step_title.text(), timeout=5000)
    qtbot.mouseClick(live.step_done, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "(pending)" in live.step_title.text(), timeout=5000)

    live.narrative.setPlainText("On 12 November I saw two men near the shop.")
    qtbot.mouseClick(live.add_narrative, Qt.MouseButton.LeftButton)
    live.question.setText("Where were you at 21:00?")
    qtbot.keyClick(live.question, Qt.Key.Key_Return)
    live.answer.setText("At home.")
    qtbot.keyClick(live.answer, Qt.Key.Key_Return)
    live.activateWindow()
    live.mark("exhibit shown")
    live.mark_masking("the witness's face, on the prosecutor's order (protected witness)")
    qtbot.waitUntil(lambda: live.session.sealed >= 4, timeout=15000)

    qtbot.mouseClick(live.stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: live.finished, timeout=20000)
    assert run.result(timeout=15)
    assert main.db.action(action_id).state == ActionState.SEALED.value
    assert main.db.action(action_id).actual_end is not None
    assert not live.errors, live.errors

    entries = read_log(live.session.action_dir)
    kinds = [e.kind for e in entries]
    assert "participant_admitted" in kinds and "marker" in kinds
    notes = [e.data["note"] for e in entries if e.kind == "marker"]
    assert any(n.startswith("masking: the witness's face") for n in notes), notes
    assert [e.data["event"] for e in entries if e.kind == "procedural_step"] == ["started", "done"]
    tracks = {e.data["track"] for e in entries if e.kind == "segment_sealed"}
    assert {f"{pid}-video", f"{pid}-audio"} <= tracks
    testimony = live.session.testimony_of(pid)
    assert [(i.text, i.answer) for i in testimony.items] == [
        ("On 12 November I saw two men near the shop.", ""),
        ("Where were you at 21:00?", "At home."),
    ]
    saved = Testimony.load(testimony.path, live.session.clock.now)
    assert [i.to_json() for i in saved.items] == [i.to_json() for i in testimony.items]
    report = verify_recording(live.session.action_dir)
    assert report.ok, report.summary()

    # finish: the protocol is made from the log and what was entered, signed, verified, queued
    assert main.live is not None and main.live.finish_windows
    finish = main.live.finish_windows[0]
    finish.corrections.setPlainText("The time of the break was 11:02, not 11:03.")
    finish.identity.setText(str(MAIN / "identities" / "investigator.p12"))
    finish.password.setText(PASSWORD)
    qtbot.mouseClick(finish.open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: finish.sign_button.isEnabled() or bool(finish.errors), timeout=60000)
    assert not finish.errors, finish.errors
    text = finish.documents.pdf if finish.documents else b""
    assert finish.pdf.pageCount() >= 1 and text.startswith(b"%PDF")
    document = json.loads(finish.documents.json) if finish.documents else {}
    names = {p["full_name"] for p in document["participants"]}
    assert "Aigerim Nurlanovna Seitkali" in names
    assert "map.png" in json.dumps(document, ensure_ascii=False)
    assert {"participant": "investigator", "kind": "correction"}.items() <= next(
        s for s in document["statements"] if s["kind"] == "correction"
    ).items()
    qtbot.wait(1500)  # QPdfView renders pages on its own thread
    save(finish, "finish-en")
    out = OUT / "protocol-from-session.pdf"
    out.write_bytes(text)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(out), str(OUT / "protocol-from-session")],
        check=True,
        timeout=60,
    )
    qtbot.mouseClick(finish.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: finish.exported is not None or bool(finish.errors), timeout=60000)
    assert not finish.errors, finish.errors
    assert main.db.action(action_id).state == ActionState.EXPORTED.value
    assert finish.exported is not None and finish.exported.submission_folder is not None
    cli = subprocess.run(
        [sys.executable, "-m", "app.cli", "verify", str(finish.exported.container)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert cli.returncode == 0, cli.stdout + cli.stderr
    # the invite book (salted PIN hashes) is kept for a restart, but never in the evidence
    book = main.actions_root.parent / "invites" / f"{action_id}.json"
    assert book.is_file() and book.stat().st_mode & 0o077 == 0
    with zipfile.ZipFile(finish.exported.container) as zf:
        assert not [n for n in zf.namelist() if "invite" in n]


def test_gui_thread_never_stalls_with_four_live_participants(
    main: MainWindow, qtbot: QtBot
) -> None:
    """The worst gap between 10 ms watchdog ticks while 4 participants stream and record."""
    people = [("witness", "Witness One"), ("expert", "Expert Two"), ("specialist", "Spec Three")]
    people.append(("defender", "Defender Four"))
    _plan(main, people)
    live = _start(main, qtbot)
    pids = []
    runs = []
    for row in range(4):
        live.people.setCurrentRow(row)
        dialog = live.invite_selected()
        assert dialog is not None
        pid = dialog.issued.invite.participant_id
        clock = live.session.clock
        guest = Participant(
            dialog.issued.link,
            dialog.issued.pin,
            audio=SyntheticAudioTrack(clock),
            video=SyntheticVideoTrack(clock, shade=40 + 40 * row),
        )
        dialog.close()
        runs.append(live.bridge.runtime.submit(guest.run()))
        pids.append(pid)
    for pid in pids:
        qtbot.waitUntil(lambda p=pid: live.person_state(p) == "waiting", timeout=20000)
        live.bridge.run(live.session.admit(pid))
    for pid in pids:
        qtbot.waitUntil(lambda p=pid: live.person_state(p) == "connected", timeout=20000)

    ticks = QElapsedTimer()
    ticks.start()
    last = [ticks.elapsed()]
    worst = [0]

    def tick() -> None:
        now = ticks.elapsed()
        worst[0] = max(worst[0], now - last[0])
        last[0] = now

    watchdog = QTimer()
    watchdog.setInterval(10)
    watchdog.timeout.connect(tick)
    watchdog.start()
    start = time.monotonic()
    qtbot.wait(6000)
    watchdog.stop()
    frames = {pid: live.session.taps[pid].frames for pid in pids}
    print(f"worst GUI stall over {time.monotonic() - start:.1f} s: {worst[0]} ms; tiles {frames}")
    assert all(n > 0 for n in frames.values()), frames
    # a blocking call on the GUI thread (network, disk, decoding) shows as seconds; the 100 ms
    # target itself is reported by the benchmark and in the issue notes
    assert worst[0] < 1000, f"GUI thread stalled {worst[0]} ms"
    live.finish()
    qtbot.waitUntil(lambda: live.finished, timeout=30000)
    for run in runs:
        run.result(timeout=15)
    report = verify_recording(live.session.action_dir)
    assert report.ok, report.summary()
