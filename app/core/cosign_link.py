"""The co-sign link and the errors of co-sign requests (shared by both sides).

A link ``<base>/a/<action>/cosign#<token>.<sha256>`` names the server and action; the fragment —
which browsers and HTTP clients never send to a server, so no access log or Referer holds it —
carries the single-use token and the SHA-256 of the container's first ASiCManifest, the exact
document the co-signer is asked to sign.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.core.errors import TergeuError


class CosignError(TergeuError):
    """A co-signature request, its token, PIN, ticket or upload is refused.

    ``code`` is a stable name, ``status`` the HTTP status the server answers with.
    """

    def __init__(
        self, code: str, message: str, *, status: int = 400, attempts_left: int | None = None
    ) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status
        self.attempts_left = attempts_left
        self.number: int | None = None  # with code "renumber": the signature number now due


@dataclass(frozen=True)
class CosignLink:
    """What a co-sign link says: where, which action, the token and the signed manifest's hash."""

    base_url: str
    action_id: str
    token: str = field(repr=False)
    manifest_sha256: str

    def __post_init__(self) -> None:
        if len(self.manifest_sha256) != 64 or not all(
            c in "0123456789abcdef" for c in self.manifest_sha256
        ):
            raise ValueError(
                f"co-sign link: manifest digest {self.manifest_sha256[:70]!r}: "
                "expected 64 lowercase hex digits"
            )
        if len(self.token) < 20:
            raise ValueError("co-sign link: the token is missing or too short")

    @property
    def text(self) -> str:
        # token and digest ride in the fragment, which never reaches a server log or a Referer
        base = self.base_url.rstrip("/")
        return f"{base}/a/{self.action_id}/cosign#{self.token}.{self.manifest_sha256}"


def parse_cosign_link(link: str) -> CosignLink:
    """Split ``…/a/<action>/cosign#<token>.<sha256>``; ValueError naming what is wrong."""
    head, sep, fragment = link.strip().partition("#")
    marker = "/a/"
    at = head.rfind(marker)
    if not sep or at < 0 or not head.endswith("/cosign"):
        raise ValueError(
            f"not a Tergeu co-sign link (…/a/<action>/cosign#<token>.<digest>): {link[:50]!r}…"
        )
    action = head[at + len(marker) : -len("/cosign")]
    if not action or "/" in action:
        raise ValueError("co-sign link has no action id between /a/ and /cosign")
    token, dot, digest = fragment.rpartition(".")
    if not dot:
        raise ValueError("co-sign link: expected <token>.<manifest digest> after '#'")
    return CosignLink(head[:at], action, token, digest)
