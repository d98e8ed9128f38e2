"""The database tables (SQLAlchemy ORM); Alembic's migrations create and change them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    """The declarative base of every table."""


class Team(Base):
    """A team: its name and the SHA-256 of its token (the token itself is never stored)."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    submissions: Mapped[list[Submission]] = relationship(back_populates="team")


class Submission(Base):
    """One upload: valid ones hold their stored file's hash and both scores, invalid ones their message.

    ``status`` is ``"scored"`` (stored under ``sha256`` and counted against the
    quota) or ``"invalid"`` (not stored, not counted; ``message`` is the
    validator's one line).
    """

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    phase: Mapped[str] = mapped_column(String(100), index=True)
    status: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str] = mapped_column(String(120))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    public_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    private_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    message: Mapped[str | None] = mapped_column(String(500), nullable=True)
    team: Mapped[Team] = relationship(back_populates="submissions")


class PhaseClosure(Base):
    """A phase the admin ended before its scheduled end."""

    __tablename__ = "phase_closures"

    phase: Mapped[str] = mapped_column(String(100), primary_key=True)
    closed_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Setting(Base):
    """A server setting (``admin_token_sha256``)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(String(500))
