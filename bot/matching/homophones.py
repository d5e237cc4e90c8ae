"""Chinese homophones folded onto one character, for typo-tolerant comparison.

Chinese is typed through pinyin input: a rep who means 伊利 and picks the wrong candidate types
伊力, 讯飞 becomes 迅飞, 康德 becomes 康得. Character similarity sees a different character; `fold`
maps every character to the first character (by code point) that shares its toneless pinyin, so
such typos compare equal after folding. Real brands that differ in one character nearly always
differ in sound too (海尔 / 海信, 国信 / 国金, 长城 / 长安), so they stay apart.

Folding maps one character to one character: positions and lengths are unchanged, so a cut made in
the folded text applies to the original. The reading data comes from pypinyin (the first, most
common reading of each character); building the table takes about 60 ms, once per process.
"""

from __future__ import annotations

import unicodedata

from pypinyin.pinyin_dict import pinyin_dict

__all__ = ["fold"]

_LAST_BASIC = 0xFFFF


def _toneless(reading: str) -> str:
    decomposed = unicodedata.normalize("NFD", reading)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).replace("ü", "v")


def _table() -> dict[int, int]:
    first_of_sound: dict[str, int] = {}
    table: dict[int, int] = {}
    # Basic plane only, so that folding keeps a string's UTF-8 length (the index relies on it).
    for code in sorted(code for code in pinyin_dict if code <= _LAST_BASIC):
        sound = _toneless(pinyin_dict[code].split(",", 1)[0])
        representative = first_of_sound.setdefault(sound, code)
        if representative != code:
            table[code] = representative
    return table


_FOLD = _table()


def fold(text: str) -> str:
    """``text`` with every Chinese character replaced by its homophones' representative."""
    return text.translate(_FOLD)
