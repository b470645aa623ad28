"""The verifier's fast manifest reader gives what the strict XML parsers give, or their error."""

from __future__ import annotations

import hashlib

import pytest

import protocol.signed_objects as signed_objects
from protocol.asic import (
    DataObject,
    asic_manifest_xml,
    mime_for,
    odf_manifest_xml,
    parse_asic_manifest,
    parse_odf_manifest,
)
from protocol.errors import ProtocolError
from protocol.signed_objects import listed_but_missing, read_signed_objects

SIG = "META-INF/signature001.p7s"


def _names(n: int) -> list[str]:
    names = ["container.json", "protocol.json", "protocol.pdf", "recording/log.jsonl"]
    names += [f"recording/media/witness-video/witness-video-{i:06d}.ts" for i in range(n)]
    return sorted(names)


def _objects(names: list[str]) -> list[DataObject]:
    return [DataObject(n, mime_for(n), hashlib.sha256(n.encode()).digest()) for n in names]


def _manifest(names: list[str]) -> bytes:
    return asic_manifest_xml(SIG, _objects(names))


def _same_as_the_parser(data: bytes) -> None:
    full = parse_asic_manifest(data)
    fast = read_signed_objects(data)
    assert fast.sig_uri == full.sig_uri
    assert fast.uris == tuple(o.uri for o in full.objects)
    assert fast.digests == b"".join(o.sha256 for o in full.objects)
    assert fast.as_dict() == {o.uri: o.sha256 for o in full.objects}


@pytest.mark.parametrize("count", [0, 1, 5_000])  # 5,000: well over one piece (_PIECE)
def test_tergeu_layout_is_read_without_the_xml_parser(
    count: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _manifest(_names(count))
    _same_as_the_parser(data)
    assert len(data) > signed_objects._PIECE or count < 5_000

    def no_parser(*args: object, **kwargs: object) -> None:
        raise AssertionError("the XML parser was used for Tergeu's own layout")

    monkeypatch.setattr(signed_objects, "parse_asic_manifest", no_parser)
    monkeypatch.setattr(signed_objects, "parse_odf_manifest", no_parser)
    assert len(read_signed_objects(data).uris) == len(_names(count))
    listed = odf_manifest_xml((n, mime_for(n)) for n in _names(count))
    assert listed_but_missing(listed, set(_names(count))) == []


def test_uris_are_the_readers_own_strings() -> None:
    names = _names(3)
    own = {n: n for n in names}  # stands for the zip reader's member names
    got = read_signed_objects(_manifest(names), intern=lambda uri: own.get(uri, uri))
    assert all(u is own[u] for u in got.uris)


@pytest.mark.parametrize(
    "scenario, names",
    [
        ("space_quote_percent_in_names", ["a b.json", "it's.json", "100%.txt"]),
        ("ampersand_escaped_in_xml", ["a&b.json", "c<d>.json"]),
        ("non_ascii_name", ["recording/evidence/ünïcode.jpg", "протокол.pdf"]),
    ],
)
def test_other_names_read_as_the_parser_reads_them(scenario: str, names: list[str]) -> None:
    _same_as_the_parser(_manifest(sorted(names)))


ENTRY_END = b"</asic:DataObjectReference>\n"
ENTRY = b"  <asic:DataObjectReference"
JSON_MIME = b'MimeType="application/json"'
LOG = b'URI="recording/log.jsonl"'
FIRST = b'URI="container.json"'
DIGEST = b"<ds:DigestValue>"


@pytest.mark.parametrize(
    "scenario, old, new",
    [
        ("line_ends_crlf", b"\n", b"\r\n"),
        ("text_between_entries", ENTRY_END, ENTRY_END + b"note\n"),
        ("comment_between_entries", ENTRY, b"  <!-- c -->\n" + ENTRY),
        ("extra_attribute", JSON_MIME + b">", JSON_MIME + b' Id="x">'),
        ("attributes_swapped", FIRST + b" " + JSON_MIME, JSON_MIME + b" " + FIRST),
        ("single_quotes", b'URI="protocol.json"', b"URI='protocol.json'"),
        ("digest_split_over_lines", DIGEST, DIGEST + b"\n"),
    ],
)
def test_other_layouts_go_to_the_parser_and_read_the_same(
    scenario: str, old: bytes, new: bytes
) -> None:
    data = _manifest(_names(3)).replace(old, new)
    assert signed_objects._fast_asic(data, str) is None, scenario
    _same_as_the_parser(data)


@pytest.mark.parametrize(
    "scenario, old, new",
    [
        ("empty_name", FIRST, b'URI=""'),
        ("absolute_name", FIRST, b'URI="/etc/passwd"'),
        ("empty_part", LOG, b'URI="recording//log.jsonl"'),
        ("trailing_slash", LOG, b'URI="recording/"'),
        ("dot_part", LOG, b'URI="recording/./log.jsonl"'),
        ("dot_dot_part", LOG, b'URI="recording/../../x"'),
        ("dot_dot_name", FIRST, b'URI=".."'),
        ("backslash", FIRST, b'URI="a\\b"'),
        ("listed_twice", b'URI="protocol.json"', FIRST),
        ("digest_31_bytes", DIGEST, DIGEST + b"A" * 42 + b"==</ds:DigestValue><x>"),
        ("digest_not_base64", DIGEST, DIGEST + b"!"),
        ("sha1_digest", b"xmlenc#sha256", b"xmldsig#sha1"),
        ("signature_reference_elsewhere", SIG.encode(), b"../signature001.p7s"),
        ("no_signature_reference", b"<asic:SigReference", b"<asic:Other"),
        ("doctype", b"?>\n", b'?>\n<!DOCTYPE x [<!ENTITY e "x">]>\n'),
        ("cut_short", b"</asic:ASiCManifest>\n", b"</asic:ASiC"),
    ],
)
def test_bad_manifest_fails_as_the_parser_fails(scenario: str, old: bytes, new: bytes) -> None:
    data = _manifest(_names(3)).replace(old, new, 1)
    with pytest.raises(ProtocolError) as full:
        parse_asic_manifest(data, what="META-INF/ASiCManifest001.xml")
    with pytest.raises(ProtocolError) as fast:
        read_signed_objects(data, what="META-INF/ASiCManifest001.xml")
    assert str(fast.value) == str(full.value), scenario


GONE = b'  <manifest:file-entry manifest:full-path="gone.txt" manifest:media-type="text/plain"/>\n'
PROTO_ENTRY = b'manifest:full-path="protocol.json" manifest:media-type="application/json"'


@pytest.mark.parametrize(
    "scenario, old, new, missing",
    [
        ("as_written", b"", b"", []),
        ("one_missing", b"", b"", ["recording/log.jsonl"]),
        (
            "listed_twice",
            b"</manifest:manifest>",
            GONE + GONE + b"</manifest:manifest>",
            ["gone.txt"],
        ),
        ("other_layout", b"\n", b"\r\n", ["recording/log.jsonl"]),
        ("attributes_swapped", PROTO_ENTRY, b" ".join(reversed(PROTO_ENTRY.split(b" "))), []),
    ],
)
def test_listed_but_missing_reads_as_the_parser(
    scenario: str, old: bytes, new: bytes, missing: list[str]
) -> None:
    names = _names(3)
    data = odf_manifest_xml((n, mime_for(n)) for n in names)
    if old:
        data = data.replace(old, new)
    present = set(names) - set(missing)
    expected = list(dict.fromkeys(p for p in parse_odf_manifest(data) if p not in present))
    assert listed_but_missing(data, present) == expected == missing


def test_bad_odf_manifest_fails_as_the_parser_fails() -> None:
    data = odf_manifest_xml([("a.json", "application/json")]).replace(b"</manifest:manifest>", b"")
    with pytest.raises(ProtocolError) as full:
        parse_odf_manifest(data)
    with pytest.raises(ProtocolError) as fast:
        listed_but_missing(data, set())
    assert str(fast.value) == str(full.value)
