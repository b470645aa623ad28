from __future__ import annotations

import asyncio
import hashlib
import io
import stat
import subprocess
import zipfile
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from asn1crypto import cms, tsp

from protocol.asic import CHUNK, MIMETYPE, ZipOut, parse_asic_manifest
from protocol.container import add_signature, build_container
from protocol.errors import ProtocolError
from protocol.verify_signature import validate_signature
from tests.pki.fixtures import MAIN, fake_action_dir, rewrite_zip, signer, timestamper


def _build(tmp: Path, **kw) -> Path:  # type: ignore[no-untyped-def]
    action = kw.pop("action_dir", None) or fake_action_dir(tmp)
    out = tmp / "c.asice"
    asyncio.run(
        build_container(
            out,
            action_dir=action,
            protocol_pdf=b"%PDF-1.7 demo",
            protocol_json=b'{"participants": []}',
            signer=signer("investigator"),
            container_id="T-1",
            **kw,
        )
    )
    return out


def test_layout_mimetype_first_stored_media_stored_and_private(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    out = _build(tmp_path, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1][0] == seen[-1][1] > 300_000  # every media byte went through the writer
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    with zipfile.ZipFile(out) as zf:
        first = zf.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert zf.read("mimetype") == MIMETYPE.encode()
        seg = zf.getinfo("recording/media/cam/cam-000000.ts")
        assert seg.compress_type == zipfile.ZIP_STORED
        manifest = parse_asic_manifest(zf.read("META-INF/ASiCManifest001.xml"))
        uris = set(manifest.by_uri())
        assert manifest.sig_uri == "META-INF/signature001.p7s"
        assert {
            "protocol.pdf",
            "protocol.json",
            "recording/log.jsonl",
            "recording/media/mic/mic.m3u8",
            "recording/evidence/id-front.jpg",
        } <= uris
    assert subprocess.run(["unzip", "-tq", str(out)], capture_output=True).returncode == 0
    assert not list(tmp_path.glob(".*.tmp"))


def test_openssl_verifies_each_signature_over_its_extracted_asic_manifest(tmp_path: Path) -> None:
    out = _build(tmp_path, timestamper=timestamper())
    asyncio.run(add_signature(out, signer("expert")))
    for n in ("001", "002"):
        with zipfile.ZipFile(out) as zf:
            (tmp_path / "m.xml").write_bytes(zf.read(f"META-INF/ASiCManifest{n}.xml"))
            (tmp_path / "s.p7s").write_bytes(zf.read(f"META-INF/signature{n}.p7s"))
        r = subprocess.run(
            [
                "openssl",
                "cms",
                "-verify",
                "-binary",
                "-inform",
                "DER",
                "-content",
                str(tmp_path / "m.xml"),
                "-in",
                str(tmp_path / "s.p7s"),
                "-CAfile",
                str(MAIN / "ca" / "chain.pem"),
                "-purpose",
                "any",
                "-out",
                "/dev/null",
            ],
            capture_output=True,
            text=True,
        )
        assert r.returncode == 0, (n, r.stderr)


def test_cosignature_keeps_first_valid_and_refuses_changed_container(tmp_path: Path) -> None:
    out = _build(tmp_path, timestamper=timestamper())
    with zipfile.ZipFile(out) as zf:
        first_sig = zf.read("META-INF/signature001.p7s")
        first_manifest = zf.read("META-INF/ASiCManifest001.xml")
    info = asyncio.run(add_signature(out, signer("expert")))
    assert info.signatures == 2
    with zipfile.ZipFile(out) as zf:
        assert zf.read("META-INF/signature001.p7s") == first_sig
        assert zf.read("META-INF/ASiCManifest001.xml") == first_manifest
        m2 = zf.read("META-INF/ASiCManifest002.xml")
        assert parse_asic_manifest(m2).sig_uri == "META-INF/signature002.p7s"
        for name, data in (("1", first_manifest), ("2", m2)):
            res = asyncio.run(
                validate_signature(name, data, zf.read(f"META-INF/signature00{name}.p7s"), None)
            )
            assert res.checks[0].name == "signature" and res.checks[0].status.value == "ok"
    bad = rewrite_zip(out, tmp_path / "bad.asice", change={"protocol.pdf": lambda b: b + b"x"})
    before = bad.read_bytes()
    with pytest.raises(ProtocolError, match=r"protocol\.pdf does not match"):
        asyncio.run(add_signature(bad, signer("defender")))
    assert bad.read_bytes() == before  # a failed co-signature never damages the container


def test_failed_build_leaves_existing_file_untouched(tmp_path: Path) -> None:
    out = _build(tmp_path)
    before = out.read_bytes()

    class Broken(type(signer("investigator"))):  # type: ignore[misc]
        async def sign_detached(self, data: bytes) -> bytes:
            raise ProtocolError("token removed")

    broken = Broken(MAIN / "identities" / "investigator.p12", "tergeu-test")
    with pytest.raises(ProtocolError, match="token removed"):
        asyncio.run(
            build_container(
                out,
                action_dir=tmp_path / "action",
                protocol_pdf=b"x",
                protocol_json=b"{}",
                signer=broken,
                container_id="T-2",
                overwrite=True,
            )
        )
    assert out.read_bytes() == before
    with pytest.raises(ProtocolError, match="already exists"):
        _build(tmp_path)
    assert not list(tmp_path.glob(".*tmp"))


def test_media_outside_lists_media_by_digest_only(tmp_path: Path) -> None:
    out = _build(tmp_path, media_outside=True)
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        uris = set(parse_asic_manifest(zf.read("META-INF/ASiCManifest001.xml")).by_uri())
    assert "recording/media/cam/cam-000000.ts" in uris
    assert "recording/media/cam/cam-000000.ts" not in names
    assert "recording/log.jsonl" in names


async def test_timestamp_through_http_tsa_on_loopback(tmp_path: Path) -> None:
    dummy = timestamper()
    requests = []

    async def tsa(request: web.Request) -> web.Response:
        req = tsp.TimeStampReq.load(await request.read())
        requests.append(req)
        resp = dummy.request_tsa_response(req)
        return web.Response(body=resp.dump(), content_type="application/timestamp-reply")

    app = web.Application()
    app.router.add_post("/tsa", tsa)
    async with TestServer(app, host="127.0.0.1") as server:
        action = fake_action_dir(tmp_path)
        out = tmp_path / "c.asice"
        await build_container(
            out,
            action_dir=action,
            protocol_pdf=b"%PDF",
            protocol_json=b"{}",
            signer=signer("investigator"),
            container_id="T-3",
            tsa_url=str(server.make_url("/tsa")),
        )
    assert len(requests) == 1
    with zipfile.ZipFile(out) as zf:
        p7s = zf.read("META-INF/signature001.p7s")
        manifest = zf.read("META-INF/ASiCManifest001.xml")
    attrs = cms.ContentInfo.load(p7s)["content"]["signer_infos"][0]["unsigned_attrs"]
    assert attrs[0]["type"].native == "signature_time_stamp_token"
    res = await validate_signature("s", manifest, p7s, None)
    ts = [c for c in res.checks if c.name == "timestamp"]
    assert ts[0].status.value == "ok", ts


def test_ffprobe_reads_every_segment_extracted_from_a_real_recording(tmp_path: Path) -> None:
    from tests.pki.recording import recorded_action

    action, pdf, proto = recorded_action(tmp_path)
    out = tmp_path / "real.asice"
    asyncio.run(
        build_container(
            out,
            action_dir=action,
            protocol_pdf=pdf,
            protocol_json=proto,
            signer=signer("investigator"),
            container_id="R-1",
        )
    )
    with zipfile.ZipFile(out) as zf:
        segments = [n for n in zf.namelist() if n.endswith(".ts")]
        assert len(segments) >= 4
        zf.extractall(tmp_path / "x", members=segments)
    for name in segments:
        r = subprocess.run(
            [
                "ffprobe",
                "-v",
                "error",
                "-show_entries",
                "stream=codec_type",
                "-of",
                "csv=p=0",
                str(tmp_path / "x" / name),
            ],
            capture_output=True,
            text=True,
            timeout=30,
        )
        kinds = {line for line in r.stdout.split() if line}
        assert r.returncode == 0 and kinds in ({"video"}, {"audio"}), (name, r.stdout, r.stderr)


@pytest.mark.parametrize(
    "scenario, data, size, message",
    [
        ("file_shrank", b"x" * 10, 20, "20 bytes expected, 10 read"),
        ("file_grew", b"x" * (CHUNK + 5), CHUNK, "grew beyond"),
    ],
)
def test_member_whose_size_changes_while_written_is_refused(
    scenario: str, data: bytes, size: int, message: str, tmp_path: Path
) -> None:
    z = ZipOut(tmp_path / f"{scenario}.asice")
    with pytest.raises(ProtocolError, match=message):
        z.add_stream("recording/media/a/a-000000.ts", io.BytesIO(data), size)
    z.abort()
    assert list(tmp_path.iterdir()) == []


def test_stream_digest_equals_sha256_for_chunk_multiples(tmp_path: Path) -> None:
    z = ZipOut(tmp_path / "c.asice")
    want = {}
    for n in (0, 1, CHUNK, 2 * CHUNK, 2 * CHUNK + 1):
        data = bytes(range(256)) * (n // 256) + bytes(n % 256)
        z.add_stream(f"m{n}", io.BytesIO(data), n)
        want[f"m{n}"] = hashlib.sha256(data).digest()
    assert z.digests() == want
    z.commit()
    assert subprocess.run(["unzip", "-tq", str(tmp_path / "c.asice")]).returncode == 0
