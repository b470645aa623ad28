"""Tergeu's configuration: one TOML file, every key declared (and documented) in :data:`KEYS`.

An invalid file or value raises :class:`~app.core.errors.ConfigError` naming the key, the value and
what is allowed. Unknown sections and keys are errors too: a typo must not silently fall back to a
default during an interrogation.
"""

from __future__ import annotations

import ipaddress
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from app.core.errors import ConfigError

LANGUAGES = ("kk", "ru", "en")


def _host(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("expected a host name or IP address")
    return value


def _port(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise ValueError("expected an integer port from 1 to 65535")
    return value


def _number(low: float, high: float) -> Callable[[Any], float]:
    def check(value: Any) -> float:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not low <= value <= high
        ):
            raise ValueError(f"expected a number from {low:g} to {high:g}")
        return float(value)

    return check


def _language(value: Any) -> str:
    if value not in LANGUAGES:
        raise ValueError(f"expected one of {', '.join(LANGUAGES)}")
    return str(value)


def _tls(value: Any) -> str:
    if value not in ("auto", "on", "off"):
        raise ValueError("expected 'auto' (TLS off loopback), 'on' or 'off' (loopback only)")
    return str(value)


def _url_list(schemes: tuple[str, ...]) -> Callable[[Any], tuple[str, ...]]:
    def check(value: Any) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"expected a list of {'/'.join(schemes)}: URLs")
        for url in value:
            scheme = url.split(":", 1)[0]
            if scheme not in schemes or ":" not in url:
                raise ValueError(f"{url!r} is not a {'/'.join(schemes)}: URL")
        return tuple(value)

    return check


def ip_address_list(value: Any) -> tuple[str, ...]:
    """A list of IP addresses, normalised (``::0001`` → ``::1``), duplicates dropped."""
    if not isinstance(value, list | tuple):
        raise ValueError('expected a list of IP addresses, e.g. ["10.0.0.5"], or [] for all')
    out: list[str] = []
    for item in value:
        try:
            if not isinstance(item, str):
                raise ValueError
            address = str(ipaddress.ip_address(item.strip()))
        except ValueError:
            raise ValueError(f"{item!r} is not an IP address (e.g. 10.0.0.5 or fd00::5)") from None
        if address not in out:
            out.append(address)
    return tuple(out)


def _http_url(value: Any) -> str:
    if value == "":
        return ""
    parsed = urlparse(value) if isinstance(value, str) else None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValueError('expected an http:// or https:// URL, or "" for none')
    return str(value)


def _optional_path(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError('expected a folder path as a string, or "" for none')
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("expected a string")
    return value


@dataclass(frozen=True)
class Key:
    """One config key: its section, name, default, checker and the documentation shown to users."""

    section: str
    name: str
    default: Any
    check: Callable[[Any], Any]
    doc: str


KEYS: tuple[Key, ...] = (
    Key(
        "signaling",
        "host",
        "127.0.0.1",
        _host,
        "Address the embedded signaling server listens on. 0.0.0.0 to accept other machines.",
    ),
    Key("signaling", "port", 8765, _port, "TCP port of the signaling server (HTTP/WebSocket)."),
    Key(
        "signaling",
        "tls",
        "auto",
        _tls,
        "'auto': TLS whenever the host is not loopback; 'on': always; "
        "'off': only allowed on loopback.",
    ),
    Key(
        "signaling",
        "certificate",
        "",
        _optional_path,
        "PEM certificate for the signaling server; empty: a self-signed one is made on first run.",
    ),
    Key("signaling", "private_key", "", _optional_path, "PEM private key for `certificate`."),
    Key(
        "network",
        "stun_servers",
        [],
        _url_list(("stun", "stuns")),
        'STUN servers, e.g. ["stun:stun.example.kz:3478"]. Not needed on loopback or a LAN.',
    ),
    Key(
        "network",
        "turn_servers",
        [],
        _url_list(("turn", "turns")),
        'TURN servers, e.g. ["turns:turn.example.kz:443?transport=tcp"] (TURN over TLS on 443).',
    ),
    Key("network", "turn_username", "", _text, "User name for the TURN servers."),
    Key("network", "turn_credential", "", _text, "Credential for the TURN servers (never logged)."),
    Key(
        "network",
        "ice_host_addresses",
        [],
        ip_address_list,
        'Addresses of this computer that WebRTC offers for media, e.g. ["10.0.0.5"] to pin '
        "the department's interface; empty: every interface (127.0.0.1 only if listed here).",
    ),
    Key(
        "recording",
        "segment_seconds",
        2.0,
        _number(1, 10),
        "Length of a recorded segment in seconds (1-10). Shorter: less lost in a crash.",
    ),
    Key(
        "recording",
        "checkpoint_seconds",
        30.0,
        _number(5, 600),
        "Interval of signed log checkpoints in seconds.",
    ),
    Key(
        "recording",
        "low_disk_warning_mb",
        2048.0,
        _number(0, 10**7),
        "Warn while recording when free space falls below this many MB.",
    ),
    Key(
        "devices",
        "camera",
        "",
        _text,
        "Camera: empty for the first one found, a device (e.g. /dev/video2), or 'synthetic' "
        "for a test picture.",
    ),
    Key(
        "devices",
        "microphone",
        "",
        _text,
        "Microphone: empty for the system default, a device name, or 'synthetic' for a test tone.",
    ),
    Key(
        "storage",
        "folder",
        "",
        _optional_path,
        "Folder for the database and evidence; empty: the per-user data folder. "
        "--data-dir and TERGEU_DATA_DIR take precedence.",
    ),
    Key(
        "upload",
        "endpoint",
        "",
        _http_url,
        "Receiver of the electronic criminal case system (its API is not public: ask the "
        "system's operator); empty: containers wait in the outbox. The token is asked for at "
        "each upload and never stored.",
    ),
    Key(
        "investigator",
        "position",
        "",
        _text,
        "Your position as written in protocols, e.g. 'senior investigator'.",
    ),
    Key(
        "investigator",
        "agency",
        "",
        _text,
        "Your agency as written in protocols, e.g. 'Investigation Department of Astana Police'.",
    ),
    Key(
        "signing",
        "identity",
        "",
        _optional_path,
        "Your signing identity: a PKCS#12 file (.p12/.pfx) from the national certifying "
        "authority. Its password is asked for at each signature and never stored.",
    ),
    Key(
        "ui",
        "language",
        "ru",
        _language,
        "Language of the interface and of new protocols: kk, ru, en.",
    ),
    Key(
        "trust",
        "anchors_dir",
        "",
        _optional_path,
        "Folder of trusted CA certificates (PEM/DER) for signatures and participant certificates.",
    ),
    Key(
        "timestamp",
        "tsa_url",
        "",
        _http_url,
        "RFC 3161 time-stamping authority, e.g. http://tsp.pki.gov.kz/ ; empty: no timestamps.",
    ),
)


@dataclass(frozen=True)
class Config:
    """Validated settings, built by :func:`load_config`; ``values`` maps "section.key" to value."""

    values: Mapping[str, Any] = field(default_factory=dict)
    source: Path | None = None

    def __getitem__(self, dotted: str) -> Any:
        if dotted in self.values:
            return self.values[dotted]
        for key in KEYS:
            if f"{key.section}.{key.name}" == dotted:
                default = key.default
                return tuple(default) if isinstance(default, list) else default
        raise KeyError(f"unknown config key {dotted!r}")

    @property
    def signaling_uses_tls(self) -> bool:
        mode = self["signaling.tls"]
        if mode != "auto":
            return bool(mode == "on")
        return not _is_loopback(self["signaling.host"])


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_config(text: str, *, source: Path | None = None) -> Config:
    """Parse and validate TOML text. Raises ConfigError naming the key, value and rule."""
    where = str(source) if source else "config"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{where}: not valid TOML ({e})") from e
    known = {(k.section, k.name): k for k in KEYS}
    sections = {k.section for k in KEYS}
    values: dict[str, Any] = {}
    for section, table in data.items():
        if section not in sections:
            raise ConfigError(
                f"{where}: unknown section [{section}]; "
                f"expected one of {', '.join(sorted(sections))}"
            )
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: {section} must be a [{section}] table, got {table!r}")
        for name, value in table.items():
            key = known.get((section, name))
            if key is None:
                allowed = ", ".join(k.name for k in KEYS if k.section == section)
                raise ConfigError(
                    f"{where}: unknown key {section}.{name}; [{section}] allows {allowed}"
                )
            try:
                values[f"{section}.{name}"] = key.check(value)
            except ValueError as e:
                raise ConfigError(f"{where}: {section}.{name} = {value!r}: {e}") from e
    config = Config(values=values, source=source)
    if config["signaling.tls"] == "off" and not _is_loopback(config["signaling.host"]):
        raise ConfigError(
            f"{where}: signaling.tls = 'off' with signaling.host = {config['signaling.host']!r}: "
            "plain HTTP is only allowed on loopback"
        )
    return config


def load_config(path: Path | None) -> Config:
    """Load ``path`` if it exists; a missing file means all defaults."""
    if path is None or not path.exists():
        return Config(source=None)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: cannot read config ({e})") from e
    return parse_config(text, source=path)


def documented_default_toml() -> str:
    """A complete config file with every key at its default and its documentation as comments."""
    lines = ["# Tergeu configuration. Every key is optional; shown here at its default.", ""]
    section = ""
    for key in KEYS:
        if key.section != section:
            section = key.section
            lines += ["", f"[{section}]"]
        lines.append(f"# {key.doc}")
        lines.append(f"{key.name} = {_toml_value(key.default)}")
    return "\n".join(lines).strip() + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return repr(value)


def save_config(values: Mapping[str, Any], path: Path) -> Config:
    """Validate ``values`` ("section.key" → value) and write them as the config file.

    Only keys that differ from their defaults are written. The file is replaced atomically
    (temp, fsync, rename) and is owner-only: it may hold the TURN credential.
    """
    import os

    import tomli_w

    tables: dict[str, dict[str, Any]] = {}
    defaults = {f"{k.section}.{k.name}": k.default for k in KEYS}
    for dotted, value in values.items():
        if dotted not in defaults:
            raise ConfigError(f"unknown config key {dotted!r}")
        plain = list(value) if isinstance(value, tuple) else value
        if plain != defaults[dotted]:
            section, name = dotted.split(".", 1)
            tables.setdefault(section, {})[name] = plain
    text = tomli_w.dumps(tables)
    config = parse_config(text, source=path)  # the same rules as reading: no invalid file
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, text.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temp, path)
    return config
