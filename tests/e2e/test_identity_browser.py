"""A witness's identity established end to end: a headless Chromium (then Firefox) guest goes
through the real page (rules, devices, PIN), is admitted, its device sends full-resolution stills
of the document and the face, the investigator's entries are checked (a wrong IIN first) and
attested — every step an ``identity_check`` entry of the action log, and in the protocol made
from that log."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from app.core.signaling.guest_browser import (
    Chromium,
    Firefox,
    join_as_guest,
)
from protocol.identifiers import kz_check_digit
from recorder.verify import verify_recording
from tests.live import entries_now, make_live_session

NAME = "Айгерім Нұрланқызы Сейтқали"


def _iin(first11: str) -> str:
    digit = kz_check_digit(first11)
    assert digit is not None
    return f"{first11}{digit}"


async def _identity_steps(action: Path, count: int, timeout: float = 20) -> list[dict]:
    end = time.monotonic() + timeout
    while True:
        steps = [dict(e.data) for e in entries_now(action) if e.kind == "identity_check"]
        if len(steps) >= count:
            return steps
        assert time.monotonic() < end, steps
        await asyncio.sleep(0.1)


async def test_guest_identity_link_pin_stills_data_attestation(
    browser: Chromium | Firefox, tmp_path: Path
) -> None:
    iin = _iin("90072040123")  # born 1990-07-20, a woman (4)
    live = make_live_session(tmp_path, "act-2026-0004")
    await live.start()
    try:
        issued = live.invite("g1", "witness", NAME, iin=iin)
        page = await browser.new_page(issued.link)
        await join_as_guest(page, issued.pin)
        assert live.hub is not None
        await live.admit("g1")
        await page.wait_for("tergeuGuest.state === 'connected'", timeout=20)

        await live.capture_identity_stills("g1")
        steps = await _identity_steps(live.action_dir, 2)
        assert [s["method"] for s in steps] == ["link-and-pin", "document-stills"]
        for kind in ("document", "face"):
            still = steps[1][kind]
            assert (live.action_dir / still["file"]).stat().st_size == still["size"]

        wrong = await live.enter_document(
            "g1", iin=iin[:-1] + str((int(iin[-1]) + 1) % 10), document_number="043123456", mrz=None
        )
        assert not wrong.ok and any("check digit" in p or "IIN" in p for p in wrong.problems)
        right = await live.enter_document("g1", iin=iin, document_number="043123456", mrz=None)
        assert right.ok, right.problems
        await live.attest_identity("g1", note="the face matches the document photo")
        steps = await _identity_steps(live.action_dir, 5)
        assert [(s["method"], s["result"]) for s in steps] == [
            ("link-and-pin", "passed"),
            ("document-stills", "captured"),
            ("document-data", "failed"),
            ("document-data", "passed"),
            ("investigator-attestation", "verified"),
        ]
        assert live.identities["g1"].verified
        await page.close()
    finally:
        await live.stop()
    report = verify_recording(live.action_dir)
    assert report.ok, report.summary()
