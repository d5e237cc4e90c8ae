"""The claim form: the cached first view is exactly the one built from scratch."""

from __future__ import annotations

import pytest

from bot.duplicates import Match
from bot.fakeslack.validation import validate_view
from bot.i18n import Translator
from bot.ids import CorrectionView
from bot.rules import MAX_PROFILE_FIELDS, Rules
from cards.claim_form import FormContext, claim_form, new_claim_form
from cards.corrections import correction_form
from store.models import Claim, KeyKind


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


def _many_profile_fields() -> Rules:
    """The most profile fields the rules allow, of every type, selects with 100 options."""
    kinds = ["select", "multi_select", "text", "number"]
    options = [{"key": f"o{n}", "en": f"Option {n}" * 5, "zh": f"选项{n}"} for n in range(100)]
    fields = [
        {"key": f"f{n}", "type": kinds[n % 4], "en": "L" * 150, "zh": "标签", "required": n < 4}
        | ({"options": options} if kinds[n % 4].endswith("select") else {})
        for n in range(MAX_PROFILE_FIELDS)
    ]
    return Rules.model_validate({"form": {"profile": fields}})


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_form_with_the_most_profile_fields_stays_within_slacks_limits(lang: str) -> None:
    tr, rules = Translator(lang), _many_profile_fields()  # type: ignore[arg-type]
    form = new_claim_form(tr, rules, context=FormContext())
    assert len(form["blocks"]) == 12 + MAX_PROFILE_FIELDS
    assert validate_view(form, surface="modal") == []
    claim = Claim(
        id=5,
        version=2,
        customer_name="ACME",
        profile={"f0": "o99", "f1": ["o1", "o2"], "f2": "x" * 500, "f3": 12.5},
    )
    edit = correction_form(tr, rules, claim, callback=CorrectionView.EDIT)
    assert validate_view(edit, surface="modal") == []
    initial = {b["block_id"]: b["element"] for b in edit["blocks"]}
    assert initial["profile.f0"]["initial_option"]["value"] == "o99"
    assert [o["value"] for o in initial["profile.f1"]["initial_options"]] == ["o1", "o2"]
    assert initial["profile.f3"]["initial_value"] == "12.5"
