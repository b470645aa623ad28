"""ORM tables. Every schema change is an Alembic migration in ``migrations/versions``."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class ActionState(enum.StrEnum):
    """Life of an action, in order."""

    PLANNED = "planned"
    LIVE = "live"
    SEALED = "sealed"
    SIGNED = "signed"
    EXPORTED = "exported"
    UPLOADED = "uploaded"


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    erdr_number: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    actions: Mapped[list[Action]] = relationship(back_populates="case", order_by="Action.id")


class Action(Base):
    __tablename__ = "actions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="RESTRICT"), index=True)
    type: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default=ActionState.PLANNED.value)
    language: Mapped[str] = mapped_column(String(8))
    ground: Mapped[str] = mapped_column(String(64), default="")
    ground_details: Mapped[str] = mapped_column(Text, default="")
    investigator_place: Mapped[str] = mapped_column(Text, default="")
    remote_place: Mapped[str] = mapped_column(Text, default="")
    planned_start: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    planned_end: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    actual_start: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    actual_end: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    case: Mapped[Case] = relationship(back_populates="actions")
    participants: Mapped[list[Participant]] = relationship(
        back_populates="action", order_by="Participant.id"
    )


class Participant(Base):
    __tablename__ = "participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[str] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    full_name: Mapped[str] = mapped_column(Text)
    iin: Mapped[str | None] = mapped_column(String(12))
    contact: Mapped[str] = mapped_column(Text, default="")

    action: Mapped[Action] = relationship(back_populates="participants")
