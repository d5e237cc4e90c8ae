"""The claim form: the cached first view is exactly the one built from scratch."""

from __future__ import annotations

import pytest

from bot.duplicates import Match
from bot.fakeslack.validation import validate_view
from bot.i18n import Translator
from bot.rules import Rules
from cards.claim_form import FormContext, claim_form, new_claim_form
from store.models import KeyKind


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", ["", "ACME Robotics (Shanghai) Ltd"])
def test_the_cached_form_equals_the_built_one(lang: str, name: str) -> None:
    tr, rules = Translator(lang), Rules()  # type: ignore[arg-type]
    for channel in ("C1", "D2", None):
        context = FormContext(origin_channel=channel)
        cached = new_claim_form(tr, rules, context=context, customer_name=name)
        built = claim_form(tr, rules, context=context, customer_name=name).to_dict()
        assert cached == built
        assert validate_view(cached, surface="modal") == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_cached_form_with_a_hint_equals_the_built_one(lang: str) -> None:
    tr, rules = Translator(lang), Rules()  # type: ignore[arg-type]
    match = Match(
        customer_id=7,
        customer_name="北京字节跳动科技有限公司",
        matched_on=KeyKind.NAME,
        score=95.0,
        clear=True,
        holder=None,
        pooled=True,
    )
    for hint in ([], [match]):
        context = FormContext(origin_channel="C1")
        cached = new_claim_form(tr, rules, context=context, customer_name="字节跳动", hint=hint)
        built = claim_form(tr, rules, context=context, customer_name="字节跳动", hint=hint)
        assert cached == built.to_dict()


def test_metadata_that_was_tampered_with_gives_no_origin() -> None:
    assert FormContext.load('{"origin_channel": "C1; DROP"}').origin_channel is None
    assert FormContext.load("not json").origin_channel is None
    assert FormContext.load('{"origin_channel": "C0SALES"}').origin_channel == "C0SALES"
