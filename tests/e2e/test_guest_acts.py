"""The guest's own acts through the real page in headless Chromium: acknowledgments with a typed
name and the hash of the exact text shown, read-back with remarks, stills at the camera's full
resolution (a damaged upload refused and retried), the investigator's pointer."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.core.guest_acts import GuestActs, text_sha256
from app.core.guest_identity import GuestIdentity
from app.core.hub import HubEvent, StillStored
from app.core.procedure import Procedure, ProcedureRun
from app.core.signaling.guest_browser import Chromium, Page, join_as_guest
from tests.e2e.session_env import Env, shot_dir, wait_state

pytestmark = pytest.mark.e2e
NAME = "Айгерим Сәтбаева"


async def connected_guest(env: Env, chromium: Chromium, lang: str = "ru") -> Page:
    issued = env.issue()
    page = await chromium.new_page(issued.link.replace("/join#", f"/join?lang={lang}#"))
    await page.set_viewport(390, 844, mobile=True)
    await join_as_guest(page, issued.pin)
    await env.hub.admit("g1")
    await wait_state(env.hub, "g1", "connected")
    await page.wait_for("tergeuGuest.stats().then(s => s.videoFramesDecoded > 5)", timeout=20)
    return page


async def type_and_submit(page: Page, name: str) -> None:
    script = "(() => { document.getElementById('act-name').value = NAME;"
    script += " document.getElementById('act-submit').click(); })()"
    await page.evaluate(script.replace("NAME", json.dumps(name)))


async def test_guest_acknowledges_warnings_and_reads_back(
    env: Env, chromium: Chromium, tmp_path: Path
) -> None:
    run = ProcedureRun(Procedure.load("remote_interrogation_witness"), env.log.append, "ru")
    acts = GuestActs(env.hub, run, env.log.append)
    page = await connected_guest(env, chromium)
    shots = shot_dir(tmp_path)

    run.start("warnings_witness", by="investigator")
    request = await acts.request_acknowledgment("g1", "warnings_witness")
    await page.wait_for("tergeuGuest.screen === 'act'")
    step = run.procedure.step("warnings_witness")
    shown = await page.evaluate("document.getElementById('act-title').textContent")
    assert shown == step.title["ru"]
    await page.screenshot(shots / "phone-acknowledge-ru.png")
    # a name that is not the invited person's is refused on the page; the guest types again
    await type_and_submit(page, "Иван Иванов")
    await page.wait_for("document.getElementById('act-error').textContent.includes('не совпадает')")
    assert await page.evaluate("tergeuGuest.screen") == "act"
    await type_and_submit(page, "  айгерим   СӘТБАЕВА ")
    reply = await acts.wait(request, 10)
    assert reply.participant_id == "g1"
    await page.wait_for("tergeuGuest.screen === 'session'")
    ack = [d for _, k, d in env.log.entries if k == "acknowledgment"]
    assert len(ack) == 1
    assert ack[0]["text_sha256"] == step.text_sha256("ru")
    assert ack[0]["typed_name"] == "айгерим   СӘТБАЕВА"  # as typed, ends trimmed
    assert ack[0]["participant"] == "g1" and ack[0]["method"] == "typed_name"
    run.complete("warnings_witness", by="investigator")

    # read-back: the draft on the page, remarks verbatim, acknowledged with the typed name
    run.start("testimony", by="investigator", deviation_reason="test: identity done elsewhere")
    run.complete("testimony", by="investigator")
    run.start("read_back", by="investigator")
    draft = "Свидетель показал:\n\nВ 21:40 я видела у подъезда белый автомобиль.\n\nВопрос: …"
    request = await acts.request_read_back("g1", draft)
    await page.wait_for("tergeuGuest.screen === 'act' && tergeuGuest.act.purpose === 'read_back'")
    text = await page.evaluate("document.getElementById('act-draft').innerText")
    assert "белый автомобиль" in text
    await page.evaluate(
        "document.getElementById('act-remarks').value = 'Не белый, а серебристый автомобиль.'"
    )
    await page.screenshot(shots / "phone-read-back-ru.png")
    await type_and_submit(page, NAME)
    await acts.wait(request, 10)
    back = [d for _, k, d in env.log.entries if k == "read_back"]
    assert back[0]["decision"] == "acknowledged"
    assert back[0]["remarks"] == "Не белый, а серебристый автомобиль."
    assert back[0]["draft_sha256"] == text_sha256(draft)
    ack = [d for _, k, d in env.log.entries if k == "acknowledgment"]
    assert ack[-1]["step"] == "read_back"
    assert ack[-1]["text_sha256"] == run.procedure.step("read_back").text_sha256("ru")

    # a refusal needs a reason and is logged with it
    request = await acts.request_read_back("g1", draft + "\n\nДополнение.")
    await page.wait_for("tergeuGuest.screen === 'act'")
    await page.evaluate("document.getElementById('act-refuse').click()")
    await page.wait_for("document.getElementById('act-error').textContent.length > 0")
    assert not [d for _, k, d in env.log.entries if k == "read_back"][1:]
    await page.evaluate(
        "document.getElementById('act-reason').value = 'Дополнение записано неверно';"
        "document.getElementById('act-refuse').click()"
    )
    await acts.wait(request, 10)
    refused = [d for _, k, d in env.log.entries if k == "read_back"][-1]
    assert refused["decision"] == "refused" and refused["reason"] == "Дополнение записано неверно"
    await page.wait_for("tergeuGuest.screen === 'session'")
    await page.close()


async def test_still_at_full_resolution_damaged_upload_retried_and_pointer(
    env: Env, chromium: Chromium, tmp_path: Path
) -> None:
    events: list[HubEvent] = []
    env.hub.add_listener(events.append)
    page = await connected_guest(env, chromium, "en")
    caps = await page.evaluate(
        "(() => { const c = document.getElementById('self').srcObject.getVideoTracks()[0]"
        ".getCapabilities(); return [c.width.max, c.height.max]; })()"
    )
    assert caps[0] > 640  # the fake camera can deliver more than the live video uses
    await page.evaluate("tergeuGuest.corruptNextUploads(1)")
    request = await env.hub.request_still("g1", "document", "Identity card, photo page")
    end = time.monotonic() + 20
    while not [e for e in events if isinstance(e, StillStored)]:
        assert time.monotonic() < end, await page.evaluate("tergeuGuest.stills")
        await asyncio.sleep(0.05)
    stored = next(e for e in events if isinstance(e, StillStored))
    assert stored.request_id == request and (stored.width, stored.height) == tuple(caps)
    path = env.recorder.action_dir / stored.evidence.file
    data = path.read_bytes()
    assert hashlib.sha256(data).hexdigest() == stored.evidence.sha256
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None and image.shape[1::-1] == tuple(caps)
    # the page's first upload was damaged in transit, refused by the server, then sent again
    record = (await page.evaluate("tergeuGuest.stills"))[0]
    assert record["refused"] == ["hash_mismatch"] and record["stored"] and record["attempts"] == 2
    assert record["sha256"] == stored.evidence.sha256
    kinds = [k for _, k, d in env.log.entries if d.get("request_id") == request]
    assert kinds == [
        "still_requested",
        "camera_interrupted",
        "camera_resumed",
        "still_refused",
        "still",
    ]
    await page.wait_for("document.getElementById('still-status').textContent.includes('intact')")
    # the live video went back to its size and keeps flowing to the hub and the recorder
    await page.wait_for(
        "document.getElementById('self').srcObject.getVideoTracks()[0].getSettings().width === 640"
    )
    before = env.hub.counts.received.get("g1-video", 0)
    await asyncio.sleep(1.0)
    assert env.hub.counts.received.get("g1-video", 0) > before + 5

    await env.hub.point("g1", 0.3, 0.6, seconds=3, label="closer")
    await page.wait_for("!document.getElementById('pointer').hidden")
    assert await page.evaluate("document.getElementById('stage').classList.contains('pointing')")
    await asyncio.sleep(0.3)
    await page.screenshot(shot_dir(tmp_path) / "phone-pointer-en.png")
    pointer = [d for _, k, d in env.log.entries if k == "pointer"]
    assert pointer == [
        {
            "participant": "g1",
            "role": "witness",
            "x": 0.3,
            "y": 0.6,
            "seconds": 3,
            "label": "closer",
        }
    ]
    await page.wait_for("document.getElementById('pointer').hidden", timeout=6)
    await page.close()


async def test_keyboard_only_guest_joins_and_acknowledges(
    env: Env, chromium: Chromium, tmp_path: Path
) -> None:
    """Tab, Space, Enter and typing only: rules, devices, PIN, lobby, an acknowledgment."""
    run = ProcedureRun(Procedure.load("remote_interrogation_witness"), env.log.append, "kk")
    acts = GuestActs(env.hub, run, env.log.append)
    issued = env.issue()
    page = await chromium.new_page(issued.link.replace("/join#", "/join?lang=kk#"))
    await page.wait_for("tergeuGuest.screen === 'rules' && tergeuGuest.state === 'invited'")
    assert await page.focused() == "ack"  # the rules screen starts at its checkbox
    await page.press("Space")
    await page.press("Tab")
    assert await page.focused() == "rules-next"
    await page.press("Enter")
    await page.wait_for("tergeuGuest.screen === 'devices'")
    await page.wait_for("document.activeElement.id === 'dev-next'")  # focused once the camera works
    await page.press("Enter")
    await page.wait_for("tergeuGuest.screen === 'pin'")
    assert await page.focused() == "pin"
    await page.type_text(issued.pin)
    await page.press("Enter")
    await page.wait_for("tergeuGuest.state === 'waiting'")
    await env.hub.admit("g1")
    await wait_state(env.hub, "g1", "connected")
    run.start("confidentiality", by="investigator")
    request = await acts.request_acknowledgment("g1", "confidentiality")
    await page.wait_for("tergeuGuest.screen === 'act'")
    await page.press("Tab")
    assert await page.focused() == "act-name"
    await page.type_text(NAME)
    await page.press("Enter")
    await acts.wait(request, 10)
    ack = next(d for _, k, d in env.log.entries if k == "acknowledgment")
    assert ack["step"] == "confidentiality" and ack["typed_name"] == NAME
    assert ack["text_sha256"] == run.procedure.step("confidentiality").text_sha256("kk")
    await page.close()


async def test_camera_switch_logged_and_recording_continues(env: Env, tmp_path: Path) -> None:
    # fake_device_1 of Chromium gives 16-bit depth pictures that its encoder cannot send: the page
    # notices that nothing is encoded and moves on to fake_device_2
    async with Chromium(cameras=3) as browser:
        issued = env.issue()
        page = await browser.new_page(issued.link.replace("/join#", "/join?lang=en#"))
        await join_as_guest(page, issued.pin)
        await env.hub.admit("g1")
        await wait_state(env.hub, "g1", "connected")
        await page.wait_for("!document.getElementById('switch-cam').hidden")
        end = time.monotonic() + 10
        while env.hub.counts.received.get("g1-video", 0) < 10:
            assert time.monotonic() < end, f"no video from the guest: {env.hub.counts.received}"
            await asyncio.sleep(0.05)
        device = "document.getElementById('self').srcObject.getVideoTracks()[0].label"
        assert await page.evaluate(device) == "fake_device_0"
        await page.evaluate("document.getElementById('switch-cam').click()")
        await page.wait_for(f"{device} === 'fake_device_2'", timeout=15)
        end = time.monotonic() + 10
        while not [d for _, k, d in env.log.entries if k == "camera_switched"]:
            assert time.monotonic() < end, "camera_switched not logged"
            await asyncio.sleep(0.05)
        switched = next(d for _, k, d in env.log.entries if k == "camera_switched")
        assert switched["participant"] == "g1" and switched["label"] == "fake_device_2"
        assert len([k for _, k, _ in env.log.entries if k == "camera_switched"]) == 1
        # the same connection and track name: the hub keeps receiving and recording g1-video
        sealed = len(env.recorder.segments("g1-video"))
        before = env.hub.counts.received.get("g1-video", 0)
        await asyncio.sleep(2.5)
        assert env.hub.counts.received.get("g1-video", 0) > before + 10
        assert len(env.recorder.segments("g1-video")) > sealed
        assert env.hub.participant_state("g1") == "connected"
        assert await page.evaluate("tergeuGuest.stats().then(s => s.connection)") == "connected"
        await page.close()


async def test_remote_official_confirms_identity_from_their_side(
    env: Env, chromium: Chromium, tmp_path: Path
) -> None:
    """The official at the remote police office has their own link and role and answers on their
    own page: confirmed with their typed name, or not confirmed with a reason; both are logged."""
    run = ProcedureRun(Procedure.load("remote_interrogation_witness"), env.log.append, "ru")
    acts = GuestActs(env.hub, run, env.log.append)
    identity = GuestIdentity("g1", None, env.log.append, official_present=True)
    issued = env.book.issue(
        action_id="A1",
        participant_id="o1",
        role="remote_official",
        display_name="Ерлан Жумабеков",
        base_url=env.server.base_url,
    )
    page = await chromium.new_page(issued.link.replace("/join#", "/join?lang=ru#"))
    await join_as_guest(page, issued.pin)
    await env.hub.admit("o1")
    await wait_state(env.hub, "o1", "connected")

    request = await acts.request_identity_confirmation("o1", identity, NAME)
    await page.wait_for("tergeuGuest.screen === 'act'")
    assert NAME in await page.evaluate("document.getElementById('act-text').textContent")
    assert await page.evaluate("document.getElementById('act-refuse').textContent") == (
        "Не подтверждаю"
    )
    await page.set_viewport(390, 844, mobile=True)
    await page.screenshot(shot_dir(tmp_path) / "phone-official-confirm-ru.png")
    await type_and_submit(page, "ерлан  жумабеков")
    await acts.wait(request, 10)
    check = next(d for _, k, d in env.log.entries if k == "identity_check")
    assert check["method"] == "remote-official" and check["by"] == "o1"
    assert check["result"] == "confirmed" and check["participant"] == "g1"

    # not confirming needs the official's name and a reason
    request = await acts.request_identity_confirmation("o1", identity, NAME)
    await page.wait_for("tergeuGuest.screen === 'act'")
    await page.evaluate(
        "document.getElementById('act-name').value = 'Ерлан Жумабеков';"
        "document.getElementById('act-refuse').click()"
    )
    await page.wait_for("document.getElementById('act-error').textContent.length > 0")
    await page.evaluate(
        "document.getElementById('act-reason').value = 'Документ не совпадает с лицом';"
        "document.getElementById('act-refuse').click()"
    )
    await acts.wait(request, 10)
    last = [d for _, k, d in env.log.entries if k == "identity_check"][-1]
    assert last["result"] == "not-confirmed" and last["note"] == "Документ не совпадает с лицом"
    await page.close()
