"""One catalogue, two languages, and nothing user-facing outside it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from bot.i18n import LANGS, catalogue, language_of_locale, placeholders, t

ROOT = Path(__file__).parent.parent
# bot/fakeslack stands in for Slack: its texts are Slack's, not Claimbot's.
CODE = [
    p
    for d in ("bot", "handlers", "cards")
    for p in (ROOT / d).rglob("*.py")
    if (ROOT / "bot" / "fakeslack") not in p.parents
]
CJK = re.compile(r"[\u3400-\u9fff\uff01-\uff5e]")
# Modules whose Chinese literals are data for parsing input, not text shown to anyone (and the
# playground's made-up people and customers, who are data too).
PARSING_DATA = {"bot/validation.py", "bot/matching", "bot/playground/seed.py"}


def keys_asked_for() -> set[tuple[str, str]]:
    """(file, key) for every literal key passed to t()/tr() or a ``*_key=`` argument."""
    found: set[tuple[str, str]] = set()
    for path in CODE:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in {"t", "tr"} and node.args and isinstance(node.args[0], ast.Constant):
                found.add((str(path.relative_to(ROOT)), str(node.args[0].value)))
            for keyword in node.keywords:
                if (keyword.arg or "").endswith("_key") and isinstance(keyword.value, ast.Constant):
                    found.add((str(path.relative_to(ROOT)), str(keyword.value.value)))
    return found


def test_every_key_has_both_languages_with_the_same_placeholders() -> None:
    for key, texts in catalogue().items():
        assert set(texts) == set(LANGS), key
        assert all(texts[lang].strip() for lang in LANGS), f"{key} is empty in a language"
        assert placeholders(texts["en"]) == placeholders(texts["zh"]), key


def test_every_key_the_code_asks_for_exists() -> None:
    missing = sorted(f"{where}: {key}" for where, key in keys_asked_for() if key not in catalogue())
    assert missing == []


def docstrings(tree: ast.AST) -> set[int]:
    """ids of the docstring nodes in ``tree`` (text for developers, not users)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def test_no_chinese_text_is_written_outside_the_catalogue() -> None:
    offenders = []
    for path in CODE:
        relative = str(path.relative_to(ROOT))
        if any(relative.startswith(p) for p in PARSING_DATA):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = docstrings(tree)
        offenders += [
            f"{relative}:{node.lineno}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in skip
            and CJK.search(node.value)
        ]
    assert offenders == []


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("zh-CN", "zh"),
        ("zh-TW", "zh"),
        ("en-US", "en"),
        ("en-GB", "en"),
        ("ja-JP", "zh"),
        (None, "zh"),
    ],
)
def test_slack_locales_map_to_a_language(locale: str | None, expected: str) -> None:
    assert language_of_locale(locale, "zh") == expected


def test_placeholders_are_filled_and_unknown_keys_fail_loudly() -> None:
    assert "`frobnicate`" in t("help.unknown", "en", command="frobnicate")
    assert "`frobnicate`" in t("help.unknown", "zh", command="frobnicate")
    with pytest.raises(KeyError):
        t("no.such.key", "en")
