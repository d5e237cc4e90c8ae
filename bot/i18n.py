"""The message catalogue: every user-facing string, in Simplified Chinese and English.

Strings live in ``bot/locales/*.yaml``, one file per area of the product, each key holding
both languages side by side so that a missing translation is visible in review::

    help.title:
      en: "Claimbot commands"
      zh: "Claimbot 命令"

Placeholders use ``str.format`` syntax (``{name}``). A test checks that every key has both
languages with the same placeholders, and that every key the code asks for exists.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Final, Literal, get_args

import yaml

Lang = Literal["en", "zh"]
LANGS: Final[tuple[Lang, ...]] = get_args(Lang)
LOCALES_DIR: Final = Path(__file__).parent / "locales"


class CatalogueError(ValueError):
    """The catalogue files are inconsistent (a programming error, caught by tests)."""


def language_of_locale(locale: str | None, default: Lang) -> Lang:
    """Map a Slack locale such as ``zh-CN``, ``zh-TW`` or ``en-US`` to a catalogue language."""
    if not locale:
        return default
    prefix = locale.split("-")[0].split("_")[0].lower()
    if prefix == "zh":
        return "zh"
    if prefix == "en":
        return "en"
    return default


def placeholders(text: str) -> set[str]:
    """Names of the ``{placeholders}`` in a catalogue string."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@cache
def catalogue() -> Mapping[str, Mapping[Lang, str]]:
    """Load and check every locale file once."""
    merged: dict[str, dict[Lang, str]] = {}
    for path in sorted(LOCALES_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise CatalogueError(f"{path.name}: expected a mapping of keys")
        for key, entry in data.items():
            if key in merged:
                raise CatalogueError(f"{path.name}: key {key!r} is defined twice")
            if not isinstance(entry, dict) or set(entry) != set(LANGS):
                raise CatalogueError(f"{path.name}: {key!r} needs exactly {list(LANGS)}")
            texts: dict[Lang, str] = {lang: str(entry[lang]) for lang in LANGS}
            if placeholders(texts["en"]) != placeholders(texts["zh"]):
                raise CatalogueError(
                    f"{path.name}: {key!r} has different placeholders per language"
                )
            merged[key] = texts
    return merged


def t(key: str, lang: Lang, /, **params: object) -> str:
    """The text for ``key`` in ``lang`` with ``params`` filled in.

    An unknown key raises ``KeyError``: a missing string is a bug, never shown as a raw key.
    """
    text = catalogue()[key][lang]
    return text.format(**params) if params else text


class Translator:
    """A language bound to the catalogue, handed to cards so they need not pass ``lang`` around."""

    __slots__ = ("lang",)

    def __init__(self, lang: Lang) -> None:
        self.lang: Lang = lang

    def __call__(self, key: str, /, **params: object) -> str:
        return t(key, self.lang, **params)

    def __repr__(self) -> str:
        return f"Translator({self.lang!r})"
