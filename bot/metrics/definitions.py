"""What each number on the dashboard means — precisely, edge cases included.

All metrics are per *scope* (a rep: their own claims; a manager: their teams' claims; an admin:
every claim) and per *period* (a window ``[start, end)`` in the workspace time zone, see
:mod:`bot.metrics.periods`).

**Filed** (claim volume, 报备量): claims whose ``submitted_at`` falls in the period, filed by a rep
through the form or from the public pool. Claims loaded by ``claimbot import`` and claims created by
a manager's transfer are not filings and never count. Collisions are not claims: a claim attempt
that lost to an earlier holder is counted as a collision, not as filed.

**Approved**: filed claims approved automatically at filing (``decision = auto``) or by a manager
(``approved``), whatever happened to them since (a claim approved and later reclaimed is still
approved). **Rejected**: filed claims a manager rejected. **Pending**: filed claims still waiting.

**Approval rate** (报备成功率) = approved / (approved + rejected). Claims still pending are left out,
so a busy day does not look like a bad one; with nothing decided the rate is "—", never 0 %.

**Approval time** (审批时长): ``decided_at − submitted_at`` of the filed claims that were decided
(approved or rejected). An auto-approved claim is decided at filing and counts as 0. Average and
90th percentile (linear interpolation between ranks, PostgreSQL's ``percentile_cont(0.9)``); "—"
when nothing was decided.

**Source channels** (渠道贡献与质量): per ``source_channel`` (or "not given"), claims filed, their
share of all filed, approved, and *converted* (approved claims that reached a later stage, below);
conversion = converted / approved.

**Collision rate** (撞单率) = collisions / claims filed. A collision counts in the period of its
attempt and for the challenger (the rep who lost): per rep for that rep, per team for the teams
the challenger is a member of now. It can exceed 100 % (someone who collides more often than they
file); with no claim filed it is "—", even when there were collisions (the count is shown).

**Lead conversion** (线索转化率), a cohort measure: of the claims filed in the period and approved,
*advanced* = those that have since reached a stage later than the first (any configured stage
after it, 赢单 included, 输单 excluded — a claim counts if its current stage or any follow-up's stage
was one of them, or it was won), and *won* = those won. Advanced rate = advanced / approved; win
rate = won / approved; "—" with nothing approved.

**Follow-up rate within protection** (保护期内跟进率): of the claims that were protected at some
moment of the period (approved — automatically, by a manager or by import — before the period ended,
and not ended before it began), the share with at least one follow-up that happened inside the
period (and after their approval). "—" when no claim was protected.
"""

from __future__ import annotations

from dataclasses import dataclass

from store.metrics import ClaimCounts, Coverage


@dataclass(frozen=True, slots=True)
class Ratio:
    """A share: ``part`` of ``whole``. No whole, no share (``value`` is None, shown as "—")."""

    part: int
    whole: int

    @property
    def value(self) -> float | None:
        return None if self.whole <= 0 else self.part / self.whole


@dataclass(frozen=True, slots=True)
class Metrics:
    """Every dashboard number of one scope and period (see the module docstring)."""

    filed: int = 0
    approved: int = 0
    auto_approved: int = 0
    rejected: int = 0
    pending: int = 0
    avg_approval_seconds: float | None = None
    p90_approval_seconds: float | None = None
    collisions: int = 0
    advanced: int = 0
    won: int = 0
    protected: int = 0
    followed_up: int = 0

    @classmethod
    def of(
        cls,
        counts: ClaimCounts,
        *,
        p90: float | None,
        collisions: int,
        coverage: Coverage,
    ) -> Metrics:
        """Put the store's separate answers together."""
        return cls(
            filed=counts.filed,
            approved=counts.approved,
            auto_approved=counts.auto_approved,
            rejected=counts.rejected,
            pending=counts.pending,
            avg_approval_seconds=counts.avg_approval_seconds,
            p90_approval_seconds=p90,
            collisions=collisions,
            advanced=counts.advanced,
            won=counts.won,
            protected=coverage.protected,
            followed_up=coverage.followed_up,
        )

    @property
    def decided(self) -> int:
        return self.approved + self.rejected

    @property
    def approval_rate(self) -> Ratio:
        return Ratio(self.approved, self.decided)

    @property
    def collision_rate(self) -> Ratio:
        return Ratio(self.collisions, self.filed)

    @property
    def advance_rate(self) -> Ratio:
        return Ratio(self.advanced, self.approved)

    @property
    def win_rate(self) -> Ratio:
        return Ratio(self.won, self.approved)

    @property
    def followup_rate(self) -> Ratio:
        return Ratio(self.followed_up, self.protected)

    @property
    def empty(self) -> bool:
        """Nothing happened in the period: no claim filed, protected or collided."""
        return not (self.filed or self.protected or self.collisions)


@dataclass(frozen=True, slots=True)
class ChannelRow:
    """One source channel's contribution and quality (``channel`` None: not given)."""

    channel: str | None
    filed: int
    approved: int
    converted: int
    share: Ratio

    @property
    def conversion(self) -> Ratio:
        return Ratio(self.converted, self.approved)


@dataclass(frozen=True, slots=True)
class TrendWeek:
    """One week of the trend: its label (``MM-DD`` of its Monday), filed, approved."""

    label: str
    filed: int
    approved: int
