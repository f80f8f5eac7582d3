"""Cell values as managers type them → typed values (pure functions)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from clientbook.register.schema import CLIENTS, CONTACTS, FIELDS_BY_KEY, HOLDINGS
from clientbook.register.values import (
    ValueProblem,
    birth_from_id,
    clean_id_number,
    clean_mobile,
    clean_text,
    closest_choice,
    gender_from_id,
    header_index,
    id_check_digit_ok,
    id_is_valid,
    is_blank,
    normalise_header,
    parse_amount,
    parse_bool,
    parse_choice,
    parse_date,
    parse_interval,
    parse_list,
    parse_number,
    parser_for,
    raw_text,
    unit_from_header,
)

RISK = FIELDS_BY_KEY["risk_level"]
GENDER = FIELDS_BY_KEY["gender"]
CHANNEL = FIELDS_BY_KEY["channel"]
EVERY = FIELDS_BY_KEY["contact_every"]
CONFIDENTIAL = FIELDS_BY_KEY["confidential"]


# --- headers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("资产规模(万元)", "资产规模"),
        ("资产规模（万元）", "资产规模"),
        ("AUM (10k CNY)", "aum"),
        ("距网点（公里）", "距网点"),
        (" 客 户 号 ", "客户号"),
        ("客\u3000户\u3000号", "客户号"),
        ("ＣＬＩＥＮＴ　ＩＤ", "clientid"),
        ("Client_ID", "clientid"),
        ("客户号*", "客户号"),
        ("E-mail", "email"),
        ("资产规模[万元]", "资产规模"),
        ("(万元)", "(万元)"),  # nothing but a note: kept, never empty
        (10023.0, "10023"),
    ],
)
def test_normalise_header(header: object, expected: str) -> None:
    assert normalise_header(header) == expected


def test_every_header_and_alias_finds_its_field() -> None:
    for schema in (CLIENTS, HOLDINGS, CONTACTS):
        index = header_index(schema)
        for fld in schema.fields:
            for header in fld.headers:
                assert index[normalise_header(header)] == fld.key, (schema.kind, header)


def test_headers_of_one_sheet_never_collide() -> None:
    for schema in (CLIENTS, HOLDINGS, CONTACTS):
        owners: dict[str, str] = {}
        for fld in schema.fields:
            for header in fld.headers:
                norm = normalise_header(header)
                assert owners.setdefault(norm, fld.key) == fld.key, (header, owners[norm])


@pytest.mark.parametrize(
    ("header", "unit"),
    [
        ("资产规模(万元)", "万元"),
        ("资产规模（元）", "元"),
        ("资产规模(亿元)", "亿元"),
        ("AUM (10k CNY)", "10kcny"),
        ("AUM (CNY)", "cny"),
        ("资产规模（单位：元）", "元"),
        ("资产规模", "万元"),
        ("资产规模(备注)", "万元"),
    ],
)
def test_unit_from_header(header: str, unit: str) -> None:
    assert unit_from_header(header) == unit


# --- amounts and numbers -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1200, 1200.0),
        (1200.5, 1200.5),
        ("1,200", 1200.0),
        ("1200.5", 1200.5),
        ("500万", 500.0),
        ("500 万元", 500.0),
        ("1.2亿", 12000.0),
        ("1.2亿元", 12000.0),
        ("¥3,000,000", 3_000_000.0),  # a plain number is in the column's unit (万元)
        ("￥3,000,000元", 300.0),
        ("3000000元", 300.0),
        ("RMB 100", 100.0),
        ("100 CNY", 100.0),
        ("５００万", 500.0),
        ("１，２００", 1200.0),
        ("0", 0.0),
        ("-20", -20.0),  # validate reports negative_amount
        ("50w", 50.0),
        ("8千元", 0.8),
    ],
)
def test_parse_amount(value: object, expected: float) -> None:
    assert parse_amount(value) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (3_000_000, "元", 300.0),
        ("3,000,000", "元", 300.0),
        (1.5, "亿元", 15000.0),
        ("500万", "元", 500.0),  # a unit in the text wins over the column's
        (80, "10kcny", 80.0),
    ],
)
def test_parse_amount_in_column_unit(value: object, unit: str, expected: float) -> None:
    assert parse_amount(value, unit) == pytest.approx(expected)


@pytest.mark.parametrize(
    "value",
    [
        "abc",
        "五百万",
        "1.2.3",
        "N/A",
        "-",
        "12%",
        True,
        "1,2亿x",
        float("inf"),
        float("nan"),
        "1e999",
    ],
)
def test_parse_amount_refuses(value: object) -> None:
    with pytest.raises(ValueProblem) as caught:
        parse_amount(value)
    assert caught.value.code == "invalid_number"
    assert caught.value.raw == raw_text(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(3.5, 3.5), ("3.5", 3.5), ("3.5km", 3.5), ("12 公里", 12.0), ("500米", 0.5), (0, 0.0)],
)
def test_parse_number(value: object, expected: float) -> None:
    assert parse_number(value) == pytest.approx(expected)


@pytest.mark.parametrize("value", ["near", "3.5 miles", False, float("nan"), "1e999km"])
def test_parse_number_refuses(value: object) -> None:
    with pytest.raises(ValueProblem, match="invalid_number"):
        parse_number(value)


# --- dates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        date(2024, 3, 5),
        datetime(2024, 3, 5, 14, 30),
        "2024-03-05",
        "2024-3-5",
        "2024/3/5",
        "2024/03/05",
        "2024.3.5",
        "2024年3月5日",
        "2024 年 3 月 5 日",
        "２０２４年３月５日",
        "20240305",
        20240305,
        20240305.0,
        45356,  # Excel serial number in a date column
        45356.0,
        45356.75,  # serial with a time of day
        "2024-03-05 10:00:00",
        " 2024-03-05 ",
    ],
)
def test_parse_date(value: object) -> None:
    assert parse_date(value) == date(2024, 3, 5)


@pytest.mark.parametrize(
    "value",
    [
        "3/5/2024",  # day/month order unknown: never guessed
        "05-03-2024",
        "2024-02-30",
        "2024-13-01",
        "2024年3月",
        "yesterday",
        "2024",
        20241301,
        12,  # too small to be a date serial
        100000,
        time(10, 0),
        timedelta(days=3),
        True,
        "",
    ],
)
def test_parse_date_refuses(value: object) -> None:
    with pytest.raises(ValueProblem) as caught:
        parse_date(value)
    assert caught.value.code == "invalid_date"


# --- choices -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("稳健型", "C3"),
        ("平衡型", "C3"),
        ("C3", "C3"),
        ("c3", "C3"),
        ("C3 稳健型", "C3"),
        ("C3-稳健型", "C3"),
        ("稳健型（C3）", "C3"),
        ("Balanced", "C3"),
        ("保守型", "C1"),
        ("谨慎型", "C2"),
        ("成长型", "C4"),
        ("进取型", "C5"),
        ("ｃ５", "C5"),
    ],
)
def test_parse_choice_risk(value: str, expected: str) -> None:
    assert parse_choice(RISK, value) == expected


@pytest.mark.parametrize(
    ("fld", "value", "expected"),
    [
        (GENDER, "男", "M"),
        (GENDER, "女", "F"),
        (GENDER, "F", "F"),
        (GENDER, "male", "M"),
        (CHANNEL, "微信", "wechat"),
        (CHANNEL, "WeChat", "wechat"),
        (CHANNEL, "面谈", "visit"),
        (CHANNEL, " 电话 ", "phone"),
    ],
)
def test_parse_choice(fld: object, value: str, expected: str) -> None:
    assert parse_choice(fld, value) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fld", "value", "suggestion"),
    [
        (RISK, "稳建型", "C3 稳健型"),
        (RISK, "C3 激进型", None),  # two different levels: refused, never picked
        (RISK, "C3 稳健型 待复核", None),  # an unknown part: refused, never guessed
        (RISK, "Agressive", "C5 Aggressive"),
        (CHANNEL, "微 信群", "微信"),
        (GENDER, "xyz", None),
    ],
)
def test_parse_choice_refuses_with_suggestion(
    fld: object, value: str, suggestion: str | None
) -> None:
    with pytest.raises(ValueProblem) as caught:
        parse_choice(fld, value)  # type: ignore[arg-type]
    assert caught.value.code == "invalid_choice"
    assert caught.value.raw == value
    if suggestion is not None:
        assert caught.value.suggestion == suggestion


def test_closest_choice_answers_in_the_values_script() -> None:
    assert closest_choice(CHANNEL.choices, "电活") == "电话"
    assert closest_choice(CHANNEL.choices, "phon") == "Phone"


@pytest.mark.parametrize(
    ("value", "days"),
    [
        ("每周", 7),
        ("每两周", 14),
        ("每月", 30),
        ("Monthly", 30),
        ("每季度", 90),
        ("每半年", 182),
        ("每年", 365),
        ("45天", 45),
        ("每45天", 45),
        ("45 days", 45),
        ("every 45 days", 45),
        ("2周", 14),
        ("3个月", 90),
        ("1年", 365),
        (60, 60),
        (60.0, 60),
        ("60", 60),
    ],
)
def test_parse_interval(value: object, days: int) -> None:
    assert parse_interval(EVERY, value) == days


@pytest.mark.parametrize("value", ["0天", "每周二", "sometimes", "-5", "99999天"])
def test_parse_interval_refuses(value: str) -> None:
    with pytest.raises(ValueProblem) as caught:
        parse_interval(EVERY, value)
    assert caught.value.code == "invalid_choice"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("是", True),
        ("否", False),
        ("Yes", True),
        ("no", False),
        (1, True),
        (0, False),
        (True, True),
    ],
)
def test_parse_bool(value: object, expected: bool) -> None:
    assert parse_bool(CONFIDENTIAL, value) is expected


def test_parse_bool_refuses() -> None:
    with pytest.raises(ValueProblem, match="invalid_choice"):
        parse_bool(CONFIDENTIAL, "也许")


def test_parse_list() -> None:
    assert parse_list("基金，理财A、保险;国债；存款\n黄金, 外汇 ") == (
        "基金",
        "理财A",
        "保险",
        "国债",
        "存款",
        "黄金",
        "外汇",
    )
    assert parse_list(" , 、") == ()


# --- text, IDs, mobiles --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  张三 ", "张三"),
        ("\u3000张三\u3000", "张三"),
        (10023.0, "10023"),
        (10023, "10023"),
        (3.25, "3.25"),
        ("   ", None),
        (date(2024, 3, 5), "2024-03-05"),
    ],
)
def test_clean_text(value: object, expected: str | None) -> None:
    assert clean_text(value) == expected


def test_is_blank() -> None:
    assert is_blank(None) and is_blank("") and is_blank(" \u3000 ")
    assert not is_blank(0) and not is_blank("0") and not is_blank(False)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (" 11010519491231002x ", "11010519491231002X"),
        ("110105 19491231 002X", "11010519491231002X"),
        ("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X"),
        (110105491231002.0, "110105491231002"),
    ],
)
def test_clean_id_number(value: object, expected: str) -> None:
    assert clean_id_number(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("138 0013 8000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("+86 138-0013-8000", "13800138000"),
        ("+8613800138000", "13800138000"),
        ("008613800138000", "13800138000"),
        ("8613800138000", "13800138000"),
        (13800138000.0, "13800138000"),
        ("１３８００１３８０００", "13800138000"),
        ("010-6512 3456", "01065123456"),  # not a mobile: validate says so
    ],
)
def test_clean_mobile(value: object, expected: str) -> None:
    assert clean_mobile(value) == expected


def test_id_check_digit() -> None:
    assert id_check_digit_ok("11010519491231002X")
    assert id_check_digit_ok("11010519491231002x")
    assert not id_check_digit_ok("110105194912310021")
    assert not id_check_digit_ok("1101051949123100")
    assert not id_check_digit_ok("11010519491231002Y")
    assert not id_check_digit_ok("1101051949123100２X")  # full-width digit: not an ID


def test_birth_and_gender_from_id() -> None:
    assert birth_from_id("11010519491231002X") == date(1949, 12, 31)
    assert gender_from_id("11010519491231002X") == "F"  # 17th digit 2: even
    assert birth_from_id("110105491231001") == date(1949, 12, 31)  # legacy 15 digits
    assert gender_from_id("110105491231001") == "M"
    assert birth_from_id("110105194913310021") is None  # month 13
    assert birth_from_id("abc") is None and gender_from_id("abc") is None
    assert birth_from_id(None) is None and gender_from_id("") is None


def test_id_is_valid() -> None:
    assert id_is_valid("11010519491231002X")
    assert id_is_valid("110105491231001")
    assert not id_is_valid("110105194912310021")  # check digit
    assert not id_is_valid("110105194913310021")
    assert not id_is_valid(None)


def test_parser_for_uses_the_header_unit() -> None:
    aum = FIELDS_BY_KEY["aum"]
    assert parser_for(aum, "资产规模（元）")(3_000_000) == pytest.approx(300.0)
    assert parser_for(aum, "资产规模(亿元)")(2) == pytest.approx(20000.0)
    assert parser_for(aum, "资产规模")(2) == pytest.approx(2.0)
    assert parser_for(FIELDS_BY_KEY["mobile"])("+86 138 0013 8000") == "13800138000"
    assert parser_for(FIELDS_BY_KEY["client_id"])(10023.0) == "10023"
    assert parser_for(FIELDS_BY_KEY["products"])("基金、保险") == ("基金", "保险")
