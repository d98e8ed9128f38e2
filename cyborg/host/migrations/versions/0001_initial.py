"""The first schema: teams, submissions, phase closures, settings.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the four tables."""
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime, nullable=False))
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("team_id", sa.Integer, sa.ForeignKey("teams.id"), nullable=False),
        sa.Column("phase", sa.String(100), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("filename", sa.String(120), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size_bytes", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("public_score", sa.Float, nullable=True),
        sa.Column("private_score", sa.Float, nullable=True),
        sa.Column("message", sa.String(500), nullable=True))
    for column in ("team_id", "phase", "created_at"):
        op.create_index(f"ix_submissions_{column}", "submissions", [column])
    op.create_table(
        "phase_closures",
        sa.Column("phase", sa.String(100), primary_key=True),
        sa.Column("closed_at", sa.DateTime, nullable=False))
    op.create_table(
        "settings",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("value", sa.String(500), nullable=False))


def downgrade() -> None:
    """Drop them."""
    for table in ("settings", "phase_closures", "submissions", "teams"):
        op.drop_table(table)
