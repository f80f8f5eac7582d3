"""Cell values as a relationship manager types them, read into typed values (pure).

Every parser takes what python-calamine hands over for a cell (str, float, int, bool,
date, datetime, ...) and returns the typed value, or raises `ValueProblem` carrying the
finding code (invalid_date, invalid_number, invalid_choice) and, for choices, the closest
valid one. Empty cells are the caller's business: parsers are only called on non-empty
values. Nothing here guesses: a value that is not clearly one thing is a problem.
"""

from __future__ import annotations

import difflib
import math
import operator
import re
import unicodedata
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from clientbook.register.schema import Choice, Field, FieldType, SheetSchema


class ValueProblem(ValueError):
    """A cell that cannot be read as its field's type."""

    def __init__(self, code: str, raw: str, suggestion: str | None = None) -> None:
        super().__init__(code, raw)
        self.code = code
        self.raw = raw
        self.suggestion = suggestion


def raw_text(value: Any) -> str:
    """The cell's value as a manager would read it in Excel (for findings)."""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def is_blank(value: Any) -> bool:
    """True for an empty cell: None, "" or only spaces (full-width spaces included)."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return False


# --- headers -------------------------------------------------------------------------

# A unit (or any note) in parentheses or brackets at the end of a header: "资产规模(万元)".
_TRAILING_NOTE = re.compile(r"[(\[][^()\[\]]*[)\]]$")
_HEADER_STRIP = str.maketrans("", "", "_-*:")


def _nfkc(text: str) -> str:
    # NFKC folds full-width forms: （）→(), ＡＢＣ→ABC, １２３→123, U+3000 → space.
    return unicodedata.normalize("NFKC", text)


def normalise_header(text: Any) -> str:
    """A header reduced to what identifies it: case, spaces, width and a unit note ignored."""
    folded = "".join(_nfkc(raw_text(text)).casefold().split()).translate(_HEADER_STRIP)
    base = _TRAILING_NOTE.sub("", folded)
    return base or folded


def header_note(text: Any) -> str | None:
    """The text in parentheses at the end of a header ("万元" for "资产规模（万元）")."""
    folded = "".join(_nfkc(raw_text(text)).casefold().split())
    match = _TRAILING_NOTE.search(folded)
    return match.group(0)[1:-1] if match else None


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def has_cjk(text: str) -> bool:
    return _CJK.search(text) is not None


_HEADER_INDEXES: dict[tuple[str, int], dict[str, str]] = {}


def header_index(schema: SheetSchema) -> dict[str, str]:
    """Normalised header → field key, from each field's zh and en headers and aliases."""
    cache_key = (schema.kind, id(schema.fields))
    index = _HEADER_INDEXES.get(cache_key)
    if index is None:
        index = {}
        for fld in schema.fields:
            for header in fld.headers:
                index.setdefault(normalise_header(header), fld.key)
        _HEADER_INDEXES[cache_key] = index
    return index


# --- amounts and numbers -------------------------------------------------------------

# Multipliers to 元 for unit words found in a value or a header.
_UNIT_YUAN: dict[str, float] = {
    "元": 1.0,
    "人民币元": 1.0,
    "yuan": 1.0,
    "cny": 1.0,
    "rmb": 1.0,
    "千元": 1e3,
    "千": 1e3,
    "k": 1e3,
    "万元": 1e4,
    "万": 1e4,
    "w": 1e4,
    "10kcny": 1e4,
    "10k": 1e4,
    "10kyuan": 1e4,
    "百万元": 1e6,
    "百万": 1e6,
    "m": 1e6,
    "mcny": 1e6,
    "亿元": 1e8,
    "亿": 1e8,
    "100mcny": 1e8,
}
DEFAULT_UNIT = "万元"


def unit_from_header(header: Any) -> str:
    """The money unit a header names ("(元)", "(亿元)", "(10k CNY)"), else 万元."""
    note = header_note(header)
    if note:
        key = note.replace("单位", "").lstrip(":").replace(" ", "")
        if key in _UNIT_YUAN:
            return key
    return DEFAULT_UNIT


_CURRENCY = re.compile(r"^(?:¥|\$|rmb|cny|人民币)|(?:rmb|cny|人民币)$")
_AMOUNT = re.compile(
    r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)"
    r"(元|人民币元|千元|千|万元|万|w|百万元|百万|亿元|亿|k|m)?$"
)


def parse_amount(value: Any, unit: str = DEFAULT_UNIT) -> float:
    """A money value in 万元. Plain numbers are in the column's `unit`; text may name its own."""
    factor = _UNIT_YUAN.get(unit, 1e4) / 1e4
    if isinstance(value, bool):
        raise ValueProblem("invalid_number", raw_text(value))
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ValueProblem("invalid_number", raw_text(value))
        return float(value) if factor == 1.0 else round(float(value) * factor, 6)
    text = "".join(_nfkc(raw_text(value)).casefold().split()).replace(",", "")
    text = _CURRENCY.sub("", text)
    match = _AMOUNT.match(text)
    if not match:
        raise ValueProblem("invalid_number", raw_text(value))
    number = float(match.group(1))
    if match.group(2):
        factor = _UNIT_YUAN[match.group(2)] / 1e4
    result = round(number * factor, 6)
    if not math.isfinite(result):
        raise ValueProblem("invalid_number", raw_text(value))
    return result


_NUMBER = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)(km|公里|千米|m|米)?$")


def parse_number(value: Any) -> float:
    """A plain number (distance in km); "3.5km" and "3.5公里" are fine, "500米" is 0.5."""
    if isinstance(value, bool):
        raise ValueProblem("invalid_number", raw_text(value))
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ValueProblem("invalid_number", raw_text(value))
        return float(value)
    text = "".join(_nfkc(raw_text(value)).casefold().split()).replace(",", "")
    match = _NUMBER.match(text)
    if not match:
        raise ValueProblem("invalid_number", raw_text(value))
    number = float(match.group(1))
    if match.group(2) in ("m", "米"):
        number /= 1000
    if not math.isfinite(number):
        raise ValueProblem("invalid_number", raw_text(value))
    return number


# --- dates ---------------------------------------------------------------------------

_EXCEL_EPOCH = date(1899, 12, 30)
_FIRST_SERIAL = 367  # 1901-01-01: smaller numbers in a date column are not dates
_LAST_SERIAL = 73050  # 2099-12-31
_TIME = r"(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME + "$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})" + _TIME + "$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def parse_date(value: Any) -> date:
    """A date from an Excel date, an Excel serial number or unambiguous text (Y-M-D order)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool) or isinstance(value, time | timedelta):
        raise ValueProblem("invalid_date", raw_text(value))
    if isinstance(value, int | float):
        if value != value or not float(value).is_integer():
            # A fractional serial is a date and time; keep the date part.
            if _FIRST_SERIAL <= value <= _LAST_SERIAL:
                return _EXCEL_EPOCH + timedelta(days=int(value))
            raise ValueProblem("invalid_date", raw_text(value))
        number = int(value)
        if 19000101 <= number <= 21001231:  # typed as a number: 20240305
            return _parse_digits(str(number), raw_text(value))
        if _FIRST_SERIAL <= number <= _LAST_SERIAL:
            return _EXCEL_EPOCH + timedelta(days=number)
        raise ValueProblem("invalid_date", raw_text(value))
    text = " ".join(_nfkc(str(value)).casefold().split())
    return _parse_digits(text, raw_text(value))


def _parse_digits(text: str, raw: str) -> date:
    for candidate in (text, text.replace(" ", "")):
        for pattern in _DATE_PATTERNS:
            match = pattern.match(candidate)
            if match:
                year, month, day = (int(g) for g in match.groups())
                try:
                    return date(year, month, day)
                except ValueError:
                    raise ValueProblem("invalid_date", raw) from None
    raise ValueProblem("invalid_date", raw)


# --- choices -------------------------------------------------------------------------


def _choice_key(text: str) -> str:
    return "".join(_nfkc(text).casefold().split())


@lru_cache(maxsize=64)
def _choice_index(choices: tuple[Choice, ...]) -> dict[str, Choice]:
    index: dict[str, Choice] = {}
    for choice in choices:
        for label in (choice.value, choice.zh, choice.en, *choice.aliases):
            key = _choice_key(label)
            if key:
                index.setdefault(key, choice)
    return index


_PARTS = re.compile(r"[()\[\]\-_/|,;:、，；：（）【】\s]+")


def _match_choice(choices: tuple[Choice, ...], text: str) -> Choice | None:
    index = _choice_index(choices)
    key = _choice_key(text)
    found = index.get(key)
    if found is not None:
        return found
    # "C3-稳健型", "稳健型（C3）": every part must name the same choice.
    parts = [p for p in _PARTS.split(_nfkc(text).casefold()) if p]
    if not parts or any(p not in index for p in parts):
        return None
    matched = {index[p].value for p in parts}
    return index[parts[0]] if len(matched) == 1 else None


def closest_choice(choices: tuple[Choice, ...], text: str) -> str | None:
    """The label of the valid choice closest to `text`, in the script `text` is written in."""
    index = _choice_index(choices)
    close = difflib.get_close_matches(_choice_key(text), list(index), n=1, cutoff=0.4)
    if not close:
        return None
    choice = index[close[0]]
    return choice.zh if has_cjk(text) else choice.en


def parse_choice(fld: Field, value: Any) -> str:
    """The canonical value of a choice field ("C3" for "稳健型", "M" for "男")."""
    text = raw_text(value).strip()
    found = _match_choice(fld.choices, text)
    if found is None:
        raise ValueProblem("invalid_choice", text, closest_choice(fld.choices, text))
    return found.value


_INTERVAL = re.compile(
    r"^(?:每|every)?(\d+)(天|日|days?|d|个?星期|周|weeks?|w|个?月|months?|年|years?|y)?$"
)
_INTERVAL_DAYS = {
    "周": 7,
    "星期": 7,
    "个星期": 7,
    "w": 7,
    "月": 30,
    "个月": 30,
    "年": 365,
    "y": 365,
}


def parse_interval(fld: Field, value: Any) -> int:
    """A contact frequency in days: a choice (每月 → 30) or "N天", "N周", "N个月", "N days"."""
    text = raw_text(value).strip()
    found = _match_choice(fld.choices, text)
    if found is not None:
        return int(found.value)
    match = _INTERVAL.match(_choice_key(text))
    if match:
        count = int(match.group(1))
        unit = match.group(2) or "天"
        if unit.startswith("week"):
            unit = "w"
        elif unit.startswith("month"):
            unit = "月"
        elif unit.startswith("year"):
            unit = "y"
        days = count * _INTERVAL_DAYS.get(unit, 1)
        if 1 <= days <= 3650:
            return days
    raise ValueProblem("invalid_choice", text, closest_choice(fld.choices, text))


def parse_bool(fld: Field, value: Any) -> bool:
    """是/否 (yes/no, 1/0, TRUE/FALSE)."""
    if isinstance(value, bool):
        return value
    return parse_choice(fld, value) == "yes"


_LIST_SPLIT = re.compile(r"[,，、;；\r\n]+")


def parse_list(value: Any) -> tuple[str, ...]:
    """Products held: split on , ， 、 ; ； and newlines; parts trimmed, empty ones dropped."""
    return tuple(p for p in (part.strip() for part in _LIST_SPLIT.split(raw_text(value))) if p)


# --- text, IDs, mobiles --------------------------------------------------------------


def clean_text(value: Any) -> str | None:
    """Trimmed text; a number cell reads as written ("10023", not "10023.0")."""
    if isinstance(value, str):
        text = value.strip()
    else:
        text = raw_text(value).strip()
    return text or None


def clean_id_number(value: Any) -> str | None:
    """An ID number without spaces, full-width digits folded, x upper-cased."""
    text = "".join(_nfkc(raw_text(value)).split()).upper()
    return text or None


_MOBILE_NOISE = re.compile(r"[\s\-()（）.]")


def clean_mobile(value: Any) -> str | None:
    """A mobile number without spaces, dashes and a leading +86 / 0086 / 86."""
    text = _MOBILE_NOISE.sub("", _nfkc(raw_text(value)))
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    elif text.startswith("86") and len(text) == 13:
        text = text[2:]
    return text or None


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_DIGIT_BASE = 48 * sum(_ID_WEIGHTS)


def id_check_digit_ok(id18: str) -> bool:
    """GB 11643: the 18th character is the mod 11-2 check of the first 17 digits (X = 10)."""
    body = id18[:17]
    if len(id18) != 18 or not body.isascii() or not body.isdigit():
        return False
    # ASCII digits: each byte is 48 + its digit.
    total = sum(map(operator.mul, body.encode(), _ID_WEIGHTS)) - _ID_DIGIT_BASE
    return _ID_CHECK[total % 11] == id18[17].upper()


def birth_from_id(id_number: str | None) -> date | None:
    """The birth date in an 18-digit or legacy 15-digit ID number, or None."""
    if not id_number:
        return None
    if len(id_number) == 18 and id_number[:17].isascii() and id_number[:17].isdigit():
        digits = id_number[6:14]
    elif len(id_number) == 15 and id_number.isascii() and id_number.isdigit():
        digits = "19" + id_number[6:12]
    else:
        return None
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def gender_from_id(id_number: str | None) -> str | None:
    """ "M" or "F" from the sequence digit of an 18- or 15-digit ID number, or None."""
    if not id_number:
        return None
    if len(id_number) == 18 and id_number[16].isascii() and id_number[16].isdigit():
        digit = int(id_number[16])
    elif len(id_number) == 15 and id_number.isascii() and id_number.isdigit():
        digit = int(id_number[14])
    else:
        return None
    return "M" if digit % 2 else "F"


def id_is_valid(id_number: str | None) -> bool:
    """A usable ID: 18 digits with a good check digit or 15 digits, with a real birth date."""
    if not id_number or birth_from_id(id_number) is None:
        return False
    return len(id_number) == 15 or id_check_digit_ok(id_number)


# --- per-field parser ----------------------------------------------------------------

Parser = Callable[[Any], Any]
_MEMO_SIZE = 4096


def _memoised(parse: Parser) -> Parser:
    """Choice-like columns repeat a handful of values: remember what each one reads as."""
    memo: dict[Any, Any] = {}

    def parse_memo(value: Any) -> Any:
        if type(value) is not str:  # 1, 1.0 and True are equal keys but read differently
            return parse(value)
        try:
            return memo[value]
        except KeyError:
            pass
        result = parse(value)  # a ValueProblem propagates and is not remembered
        if len(memo) < _MEMO_SIZE:
            memo[value] = result
        return result

    return parse_memo


def parser_for(fld: Field, header: Any = None) -> Parser:
    """The function that reads a non-empty cell of this field (its header may set a unit)."""
    if fld.type is FieldType.TEXT:
        if fld.key == "id_number":
            return clean_id_number
        if fld.key == "mobile":
            return clean_mobile
        return clean_text
    if fld.type is FieldType.DATE:
        return parse_date
    if fld.type is FieldType.AMOUNT:
        unit = unit_from_header(header) if header is not None else DEFAULT_UNIT
        return lambda value: parse_amount(value, unit)
    if fld.type is FieldType.NUMBER:
        return parse_number
    if fld.type is FieldType.CHOICE:
        return _memoised(lambda value: parse_choice(fld, value))
    if fld.type is FieldType.INTERVAL:
        return _memoised(lambda value: parse_interval(fld, value))
    if fld.type is FieldType.BOOL:
        return _memoised(lambda value: parse_bool(fld, value))
    if fld.type is FieldType.LIST:
        return parse_list
    raise AssertionError(fld.type)  # pragma: no cover - every FieldType is handled above


# --- per-column parser (a slice of a column at once) ---------------------------------

ColumnParser = Callable[[Sequence[Any]], list[Any]]
_INF = math.inf


class _Memo(dict[Any, Any]):
    """Text cell → typed value, filled on first sight (choice-like and unit-bearing columns).

    Only str keys are remembered: 1, 1.0 and True are equal keys but read differently.
    An empty or blank cell reads as the field's default. A ValueProblem propagates.
    """

    def __init__(self, parse: Parser, default: Any) -> None:
        super().__init__()
        self.parse = parse
        self.default = default
        self[""] = default

    def __missing__(self, key: Any) -> Any:
        if key.__class__ is not str:
            return self.parse(key)
        result = self.default if key.isspace() else self.parse(key)
        if len(self) < _MEMO_SIZE:
            self[key] = result
        return result


def cell_parser(fld: Field, header: Any = None, default: Any = None) -> Parser:
    """`parser_for`, except that an empty or blank cell reads as `default`."""
    parse = parser_for(fld, header)

    def parse_cell(value: Any) -> Any:
        if value == "" or (value.__class__ is str and value.isspace()):
            return default
        return parse(value)

    return parse_cell


def column_parser(fld: Field, header: Any = None, default: Any = None) -> ColumnParser:
    """Reads many cells of one column at once, with `cell_parser`'s results.

    The common cells (plain text, a date, a finite float) take a fast path; the others go
    through `cell_parser`. Raises ValueProblem at the first bad cell: the caller then reads
    the slice cell by cell to learn which ones are bad.
    """
    slow = cell_parser(fld, header, default)
    kind = fld.type
    if kind is FieldType.TEXT:
        if fld.key == "id_number":
            return lambda cells: [
                v.upper() if v.__class__ is str and v.isascii() and v.isalnum() else slow(v)
                for v in cells
            ]
        if fld.key == "mobile":
            return lambda cells: [
                v
                if v.__class__ is str
                and v.isascii()
                and v.isdigit()
                and not v.startswith(("86", "0086"))
                else slow(v)
                for v in cells
            ]
        return lambda cells: [
            (v.strip() or default) if v.__class__ is str else slow(v) for v in cells
        ]
    if kind is FieldType.DATE:
        return lambda cells: [v if v.__class__ is date else slow(v) for v in cells]
    if kind is FieldType.AMOUNT or kind is FieldType.NUMBER:
        factor = 1.0
        if kind is FieldType.AMOUNT:
            unit = unit_from_header(header) if header is not None else DEFAULT_UNIT
            factor = _UNIT_YUAN.get(unit, 1e4) / 1e4
        memo = _Memo(parser_for(fld, header), default)
        if factor == 1.0:
            return lambda cells: [
                v if v.__class__ is float and -_INF < v < _INF else memo[v] for v in cells
            ]
        return lambda cells: [
            round(v * factor, 6) if v.__class__ is float and -_INF < v < _INF else memo[v]
            for v in cells
        ]
    if kind in (FieldType.CHOICE, FieldType.INTERVAL, FieldType.BOOL, FieldType.LIST):
        lookup = _Memo(parser_for(fld, header), default).__getitem__
        return lambda cells: list(map(lookup, cells))
    return lambda cells: [slow(v) for v in cells]  # pragma: no cover - all types above
