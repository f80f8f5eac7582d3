"""The register once read: typed records that remember where each value came from.

A record keeps its Excel row number; the sheet maps each field to its column letter,
so every value's A1 cell is `sheet.cell(field, record.row)`. Values that could not be
parsed are None on the record and described by a ValueIssue on the sheet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Generic, Literal, TypeVar

RecordT = TypeVar("RecordT")


@dataclass(frozen=True, slots=True)
class Column:
    """One header cell of a sheet."""

    index: int  # 0-based column index as Excel counts (A = 0), never relative to the data
    letter: str  # "A", "AB", ...
    header: str  # as written in the file
    field: str | None  # schema key, or None for a column clientbook does not know


@dataclass(frozen=True, slots=True)
class ValueIssue:
    """A cell whose text could not be read as its field's type (found while reading)."""

    code: str  # invalid_date | invalid_number | invalid_choice
    field: str
    row: int
    raw: str  # the cell's text as written (unmasked; mask before showing)
    suggestion: str | None = None  # closest valid choice, for invalid_choice


@dataclass(slots=True)
class ClientRecord:
    row: int  # Excel row number (1-based)
    client_id: str | None = None
    name: str | None = None
    gender: str | None = None  # "M" | "F"
    birth_date: date | None = None
    id_number: str | None = None  # trimmed, upper-case X
    mobile: str | None = None  # spaces, dashes and +86 removed
    email: str | None = None
    address: str | None = None
    occupation: str | None = None
    education: str | None = None
    marital_status: str | None = None
    aum: float | None = None  # 万元
    aum_prev: float | None = None
    income: float | None = None
    assets_elsewhere: float | None = None
    risk_level: str | None = None  # "C1".."C5"
    risk_assessed_on: date | None = None
    horizon: str | None = None  # "short" | "long" | "retirement"
    preference: str | None = None
    channel: str | None = None  # "phone" | "sms" | "wechat" | "email" | "visit"
    contact_every: int | None = None  # days
    contact_window: str | None = None
    confidential: bool | None = None
    last_contact: date | None = None
    onboarded_on: date | None = None
    branch_km: float | None = None
    products: tuple[str, ...] = ()
    referrer: str | None = None
    notes: str | None = None
    rm: str | None = None
    # True when birth_date / gender were filled from the ID number (the cell was empty).
    birth_from_id: bool = False
    gender_from_id: bool = False


@dataclass(slots=True)
class HoldingRecord:
    row: int
    client_id: str | None = None
    product: str | None = None
    product_risk: str | None = None  # "R1".."R5"
    amount: float | None = None  # 万元
    matures_on: date | None = None


@dataclass(slots=True)
class ContactRecord:
    row: int
    client_id: str | None = None
    date: date | None = None
    channel: str | None = None
    content: str | None = None


@dataclass
class Sheet(Generic[RecordT]):
    """One sheet of the register: where its header is and its typed records."""

    name: str
    kind: Literal["clients", "holdings", "contacts"]
    header_row: int  # Excel row number of the header
    columns: list[Column]
    records: list[RecordT]
    issues: list[ValueIssue] = field(default_factory=list)
    missing_required: list[str] = field(default_factory=list)  # field keys with no column
    # Columns whose header names a field that an earlier column already has: the first one
    # wins, these are kept as unknown columns (field=None) in `columns` and listed here.
    duplicates: list[Column] = field(default_factory=list)
    # Rows under the header that are not records: totals (合计) and notes (注：…), by row.
    skipped: list[tuple[int, str]] = field(default_factory=list)

    def column_of(self, field_key: str) -> Column | None:
        for column in self.columns:
            if column.field == field_key:
                return column
        return None

    def cell(self, field_key: str, row: int) -> str | None:
        """The A1 reference of a field in an Excel row, or None if the column is absent."""
        column = self.column_of(field_key)
        return None if column is None else f"{column.letter}{row}"

    @property
    def last_column_index(self) -> int:
        return max((c.index for c in self.columns), default=-1)


@dataclass
class Book:
    """A register read once: the client sheet and the optional holdings/contacts sheets."""

    path: Path
    format: Literal["xlsx", "xlsm"]
    lang: Literal["zh", "en"]  # language of the client sheet's headers
    sheet_names: list[str]
    clients: Sheet[ClientRecord]
    holdings: Sheet[HoldingRecord] | None = None
    contacts: Sheet[ContactRecord] | None = None
    encrypted: bool = False
