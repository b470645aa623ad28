"""CosignDesk.record_refusal: a refusal over the loopback server becomes a signed addendum."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.core.cosign_client import CosignClient
from app.core.cosign_link import CosignError
from app.core.cosign_requests import CosignDesk
from app.core.signaling.server import SignalingServer
from protocol.verify import async_verify_container
from tests.app.cosign_fixtures import loopback_server, record, signed_container
from tests.pki.fixtures import anchors_dir, signer

REASON = "Мои пояснения записаны неполно"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("refusal")
    action = record(tmp / "rec")
    anchors = anchors_dir(tmp)
    return asyncio.run(signed_container(action, tmp / f"{action.name}.asice", anchors)), anchors


@pytest.fixture
async def server() -> AsyncIterator[SignalingServer]:
    s = await loopback_server()
    yield s
    await s.stop()


async def test_refusal_recorded_then_a_later_cosignature_takes_the_next_number(
    template: tuple[Path, Path], tmp_path: Path, server: SignalingServer
) -> None:
    container = tmp_path / template[0].name
    shutil.copy(template[0], container)
    desk = CosignDesk(container, trust_anchors_dir=template[1])
    server.cosign_desks[desk.action_id] = desk
    refusing = desk.issue("specialist", base_url=server.base_url)
    signing = desk.issue("remote-official", base_url=server.base_url)

    with pytest.raises(CosignError) as e:  # nothing refused yet
        await desk.record_refusal(refusing.request.request_id, signer("investigator"))
    assert e.value.code == "not_refused"
    client = CosignClient(refusing.link)
    await client.refuse(await client.open(refusing.pin), REASON)
    assert [r.participant_id for r in desk.unrecorded_refusals()] == ["specialist"]

    before = container.read_bytes()
    with pytest.raises(CosignError) as e:  # only the official who signed records it
        await desk.record_refusal(refusing.request.request_id, signer("expert"))
    assert e.value.code == "container" and "official" in e.value.message
    assert container.read_bytes() == before

    request, report = await desk.record_refusal(refusing.request.request_id, signer("investigator"))
    assert report.ok, report.summary()
    assert request.refusal_recorded == "addenda/refusal-001.json" and not request.last_error
    assert desk.unrecorded_refusals() == []
    with pytest.raises(CosignError) as e:
        await desk.record_refusal(refusing.request.request_id, signer("investigator"))
    assert e.value.code == "recorded"
    # the record keeps it across a restart of the desk
    again = CosignDesk(container, trust_anchors_dir=template[1])
    assert again.unrecorded_refusals() == [] and again.requests()[0].refusal_recorded

    # a co-signature after the addendum: number 003 (002 is the addendum's)
    other = CosignClient(signing.link)
    package = await other.open(signing.pin)
    answer = await other.sign(package, signer("expert"))
    assert answer["signature"] == "META-INF/signature003.p7s"
    report = await async_verify_container(container, trust_anchors_dir=template[1])
    assert report.ok, report.summary()
    assert [s["signature"] for s in report.facts["signers"]] == [
        "META-INF/signature001.p7s",
        "META-INF/signature003.p7s",
    ]
    [addendum] = report.facts["addenda"]
    assert addendum["reason"] == REASON and addendum["signature"] == "META-INF/signature002.p7s"
