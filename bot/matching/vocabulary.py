"""Word lists behind company-name normalisation and scoring.

Data only; the rules that use them live in `normalize.py`. All Chinese entries are in simplified
characters because names are converted to simplified before any list is consulted, and all Latin
entries are casefolded.

Changing a list changes the keys the store has saved: re-key the stored names after an edit.
"""

from __future__ import annotations

# Provinces, autonomous regions, municipalities and SARs, then the larger cities. A region is only
# stripped where it cannot be the brand itself (see `normalize._strip_leading_region`).
_PROVINCES = (
    "北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 "
    "广东 海南 四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆 香港 澳门"
)
_CITIES = (
    "广州 深圳 杭州 南京 苏州 武汉 成都 西安 长沙 郑州 青岛 大连 厦门 宁波 济南 合肥 福州 昆明 沈阳 "
    "哈尔滨 长春 石家庄 太原 南昌 南宁 贵阳 兰州 海口 三亚 呼和浩特 银川 西宁 乌鲁木齐 拉萨 无锡 常州 "
    "佛山 东莞 珠海 中山 惠州 汕头 温州 绍兴 嘉兴 金华 台州 湖州 烟台 潍坊 临沂 淄博 徐州 南通 扬州 "
    "泉州 漳州 洛阳 唐山 保定 廊坊 芜湖 宜昌 襄阳 绵阳 桂林 柳州 遵义 大庆 鞍山 包头 鄂尔多斯 昆山 "
    "江门 湛江 肇庆 揭阳 盐城 泰州 镇江 连云港 威海 日照 济宁 赣州 九江 株洲 岳阳 常德 衡阳"
)
REGIONS_ZH: frozenset[str] = frozenset((_PROVINCES + " " + _CITIES).split())

# Administrative suffixes that may follow a region name: 北京市, 广东省, 广西壮族自治区 …
REGION_SUFFIXES_ZH: tuple[str, ...] = (
    "壮族自治区",
    "回族自治区",
    "维吾尔自治区",
    "特别行政区",
    "自治区",
    "省",
    "市",
)

# Bracketed words that qualify a name without being part of it: 微软(中国), 字节跳动(亚太).
BRACKET_QUALIFIERS_ZH: frozenset[str] = frozenset(
    "中国 中华 亚太 亚洲 全球 国际 集团 控股 普通合伙 特殊普通合伙 有限合伙 有限公司 分公司 "
    "办事处 代表处 总部".split()
)

# Chinese legal forms and organisation words, stripped from the end of a name (longest first), as
# often as they occur: 集团有限公司 is 集团 + 有限公司. 控股 is treated like 集团 (holding structure).
LEGAL_FORMS_ZH: tuple[str, ...] = tuple(
    sorted(
        (
            "股份有限公司 有限责任公司 有限公司 股份公司 集团公司 总公司 分公司 公司 集团 控股 股份 "
            # Typed for 股份 often enough to list (one pinyin, two characters).
            "股分有限公司 股分公司 "
            "合伙企业 普通合伙 特殊普通合伙 有限合伙 个人独资企业 独资企业 企业 "
            "办事处 代表处 联络处 营业部 分部 分店 分厂 分行 支行 工作室 经营部 门市部 商行 厂"
        ).split(),
        key=len,
        reverse=True,
    )
)

# Words that end a branch designation after the parent's legal form: …有限公司上海分公司.
BRANCH_WORDS_ZH: tuple[str, ...] = (
    "分公司",
    "分所",  # a firm of accountants or lawyers: 德勤华永会计师事务所北京分所
    "办事处",
    "代表处",
    "联络处",
    "营业部",
    "分部",
    "分店",
    "分厂",
    "分行",
    "支行",
)

# Industry words (行业). A Chinese company name is region + brand (字号) + industry + legal form;
# the industry is common to thousands of companies, so the scorer weighs it lightly and candidate
# generation ignores it. Composite industries (网络科技, 信息技术服务) are peeled off word by word.
# Words that are usually brands in their own right (移动, 电信, 联通) are deliberately absent.
INDUSTRY_WORDS_ZH: frozenset[str] = frozenset(
    (
        "科技 技术 网络 信息 电子 商务 电子商务 文化 传媒 传播 广告 贸易 商贸 国际 进出口 实业 投资 "
        "管理 咨询 企业 发展 服务 工程 建筑 建设 装饰 装修 设计 物流 供应链 餐饮 食品 医药 医疗 器械 "
        "生物 健康 教育 培训 软件 智能 数据 数字 新能源 能源 环保 环境 化工 材料 新材料 机械 设备 "
        "汽车 房地产 地产 置业 物业 开发 家具 服装 服饰 纺织 印刷 包装 农业 酒店 旅游 旅行社 影视 "
        "娱乐 游戏 体育 人力资源 金融 银行 保险 证券 资产 资本 基金 电器 电气 通信 通讯 仪器 制造 "
        "制品 加工 运输 货运 快递 租赁 经营 销售 营销 策划 会展 展览 照明 光电 半导体 微电子 精密 "
        "五金 塑料 塑胶 橡胶 钢铁 矿业 石油 电力 水务 燃气 建材 陶瓷 玻璃 茶业 酒业 乳业 水产 园林 "
        "绿化 安装 劳务 安防 检测 计算机 系统 集成 互联网 云计算 航空 物联网 人工智能 新媒体 "
        "餐饮管理 家居 日用品 化妆品 美容 文化传播 传媒科技 机电 电商 商业 零售 批发 工贸 科贸 "
        "产业 创新 研发 应用 开发区 啤酒 石化 电视 航运 港口 机场 地铁 铁路 电网 烟草 百货 商场 "
        "超市 药业 制药 纸业 钢铁 煤业 矿产 黄金 有色 水泥 造船 重工 机床 轮胎 家电 电池 光伏 "
        "期货 信托 影业 人寿 财产 养老 健康 置地 调味 味业 云计算 集团 控股 公司"
    ).split()
)

# Industry words that say little about the trade: adding or dropping them (科技 vs 科技发展, 软件
# vs 软件科技) keeps a name the same company, where adding a specific trade (京东 vs 京东物流, 华为技术
# vs 华为云计算技术) names another company of the group. 集团 is the group mark (normalize.py).
GENERIC_INDUSTRY_ZH: frozenset[str] = frozenset(
    "科技 技术 信息 网络 服务 发展 实业 管理 咨询 商务 企业 经营 产业 创新 研发 应用 集成 系统 "
    "工程 国际 智能 数字 数据 集团 控股 公司 开发 营销 销售 商业".split()
)
GENERIC_INDUSTRY_EN: frozenset[str] = frozenset(
    "technology technologies tech solutions services service systems system international intl "
    "global worldwide enterprises enterprise innovations innovation development management "
    "industries industrial partners group and".split()
)

# Words that name one trade: the scorer compares industries after mapping them here.
INDUSTRY_SYNONYMS: dict[str, str] = {
    "技术": "科技",
    "商贸": "贸易",
    "通讯": "通信",
    "电商": "电子商务",
    "传播": "传媒",
    "制药": "医药",
    "药业": "医药",
    "地产": "房地产",
    "置业": "房地产",
    "置地": "房地产",
    "technologies": "technology",
    "tech": "technology",
    "service": "services",
    "system": "systems",
    "intl": "international",
    "pharmaceuticals": "pharmaceutical",
    "pharma": "pharmaceutical",
    "electronic": "electronics",
    "semiconductors": "semiconductor",
    "networks": "network",
    "investment": "investments",
    "chemical": "chemicals",
    "studio": "studios",
    "laboratories": "labs",
    "enterprise": "enterprises",
    "innovation": "innovations",
    "industrial": "industries",
    "trade": "trading",
    "consultancy": "consulting",
    "consultants": "consulting",
    "property": "properties",
    "food": "foods",
    "motor": "motors",
    "airline": "airlines",
}

# The same idea for Latin names: trailing industry words, peeled off one word at a time.
INDUSTRY_WORDS_EN: frozenset[str] = frozenset(
    (
        "technology technologies tech software systems system solutions services service trading "
        "trade consulting consultancy consultants logistics media digital network networks "
        "electronics electronic industries industrial international intl global worldwide partners "
        "ventures capital investments investment foods food pharmaceuticals pharmaceutical pharma "
        "biotech biotechnology energy motors labs laboratories studio studios design marketing "
        "engineering manufacturing retail textiles apparel entertainment games gaming education "
        "health healthcare medical financial finance securities insurance bank realty properties "
        "property construction development management import export and resources materials "
        "chemicals chemical machinery equipment automotive electric power communications telecom "
        "innovations innovation enterprises enterprise interactive analytics data cloud robotics "
        "semiconductor semiconductors devices instruments packaging printing furniture fashion "
        "sports travel hospitality hotels agriculture beverages environmental security mining "
        "metals steel shipping transport transportation supply chain advertising publishing "
        "pictures films music online internet commerce ecommerce group motor airlines airline"
    ).split()
)

# Latin abbreviations written out in keys, so "Co. of China" meets "Company of China".
LATIN_ABBREVIATIONS: dict[str, str] = {
    "co": "company",
    "cos": "companies",
    "corp": "corporation",
    "intl": "international",
    "natl": "national",
    "mfg": "manufacturing",
    "bros": "brothers",
}

# Written-out legal forms, as regular expressions matching the end of a name, and the short form
# cleanco knows ("" when the form is simply dropped).
LEGAL_FORMS_EN_LONG: tuple[tuple[str, str], ...] = (
    ("aktiengesellschaft", "AG"),
    ("public limited company", "PLC"),
    ("societas europaea", "SE"),
    ("europ(?:ä|ae|a)ische gesellschaft", "SE"),
    ("gesellschaft mit beschr(?:ä|ae|a)nkter haftung", "GmbH"),
    ("kommanditgesellschaft auf aktien", "KGaA"),
    ("kabushiki kaisha", "KK"),
    ("n\\.\\s?a\\.?", ""),  # national association: "Citibank, N.A."
    ("sa/nv", ""),
)

# English words that play the role of 集团 / 控股: stripped like a legal form (cleanco keeps them).
GROUP_WORDS_EN: frozenset[str] = frozenset({"group", "holdings", "holding"})

# Latin spellings of the regions above as they lead English names of Chinese companies
# ("Beijing Bytedance Technology Co., Ltd.") or qualify a name in brackets ("Foo (HK) Ltd").
REGIONS_EN: frozenset[str] = frozenset(
    (
        "beijing tianjin shanghai chongqing hebei shanxi shaanxi liaoning jilin heilongjiang jiangsu "
        "zhejiang anhui fujian jiangxi shandong henan hubei hunan guangdong hainan sichuan guizhou "
        "yunnan gansu qinghai taiwan guangxi tibet xizang ningxia xinjiang hongkong macau macao "
        "guangzhou shenzhen hangzhou nanjing suzhou wuhan chengdu xian changsha zhengzhou qingdao "
        "dalian xiamen ningbo jinan hefei fuzhou kunming shenyang harbin changchun dongguan foshan "
        "zhuhai wuxi"
    ).split()
) | {"hong kong", "inner mongolia", "xi'an", "xi an"}

# Places that may stand before "Branch" in an English branch name: "Foo Bank Hong Kong Branch".
PLACES_EN: frozenset[str] = (
    REGIONS_EN
    | frozenset(
        (
            "china prc asia europe usa us uk singapore japan korea germany france london tokyo "
            "frankfurt paris sydney seoul dubai taipei mumbai luxembourg zurich amsterdam toronto "
            "osaka macau macao"
        ).split()
    )
    | {"new york", "hong kong"}
)

# Bracketed Latin qualifiers that are not part of the name: "(China)", "(Asia Pacific)", "(HK)".
BRACKET_QUALIFIERS_EN: frozenset[str] = REGIONS_EN | frozenset(
    {
        "china",
        "prc",
        "hk",
        "asia",
        "asia pacific",
        "apac",
        "europe",
        "usa",
        "us",
        "uk",
        "singapore",
        "japan",
        "korea",
        "germany",
        "france",
        "international",
        "global",
        "group",
        "holdings",
    }
)
