from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

import resources
from app.core.procedure import (
    LANGUAGES,
    Procedure,
    ProcedureError,
    ProcedureRun,
    StepOrderError,
    StepState,
)

ACTION_TYPES = (
    "remote_interrogation_witness",
    "remote_interrogation_victim",
    "remote_inspection",
    "expert_participation",
)


class Log:
    def __init__(self) -> None:
        self.entries: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, kind: str, data: Any) -> None:
        self.entries.append((kind, dict(data)))


@pytest.mark.parametrize("action_type", ACTION_TYPES)
def test_every_defined_procedure_loads_with_all_languages(action_type: str) -> None:
    procedure = Procedure.load(action_type)
    assert procedure.steps[0].id == "recording_announced"
    assert procedure.steps[-1].id == "signatures"
    for step in procedure.steps:
        for lang in LANGUAGES:
            assert step.shown_text(lang).strip()


def test_victim_is_warned_under_419_and_witness_is_not() -> None:
    victim = Procedure.load("remote_interrogation_victim").step("warnings_victim")
    witness = Procedure.load("remote_interrogation_witness").step("warnings_witness")
    assert "CC 419" in victim.articles and "CC 419" not in witness.articles
    assert "419" in victim.text["ru"] and "419" in victim.text["kk"]


def _run() -> tuple[ProcedureRun, Log]:
    log = Log()
    return ProcedureRun(Procedure.load("remote_interrogation_witness"), log, "kk"), log


def _ack(run: ProcedureRun, step: str) -> None:
    run.acknowledge(
        step,
        participant="witness-1",
        participant_name="Әлия Серікқызы Нұрланова",
        method="typed_name",
        typed_name="  әлия серікқызы  нұрланова ",
        shown_text_sha256=run.procedure.step(step).text_sha256("kk"),
    )


def test_testimony_before_identity_and_warnings_is_refused() -> None:
    run, log = _run()
    with pytest.raises(StepOrderError) as info:
        run.start("testimony", by="investigator")
    assert "identity, warnings_witness, confidentiality" in str(info.value)
    assert log.entries == []
    assert run.state("testimony") is StepState.PENDING


def test_deviation_with_reason_is_logged() -> None:
    run, log = _run()
    run.start("testimony", by="investigator", deviation_reason="witness in hospital, urgent")
    kinds = [(k, d["event"]) for k, d in log.entries]
    assert kinds == [("procedural_step", "deviation"), ("procedural_step", "started")]
    assert log.entries[0][1]["missing"] == ["identity", "warnings_witness", "confidentiality"]
    assert run.deviations[0]["reason"] == "witness in hospital, urgent"


def test_full_procedure_in_order_logs_every_step_and_text_hash() -> None:
    run, log = _run()
    for step in run.procedure.steps:
        run.start(step.id, by="investigator")
        if step.acknowledge:
            _ack(run, step.id)
        run.complete(step.id, by="investigator")
    assert run.current is None
    assert not run.deviations
    acks = [d for k, d in log.entries if k == "acknowledgment"]
    assert {a["step"] for a in acks} == {s.id for s in run.procedure.steps if s.acknowledge}
    warn = next(a for a in acks if a["step"] == "warnings_witness")
    assert warn["articles"] == ["CC 420", "CC 421"]
    assert len(warn["text_sha256"]) == 64


def test_acknowledgment_of_another_text_version_is_refused() -> None:
    run, _ = _run()
    run.start("confidentiality", by="investigator")
    with pytest.raises(ProcedureError, match="saw another version"):
        run.acknowledge(
            "confidentiality",
            participant="witness-1",
            participant_name="A B",
            method="typed_name",
            typed_name="A B",
            shown_text_sha256=run.procedure.step("confidentiality").text_sha256("ru"),
        )


def test_typed_name_must_match_and_ack_is_needed_before_done() -> None:
    run, _ = _run()
    run.start("warnings_witness", by="investigator")
    with pytest.raises(ProcedureError, match="needs the participant's acknowledgment"):
        run.complete("warnings_witness", by="investigator")
    with pytest.raises(ProcedureError, match="does not match the participant"):
        run.acknowledge(
            "warnings_witness",
            participant="witness-1",
            participant_name="Әлия Нұрланова",
            method="typed_name",
            typed_name="Someone Else",
            shown_text_sha256=run.procedure.step("warnings_witness").text_sha256("kk"),
        )


def test_bad_definition_names_the_problem(tmp_path: Path) -> None:
    shutil.copytree(resources.path("procedures"), tmp_path, dirs_exist_ok=True)
    steps = json.loads((tmp_path / "steps.json").read_text(encoding="utf-8"))
    del steps["steps"]["identity"]["title"]["kk"]
    (tmp_path / "steps.json").write_text(json.dumps(steps), encoding="utf-8")
    with pytest.raises(ProcedureError, match=r"identity.title: languages \['en', 'ru'\]"):
        Procedure.load("remote_interrogation_witness", tmp_path)
    with pytest.raises(ProcedureError, match="no procedure for action type 'dance'"):
        Procedure.load("dance")
