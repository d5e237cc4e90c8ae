"""company_key: what the duplicate check treats as the same name, and what it refuses."""

from __future__ import annotations

import pytest

from bot.matching import company_key
from bot.matching.normalize import split_brand

BYTEDANCE_ZH = [
    "北京字节跳动科技有限公司",
    "字节跳动(北京)科技有限公司",
    "字节跳动（北京）科技有限公司",
    "北京字節跳動科技有限公司",
    "字节跳动科技",
]
BYTEDANCE_EN = [
    "ByteDance Ltd.",
    "Bytedance, Inc.",
    "BYTEDANCE LLC",
    "Ｂｙｔｅｄａｎｃｅ，Ｉｎｃ．",
]


@pytest.mark.parametrize("name", BYTEDANCE_ZH)
def test_chinese_spellings_of_one_company_share_a_key(name: str) -> None:
    assert company_key(name) == "字节跳动科技"


@pytest.mark.parametrize("name", BYTEDANCE_EN)
def test_english_legal_forms_case_and_width_do_not_matter(name: str) -> None:
    assert company_key(name) == "bytedance"


@pytest.mark.parametrize(
    ("name", "key"),
    [
        pytest.param("深圳市腾讯计算机系统有限公司", "腾讯计算机系统", id="city-with-shi"),
        pytest.param("广东省深圳市南山区飞海科技有限公司", "飞海科技", id="province-city-district"),
        pytest.param("腾讯科技（深圳）有限公司", "腾讯科技", id="region-bracket-before-legal-form"),
        pytest.param(
            "字节跳动北京科技有限公司", "字节跳动科技", id="region-between-brand-and-trade"
        ),
        pytest.param("北京字节跳动科技有限公司上海分公司", "字节跳动科技", id="branch-is-parent"),
        pytest.param("字节跳动科技有限公司（北京办事处）", "字节跳动科技", id="bracketed-branch"),
        pytest.param("飞海贸易集团有限公司", "飞海贸易集团", id="group-and-legal-form"),
        pytest.param("飞海贸易(集团)股份有限公司", "飞海贸易集团", id="bracketed-group"),
        pytest.param("微软（中国）有限公司", "微软公司", id="bracketed-china"),
        pytest.param("【字节跳动】科技", "字节跳动科技", id="cjk-brackets-kept-content"),
        pytest.param("字节\u200b跳动科技有限公司", "字节跳动科技", id="zero-width-space"),
        pytest.param("字节跳动 科技 有限公司", "字节跳动科技", id="spaces-in-chinese"),
        pytest.param("北京银行股份有限公司", "北京银行", id="region-is-the-brand-bank"),
        pytest.param("青岛啤酒股份有限公司", "青岛啤酒", id="region-is-the-brand-beer"),
        pytest.param("中国银行股份有限公司", "中国银行", id="leading-china-kept"),
        pytest.param("IBM（中国）有限公司", "ibm", id="latin-brand-chinese-form"),
        pytest.param(
            "Beijing ByteDance Technology Co., Ltd.", "bytedance technology", id="pinyin-region"
        ),
        pytest.param("Bytedance Co.,Ltd", "bytedance", id="co-ltd-glued"),
        pytest.param("Acme Company Limited", "acme", id="company-limited"),
        pytest.param("Siemens GmbH", "siemens", id="gmbh"),
        pytest.param("Foo S.A.", "foo", id="sa"),
        pytest.param("Foo PLC", "foo", id="plc"),
        pytest.param("Foo Corp.", "foo", id="corp"),
        pytest.param("Alibaba Group Holding Limited", "alibaba group", id="group-holding"),
        pytest.param("Foo Ltd (Singapore Branch)", "foo", id="english-branch-bracket"),
        pytest.param("Smith & Sons Ltd", "smith and sons", id="ampersand"),
        pytest.param("The Coca-Cola Company", "coca cola", id="leading-the-and-hyphen"),
        pytest.param("Steel Ltd", "steel", id="ordinary-english-word-is-a-brand"),
        pytest.param("Société Générale S.A.", "societe generale", id="accents"),
        pytest.param("ブリヂストン", "ブリヂストン", id="kana-voicing-marks-kept"),
    ],
)
def test_key(name: str, key: str) -> None:
    assert company_key(name) == key


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("有限公司", id="legal-form-only"),
        pytest.param("股份有限公司", id="joint-stock-form-only"),
        pytest.param("北京有限公司", id="region-and-form"),
        pytest.param("（北京）", id="bracketed-region-only"),
        pytest.param("科技有限公司", id="chinese-trade-without-brand"),
        pytest.param("Co., Ltd.", id="english-form-only"),
        pytest.param("Shanghai Ltd", id="english-region-and-form"),
        pytest.param("  \u200b ", id="blank"),
    ],
)
def test_nothing_distinctive_gives_an_empty_key(name: str) -> None:
    assert company_key(name) == ""


@pytest.mark.parametrize(
    ("key", "brand", "industry"),
    [
        ("字节跳动科技", "字节跳动", "科技"),
        ("字节跳动网络技术", "字节跳动", "网络技术"),
        ("飞海", "飞海", ""),
        ("中国银行", "中国银行", ""),  # peeling 银行 would leave only a region
        ("中国建设银行", "中国建设", "银行"),
        ("海科技", "海科技", ""),  # a brand keeps at least two characters
        ("bytedance technology", "bytedance", "technology"),
        ("smith global", "smith", "global"),
        ("blue river", "blue river", ""),
    ],
)
def test_split_brand(key: str, brand: str, industry: str) -> None:
    assert split_brand(key) == (brand, industry)
