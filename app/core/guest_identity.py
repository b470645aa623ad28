"""Identity of a witness or victim who joins from a browser (no electronic signature).

Established in steps, each one an ``identity_check`` entry in the action log (who, what, when,
result), so the protocol can say exactly how identity was established:

1. possession of the single-use link and the PIN (done by the invite book at admission);
2. the document shown to the camera: full-resolution stills of the document and of the face,
   stored as evidence files and referenced from the log by SHA-256;
3. the document data the investigator enters: the IIN is validated (check digit, birth date and
   sex digit), the MRZ when entered with its ICAO 9303 check digits, and the two are cross-checked
   with each other and with the invited participant;
4. the remote-end official, when present, confirms from their side;
5. the investigator attests.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.core.errors import TergeuError
from app.core.evidence import EvidenceFile
from protocol.identifiers import IdentifierError, mrz_matches_iin, parse_iin, parse_mrz

LogAppend = Callable[[str, Mapping[str, Any]], object]


class GuestIdentityError(TergeuError):
    """A step was used out of order or with missing data."""


class Step(enum.StrEnum):
    POSSESSION = "link-and-pin"
    DOCUMENT_STILLS = "document-stills"
    DOCUMENT_DATA = "document-data"
    OFFICIAL = "remote-official"
    ATTESTATION = "investigator-attestation"


@dataclass(frozen=True)
class DocumentCheck:
    """The outcome of checking entered document data: problems name what is wrong."""

    iin: str
    document_number: str
    mrz_format: str | None
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def check_document(
    *,
    iin: str,
    document_number: str,
    mrz: Sequence[str] | None,
    invited_iin: str | None,
    today: dt.date,
) -> DocumentCheck:
    """Validate the IIN and the MRZ and cross-check them; never raises for bad data."""
    problems: list[str] = []
    parsed_iin = None
    try:
        parsed_iin = parse_iin(iin.strip())
    except IdentifierError as e:
        problems.append(str(e))
    if invited_iin and parsed_iin is not None and parsed_iin.value != invited_iin:
        problems.append(
            f"IIN {parsed_iin.value} is not the invited participant's IIN {invited_iin}"
        )
    if not document_number.strip():
        problems.append("the document number is empty")
    mrz_format = None
    if mrz:
        try:
            parsed_mrz = parse_mrz(list(mrz), today=today)
        except IdentifierError as e:
            problems.append(str(e))
        else:
            mrz_format = parsed_mrz.format
            if parsed_iin is not None:
                problems += mrz_matches_iin(parsed_mrz, parsed_iin)
            number = document_number.strip().upper()
            if number and parsed_mrz.document_number.replace("<", "") != number:
                problems.append(
                    f"document number {number} does not match {parsed_mrz.document_number} "
                    "in the MRZ"
                )
            if parsed_mrz.expiry_date < today:
                problems.append(f"the document expired on {parsed_mrz.expiry_date.isoformat()}")
    return DocumentCheck(iin.strip(), document_number.strip(), mrz_format, tuple(problems))


@dataclass
class GuestIdentity:
    """The identity steps of one guest participant; each step is appended to the log."""

    participant: str
    invited_iin: str | None
    append: LogAppend
    official_present: bool = False
    done: dict[Step, dict[str, Any]] = field(default_factory=dict)

    def _log(self, step: Step, by: str, result: str, **data: Any) -> None:
        entry = {
            "participant": self.participant,
            "method": step.value,
            "by": by,
            "result": result,
            **data,
        }
        self.append("identity_check", entry)
        self.done[step] = entry

    def possession(self, *, invite_id: str) -> None:
        """The guest came with the single-use link and entered the right PIN."""
        self._log(Step.POSSESSION, "system", "passed", invite_id=invite_id)

    def document_stills(self, *, by: str, document: EvidenceFile, face: EvidenceFile) -> None:
        self._log(
            Step.DOCUMENT_STILLS, by, "captured", document=document.log_data(), face=face.log_data()
        )

    def document_data(
        self,
        *,
        by: str,
        iin: str,
        document_number: str,
        mrz: Sequence[str] | None,
        today: dt.date,
    ) -> DocumentCheck:
        """Check and log the entered data; a failed check is logged too, with its problems."""
        if Step.DOCUMENT_STILLS not in self.done:
            raise GuestIdentityError("capture the document and face stills before entering data")
        check = check_document(
            iin=iin,
            document_number=document_number,
            mrz=mrz,
            invited_iin=self.invited_iin,
            today=today,
        )
        self._log(
            Step.DOCUMENT_DATA,
            by,
            "passed" if check.ok else "failed",
            iin=check.iin,
            document_number=check.document_number,
            mrz_format=check.mrz_format,
            problems=list(check.problems),
        )
        return check

    def official_confirms(self, *, official: str, confirmed: bool, note: str = "") -> None:
        self._log(Step.OFFICIAL, official, "confirmed" if confirmed else "not-confirmed", note=note)

    def attest(self, *, investigator: str, note: str = "") -> None:
        """The investigator's attestation closes the identity step; refused while incomplete."""
        data = self.done.get(Step.DOCUMENT_DATA)
        if data is None or data["result"] != "passed":
            raise GuestIdentityError("the document data has not passed its checks")
        if self.official_present and self.done.get(Step.OFFICIAL, {}).get("result") != "confirmed":
            raise GuestIdentityError("the remote-end official has not confirmed the identity")
        if Step.POSSESSION not in self.done:
            raise GuestIdentityError("the guest has not been admitted with link and PIN")
        self._log(Step.ATTESTATION, investigator, "verified", note=note)

    @property
    def verified(self) -> bool:
        return Step.ATTESTATION in self.done
