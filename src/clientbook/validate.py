"""Check a register in one pass: every problem becomes a Finding pointing at a cell.

`check_book` is pure (no I/O, no clock: `today` is passed in). Clean rows cost a few
attribute reads; Finding objects are built only for problems, so a 100,000-row book
stays fast. Findings hold data only (code, cell, masked value, params); the sentence
comes from messages.py in the chosen language when the report is rendered.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date
from enum import StrEnum
from functools import lru_cache
from operator import attrgetter, mul
from typing import Any

from pydantic import BaseModel

from clientbook.config import ValidateSettings
from clientbook.messages import text
from clientbook.register.model import (
    Book,
    ClientRecord,
    Column,
    ContactRecord,
    HoldingRecord,
    Sheet,
)
from clientbook.register.read import gc_paused
from clientbook.register.schema import (
    CLIENTS,
    CONTACTS,
    HOLDINGS,
    Field,
    FieldType,
    SheetSchema,
)
from clientbook.register.values import (
    birth_from_id,
    closest_choice,
    gender_from_id,
    header_index,
    id_check_digit_ok,
    normalise_header,
)


class Severity(StrEnum):
    error = "error"
    warning = "warning"


class Code(StrEnum):
    """Stable finding codes; each has zh/en text in messages.VALIDATE and a README entry."""

    missing_column = "missing_column"
    missing_value = "missing_value"
    invalid_date = "invalid_date"
    invalid_number = "invalid_number"
    invalid_choice = "invalid_choice"
    invalid_value = "invalid_value"
    negative_amount = "negative_amount"
    negative_number = "negative_number"
    duplicate_id = "duplicate_id"
    invalid_id_number = "invalid_id_number"
    id_birth_mismatch = "id_birth_mismatch"
    id_gender_mismatch = "id_gender_mismatch"
    invalid_mobile = "invalid_mobile"
    invalid_email = "invalid_email"
    future_date = "future_date"
    invalid_age = "invalid_age"
    unknown_client = "unknown_client"
    suitability_mismatch = "suitability_mismatch"
    suitability_unknown = "suitability_unknown"
    risk_assessment_expired = "risk_assessment_expired"
    matured_holding = "matured_holding"
    duplicate_id_number = "duplicate_id_number"
    legacy_id_number = "legacy_id_number"
    duplicate_column = "duplicate_column"
    skipped_row = "skipped_row"


SEVERITY: dict[Code, Severity] = dict.fromkeys(Code, Severity.error)
SEVERITY.update(
    {
        Code.suitability_mismatch: Severity.warning,
        Code.suitability_unknown: Severity.warning,
        Code.risk_assessment_expired: Severity.warning,
        Code.matured_holding: Severity.warning,
        Code.duplicate_id_number: Severity.warning,
        Code.legacy_id_number: Severity.warning,
        Code.duplicate_column: Severity.warning,
        Code.skipped_row: Severity.warning,
    }
)


class Finding(BaseModel):
    """One problem, pointing at one cell (or at the header row for a missing column)."""

    severity: Severity
    code: Code
    sheet: str
    cell: str | None  # A1 reference; None when the column itself is missing
    row: int | None
    column: str | None  # column letter
    field: str | None  # schema key
    header: str | None  # header as written in the file
    value: str | None  # cell value as text, sensitive fields masked
    params: dict[str, Any] = {}

    def message(self, lang: str) -> str:
        """The sentence for this finding in `lang` ("zh" or "en")."""
        return finding_message(self, lang)


class ValidationReport(BaseModel):
    """Everything `validate` found in one register."""

    file: str
    sheet: str
    header_row: int
    rows: int
    errors: int
    warnings: int
    findings: list[Finding]

    def as_json(self, lang: str) -> dict[str, Any]:
        """`model_dump(mode="json")` with each finding's rendered `message` added."""
        data = self.model_dump(mode="json")
        for item, finding in zip(data["findings"], self.findings, strict=True):
            item["message"] = finding.message(lang)
        return data

    def counts(self) -> dict[Code, int]:
        """Number of findings per code, in catalogue order."""
        tally: dict[Code, int] = defaultdict(int)
        for finding in self.findings:
            tally[finding.code] += 1
        return {code: tally[code] for code in Code if tally[code]}


# --- masking -------------------------------------------------------------------------


def mask(field: str | None, value: str) -> str:
    """Hide the middle of ID numbers (1101**********1234) and mobiles (138****5678)."""
    if field == "id_number":
        if len(value) <= 8:
            return "*" * len(value)
        return value[:4] + "*" * (len(value) - 8) + value[-4:]
    if field == "mobile":
        digits = value
        if len(digits) <= 7:
            return "*" * len(digits)
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    return value


_SENSITIVE = {"id_number", "mobile"}


def _show(field: str | None, value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        shown = f"{value:.10g}"
    elif isinstance(value, date):
        shown = value.isoformat()
    else:
        shown = str(value)
    return mask(field, shown) if field in _SENSITIVE else shown


# --- identity numbers (GB 11643) -----------------------------------------------------

_ID18 = re.compile(r"\d{17}[\dX]")
_ID15 = re.compile(r"\d{15}")


# An ID typed into a number cell: Excel keeps 15 significant digits and shows 1.10101E+17.
_AS_NUMBER = re.compile(r"\d(?:\.\d+)?E\+?\d+")


def id_problem(id_number: str) -> str | None:
    """Why an ID number is invalid (a reason key), or None when it is valid or legacy."""
    if _ID15.fullmatch(id_number):
        return None if birth_from_id(id_number) else "id_birth"
    if _AS_NUMBER.fullmatch(id_number):
        return "id_as_number"
    if not _ID18.fullmatch(id_number):
        return "id_format"
    if birth_from_id(id_number) is None:
        return "id_birth"
    if not id_check_digit_ok(id_number):
        return "id_check_digit"
    return None


# --- other value rules ---------------------------------------------------------------

_MOBILE = re.compile(r"(?:\+?86)?1[3-9]\d{9}")
_MOBILE_NOISE = re.compile(r"[\s\-\u3000()（）]")
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")


def mobile_ok(mobile: str) -> bool:
    """China mobile: optional +86, then 1[3-9] and 9 digits; spaces and dashes ignored."""
    return _MOBILE.fullmatch(_MOBILE_NOISE.sub("", mobile)) is not None


def email_ok(email: str) -> bool:
    return _EMAIL.fullmatch(email.strip()) is not None


def age_on(birth: date, today: date) -> int:
    """Completed years between `birth` and `today` (negative when birth is later)."""
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


# --- the checker ---------------------------------------------------------------------


class _Collector:
    """Builds findings for one sheet; knows where each field's column is."""

    def __init__(self, sheet: Sheet[Any], schema: SheetSchema) -> None:
        self.sheet = sheet
        self.schema = schema
        self.columns: dict[str, Column] = {
            c.field: c for c in reversed(sheet.columns) if c.field is not None
        }
        self.findings: list[Finding] = []
        # (field, row) cells the reader already reported: no second finding for them.
        self.flagged: set[tuple[str, int]] = {(i.field, i.row) for i in sheet.issues}
        self.required_keys = [f.key for f in schema.fields if f.required and f.key in self.columns]

    def has(self, field: str) -> bool:
        return field in self.columns

    def add(self, code: Code, field: str, row: int, value: object, **params: Any) -> Finding | None:
        column = self.columns.get(field)
        if column is None:
            return None
        finding = Finding(
            severity=SEVERITY[code],
            code=code,
            sheet=self.sheet.name,
            cell=f"{column.letter}{row}",
            row=row,
            column=column.letter,
            field=field,
            header=column.header,
            value=_show(field, value),
            params=params,
        )
        self.findings.append(finding)
        return finding

    def structural(self) -> None:
        """Missing and duplicated columns, and the cells the reader could not parse."""
        header_row = self.sheet.header_row or None  # 0: the sheet has no header row at all
        where = "validate.where.header_row" if header_row else "validate.where.no_header"
        for key in self.sheet.missing_required:
            spec = self.schema.by_key.get(key)
            self.findings.append(
                Finding(
                    severity=Severity.error,
                    code=Code.missing_column,
                    sheet=self.sheet.name,
                    cell=None,
                    row=header_row,
                    column=None,
                    field=key,
                    header=None,
                    value=None,
                    params={
                        "kind": self.schema.kind,
                        "expected_zh": spec.zh if spec else key,
                        "expected_en": spec.en if spec else key,
                        "where_key": where,
                    },
                )
            )
        index = header_index(self.schema)
        for column in self.sheet.duplicates:
            same = index.get(normalise_header(column.header))
            first = self.columns.get(same) if same else None
            self.findings.append(
                Finding(
                    severity=Severity.warning,
                    code=Code.duplicate_column,
                    sheet=self.sheet.name,
                    cell=f"{column.letter}{self.sheet.header_row}",
                    row=self.sheet.header_row,
                    column=column.letter,
                    field=same,
                    header=column.header,
                    value=column.header,
                    params={
                        "first_column": first.letter if first else "",
                        "first_header": first.header if first else "",
                    },
                )
            )
        first_column = self.sheet.columns[0] if self.sheet.columns else None
        id_column = self.sheet.column_of("client_id") or first_column
        for row, label in self.sheet.skipped:
            letter = id_column.letter if id_column else "A"
            self.findings.append(
                Finding(
                    severity=Severity.warning,
                    code=Code.skipped_row,
                    sheet=self.sheet.name,
                    cell=f"{letter}{row}",
                    row=row,
                    column=letter,
                    field=id_column.field if id_column else None,
                    header=id_column.header if id_column else None,
                    value=label,
                    params={"label": label},
                )
            )
        for issue in self.sheet.issues:
            code = Code(issue.code) if issue.code in Code.__members__ else Code.invalid_value
            params: dict[str, Any] = {}
            if code is Code.invalid_choice:
                spec = self.schema.by_key.get(issue.field)
                suggestion = issue.suggestion
                if spec is not None:
                    suggestion = _canonical(
                        spec, suggestion or closest_choice(spec.choices, issue.raw)
                    )
                params["suggestion"] = suggestion
            self.add(code, issue.field, issue.row, issue.raw, **params)

    def present(self, keys: Iterable[str]) -> tuple[str, ...]:
        """The keys among `keys` whose column is in the sheet (the others are never set)."""
        return tuple(key for key in keys if key in self.columns)

    def required(self, row: int, record: object) -> None:
        for key in self.required_keys:
            if getattr(record, key) is None and (key, row) not in self.flagged:
                self.add(Code.missing_value, key, row, None)

    def not_negative(self, row: int, field: str, value: float | None, code: Code) -> None:
        if value is not None and value < 0:
            self.add(code, field, row, value)

    def not_future(self, row: int, field: str, value: date | None, today: date) -> bool:
        if value is not None and value > today:
            self.add(Code.future_date, field, row, value, today=today.isoformat())
            return True
        return False


def _canonical(spec: Field, text_value: str | None) -> str | None:
    """The canonical choice value matching `text_value` (value, label or alias), if any."""
    if not text_value:
        return None
    wanted = text_value.strip().casefold()
    for choice in spec.choices:
        names = (choice.value, choice.zh, choice.en, *choice.aliases)
        if any(wanted == name.casefold() for name in names):
            return choice.value
    return None


_AMOUNT_FIELDS = tuple(f.key for f in CLIENTS.fields if f.type is FieldType.AMOUNT)
_NUMBER_FIELDS = tuple(f.key for f in CLIENTS.fields if f.type is FieldType.NUMBER)
_NOT_FUTURE = ("last_contact", "onboarded_on", "risk_assessed_on")


def _values(keys: tuple[str, ...]) -> Callable[[object], tuple[Any, ...]]:
    """A function returning a record's values of `keys` as a tuple (C speed)."""
    if not keys:
        return lambda record: ()
    if len(keys) == 1:
        one = attrgetter(keys[0])
        return lambda record: (one(record),)
    return attrgetter(*keys)


def _check_clients(
    sheet: Sheet[ClientRecord], settings: ValidateSettings, today: date
) -> tuple[list[Finding], dict[str, ClientRecord]]:
    out = _Collector(sheet, CLIENTS)
    out.structural()
    flagged = out.flagged
    # Only repeated client IDs and ID numbers get a list (of every row, in order).
    rows_by_id: dict[str, list[int]] = {}
    ids_by_number: dict[str, list[ClientRecord]] = {}
    first_by_number: dict[str, ClientRecord] = {}
    by_id: dict[str, ClientRecord] = {}
    validity = settings.risk_validity_days
    amounts, numbers = out.present(_AMOUNT_FIELDS), out.present(_NUMBER_FIELDS)
    dates = out.present(_NOT_FUTURE)
    # Clean rows take the fast tests below; a row that fails one takes the per-field path,
    # which adds the findings in the same order.
    required_values = _values(tuple(out.required_keys))
    amount_values, number_values = _values(amounts), _values(numbers)
    date_values = _values(dates)
    for rec in sheet.records:
        row = rec.row
        if None in required_values(rec):
            out.required(row, rec)
        client_id = rec.client_id
        if client_id is not None:
            first = by_id.get(client_id)
            if first is None:
                by_id[client_id] = rec
            elif client_id in rows_by_id:
                rows_by_id[client_id].append(row)
            else:
                rows_by_id[client_id] = [first.row, row]
        found = amount_values(rec)
        if found and (None in found or min(found) < 0):
            for key in amounts:
                out.not_negative(row, key, getattr(rec, key), Code.negative_amount)
        found = number_values(rec)
        if found and (None in found or min(found) < 0):
            for key in numbers:
                out.not_negative(row, key, getattr(rec, key), Code.negative_number)
        found = date_values(rec)
        if found and (None in found or max(found) > today):
            for key in dates:
                out.not_future(row, key, getattr(rec, key), today)
        assessed = rec.risk_assessed_on
        if assessed is not None and assessed <= today:
            age_days = (today - assessed).days
            if age_days > validity:
                expired = date.fromordinal(assessed.toordinal() + validity)
                out.add(
                    Code.risk_assessment_expired,
                    "risk_assessed_on",
                    row,
                    assessed,
                    validity_days=validity,
                    expired_on=expired.isoformat(),
                    days_over=age_days - validity,
                )
        mobile = rec.mobile
        if (
            mobile
            and _MOBILE.fullmatch(mobile) is None
            and ("mobile", row) not in flagged
            and not mobile_ok(mobile)
        ):
            out.add(Code.invalid_mobile, "mobile", row, mobile)
        if rec.email and ("email", row) not in flagged and not email_ok(rec.email):
            out.add(Code.invalid_email, "email", row, rec.email)
        _check_identity(out, rec, settings, today)
        id_number = rec.id_number
        if id_number and ("id_number", row) not in flagged:
            same = first_by_number.get(id_number)
            if same is None:
                first_by_number[id_number] = rec
            elif id_number in ids_by_number:
                ids_by_number[id_number].append(rec)
            else:
                ids_by_number[id_number] = [same, rec]

    for client_id, rows in rows_by_id.items():
        if len(rows) > 1:  # always: only repeated IDs are listed
            for row in rows:
                others = [r for r in rows if r != row]
                out.add(Code.duplicate_id, "client_id", row, client_id, rows=rows, others=others)
    for records in ids_by_number.values():
        client_ids = sorted({r.client_id for r in records if r.client_id is not None})
        if len(client_ids) > 1:
            for rec in records:
                out.add(
                    Code.duplicate_id_number,
                    "id_number",
                    rec.row,
                    rec.id_number,
                    client_ids=client_ids,
                )
    return out.findings, by_id


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_DIGIT_BASE = 48 * sum(_ID_WEIGHTS)
_ID_CHECK = "10X98765432"


@lru_cache(maxsize=65536)
def _date_of(digits: str) -> date | None:
    """The date of eight ASCII digits YYYYMMDD, or None (cached: birth dates repeat)."""
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def _id_problem_and_birth(id_number: str) -> tuple[str | None, date | None]:
    """`id_problem(id_number)` and, when it is None, the birth date in the number."""
    body = id_number[:17]
    if len(id_number) == 18 and body.isascii() and body.isdigit() and id_number[17] in _ID_CHECK:
        # The common case, as id_problem() decides it for 17 ASCII digits and a check digit.
        born = _date_of(id_number[6:14])
        if born is None:
            return "id_birth", None
        total = sum(map(mul, body.encode(), _ID_WEIGHTS)) - _ID_DIGIT_BASE
        if _ID_CHECK[total % 11] != id_number[17]:
            return "id_check_digit", None
        return None, born
    if _ID15.fullmatch(id_number):
        born = birth_from_id(id_number)
        return (None, born) if born else ("id_birth", None)
    if _AS_NUMBER.fullmatch(id_number):
        return "id_as_number", None
    if not _ID18.fullmatch(id_number):
        return "id_format", None
    born = birth_from_id(id_number)
    if born is None:
        return "id_birth", None
    if not id_check_digit_ok(id_number):
        return "id_check_digit", None
    return None, born


def _check_identity(
    out: _Collector, rec: ClientRecord, settings: ValidateSettings, today: date
) -> None:
    """ID number format, agreement of birth date and gender with it, and a plausible age."""
    row = rec.row
    birth_date = rec.birth_date
    birth_in_cell = birth_date is not None and not rec.birth_from_id
    future_birth = (
        birth_in_cell
        and birth_date is not None
        and birth_date > today
        and out.not_future(row, "birth_date", birth_date, today)
    )
    id_number = rec.id_number
    born: date | None = None
    if id_number and ("id_number", row) not in out.flagged:
        problem, born = _id_problem_and_birth(id_number)
        if problem is not None:
            reason = f"validate.reason.{problem}"
            out.add(Code.invalid_id_number, "id_number", row, id_number, reason_key=reason)
        elif len(id_number) == 15:
            out.add(Code.legacy_id_number, "id_number", row, id_number)
    if born is not None and id_number:
        if birth_in_cell and born != birth_date:
            out.add(
                Code.id_birth_mismatch,
                "birth_date",
                row,
                birth_date,
                id_birth=born.isoformat(),
            )
        gender = rec.gender
        if gender is not None and not rec.gender_from_id:
            sex = gender_from_id(id_number)  # a valid number: never None
            if sex and gender != sex:
                out.add(
                    Code.id_gender_mismatch,
                    "gender",
                    row,
                    gender,
                    id_gender_key=f"validate.gender.{sex}",
                    gender_key=f"validate.gender.{gender}",
                )
    if birth_date is not None and not future_birth:
        age = (
            today.year
            - birth_date.year
            - ((today.month, today.day) < (birth_date.month, birth_date.day))
        )
        if not 0 <= age <= settings.max_age:
            # The age comes from the birth-date cell, or from the ID number when it filled it.
            field, shown = ("birth_date", birth_date) if birth_in_cell else ("id_number", id_number)
            out.add(
                Code.invalid_age,
                field,
                row,
                shown,
                age=age,
                birth=birth_date.isoformat(),
                max_age=settings.max_age,
            )


def _check_holdings(
    sheet: Sheet[HoldingRecord],
    clients: dict[str, ClientRecord],
    has_ids: bool,
    has_risk: bool,
    today: date,
) -> list[Finding]:
    out = _Collector(sheet, HOLDINGS)
    out.structural()
    required_values = _values(tuple(out.required_keys))
    for rec in sheet.records:
        row = rec.row
        if None in required_values(rec):
            out.required(row, rec)
        amount = rec.amount
        if amount is not None and amount < 0:
            out.not_negative(row, "amount", amount, Code.negative_amount)
        client = None
        if rec.client_id is not None:
            client = clients.get(rec.client_id)
            if client is None and has_ids:
                out.add(Code.unknown_client, "client_id", row, rec.client_id)
        matures_on = rec.matures_on
        if matures_on is not None and matures_on < today and amount is not None and amount > 0:
            out.add(
                Code.matured_holding,
                "matures_on",
                row,
                rec.matures_on,
                product=rec.product or "",
                amount=_show(None, rec.amount),
            )
        if client is not None and rec.product_risk is not None:
            product_level = int(rec.product_risk[1:])
            if client.risk_level is not None:
                if product_level > int(client.risk_level[1:]):
                    out.add(
                        Code.suitability_mismatch,
                        "product_risk",
                        row,
                        rec.product_risk,
                        client_id=client.client_id,
                        client_row=client.row,
                        risk_level=client.risk_level,
                        product=rec.product or "",
                        needed=f"C{product_level}",
                    )
            elif has_risk:
                out.add(
                    Code.suitability_unknown,
                    "product_risk",
                    row,
                    rec.product_risk,
                    client_id=client.client_id,
                    client_row=client.row,
                    product=rec.product or "",
                )
    return out.findings


def _check_contacts(
    sheet: Sheet[ContactRecord], clients: dict[str, ClientRecord], has_ids: bool, today: date
) -> list[Finding]:
    out = _Collector(sheet, CONTACTS)
    out.structural()
    required_values = _values(tuple(out.required_keys))
    for rec in sheet.records:
        row = rec.row
        if None in required_values(rec):
            out.required(row, rec)
        if has_ids and rec.client_id is not None and rec.client_id not in clients:
            out.add(Code.unknown_client, "client_id", row, rec.client_id)
        out.not_future(row, "date", rec.date, today)
    return out.findings


def _column_index(letter: str | None) -> int:
    index = 0
    for char in letter or "":
        index = index * 26 + ord(char) - 64
    return index


def _ordered(findings: Iterable[Finding]) -> list[Finding]:
    codes = list(Code)
    return sorted(
        findings,
        key=lambda f: (f.row or 0, _column_index(f.column), codes.index(f.code)),
    )


def check_book(book: Book, settings: ValidateSettings, today: date) -> ValidationReport:
    """Every problem in the register, in one pass; pure (pass `today`)."""
    with gc_paused():
        return _check_book(book, settings, today)


def _check_book(book: Book, settings: ValidateSettings, today: date) -> ValidationReport:
    client_findings, clients = _check_clients(book.clients, settings, today)
    findings = _ordered(client_findings)
    # Without a 客户号 column (already a missing_column) every holding would be "unknown".
    has_ids = book.clients.column_of("client_id") is not None
    has_risk = book.clients.column_of("risk_level") is not None
    if book.holdings is not None:
        findings += _ordered(_check_holdings(book.holdings, clients, has_ids, has_risk, today))
    if book.contacts is not None:
        findings += _ordered(_check_contacts(book.contacts, clients, has_ids, today))
    errors = sum(1 for f in findings if f.severity is Severity.error)
    return ValidationReport(
        file=str(book.path),
        sheet=book.clients.name,
        header_row=book.clients.header_row,
        rows=len(book.clients.records),
        errors=errors,
        warnings=len(findings) - errors,
        findings=findings,
    )


# --- messages ------------------------------------------------------------------------

_CHOICE_FIELDS: dict[str, Field] = {
    f.key: f for schema in (CLIENTS, HOLDINGS, CONTACTS) for f in schema.fields if f.choices
}


def _choice_label(spec: Field, value: str, lang: str) -> str:
    for choice in spec.choices:
        if choice.value == value:
            return choice.en if lang == "en" else choice.zh
    return value


def _localised(finding: Finding, lang: str) -> dict[str, Any]:
    """Template fields: the finding's own, its params, and their words in `lang`."""
    values: dict[str, Any] = {
        "sheet": finding.sheet,
        "cell": finding.cell or "",
        "row": finding.row if finding.row is not None else "",
        "column": finding.column or "",
        "header": finding.header or finding.field or "",
        "value": finding.value if finding.value is not None else "",
    }
    sep = ", " if lang == "en" else "、"
    for key, param in finding.params.items():
        if isinstance(param, list):
            values[key] = sep.join(str(p) for p in param)
        else:
            values[key] = param
    for key, param in finding.params.items():
        if key.endswith("_key") and isinstance(param, str):
            values[key[:-4]] = text(param, lang, **values)
        elif key.endswith(f"_{lang}"):
            values[key[: -len(lang) - 1]] = param
    values.setdefault("hint", "")
    values.setdefault("choices", "")
    spec = _CHOICE_FIELDS.get(finding.field or "")
    if finding.code is Code.invalid_choice and spec is not None:
        labels = [_choice_label(spec, c.value, lang) for c in spec.choices]
        if spec.type is FieldType.INTERVAL:
            labels.append("N days" if lang == "en" else "N天")
        values["choices"] = sep.join(labels)
        suggestion = finding.params.get("suggestion")
        values["hint"] = (
            text("validate.hint.suggest", lang, suggestion=_choice_label(spec, suggestion, lang))
            if isinstance(suggestion, str)
            else ""
        )
    return values


def finding_message(finding: Finding, lang: str) -> str:
    """The finding's sentence in `lang`, from messages.VALIDATE."""
    return text(f"validate.{finding.code.value}", lang, **_localised(finding, lang))


def code_title(code: Code, lang: str) -> str:
    """A short name for a code (counts table, docs)."""
    return text(f"validate.title.{code.value}", lang)
