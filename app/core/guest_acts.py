"""A participant's own acts in a live session: acknowledgments and the read-back.

The procedure (:class:`~app.core.procedure.ProcedureRun`) needs an acknowledgment to be the
participant's own act on their side. Here the hub shows the step's exact text on the guest page;
the guest presses "I understand" and types their full name; the page computes the SHA-256 of the
NFC-normalised text it displayed and sends it back; :meth:`ProcedureRun.acknowledge` checks that
hash against the text version of the step and the typed name against the invited name, and logs
it. A refusal (another text version, a name that does not match) goes back to the page, which lets
the guest type again.

The read-back shows the draft testimony with the ``read_back`` step text; the guest adds remarks
(recorded verbatim) and either acknowledges with their typed name or refuses with a reason. The
reply is logged as a ``read_back`` entry carrying the SHA-256 of the draft they were shown.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
import unicodedata
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from app.core.guest_identity import GuestIdentity
from app.core.hub import GuestAct, Hub
from app.core.identity import IdentityResult
from app.core.procedure import ProcedureError, ProcedureRun
from app.core.signaling.errors import ActRefused

LogAppend = Callable[[str, Mapping[str, Any]], object]
SignatureCheck = Callable[[str, bytes, bytes], Awaitable[IdentityResult]]


def same_name(typed: str, invited: str) -> bool:
    """The typed name is the invited one, ignoring case, Unicode form and extra spaces."""

    def norm(s: str) -> str:
        return " ".join(unicodedata.normalize("NFC", s).casefold().split())

    return norm(typed) == norm(invited)


def text_sha256(text: str) -> str:
    """SHA-256 of the NFC-normalised UTF-8 of ``text`` (what the page computes)."""
    return hashlib.sha256(unicodedata.normalize("NFC", text).encode("utf-8")).hexdigest()


# what the remote-end official is asked (issue 6, 2c), in the procedure's language
CONFIRM_TITLE = {
    "kk": "Жеке басын растау",
    "ru": "Подтверждение личности",
    "en": "Confirmation of identity",
}
CONFIRM_TEXT = {
    "kk": "Сіздің жаныңыздағы адам — {name} екенін және оның жеке басын куәландыратын құжатын "
    "тексергеніңізді растайсыз ба?",
    "ru": "Подтверждаете ли вы, что рядом с вами находится {name} и что вы проверили документ, "
    "удостоверяющий его (её) личность?",
    "en": "Do you confirm that the person with you is {name} and that you have checked their "
    "identity document?",
}


@dataclass(frozen=True)
class _Request:
    participant_id: str
    purpose: str
    step: str
    draft_sha256: str | None = None
    identity: GuestIdentity | None = None


class GuestActs:
    """Sends procedure texts to participants and records their replies; install one per hub."""

    def __init__(self, hub: Hub, procedure: ProcedureRun, append: LogAppend) -> None:
        self.hub = hub
        self.procedure = procedure
        self._append = append
        self._pending: dict[str, _Request] = {}
        self._done: dict[str, asyncio.Event] = {}
        self.replies: dict[str, GuestAct] = {}
        # checks a desktop participant's signature over a text (app.core.identity); None: refused
        self.signature_check: SignatureCheck | None = None
        hub.act_handler = self.handle

    async def request_acknowledgment(self, participant_id: str, step_id: str) -> str:
        """Show step ``step_id`` (in the procedure's language) to the participant; request id."""
        step = self.procedure.procedure.step(step_id)
        if not step.acknowledge:
            raise ProcedureError(f"step {step_id!r} takes no acknowledgment")
        lang = self.procedure.language
        return await self._show(
            participant_id, "acknowledge", step_id, step.title[lang], step.text[lang], None
        )

    async def request_read_back(self, participant_id: str, draft: str) -> str:
        """Show the draft testimony for read-back; the reply is logged as ``read_back``."""
        if not draft.strip():
            raise ProcedureError("the draft to read back is empty")
        step = self.procedure.procedure.step("read_back")
        lang = self.procedure.language
        return await self._show(
            participant_id, "read_back", "read_back", step.title[lang], step.text[lang], draft
        )

    async def request_identity_confirmation(
        self, official_id: str, identity: GuestIdentity, name: str
    ) -> str:
        """Ask the remote-end official (their own link and role) to confirm the guest's identity
        from their side; the answer is logged through ``identity.official_confirms``."""
        lang = self.procedure.language
        text = CONFIRM_TEXT[lang].format(name=name)
        return await self._show(
            official_id, "confirm_identity", "identity", CONFIRM_TITLE[lang], text, None, identity
        )

    async def _show(
        self,
        pid: str,
        purpose: str,
        step: str,
        title: str,
        text: str,
        draft: str | None,
        identity: GuestIdentity | None = None,
    ) -> str:
        request_id = "t" + secrets.token_hex(6)
        draft_hash = text_sha256(draft) if draft is not None else None
        self._pending[request_id] = _Request(pid, purpose, step, draft_hash, identity)
        self._done[request_id] = asyncio.Event()
        await self.hub.show_text(
            pid,
            request_id=request_id,
            purpose=purpose,
            step=step,
            title=title,
            text=text,
            draft=draft,
        )
        return request_id

    async def wait(self, request_id: str, timeout: float) -> GuestAct:
        """The accepted reply to ``request_id`` (TimeoutError if none came in time)."""
        await asyncio.wait_for(self._done[request_id].wait(), timeout)
        return self.replies[request_id]

    async def handle(self, act: GuestAct) -> None:
        """Called by the hub for each ``acknowledge`` / ``read_back_reply``; ActRefused → page."""
        msg = act.message
        request = self._pending.get(msg["request_id"])
        if request is None or request.participant_id != act.participant_id:
            raise ActRefused("not_open", "this request is not open (answered or never asked)")
        expected = {
            "acknowledge": "acknowledge",
            "read_back": "read_back_reply",
            "confirm_identity": "confirm_reply",
        }[request.purpose]
        if msg.type != expected:
            raise ActRefused("not_open", f"this request expects {expected}, not {msg.type}")
        if msg.type == "acknowledge":
            await self._acknowledge(
                act, request.step, msg["text_sha256"], msg["typed_name"], msg.get("signature")
            )
        elif msg.type == "confirm_reply":
            await self._confirm(act, request, msg)
        else:
            await self._read_back(act, request, msg)
        del self._pending[msg["request_id"]]
        self.replies[msg["request_id"]] = act
        self._done[msg["request_id"]].set()

    async def _acknowledge(
        self, act: GuestAct, step: str, digest: str, typed_name: str, signature: str | None
    ) -> None:
        # the same checks ProcedureRun makes, first, so the page can name the problem
        if not same_name(typed_name, act.display_name):
            raise ActRefused("name_mismatch", f"the typed name does not match {act.display_name!r}")
        shown = self.procedure.procedure.step(step)
        if digest != shown.text_sha256(self.procedure.language):
            raise ActRefused("text_version", "the text on the page is not the version sent")
        how: dict[str, Any] = {"method": "typed_name", "typed_name": typed_name}
        if signature is not None:
            # a desktop participant signed the exact text with their key: checked like their
            # identity (chain, key usage, invited IIN) before it counts
            if self.signature_check is None:
                raise ActRefused("not_open", "signed acknowledgments are not checked here")
            try:
                raw = base64.b64decode(signature, validate=True)
            except ValueError as e:
                raise ActRefused("bad_signature", "the signature is not base64") from e
            text = unicodedata.normalize("NFC", shown.shown_text(self.procedure.language))
            result = await self.signature_check(act.participant_id, text.encode("utf-8"), raw)
            if not result.accepted:
                raise ActRefused("bad_signature", result.message)
            how = {"method": "signature", "signature": signature}
        try:
            await asyncio.to_thread(
                self.procedure.acknowledge,
                step,
                participant=act.participant_id,
                participant_name=act.display_name,
                shown_text_sha256=digest,
                **how,
            )
        except ProcedureError as e:
            raise ActRefused("not_accepted", str(e)) from e

    async def _confirm(self, act: GuestAct, request: _Request, msg: Any) -> None:
        if not same_name(msg["typed_name"], act.display_name):
            raise ActRefused("name_mismatch", f"the typed name does not match {act.display_name!r}")
        if not msg["confirmed"] and not msg["note"].strip():
            raise ActRefused("reason_needed", "not confirming needs a reason")
        assert request.identity is not None
        note = msg["note"].strip() or f"confirmed by {msg['typed_name'].strip()}"
        await asyncio.to_thread(
            request.identity.official_confirms,
            official=act.participant_id,
            confirmed=msg["confirmed"],
            note=note,
        )

    async def _read_back(self, act: GuestAct, request: _Request, msg: Any) -> None:
        if msg["draft_sha256"] != request.draft_sha256:
            raise ActRefused("draft_version", "the draft on the page is not the version sent")
        decision = msg["decision"]
        typed_name = msg["typed_name"].strip()
        if decision == "refused" and not msg["reason"].strip():
            raise ActRefused("reason_needed", "a refusal needs a reason")
        if decision == "acknowledged":
            # the read_back step's own text was shown too: acknowledge it through the procedure
            await self._acknowledge(act, "read_back", msg["text_sha256"], typed_name, None)
        data = {
            "participant": act.participant_id,
            "decision": decision,
            "remarks": msg["remarks"],
            "reason": msg["reason"],
            "typed_name": typed_name,
            "draft_sha256": msg["draft_sha256"],
            "text_sha256": msg["text_sha256"],
            "language": self.procedure.language,
        }
        await asyncio.to_thread(self._append, "read_back", data)
