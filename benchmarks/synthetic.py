"""Deterministic synthetic company names for benchmarks: 70 % Chinese, 30 % English.

Faker's zh_CN knows ~324 companies; a million needs composing. Chinese names follow the official
pattern region + brand (字号, 2–4 characters) + industry + legal form, with the variants people type:
region with or without 市/省, region in (half- or full-width) brackets after the brand, no region,
traditional characters, a branch suffix. Brand characters are drawn with a skewed (Zipf-like)
distribution, as real brands reuse 华, 鑫, 盛 … far more than rare characters. English names are one
or two brand words (dictionary words or invented ones) + an optional industry + a legal suffix.

`altered` makes the kind of second spelling a rep would type for an existing customer.
Dense synthetic corpora collide more than real ones: judge precision on curated pairs, not here.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from itertools import accumulate

import opencc

__all__ = ["altered", "company_names", "query_names"]

_TO_TRADITIONAL = opencc.OpenCC("s2t")

_BRAND_CHARS = "".join(
    dict.fromkeys(
        "华鑫盛达宏泰恒源海飞鸿嘉瑞博信诚安康和兴隆昌盈福祥德明光辉星月天地龙凤鹏腾翔云峰山川江河湖林"
        "森木青蓝绿红紫白银铭睿智慧思维创新科联合众汇聚通远航捷迅优佳美丽雅尚品格典金玉宝丰润泽沛清"
        "澜波涛浩瀚宇宙乾坤元亨利贞中国东西南北方正大同顺万千百佰仟壹久长永恒立本诺凯旋威豪杰英俊"
        "秀雄伟强壮锦绣华章文武双全晨曦朝阳晟昊昕旭晶莹琳琅瑜瑾璟珑璞琪琦瑶璐帆舟桥梁栋材柏松竹梅兰"
        "菊荷莲芳菲蕾蓓茂荣耀灿烂炫彩虹霞霖雨雪霜露冰峻岭崇岳屹嵘磊鼎铂钧锐锋钰铖铄卓越超群冠军首"
        "领先锋尖端精工匠心启迪悦享乐趣友邻家园居所安宁静谧和谐融汇贯通达观远见卓识博学多才艺术"
        "京沪津渝粤闽浙苏皖赣鲁豫鄂湘川黔滇陕甘青宁新藏港澳台蒙辽吉黑晋冀桂琼巨力能量源泉活力"
        "动感跳跃奔腾飞扬展翅高飞九州四海五湖八方三江六合七星八达十全百川千里万象更新"
    )
)
# Zipf-like: the first characters of the pool are far more common than the last.
_BRAND_WEIGHTS = list(accumulate(1 / (rank + 8) ** 0.9 for rank in range(len(_BRAND_CHARS))))

_REGIONS = (
    "北京 上海 天津 重庆 广州 深圳 杭州 南京 苏州 武汉 成都 西安 长沙 郑州 青岛 大连 厦门 宁波 济南 "
    "合肥 福州 昆明 沈阳 哈尔滨 长春 石家庄 太原 南昌 南宁 贵阳 无锡 佛山 东莞 珠海 温州 泉州"
).split()
_PROVINCE_CITIES = (
    ("广东", "广州 深圳 佛山 东莞 珠海"),
    ("浙江", "杭州 宁波 温州"),
    ("江苏", "南京 苏州 无锡"),
    ("山东", "济南 青岛"),
    ("福建", "福州 厦门 泉州"),
    ("湖北", "武汉"),
    ("四川", "成都"),
    ("辽宁", "沈阳 大连"),
)

_INDUSTRIES_ZH = (
    "科技 网络科技 信息技术 电子商务 文化传媒 文化传播 贸易 商贸 国际贸易 实业 投资管理 "
    "企业管理咨询 建筑工程 装饰工程 物流 供应链管理 餐饮管理 医疗器械 生物科技 医药 食品 服装 "
    "电子 机械设备 汽车服务 房地产开发 物业管理 教育科技 软件 人力资源 新能源科技 环保科技 "
    "智能科技 化工 农业发展 酒店管理 旅游 影视 广告 包装材料 五金 建材 家具 印刷 "
    # Real industries the normaliser does not know, so that some keys keep them in the brand.
    "茶叶 珠宝 眼镜 家纺 花卉 乐器"
).split()
_LEGAL_FORMS_ZH = (
    ("有限公司", 55),
    ("有限责任公司", 15),
    ("股份有限公司", 10),
    ("集团有限公司", 6),
    ("(集团)有限公司", 2),
    ("工作室", 2),
    ("", 10),
)

_EN_WORDS = (
    "Blue River Summit Apex Nova Orion Pacific Silver Golden Eagle Lotus Harbor Maple Cedar Falcon "
    "Phoenix Atlas Vertex Zenith Horizon Pioneer Sterling Crescent Meridian Aurora Beacon Cascade "
    "Granite Ivy Jade Keystone Liberty Magnolia Northstar Oak Pinnacle Quantum Radiant Sapphire "
    "Titan Unity Vista Willow Crown Bridge Stone Field Lake Ocean Sky Star Sun Moon Red Green Black "
    "White Grand Royal Prime First United Bright Clear Swift True Smart Rapid Metro Urban Coastal "
    "Alpine Desert Prairie Valley Forest Canyon Delta Sierra Tango Echo Bravo Kilo Lima Nexus Vector "
    "Matrix Fusion Spectrum Element Catalyst Momentum Velocity Infinity Legacy Heritage Frontier "
    "Compass Anchor Lighthouse Evergreen Redwood Sequoia Aspen Birch Elm Hawthorn Juniper Laurel "
    "Sage Thistle Clover Hazel Rowan Sterling Cobalt Copper Iron Steel Amber Coral Pearl Onyx Ruby "
    "Smith Johnson Walker Turner Baker Carter Morgan Parker Hughes Bennett Foster Brooks Hayes Reed"
).split()
_EN_SYLLABLES = (
    "ax ze tra lix vo ra quo ven ta ly ri ko no va sen tel dyn cor mer gen tri zo ka pex lu mi "
    "ner bi oth sta vi ro xa qui fy ne"
).split()
_INDUSTRIES_EN = (
    "Technology Technologies Software Systems Solutions Trading Logistics Consulting Media Foods "
    "Pharmaceuticals Energy Capital Partners Design Labs Electronics Industries Holdings Group "
    "Networks Analytics Robotics Apparel Furniture Marketing Engineering Ventures"
).split()
_LEGAL_FORMS_EN = (
    "Ltd",
    "Ltd.",
    "Limited",
    "Inc",
    "Inc.",
    "LLC",
    "Co., Ltd.",
    "Co. Ltd",
    "Corp",
    "Corp.",
    "Corporation",
    "GmbH",
    "PLC",
    "S.A.",
    "Pte. Ltd.",
    "Pty Ltd",
    "LLP",
    "AG",
    "B.V.",
    "Company Limited",
)
_PINYIN_REGIONS = "Beijing Shanghai Shenzhen Guangzhou Hangzhou Suzhou Nanjing Chengdu".split()


def company_names(n: int, seed: int = 0) -> list[str]:
    """`n` synthetic company names, the same for the same seed (70 % Chinese, 30 % English)."""
    rng = random.Random(seed)
    return [_chinese_name(rng) if rng.random() < 0.7 else _english_name(rng) for _ in range(n)]


def query_names(stored: Sequence[str], n: int, seed: int = 1) -> list[str]:
    """`n` check queries: half altered copies of stored names, half freshly generated names."""
    rng = random.Random(seed)
    copies = [altered(rng.choice(stored), rng) for _ in range(n // 2)]
    fresh = company_names(n - len(copies), seed=seed + 1_000_003)
    return copies + fresh


def altered(name: str, rng: random.Random) -> str:
    """A second spelling of `name`: a typo, the region moved into brackets, another legal form,
    traditional characters, or different width and case."""
    chinese = any("\u4e00" <= char <= "\u9fff" for char in name)
    changes: list[Callable[[str, random.Random], str]] = (
        [_typo, _region_into_brackets, _other_legal_form_zh, _traditional, _full_width]
        if chinese
        else [_typo, _other_legal_form_en, _case_and_ampersand, _full_width]
    )
    changed = rng.choice(changes)(name, rng)
    return changed if changed != name else _typo(name, rng)


def _chinese_name(rng: random.Random) -> str:
    brand = "".join(
        rng.choices(_BRAND_CHARS, cum_weights=_BRAND_WEIGHTS, k=rng.choice((2, 2, 2, 3, 3, 4)))
    )
    industry = rng.choice(_INDUSTRIES_ZH)
    legal_form = _weighted(rng, _LEGAL_FORMS_ZH)
    region = rng.choice(_REGIONS)
    placement = rng.random()
    if placement < 0.55:
        name = f"{region}{brand}{industry}{legal_form}"
    elif placement < 0.65:
        name = f"{region}市{brand}{industry}{legal_form}"
    elif placement < 0.70:
        province, cities = rng.choice(_PROVINCE_CITIES)
        name = f"{province}省{rng.choice(cities.split())}市{brand}{industry}{legal_form}"
    elif placement < 0.82:
        left, right = rng.choice((("(", ")"), ("（", "）")))
        name = f"{brand}{left}{region}{right}{industry}{legal_form}"
    else:
        name = f"{brand}{industry}{legal_form}"
    if legal_form.endswith("公司") and rng.random() < 0.04:
        name += f"{rng.choice(_REGIONS)}分公司"
    if rng.random() < 0.08:
        name = _TO_TRADITIONAL.convert(name)
    return name


def _english_name(rng: random.Random) -> str:
    words = [_english_brand_word(rng)]
    if rng.random() < 0.45:
        words.append(_english_brand_word(rng))
    if rng.random() < 0.08:
        words.insert(0, rng.choice(_PINYIN_REGIONS))
    if rng.random() < 0.05:
        words[-1:] = [words[-1], "&", rng.choice(("Sons", "Partners", "Co"))]
    if rng.random() < 0.7:
        words.append(rng.choice(_INDUSTRIES_EN))
    separator = rng.choice((" ", " ", " ", ", "))
    return " ".join(words) + separator + rng.choice(_LEGAL_FORMS_EN)


def _english_brand_word(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return rng.choice(_EN_WORDS)
    return "".join(rng.choices(_EN_SYLLABLES, k=rng.choice((2, 3, 3, 4)))).capitalize()


def _weighted(rng: random.Random, options: Sequence[tuple[str, int]]) -> str:
    return rng.choices([value for value, _ in options], weights=[w for _, w in options])[0]


def _typo(name: str, rng: random.Random) -> str:
    """Replace, drop, insert or swap one letter or character near the front (inside the brand)."""
    positions = [i for i, char in enumerate(name) if char.isalpha()]
    if len(positions) < 4:
        return name + "x"
    chars = list(name)
    at = rng.choice(positions[: max(2, len(positions) // 2)])
    pool = _BRAND_CHARS if "\u4e00" <= chars[at] <= "\u9fff" else "abcdefghijklmnopqrstuvwxyz"
    kind = rng.randrange(4)
    if kind == 0:
        chars[at] = rng.choice(pool)
    elif kind == 1:
        del chars[at]
    elif kind == 2:
        chars.insert(at, rng.choice(pool))
    elif at + 1 < len(chars):
        chars[at], chars[at + 1] = chars[at + 1], chars[at]
    return "".join(chars)


def _region_into_brackets(name: str, rng: random.Random) -> str:
    for region in _REGIONS:
        for written in (f"{region}市", region):
            if name.startswith(written):
                rest = name[len(written) :]
                cut = min(len(rest), rng.choice((2, 3, 4)))
                return f"{rest[:cut]}（{region}）{rest[cut:]}"
    return f"{rng.choice(_REGIONS)}{name}"


def _other_legal_form_zh(name: str, rng: random.Random) -> str:
    for legal_form, _weight in sorted(_LEGAL_FORMS_ZH, key=lambda option: -len(option[0])):
        if legal_form and name.endswith(legal_form):
            return name[: -len(legal_form)] + rng.choice(("有限公司", "股份有限公司", "集团", ""))
    return name + "有限公司"


def _other_legal_form_en(name: str, rng: random.Random) -> str:
    for legal_form in sorted(_LEGAL_FORMS_EN, key=len, reverse=True):
        if name.endswith(legal_form):
            return name[: -len(legal_form)].rstrip(" ,") + " " + rng.choice(_LEGAL_FORMS_EN)
    return name + " Ltd"


def _traditional(name: str, rng: random.Random) -> str:
    return str(_TO_TRADITIONAL.convert(name))


def _full_width(name: str, rng: random.Random) -> str:
    return "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in name)


def _case_and_ampersand(name: str, rng: random.Random) -> str:
    name = name.replace(" & ", " and ") if "&" in name else name
    return name.upper() if rng.random() < 0.5 else name.lower()
