"""Claims people can correct after filing: withdraw (:mod:`.withdraw`) and edit (:mod:`.edit`)."""

from bot.corrections.common import Correction, CorrectionRefusal
from bot.corrections.edit import EditService
from bot.corrections.resubmit import ResubmitService
from bot.corrections.withdraw import WithdrawService

__all__ = ["Correction", "CorrectionRefusal", "EditService", "ResubmitService", "WithdrawService"]
