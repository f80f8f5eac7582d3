"""Synthetic example registers: deterministic, offline, every person made up.

    .venv/bin/python examples/make_examples.py            # writes the three examples here
    .venv/bin/python examples/make_examples.py OUT_DIR    # ... or into OUT_DIR

Writes `book.xlsx` (300 clients, Chinese headers), `book_en.xlsx` (60 clients, English
headers) and `book_defects.xlsx` (40 clients with the deliberate defects listed in
`examples/README.md`, whose table this script also rewrites).

Benchmarks import `make_register(path, n_clients, lang=..., seed=...)`: it streams rows with
openpyxl's write-only mode, so 100,000 clients fit in memory. Every date is relative to
REFERENCE_DATE (2026-11-27), never to the clock, and all randomness comes from one seeded
`random.Random`, so the same arguments always give the same cells (and the same bytes).
"""

from __future__ import annotations

import math
import random
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from clientbook.init import field_header, save_reproducibly, sheet_headers, sheet_name
from clientbook.register.schema import (
    CHANNELS,
    CLIENT_FIELDS,
    GENDERS,
    HORIZONS,
    INTERVALS,
    RISK_LEVELS,
    YES_NO,
    Choice,
)

HERE = Path(__file__).resolve().parent
REFERENCE_DATE = date(2026, 11, 27)
DEFAULT_SEED = 20261127

# --- vocabulary (zh, en) ----------------------------------------------------------------

SURNAMES = (
    ("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"),
    ("杨", "Yang"), ("黄", "Huang"), ("赵", "Zhao"), ("吴", "Wu"), ("周", "Zhou"),
    ("徐", "Xu"), ("孙", "Sun"), ("马", "Ma"), ("朱", "Zhu"), ("胡", "Hu"),
    ("郭", "Guo"), ("何", "He"), ("高", "Gao"), ("林", "Lin"), ("罗", "Luo"),
    ("郑", "Zheng"), ("梁", "Liang"), ("谢", "Xie"), ("宋", "Song"), ("唐", "Tang"),
    ("韩", "Han"), ("冯", "Feng"), ("邓", "Deng"), ("曹", "Cao"), ("彭", "Peng"),
    ("曾", "Zeng"), ("肖", "Xiao"), ("田", "Tian"), ("董", "Dong"), ("袁", "Yuan"),
    ("潘", "Pan"), ("蒋", "Jiang"), ("蔡", "Cai"), ("余", "Yu"), ("杜", "Du"),
    ("叶", "Ye"), ("程", "Cheng"), ("苏", "Su"), ("魏", "Wei"), ("吕", "Lyu"),
    ("丁", "Ding"), ("沈", "Shen"), ("姚", "Yao"), ("陆", "Lu"), ("欧阳", "Ouyang"),
)  # fmt: skip
GIVEN_M = (
    ("伟", "wei"), ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("勇", "yong"),
    ("杰", "jie"), ("涛", "tao"), ("明", "ming"), ("超", "chao"), ("斌", "bin"),
    ("浩", "hao"), ("宇", "yu"), ("鹏", "peng"), ("志", "zhi"), ("建", "jian"),
    ("国", "guo"), ("华", "hua"), ("平", "ping"), ("辉", "hui"), ("刚", "gang"),
    ("峰", "feng"), ("俊", "jun"), ("文", "wen"), ("博", "bo"), ("晨", "chen"),
    ("轩", "xuan"), ("天", "tian"), ("海", "hai"), ("东", "dong"), ("成", "cheng"),
)  # fmt: skip
GIVEN_F = (
    ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"),
    ("艳", "yan"), ("娟", "juan"), ("霞", "xia"), ("秀", "xiu"), ("玲", "ling"),
    ("婷", "ting"), ("雪", "xue"), ("慧", "hui"), ("颖", "ying"), ("琳", "lin"),
    ("欣", "xin"), ("怡", "yi"), ("佳", "jia"), ("梅", "mei"), ("兰", "lan"),
    ("红", "hong"), ("萍", "ping"), ("倩", "qian"), ("璐", "lu"), ("晓", "xiao"),
    ("雨", "yu"), ("思", "si"), ("梦", "meng"), ("月", "yue"), ("洁", "jie"),
)  # fmt: skip
# Real GB/T 2260 county codes (the first six digits of an ID number).
REGIONS = (
    ("310104", 8), ("310115", 6), ("310106", 4), ("310105", 3), ("310112", 3),
    ("110101", 2), ("110105", 2), ("440305", 2), ("440106", 2), ("330106", 2),
    ("510107", 1), ("320106", 2), ("420106", 1), ("120101", 1), ("370202", 1),
    ("610113", 1), ("500103", 1), ("350203", 1), ("430104", 1), ("340104", 1),
)  # fmt: skip
DISTRICTS = (
    ("徐汇区", "Xuhui"),
    ("浦东新区", "Pudong"),
    ("静安区", "Jing'an"),
    ("长宁区", "Changning"),
    ("闵行区", "Minhang"),
    ("黄浦区", "Huangpu"),
)
ROADS = (
    ("漕溪北路", "Caoxi North Rd"), ("肇嘉浜路", "Zhaojiabang Rd"), ("天钥桥路", "Tianyaoqiao Rd"),
    ("衡山路", "Hengshan Rd"), ("虹桥路", "Hongqiao Rd"), ("龙华中路", "Longhua Middle Rd"),
    ("宜山路", "Yishan Rd"), ("桂林路", "Guilin Rd"), ("田林路", "Tianlin Rd"),
    ("钦州路", "Qinzhou Rd"), ("世纪大道", "Century Ave"), ("南京西路", "West Nanjing Rd"),
)  # fmt: skip
OCCUPATIONS = (
    (("企业主", "Business owner"), 10), (("企业高管", "Executive"), 8),
    (("公务员", "Civil servant"), 6), (("教师", "Teacher"), 7), (("医生", "Doctor"), 5),
    (("工程师", "Engineer"), 9), (("律师", "Lawyer"), 3), (("会计师", "Accountant"), 4),
    (("金融从业者", "Finance professional"), 4), (("个体工商户", "Self-employed"), 8),
    (("销售经理", "Sales manager"), 5), (("程序员", "Software developer"), 6),
    (("自由职业", "Freelancer"), 4),
)  # fmt: skip
RETIRED = ("退休", "Retired")
EDUCATION = (
    (("高中", "High school"), 12), (("大专", "College diploma"), 20), (("本科", "Bachelor"), 40),
    (("硕士", "Master"), 18), (("博士", "PhD"), 4), (None, 6),
)  # fmt: skip
MARITAL = (
    (("已婚", "Married"), 68), (("未婚", "Single"), 18), (("离异", "Divorced"), 7),
    (("丧偶", "Widowed"), 3), (None, 4),
)  # fmt: skip
PREFERENCES = (
    ("稳健收益", "Stable income"), ("固收+", "Fixed income plus"), ("权益投资", "Equities"),
    ("保险保障", "Insurance"), ("黄金", "Gold"), ("外币理财", "FX products"),
    ("基金定投", "Fund savings plan"), ("养老储备", "Retirement savings"),
)  # fmt: skip
WINDOWS = (
    ("工作日上午", "Weekday mornings"), ("工作日下午", "Weekday afternoons"),
    ("午休 12:00-13:30", "Lunch 12:00-13:30"), ("晚上7点后", "After 7 pm"), ("周末", "Weekends"),
)  # fmt: skip
NOTES = (
    ("喜欢打高尔夫，周末常在球场", "Plays golf most weekends"),
    ("子女在英国留学，关注外币理财", "Child studies in the UK; interested in FX products"),
    ("不喜欢电话打扰，请先发微信", "Dislikes calls; send a WeChat message first"),
    ("企业主，关注经营贷和结算服务", "Business owner; interested in business loans"),
    ("老人独居，面谈时请家属陪同", "Lives alone; visit with a family member present"),
    ("对上次基金亏损有意见，沟通需耐心", "Unhappy about last fund loss; be patient"),
    ("计划明年购房，保持流动性", "Plans to buy a home next year; keep liquidity"),
    ("配偶也是本行客户", "Spouse is also a client"),
)  # fmt: skip
EXTRA_PRODUCTS = (
    ("借记卡", "Debit card"), ("信用卡", "Credit card"), ("手机银行", "Mobile banking"),
    ("个人住房贷款", "Mortgage"), ("代发工资", "Payroll account"),
)  # fmt: skip
CONTACT_TOPICS = (
    ("到期提醒", "Maturity reminder"), ("产品推介", "Product pitch"),
    ("生日问候", "Birthday greetings"), ("资产配置回顾", "Portfolio review"),
    ("风险测评提醒", "Risk assessment reminder"), ("节日问候", "Festival greetings"),
    ("市场观点分享", "Market update"),
)  # fmt: skip
RMS = (
    ("李婷", "Li Ting"), ("王磊", "Wang Lei"), ("陈静", "Chen Jing"), ("张伟", "Zhang Wei"),
    ("刘洋", "Liu Yang"), ("赵敏", "Zhao Min"), ("孙浩", "Sun Hao"), ("周颖", "Zhou Ying"),
)  # fmt: skip
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
    "155", "157", "158", "159", "166", "176", "177", "180", "181", "182", "185", "186",
    "187", "188", "189", "191", "198", "199",
)  # fmt: skip


@dataclass(frozen=True)
class Product:
    zh: str
    en: str
    risk: int  # 1..5 (R1..R5)
    term_days: int | None  # None: open-ended, no maturity date
    min_amount: float = 1.0  # 万元


PRODUCTS = (
    Product("朝朝宝现金管理", "Daily Cash Management", 1, None),
    Product("大额存单3年期", "3-year Large CD", 1, 1095, 20),
    Product("储蓄国债(电子式)", "Savings Bond (electronic)", 1, 1095, 1),
    Product("增额终身寿险", "Whole Life Insurance", 1, None, 5),
    Product("稳利91天定开", "Stable 91-day", 2, 91, 1),
    Product("安享180天", "Secure 180-day", 2, 182, 1),
    Product("结构性存款(挂钩黄金)", "Gold-linked Structured Deposit", 2, 182, 5),
    Product("季季红固收", "Quarterly Fixed Income", 2, 365, 1),
    Product("固收+一年持有", "Fixed Income Plus 1Y", 3, 365, 1),
    Product("平衡配置混合基金", "Balanced Mixed Fund", 3, None, 0.1),
    Product("美元债QDII", "USD Bond QDII", 3, 365, 1),
    Product("沪深300指数增强", "CSI 300 Enhanced", 4, None, 0.1),
    Product("科技成长股票基金", "Tech Growth Equity Fund", 4, None, 0.1),
    Product("私募股权FOF", "Private Equity FOF", 5, 1095, 100),
    Product("量化对冲私募", "Quant Hedge Fund", 5, 730, 100),
)

# --- the records ------------------------------------------------------------------------


class Raw(str):
    """A cell text written exactly as given (used for deliberate defects)."""


Text = tuple[str, str]  # (zh, en)


@dataclass
class Holding:
    client_id: str
    product: Product
    amount: float | str | None  # 万元
    matures_on: date | None


@dataclass
class Contact:
    client_id: str
    on: date
    channel: str  # CHANNELS value
    topic: Text


@dataclass
class Client:
    """One client: schema key -> value (canonical: "M", "C3", True, date, 万元, (zh, en))."""

    values: dict[str, Any]
    holdings: list[Holding] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)

    @property
    def client_id(self) -> str:
        return str(self.values["client_id"])


# --- GB 11643 identity numbers ----------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_check_digit(first17: str) -> str:
    """The GB 11643 (ISO 7064 MOD 11-2) check character of 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def make_id_number(region: str, birth: date, gender: str, rng: random.Random) -> str:
    """An 18-character ID: region, birth date, sequence (odd = male), check digit."""
    parity = rng.choice("13579" if gender == "M" else "02468")
    first17 = f"{region}{birth:%Y%m%d}{rng.randint(0, 99):02d}{parity}"
    return first17 + id_check_digit(first17)


def make_legacy_id_number(region: str, birth: date, gender: str, rng: random.Random) -> str:
    """A 15-digit first-generation ID: region, YYMMDD, sequence (odd = male)."""
    parity = rng.choice("13579" if gender == "M" else "02468")
    return f"{region}{birth:%y%m%d}{rng.randint(0, 99):02d}{parity}"


# --- generating clients -----------------------------------------------------------------


def _weighted(rng: random.Random, pairs: Sequence[tuple[Any, int]]) -> Any:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _days_before(anchor: date, days: int) -> date:
    return anchor - timedelta(days=days)


def _date_between(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def _name(rng: random.Random, gender: str) -> Text:
    surname = rng.choice(SURNAMES)
    pool = GIVEN_M if gender == "M" else GIVEN_F
    parts = [rng.choice(pool) for _ in range(1 if rng.random() < 0.35 else 2)]
    given_zh = "".join(p[0] for p in parts)
    given_en = "".join(p[1] for p in parts)
    return surname[0] + given_zh, f"{surname[1]} {given_en.capitalize()}"


def _money(x: float) -> float:
    return round(x, 2)


def _risk_level(rng: random.Random, age: int) -> int:
    weights = [8, 22, 38, 22, 10] if age < 60 else [25, 35, 30, 8, 2]
    return int(rng.choices(range(1, 6), weights=weights)[0])


def _holdings(
    rng: random.Random, client_id: str, aum: float, risk: int, today: date
) -> list[Holding]:
    if rng.random() < 0.1:
        return []
    allowed = [p for p in PRODUCTS if p.risk <= risk]
    count = min(len(allowed), rng.randint(1, 2 + min(3, int(aum // 150))))
    invested = aum * rng.uniform(0.35, 0.9)
    chosen = rng.sample(allowed, count)
    shares = [rng.random() + 0.2 for _ in chosen]
    total_share = sum(shares)
    holdings = []
    held = 0.0
    for product, share in zip(chosen, shares, strict=True):
        amount = _money(max(product.min_amount, invested * share / total_share))
        if held + amount > aum:
            continue  # cannot afford the product's minimum on top of the rest
        held += amount
        matures_on = None
        if product.term_days is not None:
            if rng.random() < 0.4:  # plenty of work for the December–February plans
                matures_on = _date_between(rng, date(2026, 12, 1), date(2027, 2, 28))
            else:
                start = today + timedelta(days=1)
                matures_on = _date_between(rng, start, today + timedelta(days=product.term_days))
        holdings.append(Holding(client_id, product, amount, matures_on))
    return holdings


def make_client(
    rng: random.Random,
    index: int,
    n_clients: int,
    today: date,
    taken_ids: set[str] | None = None,
) -> Client:
    """One consistent synthetic client (valid ID, suitable holdings, past dates).

    `taken_ids` keeps ID numbers unique across a book (at 100,000 clients random sequence
    digits would otherwise repeat a few dozen times).
    """
    client_id = str(800100000 + index * 3 + rng.randint(0, 2))
    gender = "M" if rng.random() < 0.5 else "F"
    age_days = int(rng.triangular(22 * 365.25, 85 * 365.25, 45 * 365.25))
    birth = _days_before(today, age_days)
    age = int(age_days // 365.25)
    region = str(_weighted(rng, REGIONS))
    name = _name(rng, gender)
    surname_en, given_en = name[1].split(" ", 1)

    aum = _money(min(3000.0, max(5.0, math.exp(rng.gauss(math.log(80), 1.3)))))
    adult = _add_years(birth, 18)
    onboarded = _date_between(rng, max(adult, date(2005, 1, 1)), _days_before(today, 20))
    aum_prev: float | None = None
    if onboarded < date(2025, 12, 1) and rng.random() < 0.95:
        if rng.random() < 0.08:
            growth = rng.uniform(0.45, 0.68)  # AUM down more than 30%: a retention call
        else:
            growth = min(1.6, max(0.75, rng.gauss(1.06, 0.12)))
        aum_prev = _money(aum / growth)
    income = None
    if rng.random() < 0.8:
        income = round(
            max(2.0, math.exp(rng.gauss(math.log(15) + 0.35 * math.log(aum / 50), 0.6))), 1
        )
    elsewhere: float | None = None
    roll = rng.random()
    if roll < 0.1:
        elsewhere = 0.0
    elif roll < 0.6:
        elsewhere = _money(aum * math.exp(rng.gauss(math.log(0.5), 0.9)))

    risk = _risk_level(rng, age)
    if age >= 60:
        occupation: Text = RETIRED if rng.random() < 0.7 else _weighted(rng, OCCUPATIONS)
    else:
        occupation = _weighted(rng, OCCUPATIONS)
    horizon = (
        "retirement"
        if age >= 55 and rng.random() < 0.6
        else _weighted(rng, (("short", 25), ("long", 65), ("retirement", 10)))
    )
    channel_weights = (("phone", 30), ("wechat", 35), ("visit", 12), ("sms", 8), ("email", 5))
    if age >= 65:
        channel_weights = (("phone", 40), ("wechat", 10), ("visit", 35), ("sms", 5), ("email", 1))
    channel = _weighted(rng, channel_weights) if rng.random() < 0.9 else None
    contact_every: int | None = None
    if rng.random() < 0.25:
        contact_every = (
            rng.choice((45, 60))
            if rng.random() < 0.2
            else int(_weighted(rng, (("7", 1), ("14", 3), ("30", 10), ("90", 6), ("182", 2))))
        )
    last_contact: date | None = None
    if rng.random() < 0.92:
        back = min(420, int(rng.expovariate(1 / 55)) + 1)
        last_contact = max(onboarded, _days_before(today, back))

    holdings = _holdings(rng, client_id, aum, risk, today)
    products = [h.product for h in holdings]
    extras = rng.sample(EXTRA_PRODUCTS, rng.randint(0, 2))
    product_names = [(p.zh, p.en) for p in products] + list(extras)

    contacts: list[Contact] = []
    if last_contact is not None:
        on = last_contact
        for _ in range(rng.randint(1, 3)):
            if on < onboarded:
                break
            contacts.append(Contact(client_id, on, channel or "phone", rng.choice(CONTACT_TOPICS)))
            on = _days_before(on, rng.randint(20, 200))
        contacts.reverse()

    district = rng.choice(DISTRICTS)
    road = rng.choice(ROADS)
    lane, number, room = rng.randint(1, 1200), rng.randint(1, 60), rng.randint(101, 2802)
    address = (
        f"上海市{district[0]}{road[0]}{lane}弄{number}号{room}室",
        f"Room {room}, No. {number}, Lane {lane}, {road[1]}, {district[1]}, Shanghai",
    )
    email = None
    if rng.random() < 0.65:
        domain = "example.com" if rng.random() < 0.6 else "example.cn"
        email = f"{given_en.lower()}.{surname_en.lower()}{rng.randint(1, 999)}@{domain}"
    rm = RMS[(index // 2000) % len(RMS)] if n_clients > 3000 else RMS[0]
    id_number = make_id_number(region, birth, gender, rng)
    while taken_ids is not None and id_number in taken_ids:
        id_number = make_id_number(region, birth, gender, rng)
    if taken_ids is not None:
        taken_ids.add(id_number)
    values: dict[str, Any] = {
        "client_id": client_id,
        "name": name,
        "gender": gender,
        "birth_date": birth,
        "id_number": id_number,
        "mobile": rng.choice(MOBILE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}",
        "email": email,
        "address": address,
        "occupation": occupation,
        "education": _weighted(rng, EDUCATION),
        "marital_status": _weighted(rng, MARITAL) if age >= 25 else ("未婚", "Single"),
        "aum": aum,
        "aum_prev": aum_prev,
        "income": income,
        "assets_elsewhere": elsewhere,
        "risk_level": f"C{risk}",
        # Within the last 361 days: none expired, some expiring in December 2026.
        "risk_assessed_on": _days_before(today, rng.randint(5, 361)),
        "horizon": horizon,
        "preference": rng.choice(PREFERENCES) if rng.random() < 0.7 else None,
        "channel": channel,
        "contact_every": contact_every,
        "contact_window": rng.choice(WINDOWS) if rng.random() < 0.6 else None,
        "confidential": rng.random() < 0.08,
        "last_contact": last_contact,
        "onboarded_on": onboarded,
        "branch_km": (
            round(min(45.0, max(0.2, math.exp(rng.gauss(math.log(3), 0.9)))), 1)
            if rng.random() < 0.88
            else None
        ),
        "products": product_names,
        "referrer": _name(rng, rng.choice("MF")) if rng.random() < 0.12 else None,
        "notes": rng.choice(NOTES) if rng.random() < 0.1 else None,
        "rm": rm,
    }
    return Client(values, holdings, contacts)


def iter_clients(n_clients: int, seed: int, today: date = REFERENCE_DATE) -> Iterator[Client]:
    """`n_clients` synthetic clients, the same ones for the same seed."""
    rng = random.Random(seed)
    taken_ids: set[str] = set()
    for index in range(n_clients):
        yield make_client(rng, index, n_clients, today, taken_ids)


# --- rendering cells --------------------------------------------------------------------

_CHOICES: dict[str, tuple[Choice, ...]] = {
    "gender": GENDERS,
    "risk_level": RISK_LEVELS,
    "horizon": HORIZONS,
    "channel": CHANNELS,
}


def _label(choices: Sequence[Choice], value: str, lang: str) -> str:
    for choice in choices:
        if choice.value == value:
            return choice.en if lang == "en" else choice.zh
    raise KeyError(value)


def cell_value(key: str, value: Any, lang: str) -> Any:
    """What a client field's canonical value looks like in a register cell."""
    if value is None:
        return None
    if isinstance(value, Raw):
        return str(value)  # openpyxl dispatches on the exact type
    if key in _CHOICES:
        return _label(_CHOICES[key], value, lang)
    if key == "confidential":
        return _label(YES_NO, "yes" if value else "no", lang)
    if key == "contact_every":
        return _interval_label(value, lang)
    if key == "products":
        names = [p[1] if lang == "en" else p[0] for p in value]
        return ("、" if lang == "zh" else ", ").join(names) or None
    if isinstance(value, tuple):
        return value[1] if lang == "en" else value[0]
    return value


def _interval_label(days: int, lang: str) -> str:
    for choice in INTERVALS:
        if choice.value == str(days):
            return choice.en if lang == "en" else choice.zh
    return f"{days} days" if lang == "en" else f"{days}天"


def client_row(client: Client, lang: str) -> list[Any]:
    return [cell_value(f.key, client.values.get(f.key), lang) for f in CLIENT_FIELDS]


def holding_row(holding: Holding, lang: str) -> list[Any]:
    name = holding.product.en if lang == "en" else holding.product.zh
    return [holding.client_id, name, f"R{holding.product.risk}", holding.amount, holding.matures_on]


def contact_row(contact: Contact, lang: str) -> list[Any]:
    channel = _label(CHANNELS, contact.channel, lang)
    return [contact.client_id, contact.on, channel, contact.topic[1 if lang == "en" else 0]]


# --- writing a workbook -----------------------------------------------------------------

TITLES = {
    "zh": "徐汇支行 理财客户名册（虚构示例数据）",
    "en": "Xuhui Sub-branch — client register (synthetic)",
}
_WIDTHS = {"A": 12, "B": 10, "E": 21, "F": 14, "G": 26, "H": 40, "AA": 36, "AC": 30}


def write_register(
    path: Path,
    clients: Iterable[Client],
    *,
    lang: str = "zh",
    holdings: bool = True,
    contacts: bool = True,
    extra_holdings: Sequence[Holding] = (),
    reproducible: bool = True,
) -> int:
    """Stream clients into a register (title row, header, data); returns the client count."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet_name("clients", lang))
    headers = sheet_headers("clients", lang)
    last_col = get_column_letter(len(headers))
    for letter, width in _WIDTHS.items():
        ws.column_dimensions[letter].width = width
    for col in range(1, len(headers) + 1):
        letter = get_column_letter(col)
        if letter not in _WIDTHS:
            ws.column_dimensions[letter].width = 13
    ws.freeze_panes = "C3"
    ws.merged_cells.add(f"A1:{last_col}1")
    title = WriteOnlyCell(ws, TITLES[lang])
    title.font = Font(bold=True, size=14)
    ws.append([title])
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.append([_styled(WriteOnlyCell(ws, h), bold, fill, wrap) for h in headers])

    # Write-only sheets stream to their own temporary files, so all three fill side by side
    # and memory stays flat however many clients there are.
    holding_ws = _plain_sheet(wb, "holdings", lang, bold, fill) if holdings else None
    contact_ws = _plain_sheet(wb, "contacts", lang, bold, fill) if contacts else None
    count = 0
    for client in clients:
        ws.append(client_row(client, lang))
        if holding_ws is not None:
            for holding in client.holdings:
                holding_ws.append(holding_row(holding, lang))
        if contact_ws is not None:
            for contact in client.contacts:
                contact_ws.append(contact_row(contact, lang))
        count += 1
    ws.auto_filter.ref = f"A2:{last_col}{count + 2}"
    if holding_ws is not None:
        for holding in extra_holdings:
            holding_ws.append(holding_row(holding, lang))

    if reproducible:
        save_reproducibly(wb, path)
    else:
        wb.save(path)
    return count


def _styled(cell: Any, font: Any, fill: Any, alignment: Any) -> Any:
    cell.font, cell.fill, cell.alignment = font, fill, alignment
    return cell


def _plain_sheet(wb: Any, kind: Any, lang: str, font: Any, fill: Any) -> Any:
    """A holdings or contacts sheet with its styled header row, ready for rows."""
    from openpyxl.cell import WriteOnlyCell

    ws = wb.create_sheet(sheet_name(kind, lang))
    ws.freeze_panes = "A2"
    for letter, width in zip("ABCDE", (12, 26, 12, 14, 40), strict=False):
        ws.column_dimensions[letter].width = width
    headers = sheet_headers(kind, lang)
    ws.append([_styled(WriteOnlyCell(ws, h), font, fill, None) for h in headers])
    return ws


def make_register(
    path: Path,
    n_clients: int,
    *,
    lang: str = "zh",
    seed: int = DEFAULT_SEED,
    holdings: bool = True,
    contacts: bool = True,
    reproducible: bool = True,
) -> Path:
    """Write a clean synthetic register of `n_clients` clients (zh or en headers).

    Same arguments, same cells. `reproducible` also fixes the zip timestamps so the bytes
    match (it costs one re-compression; benchmarks may turn it off).
    """
    clients = iter_clients(n_clients, seed)
    write_register(
        path, clients, lang=lang, holdings=holdings, contacts=contacts, reproducible=reproducible
    )
    return path


# --- the defects example ----------------------------------------------------------------


@dataclass(frozen=True)
class Defect:
    sheet: str
    cell: str
    code: str
    severity: str
    what: str


DEFECTS_SEED = 4040
_CLIENT_KEYS = [f.key for f in CLIENT_FIELDS]
FIRST_DATA_ROW = 3  # title row, header row, then clients


def _client_cell(index: int, key: str) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(_CLIENT_KEYS.index(key) + 1)}{index + FIRST_DATA_ROW}"


def defects_book(n_clients: int = 40) -> tuple[list[Client], list[Holding], list[Defect]]:
    """40 clean clients, then one deliberate defect per marked row (see examples/README.md)."""
    rng = random.Random(DEFECTS_SEED)
    clients = list(iter_clients(n_clients, DEFECTS_SEED))
    sheet = sheet_name("clients", "zh")
    defects: list[Defect] = []

    def mark(index: int, key: str, code: str, severity: str, what: str) -> None:
        defects.append(Defect(sheet, _client_cell(index, key), code, severity, what))

    def set_value(index: int, key: str, value: Any) -> None:
        clients[index].values[key] = value

    # Rows with a defect keep no holdings unless the defect is about a holding.
    for index in range(2, n_clients):
        if index % 2 == 0 or index in (13, 33):
            clients[index].holdings = []

    set_value(2, "name", None)
    mark(2, "name", "missing_value", "error", "客户姓名为空（必填）")
    set_value(4, "onboarded_on", Raw("2023-02-30"))
    mark(4, "onboarded_on", "invalid_date", "error", "开户日期 2023-02-30 不存在")
    set_value(6, "income", Raw("不详"))
    mark(6, "income", "invalid_number", "error", "年收入写成了文字「不详」")
    set_value(8, "assets_elsewhere", -50.0)
    mark(8, "assets_elsewhere", "negative_amount", "error", "他行资产为 -50")
    set_value(10, "risk_level", Raw("稳建型"))
    mark(10, "risk_level", "invalid_choice", "error", "风险等级「稳建型」是错字（应为 稳健型）")
    set_value(13, "client_id", clients[12].client_id)
    clients[13].contacts = []
    clients[12].contacts = []
    for index in (12, 13):
        mark(
            index, "client_id", "duplicate_id", "error", f"客户号 {clients[12].client_id} 出现两次"
        )

    ident = clients[14].values["id_number"]
    wrong = next(c for c in "0123456789X" if c != ident[-1])
    set_value(14, "id_number", ident[:-1] + wrong)
    mark(14, "id_number", "invalid_id_number", "error", "身份证号校验位错误")
    birth = clients[16].values["birth_date"]
    set_value(16, "birth_date", _add_years(birth, 3))
    mark(16, "birth_date", "id_birth_mismatch", "error", "出生日期与身份证号不一致")
    set_value(18, "gender", "F" if clients[18].values["gender"] == "M" else "M")
    mark(18, "gender", "id_gender_mismatch", "error", "性别与身份证号第 17 位不一致")
    set_value(20, "mobile", Raw("1381234567"))
    mark(20, "mobile", "invalid_mobile", "error", "手机号只有 10 位")
    set_value(22, "email", Raw("wang.lei#example.com"))
    mark(22, "email", "invalid_email", "error", "邮箱缺少 @")
    set_value(24, "last_contact", date(2027, 3, 1))
    mark(24, "last_contact", "future_date", "error", "最近联系日期 2027-03-01 在未来")

    # Suitability: a C3 client holding an R4 fund.
    c26 = clients[26]
    c26.values["risk_level"] = "C3"
    fund = next(p for p in PRODUCTS if p.risk == 4)
    c26.holdings = [Holding(c26.client_id, fund, 30.0, None)]
    c26.values["products"] = [(fund.zh, fund.en)]
    set_value(28, "risk_assessed_on", date(2025, 6, 30))
    mark(28, "risk_assessed_on", "risk_assessment_expired", "warning", "风险测评已超过 365 天")
    # A holding that matured last month and still shows an amount.
    c30 = clients[30]
    short = next(p for p in PRODUCTS if p.term_days == 91)
    c30.values["risk_level"] = "C3"
    c30.holdings = [Holding(c30.client_id, short, 50.0, date(2026, 10, 15))]
    c30.values["products"] = [(short.zh, short.en)]
    # One ID number on two client IDs (the second row agrees with it in birth and gender).
    twin = clients[33].values
    twin["id_number"] = clients[32].values["id_number"]
    twin["birth_date"] = clients[32].values["birth_date"]
    twin["gender"] = clients[32].values["gender"]
    for index in (32, 33):
        mark(index, "id_number", "duplicate_id_number", "warning", "同一身份证号对应两个客户号")
    c35 = clients[35].values
    c35["birth_date"] = date(1965, 4, 18)
    c35["id_number"] = make_legacy_id_number("310104", c35["birth_date"], c35["gender"], rng)
    mark(35, "id_number", "legacy_id_number", "warning", "15 位旧身份证号（应换成 18 位）")
    set_value(37, "aum", None)
    mark(37, "aum", "missing_value", "error", "资产规模为空（必填）")

    unknown = Holding("800999999", PRODUCTS[0], 12.0, None)
    all_holdings = [h for c in clients for h in c.holdings] + [unknown]
    holdings_sheet = sheet_name("holdings", "zh")
    risk_col, amount_col, maturity_col = "C", "D", "E"
    for row, holding in enumerate(all_holdings, start=2):
        if holding is unknown:
            defects.append(
                Defect(holdings_sheet, f"A{row}", "unknown_client", "error", "客户号不在客户表中")
            )
        elif holding.client_id == c26.client_id:
            defects.append(
                Defect(holdings_sheet, f"{risk_col}{row}", "suitability_mismatch", "warning",
                       "C3 客户持有 R4 产品")
            )  # fmt: skip
        elif holding.client_id == c30.client_id:
            defects.append(
                Defect(holdings_sheet, f"{maturity_col}{row}", "matured_holding", "warning",
                       f"2026-10-15 已到期，{amount_col}{row} 金额仍为 50 万")
            )  # fmt: skip
    return clients, [unknown], defects


def defects_table(defects: Sequence[Defect]) -> str:
    lines = ["| sheet | cell | expected code | severity | defect |", "|---|---|---|---|---|"]
    lines += [f"| {d.sheet} | {d.cell} | `{d.code}` | {d.severity} | {d.what} |" for d in defects]
    return "\n".join(lines)


README_START = "<!-- defects:start (generated by make_examples.py) -->"
README_END = "<!-- defects:end -->"


def update_readme(readme: Path, defects: Sequence[Defect]) -> None:
    """Rewrite the generated defects table in examples/README.md."""
    text = readme.read_text(encoding="utf-8")
    head, rest = text.split(README_START, 1)
    _, tail = rest.split(README_END, 1)
    block = f"{README_START}\n{defects_table(defects)}\n{README_END}"
    readme.write_text(head + block + tail, encoding="utf-8")


def main(out_dir: Path = HERE) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    book = make_register(out_dir / "book.xlsx", 300)
    book_en = make_register(out_dir / "book_en.xlsx", 60, lang="en", seed=DEFAULT_SEED + 1)
    clients, extra, defects = defects_book()
    defects_path = out_dir / "book_defects.xlsx"
    write_register(defects_path, clients, lang="zh", extra_holdings=extra)
    readme = out_dir / "README.md"
    if readme.exists() and README_START in readme.read_text(encoding="utf-8"):
        update_readme(readme, defects)
    return [book, book_en, defects_path]


__all__ = [
    "REFERENCE_DATE",
    "Client",
    "Defect",
    "defects_book",
    "field_header",
    "id_check_digit",
    "iter_clients",
    "make_register",
    "write_register",
]

if __name__ == "__main__":
    for written in main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(written, file=sys.stderr)
