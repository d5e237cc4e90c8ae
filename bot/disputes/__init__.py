"""Disputes over collisions (争议 / 仲裁): opened by either rep, ruled on once by managers."""

from __future__ import annotations

from bot.disputes.case import DisputeAttempt, DisputeCase, DisputeRefusal, Verdict
from bot.disputes.service import DisputeService

__all__ = ["DisputeAttempt", "DisputeCase", "DisputeRefusal", "DisputeService", "Verdict"]
