"""Translated labels of domain codes (action types, roles, grounds) for the interface.

Written as literal ``translate`` calls so ``make i18n`` extracts them; called each time a label
is shown, so a language switch takes effect immediately.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication


def action_types() -> dict[str, str]:
    """Action types that have a procedure definition, with their labels."""
    return {
        "remote_interrogation_witness": QCoreApplication.translate(
            "Domain", "Remote interrogation of a witness"
        ),
        "remote_interrogation_victim": QCoreApplication.translate(
            "Domain", "Remote interrogation of a victim"
        ),
        "remote_inspection": QCoreApplication.translate("Domain", "Remote inspection"),
        "expert_participation": QCoreApplication.translate(
            "Domain", "Remote participation of an expert or specialist"
        ),
    }


def remote_grounds() -> dict[str, str]:
    """Grounds for remote mode, CPC Art. 213 part 1."""
    return {
        "health_or_valid_reason": QCoreApplication.translate(
            "Domain", "Health or another valid reason (Art. 213 p. 1)"
        ),
        "safety": QCoreApplication.translate("Domain", "Safety of the participant (Art. 213 p. 2)"),
        "minor": QCoreApplication.translate("Domain", "The participant is a minor (Art. 213 p. 3)"),
        "time_limits": QCoreApplication.translate(
            "Domain", "Procedural time limits (Art. 213 p. 4)"
        ),
        "difficulty_or_cost": QCoreApplication.translate(
            "Domain", "Difficulty or cost of attending (Art. 213 p. 5)"
        ),
    }


def roles() -> dict[str, str]:
    return {
        "witness": QCoreApplication.translate("Domain", "Witness"),
        "victim": QCoreApplication.translate("Domain", "Victim"),
        "expert": QCoreApplication.translate("Domain", "Expert"),
        "specialist": QCoreApplication.translate("Domain", "Specialist"),
        "interpreter": QCoreApplication.translate("Domain", "Interpreter"),
        "defender": QCoreApplication.translate("Domain", "Defence counsel"),
        "legal_representative": QCoreApplication.translate("Domain", "Legal representative"),
        "remote_official": QCoreApplication.translate("Domain", "Official at the remote location"),
        "attesting_witness": QCoreApplication.translate("Domain", "Attesting witness"),
    }


def languages() -> dict[str, str]:
    return {"kk": "Қазақ тілі", "ru": "Русский язык", "en": "English"}
