from __future__ import annotations

import copy
import json
from typing import Any

import jsonschema
import pytest

import resources
from protocol.metadata import (
    SCHEMA_FILE,
    protocol_from_dict,
    protocol_from_json,
    protocol_schema,
    protocol_to_dict,
    protocol_to_json,
    schema_errors,
    schema_text,
)
from protocol.model import ProtocolModelError
from protocol.samples import sample_protocol
from recorder.canonical import canonical_json


def _sample_dict() -> dict[str, Any]:
    return json.loads(protocol_to_json(sample_protocol()))


def test_round_trip_model_json_model_is_identity() -> None:
    p = sample_protocol()
    data = protocol_to_json(p)
    back = protocol_from_json(data)
    assert back == p
    assert protocol_to_json(back) == data


def test_json_is_canonical_rfc8785() -> None:
    data = protocol_to_json(sample_protocol())
    assert data == canonical_json(json.loads(data))
    assert data.startswith(b'{"acknowledgments":[{"acknowledged_at":')  # sorted, no spaces


def test_times_are_utc_with_the_local_offset() -> None:
    d = _sample_dict()
    assert d["utc_offset"] == "+05:00"
    assert d["action"]["start"] == "2026-11-27T05:00:00.000000Z"  # 10:00 in Astana
    assert d["action"]["timezone"] == "Asia/Almaty"
    assert d["schema_version"] == 1


def test_fields_the_container_verifier_reads_are_present() -> None:
    d = _sample_dict()
    rec = d["recording"]
    assert set(rec) >= {"merkle_root", "tree_size", "segments", "log_sha256"}
    assert rec["segments"]["witness-video"] == 2521
    assert all("iin" in p and "role" in p for p in d["participants"])
    assert d["signers"] == []


def test_committed_schema_is_the_generated_one() -> None:
    committed = resources.path(*SCHEMA_FILE).read_text(encoding="utf-8")
    assert committed == schema_text(), "run: .venv/bin/python -m protocol.metadata"


def test_schema_is_draft_2020_12_and_closed_everywhere() -> None:
    schema = protocol_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    objects: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "properties" in node:
                objects.append(node)
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(schema)
    assert len(objects) > 15
    assert all(o.get("additionalProperties") is False for o in objects)


def test_sample_output_is_valid_against_the_schema() -> None:
    assert schema_errors(_sample_dict()) == []


def test_schema_rejects_an_extra_nested_key() -> None:
    d = _sample_dict()
    d["testimonies"][0]["questions"][0]["extra"] = 1
    assert any("questions/0" in e and "extra" in e for e in schema_errors(d))


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d["participants"][1].__setitem__("iin", "900720301230"),
            "participants[1].iin: '900720301230' — check digit is 0, expected 9",
        ),
        (
            lambda d: d["participants"][0].__setitem__("nickname", "A"),
            "participants[0].nickname: 'A' — unknown field",
        ),
        (lambda d: d["action"].pop("ground"), "action.ground: None — missing field"),
        (
            lambda d: d["testimonies"][0]["questions"][1].__setitem__("asked_at", "10:31"),
            "testimonies[0].questions[1].asked_at: '10:31' — expected a UTC time",
        ),
        (
            lambda d: d["recording"]["tracks"][0].__setitem__("segments", "many"),
            "recording.tracks[0].segments: 'many' — expected an integer",
        ),
        (lambda d: d.__setitem__("schema_version", 2), "schema_version: 2 — expected 1"),
        (lambda d: d.__setitem__("utc_offset", "+06:00"), "utc_offset: '+06:00' — Asia/Almaty is"),
        (
            lambda d: d["case"].__setitem__("erdr_number", "12-34"),
            "case.erdr_number: '12-34' — expected digits",
        ),
    ],
)
def test_strict_reader_names_the_json_path(mutate: Any, message: str) -> None:
    d = _sample_dict()
    mutate(d)
    with pytest.raises(ProtocolModelError) as e:
        protocol_from_json(json.dumps(d).encode())
    assert str(e.value).startswith(message)


def test_reader_rejects_duplicate_keys_and_non_json() -> None:
    with pytest.raises(ProtocolModelError, match="duplicate key"):
        protocol_from_json(b'{"a": 1, "a": 2}')
    with pytest.raises(ProtocolModelError, match="not valid JSON"):
        protocol_from_json(b"\xff")


def test_reader_takes_the_configured_erdr_pattern() -> None:
    d = _sample_dict()
    d["case"]["erdr_number"] = "12345"
    with pytest.raises(ProtocolModelError, match="erdr_number"):
        protocol_from_dict(copy.deepcopy(d))
    assert protocol_from_dict(d, erdr_pattern=r"\d{5}").case.erdr_number == "12345"


def test_dict_encoding_matches_bytes() -> None:
    p = sample_protocol()
    assert canonical_json(protocol_to_dict(p)) == protocol_to_json(p)
