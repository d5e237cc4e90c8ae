"""Approvals (审批): the approval card for claims a rule holds back, decisions taken exactly once,
questions to the rep and their answers, and what waits for whose decision.

Modules: :mod:`~bot.approvals.case` (a claim as approvers see it), :mod:`~bot.approvals.routing`
(who gets the card), :mod:`~bot.approvals.service` (deciding, asking, answering, listing).
"""
