"""The kk/ru/en text tables cover the same keys and every code the model can hold."""

from __future__ import annotations

import json
from typing import Any

import pytest

import resources
from protocol.case import ACTION_TYPES, REMOTE_GROUNDS
from protocol.conduct import PRESENCE_STATES
from protocol.participants import (
    ACKNOWLEDGMENT_HOW,
    ACKNOWLEDGMENT_KINDS,
    IDENTITY_METHODS,
    IDENTITY_STEPS,
    ROLES,
)
from protocol.technical import Interval
from protocol.testimony import EXHIBIT_KINDS, STATEMENT_KINDS
from protocol.texts import Texts, TextsError, load_texts


def _shape(node: Any, prefix: str = "") -> set[str]:
    if isinstance(node, dict):
        out: set[str] = set()
        for k, v in node.items():
            out |= _shape(v, f"{prefix}.{k}")
        return out
    return {prefix}


def test_all_languages_have_the_same_keys() -> None:
    ru = _shape(load_texts("ru"))
    assert _shape(load_texts("kk")) == ru
    assert _shape(load_texts("en")) == ru


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_every_code_has_a_text(lang: str) -> None:
    t = load_texts(lang)
    assert set(t["title"]) == set(ACTION_TYPES)
    assert set(t["grounds"]) == set(REMOTE_GROUNDS)
    assert set(t["roles"]) == set(ROLES)
    assert set(t["ack_kinds"]) == set(ACKNOWLEDGMENT_KINDS)
    assert set(t["ack_how"]) == set(ACKNOWLEDGMENT_HOW)
    assert set(t["methods"]) == set(IDENTITY_METHODS)
    assert set(t["exhibit_kinds"]) == set(EXHIBIT_KINDS)
    assert set(t["statement_kinds"]) == set(STATEMENT_KINDS)
    kinds = Interval.__dataclass_fields__["kind"].metadata["enum"]
    assert set(t["interval_kinds"]) == set(kinds)
    assert set(t["identity_steps"]) == set(IDENTITY_STEPS)
    assert set(t["presence_states"]) == set(PRESENCE_STATES)
    procedures = json.loads(resources.path("procedures", "actions.json").read_text())
    steps = {s for a in procedures["actions"].values() for s in a["steps"]}
    assert steps <= set(t["steps"])  # every step a deviation can name


def test_bilingual_labels_and_articles() -> None:
    tx = Texts("kk+ru")
    assert tx("roles", "witness") == "Куә / Свидетель"
    assert tx.article("CPC 78") == "ҚПК 78-бабы / ст. 78 УПК"
    assert Texts("en").article("CC 420") == "CC Art. 420"
    with pytest.raises(TextsError, match="'fr'"):
        Texts("fr")
