"""What the investigator entered, gathered for the protocol: case, action, places, participants.

The index database holds what the new-action wizard recorded; the investigator is named from their
signing certificate (they are the protocol's first signer, so their IIN must be in it). The rest
of the protocol — times, identity checks, acknowledgments, testimony, presence, exhibits — comes
from the action folder through :func:`protocol.from_log.protocol_from_action`.
"""

from __future__ import annotations

import unicodedata

from app.core.errors import TergeuError
from app.core.storage.db import Database
from protocol.case import Case, Place
from protocol.from_log import Entered
from protocol.participants import Participant
from protocol.signing import CertificateIdentity

# ICAO Doc 9303 part 3 transliteration of Cyrillic, with the Kazakh letters as Kazakhstan's
# documents write them in Latin (Ә→A, Ғ→G, Қ→K, Ң→N, Ө→O, Ұ/Ү→U, Һ→H, І→I).
_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "ie", "ы": "y", "ь": "", "э": "e", "ю": "iu", "я": "ia",
    "ә": "a", "ғ": "g", "қ": "k", "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "і": "i",
}  # fmt: skip


class RecordInputError(TergeuError):
    """Something the protocol needs was not entered (names the field)."""


def _place(text: str) -> Place:
    """A free-text place "City, office 5" as the protocol's agency ("office 5") and address."""
    head, sep, tail = text.rpartition(",")
    if sep and head.strip() and tail.strip():
        return Place(agency=tail.strip(), address=head.strip())
    return Place(agency=text.strip(), address=text.strip())


def to_latin(name: str) -> str:
    """``Сейтқали Айгерім`` → ``Seitkali Aigerim``; Latin input is kept (accents removed)."""
    out = []
    for ch in unicodedata.normalize("NFC", name):
        low = ch.lower()
        if low in _LATIN:
            latin = _LATIN[low]
            out.append(latin.capitalize() if ch != low and latin else latin)
        else:
            out.append(ch)
    plain = unicodedata.normalize("NFKD", "".join(out))
    return "".join(c for c in plain if not unicodedata.combining(c))


def entered_for_action(
    db: Database,
    action_id: str,
    investigator: CertificateIdentity,
    *,
    position: str,
    agency: str,
    participant_ids: dict[int, str],
    devices: tuple[str, ...] = (),
) -> Entered:
    """The :class:`protocol.from_log.Entered` of ``action_id``.

    ``participant_ids`` maps database participant ids to the ids that name their tracks in the
    log (``app.ui.live_start.participant_id``); the investigator is ``investigator``.
    """
    action = db.action(action_id)
    case = db.case(action.case_id)
    if not action.ground:
        raise RecordInputError(
            f"action {action_id}: the ground for remote mode (CPC Art. 213) was not entered"
        )
    if not investigator.iin:
        raise RecordInputError(
            f"the signing certificate of {investigator.display_name!r} carries no IIN "
            "(SERIALNUMBER=IIN…): it cannot sign a protocol"
        )
    if not position.strip():
        raise RecordInputError(
            "your position (e.g. 'senior investigator') is not set: enter it in Settings → "
            "Investigator; the protocol names it"
        )
    name = investigator.display_name
    people = [
        Participant(
            id="investigator",
            role="investigator",
            full_name=name,
            full_name_latin=to_latin(name),
            iin=investigator.iin,
            location="investigator",
            position=position,
            agency=agency or investigator.organisation,
            language=action.language,
        )
    ]
    for p in db.participants_of(action_id):
        people.append(
            Participant(
                id=participant_ids.get(p.id, f"p{p.id}"),
                role=p.role,
                full_name=p.full_name,
                full_name_latin=to_latin(p.full_name),
                iin=p.iin or None,
                location="remote",
                language=action.language,
            )
        )
    return Entered(
        document_id=action_id,
        case=Case(case.erdr_number),
        action_type=action.type,
        ground=action.ground,
        ground_details=action.ground_details,
        investigator_place=Place(agency=agency or name, address=action.investigator_place),
        remote_place=_place(action.remote_place),
        participants=tuple(people),
        languages=(action.language,),
        language=action.language,
        devices=devices,
    )
