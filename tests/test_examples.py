"""The example registers: clean where they say clean, defective exactly where documented.

The checks below read the committed workbooks with openpyxl and re-derive every invariant
independently of the generator (check digits, birth dates, parity, suitability...). Once
`clientbook validate` lands, the same files are also run through it.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import openpyxl
import pytest

from clientbook.init import choice_labels, sheet_headers, sheet_name
from clientbook.register.schema import CLIENT_FIELDS, FIELDS_BY_KEY, HOLDING_FIELDS

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
REFERENCE = date(2026, 11, 27)
KEYS = [f.key for f in CLIENT_FIELDS]
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# Real GB/T 2260 county codes the generator may use (checked here, not imported from it).
KNOWN_REGIONS = {
    "110101", "110105", "120101", "310104", "310105", "310106", "310112", "310115",
    "320106", "330106", "340104", "350203", "370202", "420106", "430104", "440106",
    "440305", "500103", "510107", "610113",
}  # fmt: skip
MOBILE = re.compile(r"^1[3-9]\d{9}$")
EMAIL = re.compile(r"^[a-z0-9._-]+@example\.(com|cn)$")
DATE_KEYS = {"birth_date", "risk_assessed_on", "last_contact", "onboarded_on"}
AMOUNT_KEYS = {"aum", "aum_prev", "income", "assets_elsewhere", "branch_km"}


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_examples", EXAMPLES / "make_examples.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_examples"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def check_digit(first17: str) -> str:
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def as_date(value: Any) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def cells(path: Path, kind: str, lang: str) -> tuple[list[tuple[int, dict[str, Any]]], str]:
    """(Excel row, {key: value}) for every data row of a sheet, and the sheet name."""
    wb = openpyxl.load_workbook(path)
    name = sheet_name(kind, lang)  # type: ignore[arg-type]
    ws = wb[name]
    header_row = 2 if kind == "clients" else 1
    headers = [c.value for c in ws[header_row]]
    assert headers == sheet_headers(kind, lang)  # type: ignore[arg-type]
    fields = CLIENT_FIELDS if kind == "clients" else None
    keys = [f.key for f in fields] if fields else [f"c{i}" for i in range(len(headers))]
    rows = []
    for number, row in enumerate(ws.iter_rows(min_row=header_row + 1, values_only=True)):
        if any(v is not None for v in row):
            rows.append((number + header_row + 1, dict(zip(keys, row, strict=True))))
    return rows, name


def letter(key: str) -> str:
    return openpyxl.utils.get_column_letter(KEYS.index(key) + 1)


def find_problems(path: Path, lang: str) -> set[tuple[str, str, str]]:
    """An independent mini-validator: (sheet, cell, code) for everything wrong in a book."""
    problems: set[tuple[str, str, str]] = set()
    clients, sheet = cells(path, "clients", lang)

    def flag(key: str, row: int, code: str) -> None:
        problems.add((sheet, f"{letter(key)}{row}", code))

    labels = {
        key: set(choice_labels(FIELDS_BY_KEY[key], lang))
        for key in ("gender", "risk_level", "horizon", "channel", "confidential")
    }
    intervals = set(choice_labels(FIELDS_BY_KEY["contact_every"], lang))
    ids: dict[str, list[int]] = defaultdict(list)
    id_numbers: dict[str, set[str]] = defaultdict(set)
    id_rows: dict[str, list[int]] = defaultdict(list)
    level_of: dict[str, int] = {}
    for row, v in clients:
        for key in ("client_id", "name", "aum"):
            if v[key] in (None, ""):
                flag(key, row, "missing_value")
        for key in DATE_KEYS:
            value = v[key]
            if isinstance(value, str):
                flag(key, row, "invalid_date")
            elif value is not None and as_date(value) > REFERENCE:  # type: ignore[operator]
                flag(key, row, "future_date")
        for key in AMOUNT_KEYS:
            value = v[key]
            if isinstance(value, str):
                flag(key, row, "invalid_number")
            elif value is not None and value < 0:
                flag(key, row, "negative_amount")
        for key, allowed in labels.items():
            if v[key] is not None and v[key] not in allowed:
                flag(key, row, "invalid_choice")
        every = v["contact_every"]
        if every is not None and every not in intervals:
            assert re.fullmatch(r"\d+(天| days)", every), every
        if v["client_id"]:
            ids[v["client_id"]].append(row)
        if isinstance(v["risk_level"], str) and v["risk_level"] in labels["risk_level"]:
            level_of[v["client_id"]] = int(v["risk_level"][1])
        assessed = (
            as_date(v["risk_assessed_on"]) if not isinstance(v["risk_assessed_on"], str) else None
        )
        if assessed is not None and (REFERENCE - assessed).days > 365:
            flag("risk_assessed_on", row, "risk_assessment_expired")
        if v["mobile"] is not None and not MOBILE.match(v["mobile"]):
            flag("mobile", row, "invalid_mobile")
        if v["email"] is not None and not EMAIL.match(v["email"]):
            flag("email", row, "invalid_email")
        ident = v["id_number"]
        if ident is None:
            continue
        assert ident[:6] in KNOWN_REGIONS, ident[:6]
        id_numbers[ident].add(v["client_id"])
        id_rows[ident].append(row)
        if len(ident) == 15:
            flag("id_number", row, "legacy_id_number")
            birth, parity = (
                date(1900 + int(ident[6:8]), int(ident[8:10]), int(ident[10:12])),
                ident[14],
            )
        else:
            assert len(ident) == 18 and ident[:17].isdigit()
            if check_digit(ident[:17]) != ident[17]:
                flag("id_number", row, "invalid_id_number")
                continue
            birth, parity = date(int(ident[6:10]), int(ident[10:12]), int(ident[12:14])), ident[16]
        age = (REFERENCE - birth).days / 365.25
        assert 18 <= age <= 120
        if as_date(v["birth_date"]) != birth:
            flag("birth_date", row, "id_birth_mismatch")
        male = int(parity) % 2 == 1
        if v["gender"] != choice_labels(FIELDS_BY_KEY["gender"], lang)[0 if male else 1]:
            flag("gender", row, "id_gender_mismatch")
    for rows in ids.values():
        if len(rows) > 1:
            for row in rows:
                flag("client_id", row, "duplicate_id")
    for ident, owners in id_numbers.items():
        if len(owners) > 1:
            for row in id_rows[ident]:
                flag("id_number", row, "duplicate_id_number")

    holdings, hsheet = cells(path, "holdings", lang)
    for row, h in holdings:
        client, product, risk, amount, matures = h.values()
        assert product and re.fullmatch(r"R[1-5]", risk) and amount > 0
        if client not in ids:
            problems.add((hsheet, f"A{row}", "unknown_client"))
        elif client in level_of and int(risk[1]) > level_of[client]:
            problems.add((hsheet, f"C{row}", "suitability_mismatch"))
        if matures is not None and as_date(matures) <= REFERENCE:
            problems.add((hsheet, f"E{row}", "matured_holding"))
    if sheet_name("contacts", lang) not in openpyxl.load_workbook(path).sheetnames:  # type: ignore[arg-type]
        return problems
    contacts, _ = cells(path, "contacts", lang)
    channels = set(choice_labels(FIELDS_BY_KEY["channel"], lang))
    for _, c in contacts:
        client, on, channel, content = c.values()
        assert client in ids and as_date(on) <= REFERENCE and channel in channels and content
    return problems


@pytest.mark.parametrize(
    ("name", "lang", "count"), [("book.xlsx", "zh", 300), ("book_en.xlsx", "en", 60)]
)
def test_clean_examples_have_no_problems(name: str, lang: str, count: int) -> None:
    path = EXAMPLES / name
    assert find_problems(path, lang) == set()
    clients, _ = cells(path, "clients", lang)
    assert len(clients) == count
    assert len({v["id_number"] for _, v in clients}) == count
    assert all(len(v["id_number"]) == 18 for _, v in clients)
    held: Counter[str] = Counter()
    for _, h in cells(path, "holdings", lang)[0]:
        held[h["c0"]] += h["c3"]
    aum = {v["client_id"]: v["aum"] for _, v in clients}
    assert all(total <= aum[client] + 1e-6 for client, total in held.items())


def test_book_has_work_for_every_command() -> None:
    path = EXAMPLES / "book.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb["客户"]
    assert ws["A1"].value.endswith("理财客户名册（虚构示例数据）")
    assert "A1:AD1" in {str(r) for r in ws.merged_cells.ranges}
    clients, _ = cells(path, "clients", "zh")
    aums = [v["aum"] for _, v in clients]
    tiers = Counter(
        "A" if a >= 1000 else "B" if a >= 500 else "C" if a >= 100 else "D" for a in aums
    )
    assert set(tiers) == {"A", "B", "C", "D"} and tiers["D"] > tiers["A"]
    assert 5 <= min(aums) and max(aums) <= 3000
    assert any(v["last_contact"] is None for _, v in clients)  # never contacted
    assert sum(1 for _, v in clients if v["last_contact"] and v["last_contact"].year == 2026) > 200
    assert any(v["aum_prev"] and v["aum"] <= 0.7 * v["aum_prev"] for _, v in clients)
    assert any(v["contact_every"] for _, v in clients)
    assert any(v["assets_elsewhere"] is None for _, v in clients)
    assert Counter(v["confidential"] for _, v in clients).most_common(1)[0][0] == "否"
    assert any("、" in (v["products"] or "") for _, v in clients)
    assert {v["risk_level"][:2] for _, v in clients} == {"C1", "C2", "C3", "C4", "C5"}
    expiring = [v for _, v in clients if v["risk_assessed_on"] < datetime(2026, 1, 1)]
    assert expiring  # risk assessments that expire in December 2026
    holdings, _ = cells(path, "holdings", "zh")
    soon = [
        h
        for _, h in holdings
        if h["c4"] and date(2026, 12, 1) <= h["c4"].date() <= date(2027, 2, 28)
    ]
    assert len(soon) >= 30
    assert [f.key for f in HOLDING_FIELDS] == [
        "client_id",
        "product",
        "product_risk",
        "amount",
        "matures_on",
    ]


def test_defects_are_exactly_the_documented_ones() -> None:
    table = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| (\S+) \| ([A-Z]+\d+) \| `(\w+)` \|", table, flags=re.M))
    assert len(documented) >= 20
    assert find_problems(EXAMPLES / "book_defects.xlsx", "zh") == documented
    codes = {code for _, _, code in documented}
    required = {
        "missing_value", "invalid_date", "invalid_number", "negative_amount", "invalid_choice",
        "duplicate_id", "invalid_id_number", "id_birth_mismatch", "id_gender_mismatch",
        "invalid_mobile", "invalid_email", "future_date", "unknown_client",
        "suitability_mismatch", "risk_assessment_expired", "matured_holding",
        "duplicate_id_number", "legacy_id_number",
    }  # fmt: skip
    assert required <= codes


def test_readme_table_is_what_the_generator_makes() -> None:
    gen = load_generator()
    _, _, defects = gen.defects_book()
    assert gen.defects_table(defects) in (EXAMPLES / "README.md").read_text(encoding="utf-8")


def _values(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}


def test_generator_is_deterministic_and_matches_committed_files(tmp_path: Path) -> None:
    gen = load_generator()
    first, second = tmp_path / "one", tmp_path / "two"
    gen.main(first)
    gen.main(second)
    for name in ("book.xlsx", "book_en.xlsx", "book_defects.xlsx"):
        assert (first / name).read_bytes() == (second / name).read_bytes()
        assert _values(first / name) == _values(EXAMPLES / name)


def test_make_register_api(tmp_path: Path) -> None:
    gen = load_generator()
    path = gen.make_register(tmp_path / "small en.xlsx", 25, lang="en", seed=7, contacts=False)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Clients", "Holdings"]
    assert find_problems(path, "en") == set()
    clients, _ = cells(path, "clients", "en")
    assert len(clients) == 25
    other = gen.make_register(tmp_path / "other.xlsx", 25, lang="en", seed=8, contacts=False)
    assert _values(other) != _values(path)
    assert gen.id_check_digit("11010519491231002") == "X"  # the GB 11643 standard's example
    today_minus = REFERENCE - timedelta(days=365)
    assert all(as_date(v["risk_assessed_on"]) > today_minus for _, v in clients)


def test_id_numbers_stay_unique_in_big_books() -> None:
    """A repeated ID number is drawn again (at 100,000 clients repeats would happen)."""
    import random

    gen = load_generator()
    first = gen.make_client(random.Random(5), 0, 1, REFERENCE, set())
    ident = first.values["id_number"]
    again = gen.make_client(random.Random(5), 0, 1, REFERENCE, {ident})
    assert again.values["birth_date"] == first.values["birth_date"]
    assert again.values["id_number"] != ident
    assert again.values["id_number"][:14] == ident[:14]  # same region and birth date
    assert check_digit(again.values["id_number"][:17]) == again.values["id_number"][17]
    many = [c.values["id_number"] for c in gen.iter_clients(3000, 11)]
    assert len(set(many)) == len(many)


def test_validate_finds_exactly_the_documented_defects() -> None:
    """Once the reader and validate are merged: clean books clean, defects where documented."""
    read = pytest.importorskip("clientbook.register.read")
    validate = pytest.importorskip("clientbook.validate")
    from clientbook.config import Settings

    settings = Settings().validate_
    for name in ("book.xlsx", "book_en.xlsx"):
        report = validate.check_book(read.open_book(EXAMPLES / name), settings, REFERENCE)
        assert [(f.cell, f.code) for f in report.findings] == [], name
    table = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| (\S+) \| ([A-Z]+\d+) \| `(\w+)` \|", table, flags=re.M))
    book = read.open_book(EXAMPLES / "book_defects.xlsx")
    report = validate.check_book(book, settings, REFERENCE)
    assert {(f.sheet, f.cell, str(f.code)) for f in report.findings} == documented
