"""open_book(): a register on disk, read once into a typed Book.

The file is identified by its bytes (an OOXML zip, an encrypted OLE container, or
something we refuse with a reason), checked by guard.py, decrypted in memory when it is
encrypted, and read with python-calamine in one pass per sheet. Each record keeps the row
number a manager sees in Excel, and each column its letter.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO, Literal, TypeVar, cast

from clientbook.errors import NoHeaderRow, UnusableFile, WrongPassword
from clientbook.register import guard
from clientbook.register.model import (
    Book,
    ClientRecord,
    Column,
    ContactRecord,
    HoldingRecord,
    Sheet,
    ValueIssue,
)
from clientbook.register.schema import CLIENTS, CONTACTS, HOLDINGS, SheetSchema
from clientbook.register.values import (
    ValueProblem,
    birth_from_id,
    gender_from_id,
    has_cjk,
    header_index,
    id_is_valid,
    is_blank,
    normalise_header,
    parser_for,
    raw_text,
)

PASSWORD_ENV = "CLIENTBOOK_BOOK_PASSWORD"
HEADER_SEARCH_ROWS = 20
MIN_HEADER_MATCHES = 3

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

RecordT = TypeVar("RecordT", ClientRecord, HoldingRecord, ContactRecord)


def book_password(password_file: Path | None = None) -> str | None:
    """The workbook password: $CLIENTBOOK_BOOK_PASSWORD, else the file's first line, else None."""
    from_env = os.environ.get(PASSWORD_ENV)
    if from_env:
        return from_env
    if password_file is None:
        return None
    try:
        with open(password_file, encoding="utf-8-sig") as handle:
            first = handle.readline()
    except (OSError, UnicodeDecodeError) as exc:
        raise UnusableFile(key="register.password_file", path=str(password_file)) from exc
    return first.rstrip("\r\n") or None


# --- identifying and opening the file --------------------------------------------------


def _read_source(path: Path, password: str | None) -> tuple[BinaryIO, bool]:
    """The workbook's zip bytes as a seekable file, and whether it was encrypted."""
    shown = str(path)
    if not path.exists():
        raise UnusableFile(key="register.not_found", path=shown)
    if path.is_dir():
        raise UnusableFile(key="register.is_directory", path=shown)
    try:
        handle = open(path, "rb")  # noqa: SIM115 - returned to the caller, who closes it
    except OSError as exc:
        raise UnusableFile(key="register.unreadable", path=shown, detail=exc.strerror) from exc
    try:
        magic = handle.read(8)
    except OSError as exc:
        handle.close()
        raise UnusableFile(key="register.unreadable", path=shown, detail=exc.strerror) from exc
    if magic.startswith(_ZIP_MAGIC):
        handle.seek(0)
        return handle, False
    try:
        if not magic:
            raise UnusableFile(key="register.empty_file", path=shown)
        if magic == _OLE_MAGIC:
            return _decrypt(handle, shown, password), True
        raise _not_a_workbook(path, magic + handle.read(4096))
    finally:
        handle.close()


def _looks_like_csv(head: bytes) -> bool:
    """Text (UTF-8 or GB18030) whose first line has commas, semicolons or tabs."""
    if b"\0" in head:
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError:
            continue
        first = text.splitlines()[0] if text.strip() else ""
        return any(sep in first for sep in (",", "\t", ";", "，"))
    return False


def _not_a_workbook(path: Path, head: bytes) -> UnusableFile:
    suffix = path.suffix.casefold()
    if suffix == ".csv" or _looks_like_csv(head):
        return UnusableFile(key="register.csv", path=str(path))
    if suffix == ".ods":
        return UnusableFile(key="register.ods", path=str(path))
    if suffix in (".xls", ".et"):
        return UnusableFile(key="register.legacy_xls", path=str(path))
    if head.startswith(b"PK"):
        return UnusableFile(key="register.damaged", path=str(path), detail="zip")
    return UnusableFile(key="register.not_workbook", path=str(path))


def _decrypt(handle: BinaryIO, shown: str, password: str | None) -> BinaryIO:
    """Decrypt an encrypted OOXML workbook in memory; other OLE files are refused."""
    import olefile  # type: ignore[import-untyped]

    try:
        handle.seek(0)
        ole = olefile.OleFileIO(handle)
        streams = {"/".join(entry) for entry in ole.listdir()}
        ole.close()
    except Exception as exc:  # olefile raises many types on a damaged container
        raise UnusableFile(key="register.damaged", path=shown, detail="OLE") from exc
    if not {"EncryptionInfo", "EncryptedPackage"} <= streams:
        if {"Workbook", "Book"} & streams:
            raise UnusableFile(key="register.legacy_xls", path=shown)
        raise UnusableFile(key="register.not_workbook", path=shown)
    if not password:
        raise WrongPassword(path=shown)
    import msoffcrypto
    from msoffcrypto.exceptions import InvalidKeyError

    out = io.BytesIO()
    try:
        handle.seek(0)
        office = msoffcrypto.OfficeFile(handle)
        office.load_key(password=password, verify_password=True)
        office.decrypt(out)
    except InvalidKeyError as exc:
        raise WrongPassword(path=shown) from exc
    except Exception as exc:  # msoffcrypto raises several types on damaged input
        raise UnusableFile(key="register.damaged", path=shown, detail="encryption") from exc
    out.seek(0)
    if not out.read(4).startswith(b"PK"):
        raise UnusableFile(key="register.damaged", path=shown, detail="decrypted content")
    out.seek(0)
    return out


def _calamine_error(exc: BaseException, shown: str) -> BaseException:
    """calamine's failures (XmlError, ZipError, ... and a Rust panic) as one UnusableFile."""
    # pyo3 turns a Rust panic into PanicException, a BaseException: a damaged file, too.
    if isinstance(exc, Exception) or type(exc).__name__ == "PanicException":
        return UnusableFile(key="register.damaged", path=shown, detail=type(exc).__name__)
    return exc  # KeyboardInterrupt, SystemExit: not ours to translate


# --- sheets ----------------------------------------------------------------------------


def _choose_sheets(
    names: list[str], visible: list[bool], wanted: str | None, shown: str
) -> tuple[str, str | None, str | None]:
    """(client sheet, holdings sheet or None, contacts sheet or None)."""
    by_norm: dict[str, str] = {}
    for name in names:
        by_norm.setdefault(normalise_header(name), name)

    def named(candidates: tuple[str, ...]) -> str | None:
        for candidate in candidates:
            found = by_norm.get(normalise_header(candidate))
            if found is not None:
                return found
        return None

    if wanted is not None:
        client = wanted if wanted in names else by_norm.get(normalise_header(wanted))
        if client is None:
            raise UnusableFile(
                key="register.no_sheet",
                path=shown,
                sheet=wanted,
                available="、".join(names),
            )
    else:
        client = named(CLIENTS.sheet_names) or next(
            (n for n, v in zip(names, visible, strict=True) if v), None
        )
        if client is None:
            raise UnusableFile(key="register.no_visible_sheet", path=shown)
    holdings = named(HOLDINGS.sheet_names)
    contacts = named(CONTACTS.sheet_names)
    return (
        client,
        holdings if holdings != client else None,
        contacts if contacts not in (client, holdings) else None,
    )


def _numbered_rows(sheet: Any) -> Iterator[tuple[int, int, list[Any]]]:
    """(Excel row number, column index of the row's first cell, cells) for a calamine sheet.

    python-calamine's iter_rows() pads the empty rows above the data but starts each row
    at the first used column (issue #177), so rows are numbered from 1 and columns are
    offset by `start`. If a later version yields from the first used row instead, the first
    row it yields has a value and the numbering follows `start` for rows too.
    """
    start = sheet.start
    if start is None:
        return
    first_row, first_col = start
    rows = iter(sheet.iter_rows())
    first = next(rows, None)
    if first is None:
        return
    if first_row > 0 and all(is_blank(v) for v in first):
        number = 1  # padded from the top
    else:
        number = first_row + 1
    yield number, first_col, first
    for cells in rows:
        number += 1
        yield number, first_col, cells


def _header_matches(cells: list[Any], index: dict[str, str]) -> set[str]:
    return {
        index[norm]
        for norm in (normalise_header(v) for v in cells if isinstance(v, str) and v.strip())
        if norm in index
    }


_RECORD_TYPES: dict[str, type[Any]] = {
    "clients": ClientRecord,
    "holdings": HoldingRecord,
    "contacts": ContactRecord,
}


def _read_sheet(
    workbook: Any, name: str, schema: SheetSchema, shown: str, *, required: bool
) -> tuple[Sheet[Any], int, int]:
    """One sheet as typed records, and how many of its matched headers are English, of how many."""
    kind = cast(Literal["clients", "holdings", "contacts"], schema.kind)
    try:
        calamine_sheet = workbook.get_sheet_by_name(name)
    except BaseException as exc:
        raise _calamine_error(exc, shown) from exc
    index = header_index(schema)
    rows = _numbered_rows(calamine_sheet)
    header: tuple[int, int, list[Any]] | None = None
    for number, offset, cells in rows:
        if number > HEADER_SEARCH_ROWS:
            break
        if len(_header_matches(cells, index)) >= MIN_HEADER_MATCHES:
            header = (number, offset, cells)
            break
    if header is None:
        if required:
            raise NoHeaderRow(path=shown, sheet=name)
        missing = [f.key for f in schema.fields if f.required]
        return Sheet(name, kind, 0, [], [], missing_required=missing), 0, 0

    header_row, offset, header_cells = header
    columns: list[Column] = []
    duplicates: list[Column] = []
    parsers: list[tuple[int, str, Callable[[Any], Any]]] = []
    english = 0
    for j, value in enumerate(header_cells):
        if is_blank(value):
            continue
        text = raw_text(value)
        key = index.get(normalise_header(text))
        column = Column(offset + j, guard.column_letter(offset + j), text, key)
        if key is not None and any(c.field == key for c in columns):
            duplicates.append(column)
            column = Column(column.index, column.letter, text, None)
        elif key is not None:
            parsers.append((j, key, parser_for(schema.by_key[key], text)))
            english += 0 if has_cjk(text) else 1
        columns.append(column)
    found = {c.field for c in columns}
    missing = [f.key for f in schema.fields if f.required and f.key not in found]
    record_type = _RECORD_TYPES[schema.kind]
    records: list[Any] = []
    issues: list[ValueIssue] = []
    fill_from_id = schema.kind == "clients"
    for number, _, cells in rows:
        width = len(cells)
        if cells.count("") == width:
            continue
        record = record_type(row=number)
        failed: set[str] | None = None
        touched = False
        for j, key, parse in parsers:
            if j >= width:
                continue
            value = cells[j]
            if value == "" or (value.__class__ is str and value.isspace()):
                continue
            touched = True
            try:
                setattr(record, key, parse(value))
            except ValueProblem as problem:
                issues.append(
                    ValueIssue(problem.code, key, number, problem.raw, problem.suggestion)
                )
                failed = failed or set()
                failed.add(key)
        if not touched and all(is_blank(v) for v in cells):
            continue  # only spaces: a blank row
        if fill_from_id:
            _fill_from_id(record, failed)
        records.append(record)
    sheet: Sheet[Any] = Sheet(
        name,
        kind,
        header_row,
        columns,
        records,
        issues=issues,
        missing_required=missing,
        duplicates=duplicates,
    )
    return sheet, english, len(parsers)


def _fill_from_id(record: ClientRecord, failed: set[str] | None) -> None:
    """Birth date and gender from a valid ID number when their cells are empty."""
    if record.id_number is None or (record.birth_date is not None and record.gender is not None):
        return
    if not id_is_valid(record.id_number):
        return
    if record.birth_date is None and not (failed and "birth_date" in failed):
        record.birth_date = birth_from_id(record.id_number)
        record.birth_from_id = True
    if record.gender is None and not (failed and "gender" in failed):
        record.gender = gender_from_id(record.id_number)
        record.gender_from_id = True


# --- the book --------------------------------------------------------------------------


def open_book(path: Path, *, sheet: str | None = None, password: str | None = None) -> Book:
    """Read a register (.xlsx/.xlsm, encrypted or not) into a Book, or raise UnusableFile."""
    path = Path(path)
    shown = str(path)
    source, encrypted = _read_source(path, password)
    with source:
        info = guard.check_package(source, shown)
        from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

        source.seek(0)
        try:
            # From the handle the guard checked (not the path): the same bytes, and calamine
            # then goes by content rather than by the file's extension.
            workbook = CalamineWorkbook.from_filelike(source)
        except BaseException as exc:
            raise _calamine_error(exc, shown) from exc
        with workbook:
            metadata = workbook.sheets_metadata
            names = [m.name for m in metadata]
            visible = [
                m.visible == SheetVisibleEnum.Visible and m.typ == SheetTypeEnum.WorkSheet
                for m in metadata
            ]
            client_name, holdings_name, contacts_name = _choose_sheets(names, visible, sheet, shown)
            clients, english, matched = _read_sheet(
                workbook, client_name, CLIENTS, shown, required=True
            )
            holdings = (
                _read_sheet(workbook, holdings_name, HOLDINGS, shown, required=False)[0]
                if holdings_name
                else None
            )
            contacts = (
                _read_sheet(workbook, contacts_name, CONTACTS, shown, required=False)[0]
                if contacts_name
                else None
            )
    return Book(
        path=path,
        format=cast(Literal["xlsx", "xlsm"], info.format),
        lang="en" if english * 2 > matched else "zh",
        sheet_names=names,
        clients=clients,
        holdings=holdings,
        contacts=contacts,
        encrypted=encrypted,
    )


def latest_contacts(book: Book) -> dict[str, date]:
    """Per client ID, the newest of its last-contact date and its contacts-sheet dates."""
    latest: dict[str, date] = {}
    for client in book.clients.records:
        if client.client_id and client.last_contact:
            if client.last_contact > latest.get(client.client_id, date.min):
                latest[client.client_id] = client.last_contact
    if book.contacts is not None:
        for contact in book.contacts.records:
            if contact.client_id and contact.date:
                if contact.date > latest.get(contact.client_id, date.min):
                    latest[contact.client_id] = contact.date
    return latest
