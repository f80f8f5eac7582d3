"""open_book(): a register on disk, read once into a typed Book.

The file is identified by its bytes (an OOXML zip, an encrypted OLE container, or
something we refuse with a reason), checked by guard.py, decrypted in memory when it is
encrypted, and read with python-calamine in one pass per sheet. Each record keeps the row
number a manager sees in Excel, and each column its letter.

Speed (see the README's performance section): each sheet is checked by the guard just
before calamine parses it, and calamine parses in a thread (it releases the GIL) while the
guard checks the next sheet or the previous sheet's rows are typed; rows are typed a
column at a time, 4,096 rows at a time, and the records are the only copy kept.
"""

from __future__ import annotations

import dataclasses
import gc
import io
import itertools
import operator
import os
import threading
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Literal, TypeVar, cast

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

if TYPE_CHECKING:
    from python_calamine import CalamineWorkbook

    from clientbook.register.fastcells import ReadAhead
    from clientbook.register.worker import Worker

from clientbook.register.values import (
    ColumnParser,
    Parser,
    ValueProblem,
    birth_from_id,
    cell_parser,
    column_parser,
    gender_from_id,
    has_cjk,
    header_index,
    id_is_valid,
    is_blank,
    normalise_header,
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


def _calamine_from_path(source: BinaryIO, path: Path) -> CalamineWorkbook | None:
    """calamine's workbook opened from `path`, which reads only the parts asked for (from
    the handle, it would read the whole file into memory first), when the path still names
    the very file `source` has open, the one the guard checked; else None."""
    from python_calamine import CalamineWorkbook

    try:
        checked = os.fstat(source.fileno())
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception:  # not a real file, or calamine refuses: from the handle, which says why
        return None
    try:
        now = os.stat(path)
    except OSError:
        now = None
    if now is not None and (now.st_dev, now.st_ino, now.st_size, now.st_mtime_ns) == (
        checked.st_dev,
        checked.st_ino,
        checked.st_size,
        checked.st_mtime_ns,
    ):
        return workbook
    workbook.close()  # the file was replaced meanwhile
    return None


def is_encrypted(path: Path) -> bool:
    """Whether `path` is a password-protected OOXML workbook (an OLE container with
    EncryptionInfo); False for anything else, including files that cannot be read."""
    try:
        with open(path, "rb") as handle:
            if handle.read(8) != _OLE_MAGIC:
                return False
            import olefile

            handle.seek(0)
            ole = olefile.OleFileIO(handle)
            try:
                return bool(ole.exists("EncryptionInfo"))
            finally:
                ole.close()
    except Exception:  # unreadable or damaged: open_book will say why
        return False


def check_register(path: Path) -> bool:
    """True when `path` is an unencrypted workbook whose package passes the guard (its
    sheets are checked as they are read); False for an encrypted one (its password is
    checked when it is read). Raises UnusableFile as open_book would for anything else."""
    if is_encrypted(path):
        return False
    source, _ = _read_source(path, None)
    with source:
        guard.check_package(source, str(path), defer_sheets=True)
    return True


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
    import olefile

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


def sheets_chosen(
    workbook: CalamineWorkbook, wanted: str | None, shown: str
) -> tuple[list[str], tuple[str, str | None, str | None]]:
    """The workbook's sheet names, and its (client, holdings, contacts) sheets: the client
    sheet `wanted` (by name), else the one named as such, else the first visible one."""
    from python_calamine import SheetTypeEnum, SheetVisibleEnum

    metadata = workbook.sheets_metadata
    names = [m.name for m in metadata]
    visible = [
        m.visible == SheetVisibleEnum.Visible and m.typ == SheetTypeEnum.WorkSheet for m in metadata
    ]
    return names, _choose_sheets(names, visible, wanted, shown)


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


def _rows(sheet: Any) -> tuple[int, int, Iterator[list[Any]]]:
    """(Excel row number of the first row, column index of each row's first cell, rows).

    python-calamine's iter_rows() pads the empty rows above the data but starts each row
    at the first used column (issue #177), so rows are numbered from 1 and columns are
    offset by `start`. If a later version yields from the first used row instead, the first
    row it yields has a value and the numbering follows `start` for rows too.
    """
    start = sheet.start
    if start is None:
        return 1, 0, iter(())
    first_row, first_col = start
    rows = iter(sheet.iter_rows())
    first = next(rows, None)
    if first is None:
        return 1, 0, iter(())
    if first_row > 0 and all(is_blank(v) for v in first):
        number = 1  # padded from the top
    else:
        number = first_row + 1
    return number, first_col, itertools.chain((first,), rows)


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
_CHUNK_ROWS = 4096  # rows read, transposed and typed at a time (bounded memory)


@dataclass(frozen=True, slots=True)
class _Reader:
    """How one mapped column is read: its index in the row, field and parsers."""

    j: int  # index in calamine's row (relative to the sheet's first column)
    key: str
    column: ColumnParser
    cell: Parser
    default: Any


def _is_empty(value: Any) -> bool:
    return value == "" or (value.__class__ is str and value.isspace())


class _Parse(threading.Thread):
    """calamine parsing one sheet in the background: it releases the GIL while it parses, so
    the guard's check of the next sheet, or the typing of the previous sheet's rows, runs
    meanwhile. Each sheet is still checked by the guard before calamine sees it."""

    def __init__(self, workbook: Any, name: str) -> None:
        super().__init__(name="clientbook-parse", daemon=True)
        self.workbook = workbook
        self.sheet_name = name
        self.sheet: Any = None
        self.error: BaseException | None = None
        self.start()

    def run(self) -> None:
        try:
            self.sheet = self.workbook.get_sheet_by_name(self.sheet_name)
        except BaseException as exc:  # a Rust panic too; handed to the reading thread
            self.error = exc

    def result(self, shown: str) -> Any:
        self.join()
        if self.error is not None:
            raise _calamine_error(self.error, shown) from self.error
        sheet, self.sheet = self.sheet, None  # the caller holds the only reference
        return sheet


def _read_sheets(
    workbook: Any,
    wanted: list[tuple[str, SheetSchema, bool]],
    source: BinaryIO,
    package: guard.PackageInfo,
    shown: str,
    parsing: Callable[[], object] | None = None,
    fields: Collection[str] | None = None,
) -> list[tuple[Sheet[Any], int, int]]:
    """The wanted sheets (name, schema, required), each checked, parsed and typed in turn,
    with the check and parse of the next sheet overlapping the current one. `parsing()` is
    called once calamine parses the first sheet (in the background)."""
    results: list[tuple[Sheet[Any], int, int]] = []
    guard.check_sheet(source, shown, package, wanted[0][0])
    pending = _Parse(workbook, wanted[0][0])
    if parsing is not None:
        parsing()
    try:
        for i, (name, schema, required) in enumerate(wanted):
            following = wanted[i + 1][0] if i + 1 < len(wanted) else None
            if following is not None:
                guard.check_sheet(source, shown, package, following)
            calamine_sheet = pending.result(shown)
            if following is not None:
                pending = _Parse(workbook, following)
            wanted_fields = fields if schema is CLIENTS else None
            results.append(
                _read_sheet(
                    calamine_sheet, name, schema, shown, required=required, fields=wanted_fields
                )
            )
            del calamine_sheet  # its cells are typed: free them before the next sheet's
    finally:
        pending.join()  # never leave calamine parsing after an error
    return results


def _read_sheet(
    calamine_sheet: Any,
    name: str,
    schema: SheetSchema,
    shown: str,
    *,
    required: bool,
    fields: Collection[str] | None = None,
) -> tuple[Sheet[Any], int, int]:
    """One sheet as typed records, and how many of its matched headers are English, of how many."""
    kind = cast(Literal["clients", "holdings", "contacts"], schema.kind)
    index = header_index(schema)
    number, offset, rows = _rows(calamine_sheet)
    header: tuple[int, list[Any]] | None = None
    number -= 1
    for cells in rows:
        number += 1
        if number > HEADER_SEARCH_ROWS:
            break
        if len(_header_matches(cells, index)) >= MIN_HEADER_MATCHES:
            header = (number, cells)
            break
    if header is None:
        if required:
            raise NoHeaderRow(path=shown, sheet=name)
        missing = [f.key for f in schema.fields if f.required]
        return Sheet(name, kind, 0, [], [], missing_required=missing), 0, 0

    header_row, header_cells = header
    plan = _plan(list(enumerate(header_cells)), offset, schema, fields)
    records: list[Any] = []
    issues: list[ValueIssue] = []
    readers, layout = plan.readers, plan.layout
    while True:
        chunk = list(itertools.islice(rows, _CHUNK_ROWS))
        taken = len(chunk)
        numbers = list(range(number + 1, number + 1 + taken))
        number += taken
        if not all(map(any, chunk)):  # some row may be empty: every cell ""
            kept = [i for i, cells in enumerate(chunk) if cells.count("") != len(cells)]
            chunk = [chunk[i] for i in kept]
            numbers = [numbers[i] for i in kept]
        if chunk:
            records += _read_chunk(chunk, numbers, readers, layout, plan.record_type, issues)
        if taken < _CHUNK_ROWS:
            break
    return _finish(name, kind, header_row, plan, records, issues)


@dataclass
class _Plan:
    """What a header row says: the columns, and how each wanted field is read."""

    columns: list[Column]
    duplicates: list[Column]
    missing: list[str]
    readers: list[_Reader]
    layout: list[tuple[_Reader | None, Any]]
    record_type: type[Any]
    english: int  # mapped headers written in English (all fields, wanted or not)
    matched: int  # mapped headers (all fields)


def _plan(
    header_cells: list[tuple[int, Any]],
    offset: int,
    schema: SheetSchema,
    fields: Collection[str] | None = None,
) -> _Plan:
    """The columns of a header row given as (j, value), column index offset + j; readers for
    the mapped fields in `fields` (all of them when None)."""
    index = header_index(schema)
    record_type = _RECORD_TYPES[schema.kind]
    defaults = {f.name: f.default for f in dataclasses.fields(record_type)}
    columns: list[Column] = []
    duplicates: list[Column] = []
    readers: list[_Reader] = []
    english = matched = 0
    for j, value in header_cells:
        if is_blank(value):
            continue
        text = raw_text(value)
        key = index.get(normalise_header(text))
        column = Column(offset + j, guard.column_letter(offset + j), text, key)
        if key is not None and any(c.field == key for c in columns):
            duplicates.append(column)
            column = Column(column.index, column.letter, text, None)
        elif key is not None:
            matched += 1
            english += 0 if has_cjk(text) else 1
            if fields is None or key in fields:
                spec, default = schema.by_key[key], defaults[key]
                readers.append(
                    _Reader(
                        j,
                        key,
                        column_parser(spec, text, default),
                        cell_parser(spec, text, default),
                        default,
                    )
                )
        columns.append(column)
    found = {c.field for c in columns}
    missing = [f.key for f in schema.fields if f.required and f.key not in found]
    # Records are built positionally: one argument per field up to the last mapped one.
    field_names = [f.name for f in dataclasses.fields(record_type)][1:]
    by_key = {r.key: r for r in readers}
    last = max((field_names.index(k) for k in by_key), default=-1)
    layout = [(by_key.get(n), defaults[n]) for n in field_names[: last + 1]]
    return _Plan(columns, duplicates, missing, readers, layout, record_type, english, matched)


def _finish(
    name: str,
    kind: Literal["clients", "holdings", "contacts"],
    header_row: int,
    plan: _Plan,
    records: list[Any],
    issues: list[ValueIssue],
) -> tuple[Sheet[Any], int, int]:
    """The sheet from its records: totals and notes rows set apart, birth date and gender
    filled from the ID number (client sheets)."""
    skipped = _summary_rows(records)
    if skipped:
        gone = {row for row, _ in skipped}
        records = [r for r in records if r.row not in gone]
        issues = [i for i in issues if i.row not in gone]
    if kind == "clients":
        failed: dict[int, set[str]] = {}
        for issue in issues:
            failed.setdefault(issue.row, set()).add(issue.field)
        for record in records:
            if record.id_number is not None and (
                record.birth_date is None or record.gender is None
            ):
                _fill_from_id(record, failed.get(record.row))
    sheet: Sheet[Any] = Sheet(
        name,
        kind,
        header_row,
        plan.columns,
        records,
        issues=issues,
        missing_required=plan.missing,
        duplicates=plan.duplicates,
        skipped=skipped,
    )
    return sheet, plan.english, plan.matched


_SUMMARY_LABELS = frozenset(
    (
        "合计",
        "总计",
        "小计",
        "共计",
        "总合计",
        "汇总",
        "total",
        "totals",
        "subtotal",
        "grandtotal",
        "sum",
    )
)
_NOTE_PREFIXES = ("注:", "注：", "说明:", "说明：", "备注:", "备注：", "note:", "notes:")


def _summary_label(record: Any) -> str | None:
    """The label of a totals or notes row (合计 / 注：…) typed where the client ID goes."""
    client_id: str | None = record.client_id
    name: str | None = getattr(record, "name", None)
    for text in (client_id, name):
        if not text:
            continue
        folded = "".join(text.split()).casefold()
        if folded.rstrip(":：") in _SUMMARY_LABELS or folded.startswith(_NOTE_PREFIXES):
            return text
        if text is client_id:
            return None  # a real client ID: the name is not looked at
    return None


# What a label's folded text can start with: a client ID that starts otherwise is a client.
_LABEL_STARTS = frozenset(label[0] for label in (*_SUMMARY_LABELS, *_NOTE_PREFIXES))


def _summary_rows(records: list[Any]) -> list[tuple[int, str]]:
    """Totals and notes rows below the data are not clients; they are skipped and listed."""
    starts = _LABEL_STARTS
    ids = list(map(operator.attrgetter("client_id"), records))
    if None not in ids and "" not in ids:
        # Only IDs whose first character may begin a label (or is a space) are looked at.
        firsts = {
            c
            for c in set(map(operator.itemgetter(0), ids))
            if c.isspace() or c.casefold()[:1] in starts
        }
        if not firsts:
            return []
        maybe = [record for record, i in zip(records, ids, strict=True) if i[0] in firsts]
    else:
        maybe = [
            record
            for record in records
            if not record.client_id or record.client_id.lstrip()[:1].casefold()[:1] in starts
        ]
    found = []
    for record in maybe:
        label = _summary_label(record)
        if label is not None:
            found.append((record.row, label))
    return found


def _read_chunk(
    chunk: list[list[Any]],
    numbers: list[int],
    readers: list[_Reader],
    layout: list[tuple[_Reader | None, Any]],
    record_type: type[Any],
    issues: list[ValueIssue],
) -> list[Any]:
    """Records of some non-empty rows, read column by column; their problems go to `issues`.

    A row is skipped when none of its cells holds more than spaces. A cell that cannot be
    read leaves its field at the default and becomes a ValueIssue (in row, then column order).
    """
    width = max(max(map(len, chunk)), max((r.j for r in readers), default=-1) + 1)
    if min(map(len, chunk)) < width:  # calamine's rows are all as wide; just in case
        chunk = [cells + [""] * (width - len(cells)) for cells in chunk]
    transposed = list(zip(*chunk, strict=False))  # as wide, see above
    values: dict[str, list[Any]] = {}
    found: list[tuple[int, int, ValueIssue]] = []
    for pos, reader in enumerate(readers):
        cells = transposed[reader.j]
        try:
            values[reader.key] = reader.column(cells)
        except ValueProblem:
            values[reader.key] = _cell_by_cell(cells, numbers, pos, reader, found)
    mapped = [values[r.key] for r in readers]
    # Rows whose mapped fields all kept their default: perhaps only spaces (rare).
    if mapped:
        first = mapped[0]  # a blank row has the default in every mapped field, this one too
        maybe_blank: Iterable[int] = [
            i
            for i, v in enumerate(first)
            if (v is None or v == ()) and all(m[i] is None or m[i] == () for m in mapped)
        ]
    else:
        maybe_blank = range(len(chunk))
    blank = {
        i
        for i in maybe_blank
        if all(_is_empty(chunk[i][r.j]) for r in readers) and all(is_blank(v) for v in chunk[i])
    }
    args = [
        values[reader.key] if reader is not None else itertools.repeat(default)
        for reader, default in layout
    ]
    built = list(map(record_type, numbers, *args))
    if blank:
        built = [record for i, record in enumerate(built) if i not in blank]
    found.sort(key=lambda item: (item[0], item[1]))
    issues += [issue for _, _, issue in found]
    return built


def _cell_by_cell(
    cells: tuple[Any, ...],
    numbers: list[int],
    pos: int,
    reader: _Reader,
    found: list[tuple[int, int, ValueIssue]],
) -> list[Any]:
    parsed: list[Any] = []
    for i, value in enumerate(cells):
        try:
            parsed.append(reader.cell(value))
        except ValueProblem as problem:
            parsed.append(reader.default)
            code, raw, suggestion = problem.code, problem.raw, problem.suggestion
            found.append((i, pos, ValueIssue(code, reader.key, numbers[i], raw, suggestion)))
    return parsed


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


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside: reading makes millions of objects but no cycles,
    and each collection would walk all of them again (a second of 100,000 clients)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def open_book(
    path: Path,
    *,
    sheet: str | None = None,
    password: str | None = None,
    holdings: bool = True,
    on_sheet: Callable[[str, bool], object] | None = None,
    fields: Collection[str] | None = None,
    worker: Worker | None = None,
    ahead: ReadAhead | None = None,
) -> Book:
    """Read a register (.xlsx/.xlsm, encrypted or not) into a Book, or raise UnusableFile.

    `holdings=False` leaves the holdings sheet unread (for commands that do not use it).
    `on_sheet(name, encrypted)` is told the client sheet's name once it is checked and
    calamine parses it in the background, before its rows are read.

    `fields` (client-sheet field keys): only those fields of the client records are read;
    the others keep their defaults (client_id and name are always read, for the totals
    rows; birth_date, gender and id_number go together). The client sheet is then read by
    fastcells.py's targeted reader when it can vouch for the sheet, else by calamine: the
    Book is the same either way. With a `worker` (worker.py), the targeted reader has the
    last part of a big client sheet read there, on the other core; `ahead`
    (fastcells.read_ahead) is a worker already reading that part.
    """
    path = Path(path)
    shown = str(path)
    source, encrypted = _read_source(path, password)
    with source, gc_paused():
        info = guard.check_package(source, shown, defer_sheets=True)
        from python_calamine import CalamineWorkbook

        workbook = None if encrypted else _calamine_from_path(source, path)
        if workbook is None:
            source.seek(0)
            try:
                # From the handle the guard checked: the same bytes, read whole into memory.
                workbook = CalamineWorkbook.from_filelike(source)
            except BaseException as exc:
                raise _calamine_error(exc, shown) from exc
        with workbook:
            names, (client_name, holdings_name, contacts_name) = sheets_chosen(
                workbook, sheet, shown
            )
            if not holdings:
                holdings_name = None
            wanted = [(client_name, CLIENTS, True)]
            if holdings_name:
                wanted.append((holdings_name, HOLDINGS, False))
            if contacts_name:
                wanted.append((contacts_name, CONTACTS, False))
            chosen = client_name
            told = None if on_sheet is None else lambda: on_sheet(chosen, encrypted)
            fast = None
            if fields is not None:
                from clientbook.register import fastcells

                fields = fastcells.closure(fields)
                fast = fastcells.read_clients(
                    source,
                    info,
                    client_name,
                    shown,
                    fields,
                    told,
                    None if encrypted else path,
                    worker,
                    ahead,
                )
                told = None  # told once, whichever reader reads the sheet
            if fast is not None:
                wanted = wanted[1:]
            read = iter(
                _read_sheets(workbook, wanted, source, info, shown, told, fields) if wanted else ()
            )
            clients, english, matched = fast if fast is not None else next(read)
            holdings_sheet = next(read)[0] if holdings_name else None
            contacts = next(read)[0] if contacts_name else None
    return Book(
        path=path,
        format=cast(Literal["xlsx", "xlsm"], info.format),
        lang="en" if english * 2 > matched else "zh",
        sheet_names=names,
        clients=clients,
        holdings=holdings_sheet,
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
