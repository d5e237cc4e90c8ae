"""The claim form: the cached first view is exactly the one built from scratch."""

from __future__ import annotations

import pytest

from bot.i18n import Translator
from bot.rules import Rules
from cards.claim_form import FormContext, claim_form, new_claim_form
from tests.fakeslack.validation import validate_view


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


def test_metadata_that_was_tampered_with_gives_no_origin() -> None:
    assert FormContext.load('{"origin_channel": "C1; DROP"}').origin_channel is None
    assert FormContext.load("not json").origin_channel is None
    assert FormContext.load('{"origin_channel": "C0SALES"}').origin_channel == "C0SALES"
