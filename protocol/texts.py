"""The kk/ru/en texts of the protocol document, kept as data in ``resources/protocol/<lang>.json``.

A bilingual document (``"kk+ru"``) joins each label as ``kk / ru``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from typing import Any

import resources
from protocol.errors import ProtocolError

DOCUMENT_LANGUAGES = ("kk", "ru", "en", "kk+ru")


class TextsError(ProtocolError):
    """A document language or a text key that does not exist."""


@cache
def load_texts(lang: str) -> dict[str, Any]:
    """The text table of one language (``kk``, ``ru`` or ``en``)."""
    if lang not in ("kk", "ru", "en"):
        raise TextsError(f"document language {lang!r}: expected one of {DOCUMENT_LANGUAGES}")
    data: dict[str, Any] = json.loads(
        resources.path("protocol", f"{lang}.json").read_text(encoding="utf-8")
    )
    return data


class Texts:
    """Labels for one document language; ``kk+ru`` gives both, joined with `` / ``."""

    def __init__(self, lang: str) -> None:
        if lang not in DOCUMENT_LANGUAGES:
            raise TextsError(f"document language {lang!r}: expected one of {DOCUMENT_LANGUAGES}")
        self.lang = lang
        self.langs = tuple(lang.split("+"))
        self._tables = [load_texts(x) for x in self.langs]

    @property
    def primary(self) -> str:
        """The first language (for names and data in one language only)."""
        return self.langs[0]

    def raw(self, *keys: str, lang: str | None = None) -> Any:
        """The value at ``keys`` in one language's table (the primary one by default)."""
        table = load_texts(lang or self.primary)
        node: Any = table
        for k in keys:
            if not isinstance(node, dict) or k not in node:
                raise TextsError(f"no text {'.'.join(keys)!r} in {lang or self.primary}.json")
            node = node[k]
        return node

    def __call__(self, *keys: str, **fmt: object) -> str:
        """The label at ``keys``, formatted with ``fmt``, in every document language."""
        parts = []
        for lang in self.langs:
            text = str(self.raw(*keys, lang=lang))
            parts.append(text.format(**fmt) if fmt else text)
        return " / ".join(dict.fromkeys(parts))

    def each(self, make: Callable[[str], str]) -> str:
        """``make(lang)`` for every document language, joined with `` / ``.

        For a sentence whose parts are texts too, so a bilingual document never mixes
        languages inside one sentence.
        """
        return " / ".join(dict.fromkeys(make(lang) for lang in self.langs))

    def article(self, ref: str) -> str:
        """``"CPC 78"`` as ``ст. 78 УПК`` / ``ҚПК 78-бабы`` / ``CPC Art. 78``."""
        code, _, num = ref.partition(" ")
        parts = []
        for lang in self.langs:
            codes = self.raw("articles", lang=lang)
            name = codes.get(code, code)
            parts.append(str(self.raw("article_fmt", lang=lang)).format(code=name, num=num))
        return " / ".join(dict.fromkeys(parts))
