"""The testimony draft the investigator typed during the session, read into the protocol model.

``app.core.testimony`` saves the draft of each participant's testimony durably as
``testimony-<participant>.json`` in the action folder (format ``tergeu-testimony/1``): items in
order, each with the session time ``t`` at which it was started — the free narrative first, then
questions with their state (``answered``, ``withdrawn``, ``refused``, or still ``open``), answer
and reason. This module reads that file strictly (it must not import ``app``) and builds the
:class:`~protocol.testimony.Testimony`: narrative blocks joined, questions numbered in order.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from protocol.errors import FromLogError
from protocol.participants import Participant
from protocol.testimony import Question, Testimony
from recorder.canonical import CanonicalJSONError, parse_json_object

TESTIMONY_FORMAT = "tergeu-testimony/1"
TESTIMONY_FILE = re.compile(r"^testimony-([a-z0-9][a-z0-9_-]{0,63})\.json$")
SETTLED = ("answered", "withdrawn", "refused")


def read_testimony_draft(
    path: Path,
    participants: Sequence[Participant],
    *,
    drafter: str,
    at: Callable[[float], dt.datetime],
) -> Testimony:
    """The testimony in draft file ``path``; ``at`` turns session seconds into times.

    Questions are asked by ``drafter``; the interpreter is the first participant with that role.
    Raises :class:`FromLogError` naming the file and the problem (an open question included).
    """
    name = path.name
    try:
        raw = parse_json_object(path.read_bytes(), what=name)
    except (OSError, CanonicalJSONError) as e:
        raise FromLogError(f"cannot read {name}: {e}") from e
    if set(raw) != {"format", "participant", "items"} or raw["format"] != TESTIMONY_FORMAT:
        raise FromLogError(
            f"{name}: fields {sorted(raw)}, expected format {TESTIMONY_FORMAT!r}, "
            "participant and items"
        )
    m = TESTIMONY_FILE.match(name)
    people = {p.id: p for p in participants}
    pid = raw["participant"]
    if m is None or pid != m.group(1) or pid not in people:
        raise FromLogError(
            f"{name}: participant {pid!r} is not one of the participants {sorted(people)} "
            "(or differs from the file name)"
        )
    items = raw["items"]
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise FromLogError(f"{name}: items is not a list of objects")
    narrative = [i for i in items if i.get("kind") == "narrative"]
    questions = [i for i in items if i.get("kind") == "question"]
    if len(narrative) + len(questions) != len(items):
        raise FromLogError(f"{name}: an item kind is neither narrative nor question")
    if not narrative:
        raise FromLogError(f"{name}: no free narrative (CPC Art. 210 requires it first)")
    ended = questions[0] if questions else narrative[-1]
    qs = []
    for n, q in enumerate(questions, 1):
        state = q.get("state")
        if state not in SETTLED:
            raise FromLogError(
                f"{name}: question {n} is {state!r}; answer, withdraw or refuse it before "
                "making the protocol"
            )
        t = _t(q, name)
        qs.append(
            Question(
                number=n,
                asked_by=drafter,
                text=str(q.get("text", "")),
                answer=str(q.get("answer", "")),
                asked_at=at(t),
                session_t=t,
                status=str(state),
                reason=str(q.get("reason", "")),
            )
        )
    interpreters = [p.id for p in participants if p.role == "interpreter"]
    return Testimony(
        participant=pid,
        language=people[pid].language,
        narrative="\n\n".join(str(i.get("text", "")) for i in narrative),
        narrative_started_at=at(_t(narrative[0], name)),
        narrative_ended_at=at(_t(ended, name)),
        questions=tuple(qs),
        interpreter=interpreters[0] if interpreters else None,
    )


def _t(item: Mapping[str, Any], name: str) -> float:
    t = item.get("t")
    if isinstance(t, bool) or not isinstance(t, int | float) or t < 0:
        raise FromLogError(f"{name}: item time {t!r}, expected session seconds >= 0")
    return float(t)
