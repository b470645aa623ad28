"""Remote co-signing over the real signaling server on loopback: request, open, sign or refuse."""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
import sys
import zipfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.core.cosign_client import CosignClient
from app.core.cosign_link import CosignError, parse_cosign_link
from app.core.cosign_requests import CosignDesk
from app.core.signaling.server import SignalingServer
from protocol.verify import async_verify_container
from tests.app.cosign_fixtures import loopback_server, record, signed_container
from tests.pki.fixtures import MAIN, PASSWORD, anchors_dir, signer


@pytest.fixture(scope="module")
def container_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    import asyncio

    tmp = tmp_path_factory.mktemp("cosign")
    action = record(tmp / "rec")
    anchors = anchors_dir(tmp)
    out = asyncio.run(signed_container(action, tmp / f"{action.name}.asice", anchors))
    return out, anchors


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def server() -> AsyncIterator[SignalingServer]:
    s = await loopback_server()
    yield s
    await s.stop()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def desk(
    container_template: tuple[Path, Path], tmp_path: Path, server: SignalingServer, clock: Clock
) -> CosignDesk:
    template, anchors = container_template
    container = tmp_path / template.name
    shutil.copy(template, container)
    d = CosignDesk(container, action_title="Допрос", trust_anchors_dir=anchors, now=clock)
    server.cosign_desks[d.action_id] = d
    return d


def _signatures(container: Path) -> list[str]:
    with zipfile.ZipFile(container) as zf:
        return sorted(n for n in zf.namelist() if n.endswith(".p7s"))


async def test_valid_cosignature_is_added_and_verifies(
    desk: CosignDesk, server: SignalingServer, tmp_path: Path
) -> None:
    assert [c.participant_id for c in desk.candidates()] == [
        "witness",
        "remote-official",
        "specialist",
    ]
    issued = desk.issue("remote-official", base_url=server.base_url)
    link = parse_cosign_link(issued.link)
    assert link.manifest_sha256 == desk.manifest_sha256 and issued.pin not in issued.link
    assert desk.requests()[0].state(datetime.now(UTC)) == "sent"
    client = CosignClient(issued.link, trust_anchors_dir=desk.trust_anchors_dir)
    package = await client.open(issued.pin)
    assert desk.requests()[0].state(datetime.now(UTC)) == "opened"
    assert package.number == 2 and package.pdf.startswith(b"%PDF")
    assert "ТЕРГЕУШІЕВ" in package.investigator and package.demo  # the test PKI is DEMO
    answer = await client.sign(package, signer("expert"))
    assert answer["signature"] == "META-INF/signature002.p7s" and answer["verified"], answer
    assert desk.requests()[0].state(datetime.now(UTC)) == "signed"
    report = await async_verify_container(desk.container, trust_anchors_dir=desk.trust_anchors_dir)
    assert report.ok, report.summary()
    assert [s["iin"] for s in report.facts["signers"]] == [
        signer("investigator").identity.iin,
        signer("expert").identity.iin,
    ]
    # the same verdict from `tergeu verify`, and openssl accepts the new .p7s over its manifest
    cli = subprocess.run(
        [sys.executable, "-m", "app.cli", "verify", "--json", str(desk.container)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert cli.returncode == 0, cli.stdout + cli.stderr
    assert len(json.loads(cli.stdout)["facts"]["signers"]) == 2
    with zipfile.ZipFile(desk.container) as zf:
        (tmp_path / "m.xml").write_bytes(zf.read("META-INF/ASiCManifest002.xml"))
        (tmp_path / "s.p7s").write_bytes(zf.read("META-INF/signature002.p7s"))
    ossl = subprocess.run(
        [
            *("openssl", "cms", "-verify", "-binary", "-inform", "DER", "-purpose", "any"),
            *("-in", str(tmp_path / "s.p7s"), "-content", str(tmp_path / "m.xml")),
            *("-CAfile", str(MAIN / "ca" / "root.pem"), "-out", "/dev/null"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ossl.returncode == 0 and "Verification successful" in ossl.stderr, ossl.stderr
    # the record keeps hashes and states, never the PIN; owner-only
    text = desk.record.read_text()
    assert issued.pin not in text and link.token not in text and '"signed_at"' in text
    assert stat.S_IMODE(desk.record.stat().st_mode) == 0o600
    assert stat.S_IMODE(desk.container.stat().st_mode) == 0o600
    # a desk opened again from the record sees the same states
    again = CosignDesk(desk.container, trust_anchors_dir=desk.trust_anchors_dir)
    assert [r.state(datetime.now(UTC)) for r in again.requests()] == ["signed"]


async def test_unknown_reused_and_expired_tokens(
    desk: CosignDesk, server: SignalingServer, clock: Clock
) -> None:
    issued = desk.issue("specialist", base_url=server.base_url)
    forged = issued.link.replace("#", "#x", 1)
    with pytest.raises(CosignError) as e:
        await CosignClient(forged).open(issued.pin)
    assert e.value.code == "unknown" and e.value.status == 403
    await CosignClient(issued.link).open(issued.pin)
    with pytest.raises(CosignError) as e:
        await CosignClient(issued.link).open(issued.pin)
    assert e.value.code == "used"
    late = desk.issue("remote-official", base_url=server.base_url)
    clock.now += timedelta(days=3)
    with pytest.raises(CosignError) as e:
        await CosignClient(late.link).open(late.pin)
    assert e.value.code == "expired" and e.value.status == 410
    assert late.request.state(clock.now) == "expired"
    revoked = desk.issue("remote-official", base_url=server.base_url)
    desk.revoke(revoked.request.request_id)
    with pytest.raises(CosignError) as e:
        await CosignClient(revoked.link).open(revoked.pin)
    assert e.value.code == "revoked"


async def test_wrong_pins_lock_the_request(desk: CosignDesk, server: SignalingServer) -> None:
    issued = desk.issue("specialist", base_url=server.base_url)
    wrong = f"{(int(issued.pin) + 1) % 10**6:06d}"
    left = []
    for _ in range(4):
        with pytest.raises(CosignError) as e:
            await CosignClient(issued.link).open(wrong)
        assert e.value.code == "pin_wrong"
        left.append(e.value.attempts_left)
    assert left == [4, 3, 2, 1]
    with pytest.raises(CosignError) as e:
        await CosignClient(issued.link).open(wrong)
    assert e.value.code == "pin_locked"
    with pytest.raises(CosignError) as e:  # the right PIN no longer helps
        await CosignClient(issued.link).open(issued.pin)
    assert e.value.code == "pin_locked"
    assert desk.requests()[0].state(datetime.now(UTC)) == "locked"


async def test_signature_over_another_manifest_is_refused(
    desk: CosignDesk, server: SignalingServer
) -> None:
    issued = desk.issue("remote-official", base_url=server.base_url)
    client = CosignClient(issued.link)
    package = await client.open(issued.pin)
    before = desk.container.read_bytes()
    other = package.manifest_for(3)  # a manifest for another signature number
    p7s = await signer("expert").sign_detached(other)
    with pytest.raises(CosignError) as e:
        await client.upload(package, 2, p7s)
    assert e.value.code == "wrong_manifest" and e.value.status == 422, e.value.message
    assert desk.container.read_bytes() == before
    assert "changed" in desk.requests()[0].last_error
    assert desk.requests()[0].state(datetime.now(UTC)) == "opened"  # may still sign properly


async def test_cosigner_who_is_not_the_invited_participant_is_refused(
    desk: CosignDesk, server: SignalingServer
) -> None:
    issued = desk.issue("remote-official", base_url=server.base_url)
    client = CosignClient(issued.link)
    package = await client.open(issued.pin)
    before = desk.container.read_bytes()
    for holder in ("defender", "interpreter"):  # not a participant; a participant, but not invited
        with pytest.raises(CosignError) as e:
            await client.sign(package, signer(holder))
        assert e.value.code == "not_invited", e.value.message
        assert signer(holder).identity.iin in e.value.message
    assert desk.container.read_bytes() == before and _signatures(desk.container) == [
        "META-INF/signature001.p7s"
    ]


async def test_refusal_with_reason_is_recorded(desk: CosignDesk, server: SignalingServer) -> None:
    issued = desk.issue("specialist", base_url=server.base_url)
    client = CosignClient(issued.link)
    package = await client.open(issued.pin)
    with pytest.raises(CosignError) as e:
        await client.refuse(package, "   ")
    assert e.value.code == "no_reason"
    await client.refuse(package, "Мои показания записаны неполно")
    request = desk.requests()[0]
    assert request.state(datetime.now(UTC)) == "refused"
    assert request.reason == "Мои показания записаны неполно"
    record = json.loads(desk.record.read_text())
    assert record["requests"][0]["reason"] == "Мои показания записаны неполно"
    with pytest.raises(CosignError) as e:  # nothing can be signed after a refusal
        await client.sign(package, signer("interpreter"))
    assert e.value.code == "used"


async def test_two_cosigners_at_once_get_consecutive_numbers(
    desk: CosignDesk, server: SignalingServer
) -> None:
    first = desk.issue("remote-official", base_url=server.base_url)
    second = desk.issue("specialist", base_url=server.base_url)
    a, b = CosignClient(first.link), CosignClient(second.link)
    pa, pb = await a.open(first.pin), await b.open(second.pin)
    assert pa.number == pb.number == 2
    await a.sign(pa, signer("expert"))
    answer = await b.sign(pb, signer("interpreter"))  # signs again for 003 when told
    assert answer["signature"] == "META-INF/signature003.p7s"
    report = await async_verify_container(desk.container, trust_anchors_dir=desk.trust_anchors_dir)
    assert report.ok and len(report.facts["signers"]) == 3, report.summary()
    assert [c.participant_id for c in desk.candidates()] == ["witness"]


async def test_tampered_link_digest_is_caught_by_the_cosigner(
    desk: CosignDesk, server: SignalingServer
) -> None:
    issued = desk.issue("specialist", base_url=server.base_url)
    digest = desk.manifest_sha256
    bad = issued.link.replace(digest, digest[::-1])
    with pytest.raises(CosignError) as e:
        await CosignClient(bad).open(issued.pin)
    assert e.value.code == "digest_mismatch"


async def _tergeu(*args: str, env: dict[str, str], stdin: bytes = b"") -> tuple[int, str, str]:
    import asyncio
    import os

    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "app.cli",
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, **env},
    )
    out, err = await asyncio.wait_for(proc.communicate(stdin), timeout=120)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_cli_cosign_reads_signs_and_refuses(
    desk: CosignDesk, server: SignalingServer, tmp_path: Path
) -> None:
    issued = desk.issue("remote-official", base_url=server.base_url)
    pdf = tmp_path / "protocol.pdf"
    env = {"TERGEU_PIN": issued.pin, "TERGEU_KEY_PASSWORD": PASSWORD}
    identity = str(MAIN / "identities" / "expert.p12")
    code, out, err = await _tergeu(
        "cosign",
        issued.link,
        "--identity",
        identity,
        "--save-pdf",
        str(pdf),
        env=env,
        stdin=b"y\n",
    )
    assert code == 0, out + err
    assert "signed: META-INF/signature002.p7s" in out and issued.pin not in out + err
    assert pdf.read_bytes().startswith(b"%PDF") and stat.S_IMODE(pdf.stat().st_mode) == 0o600
    assert _signatures(desk.container)[-1] == "META-INF/signature002.p7s"
    # the link is spent: a second run is refused with the server's reason
    code, out, err = await _tergeu("cosign", issued.link, "--identity", identity, env=env)
    assert code == 1 and "already signed" in err, out + err
    refusal = desk.issue("specialist", base_url=server.base_url)
    code, out, err = await _tergeu(
        "cosign", refusal.link, "--refuse", "Не участвовал", env={"TERGEU_PIN": refusal.pin}
    )
    assert code == 0 and "refusal sent" in out, out + err
    assert desk.requests()[-1].reason == "Не участвовал"
    code, out, err = await _tergeu(
        "cosign", "http://127.0.0.1:1/nothing", "--refuse", "x", env={"TERGEU_PIN": "123456"}
    )
    assert code == 2 and "not a Tergeu co-sign link" in err


async def test_wrong_pins_at_once_still_lock_after_five(
    desk: CosignDesk, server: SignalingServer
) -> None:
    import asyncio

    issued = desk.issue("specialist", base_url=server.base_url)
    wrong = f"{(int(issued.pin) + 1) % 10**6:06d}"

    async def attempt() -> str:
        try:
            await CosignClient(issued.link).open(wrong)
        except CosignError as e:
            return e.code
        return "opened"

    codes = await asyncio.gather(*(attempt() for _ in range(8)))
    assert codes.count("pin_wrong") == 4 and codes.count("pin_locked") == 4, codes
    assert desk.requests()[0].failed_pins == 5


async def test_departmental_serve_hosts_cosign_requests(
    container_template: tuple[Path, Path], tmp_path: Path
) -> None:
    """`tergeu serve --cosign` on loopback; the expert co-signs with `tergeu cosign`."""
    import asyncio
    import re

    template, anchors = container_template
    container = tmp_path / template.name
    shutil.copy(template, container)
    serve = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "app.cli",
        "--data-dir",
        str(tmp_path / "data"),
        "serve",
        "--port",
        "0",
        *("--cosign", str(container), "--cosign-request", "remote-official"),
        *("--trust-anchors", str(anchors)),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert serve.stdout is not None and serve.stderr is not None
        line = ""
        while not line.startswith("co-sign remote-official:"):
            line = (await asyncio.wait_for(serve.stdout.readline(), 60)).decode()
            assert line, (await serve.stderr.read()).decode()
        found = re.fullmatch(r"co-sign remote-official: (\S+)  PIN (\d{6})\n", line)
        assert found, line
        link, pin = found.groups()
        env = {"TERGEU_PIN": pin, "TERGEU_KEY_PASSWORD": PASSWORD}
        code, out, err = await _tergeu(
            "cosign",
            link,
            *("--identity", str(MAIN / "identities" / "expert.p12"), "--yes"),
            *("--trust-anchors", str(anchors)),
            env=env,
        )
        assert code == 0 and "signature002.p7s" in out, out + err
        progress = (await asyncio.wait_for(serve.stderr.readline(), 30)).decode()
        while "signed" not in progress:
            progress = (await asyncio.wait_for(serve.stderr.readline(), 30)).decode()
            assert progress
        assert "co-sign remote-official: " in progress and pin not in progress
    finally:
        serve.terminate()
        await asyncio.wait_for(serve.wait(), 30)
    report = await async_verify_container(container, trust_anchors_dir=anchors)
    assert report.ok and len(report.facts["signers"]) == 2, report.summary()
