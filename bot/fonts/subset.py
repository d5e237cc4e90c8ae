"""Regenerate the chart font: ``python -m bot.fonts.subset [SOURCE]``.

matplotlib's own font has no Chinese glyphs, and the pip packages that ship a CJK font are either
huge (tens of MB) or carry fonts that may not be redistributed. The charts only ever draw their
own catalogue strings (``bot/locales/metrics.yaml``), digits and dates, so Claimbot ships the few
hundred glyphs those need, cut from Noto Sans CJK SC (SIL Open Font License 1.1, see OFL.txt)
and renamed, as the OFL asks of modified versions: ``ChartSans-Regular.otf``, some tens of KB.

SOURCE is a Noto Sans CJK font or collection; the default is Debian's
(``apt-get install fonts-noto-cjk``). fontTools comes with matplotlib.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml
from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

from bot.i18n import LOCALES_DIR

HERE = Path(__file__).parent
FONT = HERE / "ChartSans-Regular.otf"
FAMILY = "Claimbot Chart Sans"
SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
SOURCE_NAME = "Noto Sans CJK SC"
# Always present: ASCII, and the punctuation and signs numbers and labels use.
BASE = (
    "".join(chr(c) for c in range(0x20, 0x7F))  # ASCII
    + "".join(chr(c) for c in range(0xFF01, 0xFF5F))  # its full-width forms
    + "·—–…‰×÷→←↑↓“”‘’。、《》〈〉「」"
)


def characters() -> str:
    """Every character the charts may draw: BASE and all of the metrics catalogue."""
    data = yaml.safe_load((LOCALES_DIR / "metrics.yaml").read_text(encoding="utf-8")) or {}
    text = BASE + "".join(str(v) for entry in data.values() for v in entry.values())
    return "".join(sorted(set(text) - {"\n", "\r", "\t"}))


def _source(path: Path) -> TTFont:
    if path.suffix.lower() in (".ttc", ".otc"):
        for number, font in enumerate(TTCollection(str(path)).fonts):
            if font["name"].getDebugName(4) == SOURCE_NAME:
                return TTFont(str(path), fontNumber=number)
        raise SystemExit(f"{path}: no {SOURCE_NAME!r} in this collection")
    return TTFont(str(path))


def build(source: Path = SOURCE, target: Path = FONT) -> int:
    """Write the subset font; returns its size in bytes."""
    font = _source(source)
    options = subset.Options()
    options.layout_features = ["kern", "palt", "halt"]
    options.notdef_outline = True
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters())
    subsetter.subset(font)
    names = font["name"]
    for name_id, value in (
        (1, FAMILY),
        (3, f"{FAMILY} Regular"),
        (4, FAMILY),
        (6, "ClaimbotChartSans-Regular"),
    ):
        names.setName(value, name_id, 3, 1, 0x409)
        names.setName(value, name_id, 1, 0, 0)
    for record in list(names.names):
        if record.nameID in (16, 17):
            names.removeNames(nameID=record.nameID)
    font.save(str(target))
    return target.stat().st_size


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    size = build(Path(args[0]) if args else SOURCE)
    print(f"wrote {FONT} ({size:,} bytes, {len(characters())} characters)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
