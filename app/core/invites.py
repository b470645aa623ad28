"""Invites to a live session: single-use, expiring link tokens plus a PIN given out of band.

For each participant and role the investigator issues an invite: a link carrying a random token
(``secrets.token_urlsafe(32)``, in the URL fragment so it never reaches an access log or a Referer)
and a 6-digit PIN handed over separately (phone, SMS, in person). The book keeps only hashes:
SHA-256 of the token (it carries 256 random bits) and a salted scrypt hash of the PIN. A token is
consumed by the first correct PIN; five wrong PINs lock the invite. Admission issues a reconnect
credential (hash stored too) that lets the same participant rejoin after a network failure.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import os
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import segno

from app.core.signaling.errors import InviteError
from protocol.participants import ROLES as PROTOCOL_ROLES

MAX_PIN_ATTEMPTS = 5
# participant ids name recorded tracks ("<id>-video"), so they follow recorder/kinds.TRACK
PARTICIPANT_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
# Everyone an investigator can invite: the roles of the protocol (one list for the whole app)
# except those of the investigating officials, who host the session.
ROLES = tuple(
    r for r in PROTOCOL_ROLES if r not in ("investigator", "inquiry_officer", "prosecutor")
)
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


def _token_hash(token: str) -> str:
    return hashlib.sha256(b"tergeu-invite-token\x00" + token.encode()).hexdigest()


def _pin_hash(pin: str, salt: bytes) -> bytes:
    return hashlib.scrypt(pin.encode(), salt=salt, **_SCRYPT)


@dataclass(frozen=True)
class Invite:
    """One invite as stored: hashes only, never the token or PIN themselves."""

    invite_id: str
    action_id: str
    participant_id: str
    role: str
    display_name: str
    expires_at: datetime
    token_hash: str
    pin_salt: bytes = field(repr=False)
    pin_hash: bytes = field(repr=False)
    failed_pins: int = 0
    used_at: datetime | None = None
    revoked_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}; expected one of {', '.join(ROLES)}")
        if not PARTICIPANT_ID.match(self.participant_id) or self.participant_id == "investigator":
            raise ValueError(
                f"participant id {self.participant_id!r}: expected 1-40 lowercase letters, digits, "
                "'-' or '_' (it names the recorded tracks), and not 'investigator'"
            )
        if not self.participant_id or not self.participant_id.replace("-", "").isalnum():
            raise ValueError(
                f"participant id {self.participant_id!r} must be letters, digits and '-'"
            )
        if self.expires_at.tzinfo is None:
            raise ValueError("expires_at must be an aware UTC datetime")

    @property
    def locked(self) -> bool:
        return self.failed_pins >= MAX_PIN_ATTEMPTS


@dataclass(frozen=True)
class IssuedInvite:
    """What the investigator hands out: the link (with token) and, separately, the PIN."""

    invite: Invite
    token: str = field(repr=False)
    pin: str = field(repr=False)
    link: str = field(repr=False)

    def qr_png(self, path: Path, *, scale: int = 8) -> Path:
        """Write a QR code of the link as PNG (owner-only: it carries the token)."""
        png = io.BytesIO()
        segno.make(self.link, error="m").save(png, kind="png", scale=scale)
        # created owner-only, never readable by others even for a moment
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            os.fchmod(out.fileno(), 0o600)  # an existing file keeps its mode on O_CREAT
            out.write(png.getvalue())
        return path

    def qr_svg(self) -> str:
        """The QR code of the link as SVG text."""
        return str(segno.make(self.link, error="m").svg_inline(scale=6))


@dataclass(frozen=True)
class Admission:
    """A participant admitted through an invite, with their reconnect credential hash."""

    action_id: str
    participant_id: str
    role: str
    display_name: str


def join_link(base_url: str, action_id: str, token: str) -> str:
    """The guest link: the token rides in the fragment, which browsers never send to servers."""
    return f"{base_url.rstrip('/')}/a/{action_id}/join#{token}"


def parse_join_link(link: str) -> tuple[str, str, str]:
    """Split a join link into (base URL, action id, token); ValueError if it is not one."""
    head, sep, token = link.partition("#")
    marker = "/a/"
    at = head.rfind(marker)
    if not sep or not token or at < 0 or not head.endswith("/join"):
        raise ValueError(f"not a Tergeu join link (…/a/<action>/join#<token>): {link[:60]!r}…")
    action = head[at + len(marker) : -len("/join")]
    if not action or "/" in action:
        raise ValueError("join link has no action id between /a/ and /join")
    return head[:at], action, token


BOOK_FORMAT = "tergeu-invites/1"


class InviteBook:
    """The invites of one server, thread-safe; time comes from ``now`` so tests can move it.

    With ``path`` the book (hashes only) is kept in that file, rewritten durably after every
    change, so a hub that dies and is started again still knows who was invited, which tokens
    are used and which reconnect credentials are valid: participants rejoin where they were.
    """

    def __init__(
        self,
        *,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        path: Path | None = None,
    ) -> None:
        self._now = now
        self._lock = threading.Lock()
        self._invites: dict[str, Invite] = {}  # by invite id
        self._by_token: dict[str, str] = {}  # token hash → invite id
        self._credentials: dict[str, Admission] = {}  # credential hash → admission
        self.path = path
        if path is not None and path.exists():
            self._load(path)

    # ---- persistence ----------------------------------------------------------------------
    def _load(self, path: Path) -> None:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(raw, dict) or raw.get("format") != BOOK_FORMAT:
                raise ValueError(f"expected format {BOOK_FORMAT!r}")
            if set(raw) != {"format", "invites", "credentials"}:
                raise ValueError(f"fields {sorted(raw)}; expected format, invites, credentials")
            for item in raw["invites"]:
                invite = Invite(
                    invite_id=item["invite_id"],
                    action_id=item["action_id"],
                    participant_id=item["participant_id"],
                    role=item["role"],
                    display_name=item["display_name"],
                    expires_at=datetime.fromisoformat(item["expires_at"]),
                    token_hash=item["token_hash"],
                    pin_salt=bytes.fromhex(item["pin_salt"]),
                    pin_hash=bytes.fromhex(item["pin_hash"]),
                    failed_pins=int(item["failed_pins"]),
                    used_at=_when(item["used_at"]),
                    revoked_at=_when(item["revoked_at"]),
                )
                self._invites[invite.invite_id] = invite
                self._by_token[invite.token_hash] = invite.invite_id
            for item in raw["credentials"]:
                self._credentials[item["hash"]] = Admission(
                    item["action_id"], item["participant_id"], item["role"], item["display_name"]
                )
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise InviteError("book_unreadable", f"invite book {path} cannot be read: {e}") from e

    def _save(self) -> None:
        """Rewrite the file durably (temp, fsync, rename); called with the lock held."""
        if self.path is None:
            return
        data = {
            "format": BOOK_FORMAT,
            "invites": [
                {
                    "invite_id": i.invite_id,
                    "action_id": i.action_id,
                    "participant_id": i.participant_id,
                    "role": i.role,
                    "display_name": i.display_name,
                    "expires_at": i.expires_at.isoformat(),
                    "token_hash": i.token_hash,
                    "pin_salt": i.pin_salt.hex(),
                    "pin_hash": i.pin_hash.hex(),
                    "failed_pins": i.failed_pins,
                    "used_at": i.used_at.isoformat() if i.used_at else None,
                    "revoked_at": i.revoked_at.isoformat() if i.revoked_at else None,
                }
                for i in self._invites.values()
            ],
            "credentials": [
                {
                    "hash": key,
                    "action_id": a.action_id,
                    "participant_id": a.participant_id,
                    "role": a.role,
                    "display_name": a.display_name,
                }
                for key, a in self._credentials.items()
            ],
        }
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temp = self.path.with_name(f".{self.path.name}.tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, self.path)
        dir_fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def invite_of(self, action_id: str, participant_id: str) -> Invite | None:
        """The latest invite issued to ``participant_id`` in ``action_id``, if any."""
        with self._lock:
            found = [
                i
                for i in self._invites.values()
                if i.action_id == action_id and i.participant_id == participant_id
            ]
        return found[-1] if found else None

    def issue(
        self,
        *,
        action_id: str,
        participant_id: str,
        role: str,
        display_name: str,
        base_url: str,
        ttl: timedelta = timedelta(hours=2),
    ) -> IssuedInvite:
        """Create an invite; the returned token and PIN exist nowhere else."""
        if ttl <= timedelta(0):
            raise ValueError(f"invite lifetime must be positive, got {ttl}")
        token = secrets.token_urlsafe(32)
        pin = f"{secrets.randbelow(10**6):06d}"
        salt = secrets.token_bytes(16)
        invite = Invite(
            invite_id=secrets.token_hex(8),
            action_id=action_id,
            participant_id=participant_id,
            role=role,
            display_name=display_name,
            expires_at=self._now() + ttl,
            token_hash=_token_hash(token),
            pin_salt=salt,
            pin_hash=_pin_hash(pin, salt),
        )
        with self._lock:
            self._invites[invite.invite_id] = invite
            self._by_token[invite.token_hash] = invite.invite_id
            self._save()
        return IssuedInvite(invite, token, pin, join_link(base_url, action_id, token))

    def invites(self, action_id: str) -> list[Invite]:
        with self._lock:
            return [i for i in self._invites.values() if i.action_id == action_id]

    def revoke(self, invite_id: str) -> Invite:
        """Revoke an invite: its token is refused from now on."""
        with self._lock:
            invite = self._invites.get(invite_id)
            if invite is None:
                raise KeyError(f"no invite {invite_id!r}")
            invite = replace(invite, revoked_at=invite.revoked_at or self._now())
            self._invites[invite_id] = invite
            # credentials issued through this invite die with it
            for key, adm in list(self._credentials.items()):
                if (
                    adm.participant_id == invite.participant_id
                    and adm.action_id == invite.action_id
                ):
                    del self._credentials[key]
            self._save()
            return invite

    def check(self, action_id: str, token: str) -> Invite:
        """The invite for ``token`` if it may still be used for ``action_id``; else InviteError."""
        with self._lock:
            return self._usable(action_id, token)

    def _usable(self, action_id: str, token: str) -> Invite:
        invite_id = self._by_token.get(_token_hash(token))
        if invite_id is None:
            raise InviteError("unknown", "This invitation link is not valid.")
        invite = self._invites[invite_id]
        if invite.action_id != action_id:
            raise InviteError("foreign", "This invitation belongs to a different session.")
        if invite.revoked_at is not None:
            raise InviteError("revoked", "This invitation was withdrawn by the investigator.")
        if invite.used_at is not None:
            raise InviteError("used", "This invitation link was already used.")
        if self._now() >= invite.expires_at:
            raise InviteError("expired", "This invitation has expired.")
        if invite.locked:
            raise InviteError(
                "pin_locked", "Too many wrong PINs: this invitation is locked.", attempts_left=0
            )
        return invite

    def redeem(self, action_id: str, token: str, pin: str) -> Invite:
        """Check the PIN and consume the token (single use). Wrong PINs count toward the lock."""
        with self._lock:
            invite = self._usable(action_id, token)
            salt = invite.pin_salt
        # scrypt outside the lock: it is deliberately slow
        ok = hmac.compare_digest(_pin_hash(pin, salt), invite.pin_hash)
        with self._lock:
            invite = self._usable(action_id, token)  # may have changed meanwhile
            if not ok:
                invite = replace(invite, failed_pins=invite.failed_pins + 1)
                self._invites[invite.invite_id] = invite
                self._save()
                left = MAX_PIN_ATTEMPTS - invite.failed_pins
                if left <= 0:
                    raise InviteError(
                        "pin_locked",
                        "Too many wrong PINs: this invitation is locked.",
                        attempts_left=0,
                    )
                raise InviteError("pin_wrong", "The PIN is not correct.", attempts_left=left)
            invite = replace(invite, used_at=self._now())
            self._invites[invite.invite_id] = invite
            self._save()
            return invite

    def attempts_left(self, invite: Invite) -> int:
        with self._lock:
            return MAX_PIN_ATTEMPTS - self._invites[invite.invite_id].failed_pins

    def issue_credential(self, invite: Invite) -> str:
        """A reconnect credential for an admitted participant (only its hash is kept)."""
        credential = secrets.token_urlsafe(32)
        admission = Admission(
            invite.action_id, invite.participant_id, invite.role, invite.display_name
        )
        with self._lock:
            for key, adm in list(self._credentials.items()):
                if adm == admission:
                    del self._credentials[key]
            self._credentials[_token_hash("cred:" + credential)] = admission
            self._save()
        return credential

    def check_credential(self, action_id: str, credential: str) -> Admission:
        """The admission behind a reconnect credential; InviteError if unknown or foreign."""
        with self._lock:
            admission = self._credentials.get(_token_hash("cred:" + credential))
        if admission is None:
            raise InviteError("unknown_credential", "This reconnect credential is not valid.")
        if admission.action_id != action_id:
            raise InviteError("foreign", "This credential belongs to a different session.")
        return admission


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None
