"""Lossless column write-back: patch the client sheet's XML inside the zip, copy the rest.

The register is the user's file, so this never loads and re-saves it with a spreadsheet
library (that drops images, Excel 2010 extensions, rich text and more). Instead:

* every zip member except the ones the new columns need is copied as raw compressed bytes;
* the client sheet is streamed twice in 1 MiB blocks: a first pass finds the header cells,
  the last used column and the merged ranges (past the header it works a block at a time
  with C-speed searches); the second pass rewrites only the rows that receive cells and
  copies everything else verbatim. On a "plain" sheet (r= first on every tag, nothing right
  of the last used column) the new cells are simply appended before each row's end tag,
  and on a re-run each row's tail of clientbook cells is replaced, without reading the
  other cells; anything less regular takes the general row-by-row path;
* a sheet autofilter or an Excel table that covers the data and ends right where the new
  columns start is extended to them (table `ref`, its `autoFilter`, `tableColumns`), and the
  hidden `_xlnm._FilterDatabase` name follows the sheet autofilter.

Where new columns go: a column whose header (or an alias) is already in the header row is
updated in place (the user's header text and cell styles are kept); the others are
appended after the last column that holds a value in the header row or below (styled empty
cells and title rows above the header do not count) and after any merged range crossing
those rows. Below the header, clientbook owns its columns: where a row has no value, an
old value is removed (an empty cell keeps its style). A formula in those columns is refused.

The scanner is targeted at SpreadsheetML rows and cells, not a general XML parser: it
refuses a sheet with a DOCTYPE, comments, CDATA or processing instructions, and a sheet
not in UTF-8. Small parts (workbook, rels, tables, the header row) are parsed with
defusedxml; edits to them are textual so that namespace prefixes stay as they were.
"""

from __future__ import annotations

import bisect
import contextlib
import io
import itertools
import operator
import posixpath
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, BinaryIO, cast

from clientbook.errors import UnusableFile, WriteError, WrongPassword
from clientbook.register._zip import (
    RawZipWriter,
    Readable,
    ZipTooLarge,
    ZipUnsupported,
    read_member,
)
from clientbook.register.guard import column_letter

if TYPE_CHECKING:  # pydantic's models: loaded when a result is made (the worker makes none)
    from clientbook.register.written import WriteResult

CellValue = str | float | int | None

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_DOC_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_TABLE_REL = _DOC_REL_NS + "/table"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CHUNK = 4 << 20  # the sheet is read (and patched) in pieces of this size
_MAX_SMALL_PART = 64 << 20  # workbook.xml, rels, tables, the header row: never this big
_MAX_CELL_TEXT = 32767  # Excel's limit for one cell
_MAX_COLUMN = 16383  # XFD, 0-based


# --- public API -------------------------------------------------------------------------


@dataclass(frozen=True)
class NewColumn:
    """A column clientbook writes: its header, other names it may have, a value per row."""

    header: str
    aliases: tuple[str, ...]
    values: Mapping[int, CellValue]  # Excel row number -> value (None = blank cell)
    width: float | None = None


def write_columns(
    source: Path | bytes,
    dest: BinaryIO,
    *,
    sheet_name: str,
    header_row: int,
    columns: Sequence[NewColumn],
    password: str | None = None,
    prepared: PreparedSheet | None = None,
) -> WriteResult:
    """Write `columns` into `sheet_name` of the workbook `source`, the result to `dest`.

    `dest` must be seekable. An encrypted workbook needs `password` and is written back
    encrypted with it. Raises ClientbookError subclasses for anything the user can fix.
    `prepared` (from prepare_sheet) saves the first pass over the sheet when it still fits.
    """
    with _open_package(source, password) as (pkg, encrypted):
        plan = _plan(pkg, sheet_name, header_row, columns, _usable(prepared, source, encrypted))
        if encrypted:
            from msoffcrypto.format.ooxml import OOXMLFile

            plain = io.BytesIO()
            changed = _apply(pkg, plan, plain)
            plain.seek(0)
            assert password is not None
            OOXMLFile(plain).encrypt(password, dest)
        else:
            changed = _apply(pkg, plan, dest)
        return plan.result(changed_parts=changed, encrypted=encrypted)


def plan_columns(
    source: Path | bytes,
    *,
    sheet_name: str,
    header_row: int,
    columns: Sequence[NewColumn],
    password: str | None = None,
    prepared: PreparedSheet | None = None,
) -> WriteResult:
    """What write_columns would do (columns, cells, table), without writing anything."""
    with _open_package(source, password) as (pkg, encrypted):
        scanned = _usable(prepared, source, encrypted)
        return _plan(pkg, sheet_name, header_row, columns, scanned).result(
            changed_parts=[], encrypted=encrypted, dry_run=True
        )


class PreparedSheet:
    """The first pass over a sheet, made ahead of write_columns (e.g. in a thread while the
    caller reads and computes the values). Opaque; used only while the file is unchanged and
    the sheet, header row and column names are the same."""

    def __init__(self, scan: _Scan, stamp: tuple[int, int, int]) -> None:
        self._scan = scan
        self._stamp = stamp


def _stamp(path: Path) -> tuple[int, int, int]:
    st = path.stat()
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def prepare_sheet(
    source: Path,
    *,
    sheet_name: str,
    header_row: int,
    names: Sequence[tuple[str, Sequence[str]]],
) -> PreparedSheet | None:
    """The first pass write_columns makes over `sheet_name` of the (unencrypted) workbook at
    `source`, for columns named `names` ((header, aliases) each); None when the workbook is
    encrypted. Raises what write_columns would raise for the same sheet (the caller may
    ignore that and let write_columns say it)."""
    stamp = _stamp(source)
    with _open_package(source, None) as (pkg, encrypted):
        if encrypted:
            return None
        scan = _scan(pkg, sheet_name, header_row, tuple((h, tuple(a)) for h, a in names))
    return PreparedSheet(scan, stamp)


def find_header_row(
    source: Path, sheet_name: str, accept: Callable[[list[str]], bool], search_rows: int
) -> tuple[int, list[str]] | None:
    """The first of the top `search_rows` rows of the sheet whose cell texts `accept` takes:
    (row number, texts), or None."""
    with _open_package(source, None) as (pkg, encrypted):
        if encrypted:
            return None
        sheet, _ = _find_sheet(pkg, sheet_name)
        info = pkg.info(sheet.part)
        assert info is not None
        with _damaged_member(pkg.display), pkg.open(info) as stream:
            scanner = _SheetScanner(stream, pkg.display, sheet_name)
            scanner.read_head()
            for buf, rows, _ in scanner.blocks(check=True, until=search_rows):
                for row in rows:
                    if row.num > search_rows:
                        return None
                    if row.closed:
                        continue
                    cells = _header_texts(pkg, scanner, buf, row)
                    texts = [text for _, (text, _, _) in sorted(cells.items())]
                    if accept(texts):
                        return row.num, texts
    return None


def _usable(prepared: PreparedSheet | None, source: Path | bytes, encrypted: bool) -> _Scan | None:
    if prepared is None or encrypted or not isinstance(source, Path):
        return None
    try:
        if _stamp(source) != prepared._stamp:
            return None
    except OSError:
        return None
    return prepared._scan


# --- column letters and values ----------------------------------------------------------


def column_index(letters: bytes | str) -> int:
    """A -> 0, AA -> 26 (case-insensitive)."""
    if isinstance(letters, bytes):
        letters = letters.decode("ascii")
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def normalise_header(text: str) -> str:
    """Header text for matching: NFKC (full-width -> half-width), no spaces, casefolded."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


_OOXML_ESCAPE = re.compile(r"_x[0-9A-Fa-f]{4}_")
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_OOXML_UNESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def xml_text(value: str) -> bytes:
    """Escape a cell string for SpreadsheetML: XML escapes plus Excel's _xHHHH_ escapes.

    A literal `_x0041_` in the text is protected as `_x005F_x0041_`; characters XML 1.0
    cannot hold become `_xHHHH_`; CR is kept as `&#13;` (a raw CR would read back as LF).
    """
    value = _OOXML_ESCAPE.sub(lambda m: "_x005F_" + m.group(0)[1:], value)
    value = _ILLEGAL.sub(lambda m: f"_x{ord(m.group(0)):04X}_", value)
    value = (
        value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )
    return value.encode("utf-8")


def _unescape_ooxml(text: str) -> str:
    return _OOXML_UNESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


# --- the package ------------------------------------------------------------------------


class _Package:
    """An opened (decrypted) zip: its members, plus raw access for copying."""

    def __init__(self, fp: BinaryIO, display: str) -> None:
        self.fp = fp
        self.display = display
        try:
            self.zf = zipfile.ZipFile(fp)
        except (zipfile.BadZipFile, OSError) as exc:
            raise UnusableFile(path=display, reason="not an .xlsx/.xlsm workbook") from exc
        self.infos = self.zf.infolist()
        self.by_lower = {i.filename.lower(): i for i in self.infos}

    def info(self, name: str) -> zipfile.ZipInfo | None:
        return self.by_lower.get(name.lstrip("/").lower())

    def read_small(self, name: str) -> bytes:
        info = self.info(name)
        if info is None:
            raise UnusableFile(path=self.display, reason=f"part {name} is missing")
        if info.file_size > _MAX_SMALL_PART:
            raise UnusableFile(path=self.display, reason=f"part {name} is too large")
        try:
            return self.zf.read(info)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:
            raise UnusableFile(path=self.display, reason=f"part {name} is damaged") from exc

    def open(self, info: zipfile.ZipInfo) -> IO[bytes]:
        return self.zf.open(info)


class _Opened:
    def __init__(self, source: Path | bytes, password: str | None) -> None:
        self.source = source
        self.password = password
        self._files: list[IO[bytes]] = []

    def __enter__(self) -> tuple[_Package, bool]:
        display = str(self.source) if isinstance(self.source, Path) else "workbook"
        fp: BinaryIO
        if isinstance(self.source, Path):
            try:
                fp = self.source.open("rb")
            except FileNotFoundError as exc:
                raise UnusableFile(path=display, reason="file not found") from exc
            except OSError as exc:
                raise UnusableFile(path=display, reason=exc.strerror or str(exc)) from exc
        else:
            fp = io.BytesIO(self.source)
        self._files.append(fp)
        try:
            magic = fp.read(8)
            fp.seek(0)
            encrypted = magic == _OLE_MAGIC
            if encrypted:
                fp = self._decrypt(fp, display)
                self._files.append(fp)
            return _Package(fp, display), encrypted
        except BaseException:
            self.__exit__()
            raise

    def _decrypt(self, fp: BinaryIO, display: str) -> BinaryIO:
        import msoffcrypto
        import msoffcrypto.exceptions

        if not self.password:
            raise WrongPassword(path=display)
        try:
            office = msoffcrypto.OfficeFile(fp)
            office.load_key(password=self.password, verify_password=True)
            plain = io.BytesIO()
            office.decrypt(plain)
        except msoffcrypto.exceptions.InvalidKeyError as exc:
            raise WrongPassword(path=display) from exc
        except Exception as exc:  # msoffcrypto raises many types for a damaged file
            raise UnusableFile(path=display, reason="cannot decrypt the workbook") from exc
        plain.seek(0)
        return plain

    def __exit__(self, *exc: object) -> None:
        for f in self._files:
            f.close()


def _open_package(source: Path | bytes, password: str | None) -> _Opened:
    return _Opened(source, password)


def _parse_xml(data: bytes, what: str, display: str) -> object:
    import defusedxml.ElementTree as DET

    try:
        return DET.fromstring(data, forbid_dtd=True)
    except Exception as exc:  # ParseError, DTDForbidden, EntitiesForbidden...
        raise UnusableFile(path=display, reason=f"{what} is not valid XML") from exc


def _rels(pkg: _Package, part: str) -> list[tuple[str, str, str]]:
    """(Id, Type, resolved target) of a part's relationships; [] when it has none."""
    folder, name = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", name + ".rels")
    if pkg.info(rels_name) is None:
        return []
    root = _parse_xml(pkg.read_small(rels_name), rels_name, pkg.display)
    out: list[tuple[str, str, str]] = []
    for rel in root.iter(f"{{{_PKG_REL_NS}}}Relationship"):  # type: ignore[attr-defined]
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        resolved = (
            target.lstrip("/")
            if target.startswith("/")
            else posixpath.normpath(posixpath.join(folder, target))
        )
        out.append((rel.get("Id", ""), rel.get("Type", ""), resolved))
    return out


@dataclass
class _SheetRef:
    name: str
    part: str
    index: int  # position in <sheets>, the localSheetId of defined names


def _find_sheet(pkg: _Package, sheet_name: str) -> tuple[_SheetRef, str]:
    root_rels = _rels(pkg, "")
    wb_part = next(
        (t for _, typ, t in root_rels if typ.endswith("/officeDocument")), "xl/workbook.xml"
    )
    wb = _parse_xml(pkg.read_small(wb_part), wb_part, pkg.display)
    rels = {rid: target for rid, _, target in _rels(pkg, wb_part)}
    for i, sheet in enumerate(wb.iter(f"{{{MAIN_NS}}}sheet")):  # type: ignore[attr-defined]
        if sheet.get("name") == sheet_name:
            rid = sheet.get(f"{{{_DOC_REL_NS}}}id", "")
            part = rels.get(rid)
            if part is None or pkg.info(part) is None:
                raise UnusableFile(path=pkg.display, reason=f"sheet {sheet_name} has no part")
            return _SheetRef(sheet_name, pkg.info(part).filename, i), wb_part  # type: ignore[union-attr]
    raise WriteError("write.sheet_not_found", path=pkg.display, sheet=sheet_name)


# --- scanning the sheet XML ---------------------------------------------------------------


_ROOT_RE = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?worksheet[\s>/]")
_DECL_ENC_RE = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']+)["']""")
_R_RE = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]{1,3})(\d+)["']""")
_ROWNUM_RE = re.compile(rb"""\sr\s*=\s*["'](\d+)["']""")
_S_RE = re.compile(rb"""\ss\s*=\s*["'](\d+)["']""")
_SPANS_RE = re.compile(rb"""(\sspans\s*=\s*["'])([^"']*)(["'])""")
_CUSTOM_FORMAT_RE = re.compile(rb"""\scustomFormat\s*=\s*["'](?:1|true)["']""")
_REF_RE = re.compile(rb"""(\sref\s*=\s*["'])([^"']*)(["'])""")
_A1_RE = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")
_DELIMS = frozenset(b" \t\r\n>/")


def _parse_range(ref: str) -> tuple[int, int, int, int] | None:
    """'B3:Y100' -> (min_col, min_row, max_col, max_row), 0-based columns, 1-based rows."""
    parts = ref.strip().split(":")
    if not 1 <= len(parts) <= 2:
        return None
    cells = []
    for p in parts:
        m = _A1_RE.match(p)
        if not m:
            return None
        cells.append((column_index(m.group(1)), int(m.group(2))))
    (c1, r1), (c2, r2) = cells[0], cells[-1]
    return min(c1, c2), min(r1, r2), max(c1, c2), max(r1, r2)


def _format_range(c1: int, r1: int, c2: int, r2: int) -> str:
    return f"{column_letter(c1)}{r1}:{column_letter(c2)}{r2}"


class _Tags:
    """Byte patterns for one namespace prefix (b'' or b'x:')."""

    def __init__(self, prefix: bytes) -> None:
        p = prefix
        self.p = p
        self.row_open = b"<" + p + b"row"
        self.row_close = b"</" + p + b"row>"
        self.c_open = b"<" + p + b"c"
        self.c_close = b"</" + p + b"c>"
        self.sheetdata_close = b"</" + p + b"sheetData>"
        self.ext = b"<" + p + b"extLst"
        self.formula = re.compile(rb"<" + re.escape(p) + rb"f[\s>/]")
        self.sheetdata_open = re.compile(rb"<" + re.escape(p) + rb"sheetData(\s[^>]*)?(/?)>")
        self.dimension = re.compile(rb"<" + re.escape(p) + rb"dimension\s[^>]*>")
        self.cols = re.compile(
            rb"<" + re.escape(p) + rb"cols\s*>(.*?)</" + re.escape(p) + rb"cols\s*>", re.S
        )
        self.col = re.compile(rb"<" + re.escape(p) + rb"col\s[^>]*>")
        self.merge = re.compile(rb"<" + re.escape(p) + rb"mergeCell\s[^>]*>")
        self.autofilter = re.compile(rb"<" + re.escape(p) + rb"autoFilter[\s>/][^>]*>?")
        self.after_autofilter = re.compile(
            rb"<"
            + re.escape(p)
            + rb"(autoFilter|sortState|dataConsolidate|customSheetViews|mergeCells|phoneticPr|"
            rb"conditionalFormatting|dataValidations|hyperlinks|printOptions|pageMargins|"
            rb"pageSetup|headerFooter|rowBreaks|colBreaks|customProperties|cellWatches|"
            rb"ignoredErrors|smartTags|drawing|legacyDrawing|legacyDrawingHF|drawingHF|picture|"
            rb"oleObjects|controls|webPublishItems|tableParts|extLst)[\s>/]"
        )


def _cell_end(buf: bytes, tags: _Tags, start: int, gt: int) -> int:
    if buf[gt - 1] == 0x2F:  # "/>"
        return gt + 1
    end = buf.find(tags.c_close, gt)
    if end < 0:
        raise _Malformed("unterminated cell")
    return end + len(tags.c_close)


class _Malformed(Exception):
    pass


@dataclass
class _Cell:
    start: int
    end: int
    col: int
    attrs: bytes  # the start tag up to ">"
    has_data: bool


def _cells_forward(buf: bytes, tags: _Tags, start: int, end: int) -> list[_Cell]:
    """All cells of a row, in order; a cell without r= follows its left neighbour."""
    cells: list[_Cell] = []
    pos = start
    col = -1
    n = len(tags.c_open)
    while True:
        s = buf.find(tags.c_open, pos, end)
        if s < 0:
            return cells
        if buf[s + n] not in _DELIMS:
            pos = s + n
            continue
        gt = buf.find(b">", s, end)
        if gt < 0:
            raise _Malformed("unterminated cell tag")
        attrs = buf[s:gt]
        m = _R_RE.search(attrs)
        col = column_index(m.group(1)) if m else col + 1
        ce = _cell_end(buf, tags, s, gt)
        has_data = buf[gt - 1] != 0x2F and bool(buf[gt + 1 : ce - len(tags.c_close)].strip())
        cells.append(_Cell(s, ce, col, attrs, has_data))
        pos = ce


def _cells_backward(
    buf: bytes, tags: _Tags, start: int, end: int, min_col: int
) -> tuple[list[_Cell], int] | None:
    """Cells at or right of `min_col` (in order) and where they start, scanning from the
    row's end; None when a cell has no r= (then the caller scans forward)."""
    found: list[_Cell] = []
    idx = end
    n = len(tags.c_open)
    insert_at = -1
    while True:
        s = buf.rfind(tags.c_open, start, idx)
        if s < 0:
            break
        if buf[s + n] not in _DELIMS:
            idx = s
            continue
        gt = buf.find(b">", s, end)
        attrs = buf[s:gt]
        m = _R_RE.search(attrs)
        if m is None:
            return None
        col = column_index(m.group(1))
        ce = _cell_end(buf, tags, s, gt)
        if col < min_col:
            insert_at = ce
            break
        has_data = buf[gt - 1] != 0x2F and bool(buf[gt + 1 : ce - len(tags.c_close)].strip())
        found.append(_Cell(s, ce, col, attrs, has_data))
        idx = s
    if insert_at < 0:
        insert_at = found[-1].start if found else _row_body_start(buf, start)
    found.reverse()
    return found, insert_at


def _row_body_start(buf: bytes, row_start: int) -> int:
    return buf.find(b">", row_start) + 1


@dataclass
class _Row:
    start: int
    gt: int  # index of the ">" ending the start tag
    end: int  # one past the row's end
    num: int
    closed: bool  # self-closing <row/>


class _SheetScanner:
    """Streams a sheet part: head (up to <sheetData>), rows in blocks, then the tail."""

    def __init__(self, stream: Readable, display: str, sheet: str) -> None:
        self.stream = stream
        self.display = display
        self.sheet = sheet
        self.head = b""
        self.sheetdata_closed = False
        self.tags = _Tags(b"")
        self.root_start_tag = b""
        self._pending = b""
        self.stopped = False
        self.last_num = 0
        self.rest = b""

    def refuse(self, detail: str) -> WriteError:
        return WriteError(
            "write.unsupported_xml", path=self.display, sheet=self.sheet, detail=detail
        )

    def read_head(self) -> None:
        buf = b""
        while True:
            chunk = self.stream.read(_CHUNK)
            buf += chunk
            if buf.startswith(b"\xef\xbb\xbf"):
                buf = buf[3:]
            if buf.startswith((b"\xff\xfe", b"\xfe\xff")):
                raise self.refuse("UTF-16")
            root = _ROOT_RE.search(buf)
            if root:
                prolog = buf[: root.start()]
                if b"<!" in prolog or prolog.count(b"<?") > 1:
                    raise self.refuse("DOCTYPE, comment or processing instruction")
                enc = _DECL_ENC_RE.match(prolog)
                if enc and enc.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
                    raise self.refuse("encoding " + enc.group(1).decode("ascii", "replace"))
                self.tags = _Tags((root.group(1) + b":") if root.group(1) else b"")
                m = self.tags.sheetdata_open.search(buf, root.start())
                if m:
                    head = buf[: m.end()]
                    if b"<!" in head[root.start() :] or b"<?" in head[root.start() :]:
                        raise self.refuse("comment, CDATA or processing instruction")
                    gt = buf.find(b">", root.start())
                    self.root_start_tag = buf[root.start() : gt + 1]
                    self.head = head
                    self.sheetdata_closed = m.group(2) == b"/"
                    self._pending = buf[m.end() :]
                    return
            if not chunk:
                raise self.refuse("no <sheetData>")
            if len(buf) > _MAX_SMALL_PART:
                raise self.refuse("sheet header too large")

    def blocks(
        self, check: bool, until: int | None = None
    ) -> Iterator[tuple[bytes, list[_Row], int]]:
        """(buffer, complete rows in it, end of the last row). The bytes after the rows
        up to `</sheetData>` are whitespace; `self.rest` holds what follows sheetData.
        With `until`, stops after the first row numbered `until` or more (`self.stopped`);
        `raw_blocks()` then goes on from there."""
        buf = self._pending
        self._pending = b""
        tags = self.tags
        n = len(tags.row_open)
        eof = False
        last_num = 0
        if self.sheetdata_closed:
            self.rest = buf
            return
        while True:
            rows: list[_Row] = []
            pos = 0
            done = False
            while True:
                lt = buf.find(b"<", pos)
                if lt < 0:
                    break
                if buf.startswith(tags.row_open, lt) and len(buf) > lt + n:
                    if buf[lt + n] not in _DELIMS:
                        raise self.refuse("unexpected element in sheetData")
                    gt = buf.find(b">", lt)
                    if gt < 0:
                        break
                    closed = buf[gt - 1] == 0x2F
                    if closed:
                        end = gt + 1
                    else:
                        end = buf.find(tags.row_close, gt)
                        if end < 0:
                            break
                        end += len(tags.row_close)
                    m = _ROWNUM_RE.search(buf, lt, gt)
                    num = int(m.group(1)) if m else last_num + 1
                    if num <= last_num:
                        raise self.refuse("rows out of order")
                    last_num = num
                    rows.append(_Row(lt, gt, end, num, closed))
                    pos = end
                elif buf.startswith(tags.sheetdata_close, lt):
                    done = True
                    break
                elif len(buf) - lt < max(n + 1, len(tags.sheetdata_close)):
                    break  # a tag cut at the chunk boundary
                else:
                    raise self.refuse("unexpected element in sheetData")
            if check and (b"<!" in buf[:pos] or b"<?" in buf[:pos]):
                raise self.refuse("comment, CDATA or processing instruction")
            if until is not None and rows and rows[-1].num >= until:
                k = next(i for i, row in enumerate(rows) if row.num >= until)
                rows = rows[: k + 1]
                self._pending = buf[rows[-1].end :]
                self.last_num = rows[-1].num
                self.stopped = True
                yield buf, rows, rows[-1].end
                return
            if done:
                gap = buf[pos:lt]
                if gap.strip():
                    raise self.refuse("text in sheetData")
                yield buf, rows, lt
                self.rest = buf[lt:]
                return
            if rows:
                yield buf, rows, pos
            if eof:
                raise self.refuse("sheetData is not closed")
            buf = buf[pos:]
            chunk = self.stream.read(_CHUNK)
            if not chunk:
                eof = True
            buf += chunk

    def raw_blocks(self) -> Iterator[bytes]:
        """The rest of sheetData after `blocks(until=...)` stopped, as blocks of whole rows
        (not split into rows); `self.rest` then holds `</sheetData>` and what follows."""
        buf = self._pending
        self._pending = b""
        close = self.tags.sheetdata_close
        row_close = self.tags.row_close
        searched = 0  # buf[:searched] holds no `</sheetData>`
        while True:
            end = buf.find(close, searched)
            if end >= 0:
                yield buf[:end]
                self.rest = buf[end:]
                return
            cut = buf.rfind(row_close)
            if cut >= 0:
                cut += len(row_close)
                yield buf[:cut]
                buf = buf[cut:]
            chunk = self.stream.read(_CHUNK)
            if not chunk:
                raise self.refuse("sheetData is not closed")
            searched = max(0, len(buf) - len(close) + 1)
            buf += chunk

    def tail_chunks(self) -> Iterator[bytes]:
        """What follows the rows: `</sheetData>` and the rest of the part."""
        yield self.rest
        while True:
            chunk = self.stream.read(_CHUNK)
            if not chunk:
                return
            yield chunk


# --- planning -----------------------------------------------------------------------------


@dataclass
class _Target:
    column: NewColumn
    col: int
    created: bool
    header: str = ""  # the header text in the file (the user's own for a found column)


@dataclass
class _TablePlan:
    part: str
    name: str
    new_ref: str
    new_columns: list[tuple[int, str]]  # (id, name) appended to tableColumns


@dataclass
class _Plan:
    sheet: _SheetRef
    workbook_part: str
    header_row: int
    targets: list[_Target]
    header_style: int | None
    col_styles: list[tuple[int, int, int]]
    max_row: int
    last_used_col: int
    table: _TablePlan | None = None
    autofilter_new_ref: str | None = None
    autofilter_old_ref: str | None = None
    value_rows: list[int] = field(default_factory=list)
    existing_rows: list[int] = field(default_factory=list)
    plain_rows: bool = False  # see _scan_rows: new cells go at each row's end
    plain_rerun: bool = False  # the columns exist as the last ones: each row's tail is ours
    rows_added: int = 0  # value rows that do not exist in the sheet yet

    @property
    def any_existing(self) -> bool:
        return any(not t.created for t in self.targets)

    def result(
        self, *, changed_parts: list[str], encrypted: bool, dry_run: bool = False
    ) -> WriteResult:
        from clientbook.register.written import WriteResult, WrittenColumn

        cells = 0
        for t in self.targets:  # values neither None nor "", counted at C speed
            values = list(t.column.values.values())
            cells += len(values) - values.count(None)
            # only texts can be "" (and comparing each number with "" takes longer)
            if any(issubclass(kind, str) for kind in set(map(type, values))):
                cells -= values.count("")
        return WriteResult(
            sheet=self.sheet.name,
            header_row=self.header_row,
            columns=[
                WrittenColumn(
                    header=t.header,
                    letter=column_letter(t.col),
                    index=t.col,
                    created=t.created,
                )
                for t in self.targets
            ],
            cells=cells,
            rows_added=self.rows_added,
            table=self.table.name if self.table else None,
            autofilter_extended=self.autofilter_new_ref is not None,
            changed_parts=changed_parts,
            encrypted=encrypted,
            dry_run=dry_run,
        )


def _header_texts(
    pkg: _Package, scanner: _SheetScanner, buf: bytes, row: _Row
) -> dict[int, tuple[str, int | None, bool]]:
    """col -> (text, style, has_data) for the header row's cells."""
    import defusedxml.ElementTree as DET

    ns_decls = b" ".join(
        re.findall(rb"""xmlns(?::[\w.-]+)?\s*=\s*["'][^"']*["']""", scanner.root_start_tag)
    )
    wrapped = b"<wrap " + ns_decls + b">" + buf[row.start : row.end] + b"</wrap>"
    try:
        elem = DET.fromstring(wrapped, forbid_dtd=True)
    except Exception as exc:
        raise scanner.refuse("header row is not valid XML") from exc
    cells: dict[int, tuple[str, int | None, bool]] = {}
    shared_needed: dict[int, int] = {}
    col = -1
    q = f"{{{MAIN_NS}}}"
    raw: dict[int, tuple[str | None, str, int | None, bool]] = {}
    for c in elem.iter(q + "c"):
        ref = c.get("r")
        m = _A1_RE.match(ref) if ref else None
        col = column_index(m.group(1)) if m else col + 1
        style = int(c.get("s")) if c.get("s", "").isdigit() else None
        kind = c.get("t", "n")
        v = c.find(q + "v")
        if kind == "inlineStr":
            is_ = c.find(q + "is")
            text = _si_text(is_, q) if is_ is not None else ""
            raw[col] = (None, text, style, bool(text) or c.find(q + "f") is not None)
        elif kind == "s" and v is not None and (v.text or "").strip().isdigit():
            idx = int((v.text or "").strip())
            shared_needed[col] = idx
            raw[col] = ("s", "", style, True)
        else:
            text = (v.text or "") if v is not None else ""
            raw[col] = (None, text, style, v is not None or c.find(q + "f") is not None)
    shared = _shared_strings(pkg, set(shared_needed.values())) if shared_needed else {}
    for col, (kind2, text, style, has_data) in raw.items():
        if kind2 == "s":
            text = shared.get(shared_needed[col], "")
        cells[col] = (_unescape_ooxml(text), style, has_data)
    return cells


def _si_text(si: object, q: str) -> str:
    parts: list[str] = []
    for child in si:  # type: ignore[attr-defined]
        if child.tag == q + "t":
            parts.append(child.text or "")
        elif child.tag == q + "r":
            t = child.find(q + "t")
            if t is not None:
                parts.append(t.text or "")
    return "".join(parts)


def _shared_strings(pkg: _Package, needed: set[int]) -> dict[int, str]:
    """The shared strings at `needed` indices, reading sharedStrings.xml only as far as the
    largest index (headers are usually among the first strings)."""
    import defusedxml.ElementTree as DET

    wb_rels = _rels(pkg, _find_workbook_part(pkg))
    part = next((t for _, typ, t in wb_rels if typ.endswith("/sharedStrings")), None)
    info = pkg.info(part) if part else None
    if info is None:
        return {}
    q = f"{{{MAIN_NS}}}"
    out: dict[int, str] = {}
    last = max(needed)
    index = -1
    root = None
    with pkg.open(info) as stream:
        try:
            for event, elem in DET.iterparse(stream, events=("start", "end"), forbid_dtd=True):
                if root is None:
                    root = elem  # <sst>: emptied as we go, so memory stays flat
                if event != "end" or elem.tag != q + "si":
                    continue
                index += 1
                if index in needed:
                    out[index] = _si_text(elem, q)
                if index >= last:
                    break
                if index % 1024 == 1023:
                    root.clear()
        except Exception as exc:
            raise UnusableFile(path=pkg.display, reason="sharedStrings.xml is damaged") from exc
    return out


def _find_workbook_part(pkg: _Package) -> str:
    return next(
        (t for _, typ, t in _rels(pkg, "") if typ.endswith("/officeDocument")), "xl/workbook.xml"
    )


Names = tuple[tuple[str, tuple[str, ...]], ...]  # (header, aliases) of each column


def _names(columns: Sequence[NewColumn]) -> Names:
    return tuple((c.header, tuple(c.aliases)) for c in columns)


@dataclass
class _Scan:
    """The first pass over the sheet: what the plan needs from it besides the values."""

    sheet: _SheetRef
    workbook_part: str
    sheet_name: str
    header_row: int
    names: Names
    header: dict[int, tuple[str, int | None, bool]]
    last_used: int
    max_row: int
    existing_rows: list[int]
    plain: bool
    autofilter: tuple[int, int, int, int] | None
    merges: list[tuple[int, int, int, int]]
    col_styles: list[tuple[int, int, int]]


@contextlib.contextmanager
def _damaged_member(display: str) -> Iterator[None]:
    """A zip member that cannot be inflated (bad data, bad CRC, cut short) is the user's
    damaged file, not a crash."""
    try:
        yield
    except (ZipUnsupported, zipfile.BadZipFile, EOFError, zlib.error) as exc:
        raise UnusableFile(path=display, reason=f"damaged zip member ({exc})") from exc


def _scan(pkg: _Package, sheet_name: str, header_row: int, names: Names) -> _Scan:
    with _damaged_member(pkg.display):
        return _scan_sheet(pkg, sheet_name, header_row, names)


def _scan_sheet(pkg: _Package, sheet_name: str, header_row: int, names: Names) -> _Scan:
    sheet, wb_part = _find_sheet(pkg, sheet_name)
    info = pkg.info(sheet.part)
    assert info is not None
    header: dict[int, tuple[str, int | None, bool]] | None = None
    last_used = -1
    max_row = 0
    existing_rows: list[int] = []
    with read_member(pkg.zf, pkg.fp, info, _CHUNK) as stream:
        scanner = _SheetScanner(stream, pkg.display, sheet_name)
        scanner.read_head()
        tags = scanner.tags
        try:
            for buf, rows, _ in scanner.blocks(check=True, until=header_row):
                for row in rows:
                    existing_rows.append(row.num)
                    max_row = row.num
                    if row.closed:
                        continue
                    if row.num == header_row:
                        header = _header_texts(pkg, scanner, buf, row)
                        used = [c for c, (_, _, d) in header.items() if d]
                        last_used = max([last_used, *used])
                        continue
                    if row.num > header_row:  # title rows above the header do not count
                        last_used = max(last_used, _last_data_col(buf, tags, row))
            plain = False
            if scanner.stopped:
                assert header is not None
                owned = _found_columns(header, names)
                last_used, max_row, plain = _scan_rows(
                    scanner, last_used, existing_rows, owned, pkg.display
                )
            autofilter, merges = _scan_tail(scanner, header_row)
        except _Malformed as exc:
            raise scanner.refuse(str(exc)) from exc
    if header is None:
        raise WriteError(
            "write.header_row_missing", path=pkg.display, sheet=sheet_name, row=header_row
        )
    for r in merges:
        last_used = max(last_used, r[2])
    return _Scan(
        sheet=sheet,
        workbook_part=wb_part,
        sheet_name=sheet_name,
        header_row=header_row,
        names=names,
        header=header,
        last_used=last_used,
        max_row=max_row,
        existing_rows=existing_rows,
        plain=plain,
        autofilter=autofilter,
        merges=merges,
        col_styles=_col_styles(scanner.head, tags),
    )


def _plan(
    pkg: _Package,
    sheet_name: str,
    header_row: int,
    columns: Sequence[NewColumn],
    scanned: _Scan | None = None,
) -> _Plan:
    if not columns:
        raise ValueError("no columns to write")
    for column in columns:
        if not column.values or min(column.values) > header_row:
            continue
        bad = [r for r in column.values if r <= header_row]
        if bad:
            raise ValueError(f"values for rows at or above the header row: {bad[:3]}")
    names = _names(columns)
    if scanned is None or (scanned.sheet_name, scanned.header_row, scanned.names) != (
        sheet_name,
        header_row,
        names,
    ):
        scanned = _scan(pkg, sheet_name, header_row, names)
    sheet, wb_part, header = scanned.sheet, scanned.workbook_part, scanned.header
    last_used, max_row, plain = scanned.last_used, scanned.max_row, scanned.plain
    existing_rows, autofilter, merges = scanned.existing_rows, scanned.autofilter, scanned.merges

    by_text: dict[str, int] = {}
    for col, (text, _, _) in sorted(header.items()):
        by_text.setdefault(normalise_header(text), col)
    targets: list[_Target] = []
    taken: set[int] = set()
    next_col = last_used + 1
    for column in columns:
        wanted = [normalise_header(n) for n in (column.header, *column.aliases)]
        found = next((by_text[n] for n in wanted if n in by_text), None)
        if found is not None and found not in taken:
            targets.append(_Target(column, found, created=False, header=header[found][0]))
            col = found
        else:
            if next_col > _MAX_COLUMN:
                raise WriteError("write.too_many_columns", path=pkg.display, sheet=sheet_name)
            targets.append(_Target(column, next_col, created=True, header=column.header))
            col = next_col
            next_col += 1
        taken.add(col)
    for t in targets:
        for r in merges:
            if r[0] <= t.col <= r[2] and (r[2] > r[0] or r[3] > r[1]):
                raise WriteError(
                    "write.merged_cells",
                    path=pkg.display,
                    sheet=sheet_name,
                    range=_format_range(*r),
                    header=t.column.header,
                )

    header_cells = [c for c, (_, _, d) in header.items() if d]
    header_style = header[max(header_cells)][1] if header_cells else None
    col_styles = scanned.col_styles
    rows: set[int] = set()
    for t in targets:
        values = t.column.values
        if None in values.values():
            rows.update(r for r, v in values.items() if v is not None)
        else:  # the common case, at C speed
            rows.update(values)
    value_rows = sorted(rows)
    plan = _Plan(
        sheet=sheet,
        workbook_part=wb_part,
        header_row=header_row,
        targets=targets,
        header_style=header_style,
        col_styles=col_styles,
        max_row=max(max_row, value_rows[-1] if value_rows else 0),
        last_used_col=last_used,
        value_rows=value_rows,
        existing_rows=existing_rows,
    )
    cols = sorted(t.col for t in targets)
    plan.rows_added = len(set(value_rows).difference(existing_rows))
    all_rows_exist = plan.rows_added == 0
    plan.plain_rows = plain and not plan.any_existing and cols[0] > last_used and all_rows_exist
    # a re-run: the clientbook columns are the last block of columns, nothing right of them
    plan.plain_rerun = (
        plain
        and all(not t.created for t in targets)
        and cols == list(range(cols[0], cols[-1] + 1))
        and cols[-1] == last_used
        and all_rows_exist
    )
    created = sorted(t.col for t in targets if t.created)
    if created:
        _plan_filters(pkg, plan, autofilter, created)
    return plan


def _letters_upto(col: int) -> bytes:
    """A regex for the column letters of `col` (0-based) and left of it, in upper case, as
    Excel writes them: 'AE' -> (?:[A-Z]|A[A-D]|AE); nothing for -1."""
    if col < 0:
        return b"(?!)"
    letters = column_letter(col).encode()
    n = len(letters)
    alts = [b"[A-Z]{%d}" % k for k in range(1, n)]
    for i in range(n):
        if letters[i] > ord("A"):
            rest = b"[A-Z]{%d}" % (n - i - 1) if n - i - 1 else b""
            alts.append(letters[:i] + b"[A-%c]" % (letters[i] - 1) + rest)
    alts.append(letters)
    return b"(?:" + b"|".join(alts) + b")"


def _letters_after(col: int) -> bytes:
    """A regex for column letters right of `col` (0-based), in either case:
    'Y' -> (?:[Zz]|[A-Za-z]{2,3})."""
    letters = column_letter(col).encode()
    n = len(letters)
    alts = [b"[A-Za-z]{%d,3}" % (n + 1)] if n < 3 else []
    for i in range(n):
        nxt = letters[i] + 1
        if nxt > ord("Z"):
            continue
        head = b"".join(b"[%c%c]" % (ch, ch + 32) for ch in letters[:i])
        rest = b"[A-Za-z]{%d}" % (n - i - 1) if n - i - 1 else b""
        alts.append(head + b"[%c-Z%c-z]" % (nxt, nxt + 32) + rest)
    return b"(?:" + b"|".join(alts) + b")" if alts else b"(?!)"


def _found_columns(
    header: dict[int, tuple[str, int | None, bool]], columns: Names
) -> dict[int, str]:
    """Header columns that clientbook will write (col -> header), as _plan matches them."""
    by_text: dict[str, int] = {}
    for col, (text, _, _) in sorted(header.items()):
        by_text.setdefault(normalise_header(text), col)
    out: dict[int, str] = {}
    for column_header, aliases in columns:
        names = [normalise_header(n) for n in (column_header, *aliases)]
        found = next((by_text[n] for n in names if n in by_text), None)
        if found is not None and found not in out:
            out[found] = column_header
    return out


def _scan_rows(
    scanner: _SheetScanner,
    last_used: int,
    existing_rows: list[int],
    owned: dict[int, str] | None = None,
    display: str = "workbook",
) -> tuple[int, int, bool]:
    """The first pass over the rows after the header, a block at a time with C-speed
    searches: row numbers (in order), and the last column holding a value. Blocks where a
    row or a cell has no r= fall back to reading their rows one by one.

    Also says whether the rows are plain: every tag with r= first, no cell at all right of
    the last used column, no row extension; then the second pass can append the new cells
    at each row's end without looking at its cells (a row with a row style still takes the
    general path, on its own)."""
    tags = scanner.tags
    p = re.escape(tags.p)
    row_num = re.compile(rb"<" + p + rb"row\b[^>]*?\sr\s*=\s*[\"'](\d+)")
    row_without_r = re.compile(rb"<" + p + rb"row(?=[\s>/])(?![^>]*\sr\s*=)")
    cell_without_r = re.compile(rb"<" + p + rb"c(?=[\s>/])(?![^>]*\sr\s*=)")
    last_num = scanner.last_num

    def beyond(col: int) -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
        """Cells right of `col`: (r= first, as Excel writes it; r= anywhere, any case)."""
        letters = _letters_after(col)
        return (
            re.compile(rb"<" + p + rb'c r="' + letters + rb"\d"),
            re.compile(rb"<" + p + rb"c\s[^>]*?\br\s*=\s*[\"']" + letters + rb"\d", re.I),
        )

    # Excel and most writers put r= first and in upper case: then finding no tag without it
    # proves every row and cell has one, and a literal-prefix regex finds cells right of
    # the last used column. Other blocks take the general regexes.
    # (A `<c` that is not `<c r="` may also be a rich-text tag such as <color>: such blocks
    # simply take the general path.)
    # (searching for the first exception is about twice as fast as counting both forms)
    cell_not_r_first = re.compile(rb"<" + p + rb'c(?! r=")')
    row_not_r_first = re.compile(rb"<" + p + rb'row(?! r="\d+")')
    row_first = re.compile(rb"<" + p + rb'row r="(\d+)"')
    ext_list = re.compile(rb"extLst")  # faster than bytes.find in XML

    def within(col: int) -> re.Pattern[bytes]:
        """Any cell tag that is not `<c r="` then upper-case letters of `col` or left of it:
        found nowhere, a block needs neither cell_not_r_first nor `after` (one search
        instead of two, the dearer one included: 4 ms instead of 11 for 4 MiB)."""
        return re.compile(rb"<" + p + rb'c(?! r="' + _letters_upto(col) + rb"\d)")

    after = beyond(last_used)
    inside = within(last_used)
    plain = True
    # a formula in a column clientbook owns is refused before anything is written
    formulas: tuple[re.Pattern[bytes], re.Pattern[bytes]] | None = None
    if owned:
        refs = b"|".join(column_letter(c).encode() for c in owned)
        formulas = (
            re.compile(rb"<" + p + rb'c r="(' + refs + rb')(\d+)"[^>]*>\s*<' + p + rb"f[\s>/]"),
            re.compile(
                rb"<"
                + p
                + rb"c\s[^>]*?\br\s*=\s*[\"']("
                + refs
                + rb")(\d+)[\"'][^>]*>\s*<"
                + p
                + rb"f[\s>/]",
                re.I,
            ),
        )
    for block in scanner.raw_blocks():
        if _markup_decl(block):
            raise scanner.refuse("comment, CDATA or processing instruction")
        first_nums = row_first.findall(block)
        tidy = inside.search(block) is None  # every cell r= first and none right of last_used
        cells_r_first = tidy or cell_not_r_first.search(block) is None
        simple = cells_r_first and row_not_r_first.search(block) is None
        plain = plain and simple and ext_list.search(block) is None
        if formulas is not None and tags.formula.search(block) is not None:  # any formula
            fm = formulas[0 if simple else 1].search(block)
            if fm is not None:
                col = column_index(fm.group(1))
                raise WriteError(
                    "write.formula_in_column",
                    path=display,
                    sheet=scanner.sheet,
                    cell=f"{column_letter(col)}{int(fm.group(2))}",
                    header=owned[col] if owned and col in owned else "",
                )
        if not simple and (row_without_r.search(block) or cell_without_r.search(block)):
            rows, last_num = _rows_of(scanner, block, last_num)
            for row in rows:
                existing_rows.append(row.num)
                if not row.closed:
                    last_used = max(last_used, _last_data_col(block, tags, row))
            after, inside = beyond(last_used), within(last_used)
            continue
        nums = [int(n) for n in (first_nums if simple else row_num.findall(block))]
        if nums:
            if nums[0] <= last_num or any(a >= b for a, b in zip(nums, nums[1:], strict=False)):
                raise scanner.refuse("rows out of order")
            last_num = nums[-1]
            existing_rows.extend(nums)
        for m in () if tidy else after[0 if simple else 1].finditer(block):
            plain = False  # a cell right of the last used column, even an empty one
            gt = block.find(b">", m.start())
            if block[gt - 1] == 0x2F:
                continue  # an empty styled cell
            close = block.find(tags.c_close, gt)
            if close < 0:
                raise _Malformed("unterminated cell")
            if block[gt + 1 : close].strip():
                rm = _R_RE.search(block, m.start(), gt + 1)
                if rm is not None and column_index(rm.group(1)) > last_used:
                    last_used = column_index(rm.group(1))
                    after, inside = beyond(last_used), within(last_used)
    return last_used, last_num, plain


def _markup_decl(block: bytes) -> bool:
    """Whether `block` holds `<!` or `<?`. Looking for "!" and "?" alone is a memchr, many
    times faster than a two-byte search in XML, where "<" is everywhere; they are rare."""
    return (b"!" in block and b"<!" in block) or (b"?" in block and b"<?" in block)


def _rows_of(scanner: _SheetScanner, block: bytes, last_num: int) -> tuple[list[_Row], int]:
    """The rows of a block of whole rows, one by one (rows or cells without r=)."""
    rows: list[_Row] = []
    tags = scanner.tags
    n = len(tags.row_open)
    pos = 0
    while True:
        lt = block.find(tags.row_open, pos)
        if lt < 0:
            break
        if block[lt + n] not in _DELIMS:
            raise scanner.refuse("unexpected element in sheetData")
        gt = block.find(b">", lt)
        closed = block[gt - 1] == 0x2F
        end = gt + 1 if closed else block.find(tags.row_close, gt) + len(tags.row_close)
        m = _ROWNUM_RE.search(block, lt, gt)
        num = int(m.group(1)) if m else last_num + 1
        if num <= last_num:
            raise scanner.refuse("rows out of order")
        last_num = num
        rows.append(_Row(lt, gt, end, num, closed))
        pos = end
    return rows, last_num


def _attr_range(tag: bytes) -> tuple[int, int, int, int] | None:
    m = _REF_RE.search(tag)
    return _parse_range(m.group(2).decode("ascii", "replace")) if m else None


def _last_data_col(buf: bytes, tags: _Tags, row: _Row) -> int:
    """The rightmost column of the row holding a value (-1 when none)."""
    idx = row.end - len(tags.row_close)
    n = len(tags.c_open)
    while True:
        s = buf.rfind(tags.c_open, row.gt, idx)
        if s < 0:
            return -1
        if buf[s + n] not in _DELIMS:
            idx = s
            continue
        gt = buf.find(b">", s, row.end)
        m = _R_RE.search(buf, s, gt)
        if m is None:  # cells without r=: count them
            cells = _cells_forward(buf, tags, row.gt, row.end)
            return max((c.col for c in cells if c.has_data), default=-1)
        if buf[gt - 1] != 0x2F:
            ce = buf.find(tags.c_close, gt)
            if ce < 0:
                raise _Malformed("unterminated cell")
            if buf[gt + 1 : ce].strip():
                return column_index(m.group(1))
        idx = s


def _col_styles(head: bytes, tags: _Tags) -> list[tuple[int, int, int]]:
    """(first col, last col, style) of each <col> that gives a column style."""
    out: list[tuple[int, int, int]] = []
    m = tags.cols.search(head)
    if not m:
        return out
    for col in tags.col.finditer(m.group(1)):
        attrs = _attrs(col.group(0))
        style = attrs.get("style", "")
        if style.isdigit() and attrs.get("min", "").isdigit() and attrs.get("max", "").isdigit():
            out.append((int(attrs["min"]) - 1, int(attrs["max"]) - 1, int(style)))
    return out


_ATTR_RE = re.compile(rb"""([\w:.-]+)\s*=\s*(["'])(.*?)\2""", re.S)


def _attrs(tag: bytes) -> dict[str, str]:
    return {m.group(1).decode(): m.group(3).decode("utf-8") for m in _ATTR_RE.finditer(tag)}


def _plan_filters(
    pkg: _Package,
    plan: _Plan,
    autofilter: tuple[int, int, int, int] | None,
    created: list[int],
) -> None:
    """Decide whether a table or the sheet autofilter grows to the new columns."""
    first, last = created[0], created[-1]
    contiguous = last - first + 1 == len(created)
    if not contiguous:
        return
    rng = autofilter
    if rng is not None:
        if rng[1] == plan.header_row and rng[2] + 1 == first:
            plan.autofilter_old_ref = _format_range(*rng)
            plan.autofilter_new_ref = _format_range(rng[0], rng[1], last, rng[3])
    for _, typ, part in _rels(pkg, plan.sheet.part):
        if typ != _TABLE_REL or pkg.info(part) is None:
            continue
        data = pkg.read_small(part)
        root = _parse_xml(data, part, pkg.display)
        rng = _parse_range(root.get("ref", ""))  # type: ignore[attr-defined]
        header_rows = int(root.get("headerRowCount", "1"))  # type: ignore[attr-defined]
        if rng is None or header_rows != 1 or rng[1] != plan.header_row or rng[2] + 1 != first:
            continue
        q = f"{{{MAIN_NS}}}"
        tc = root.find(q + "tableColumns")  # type: ignore[attr-defined]
        ids = [int(c.get("id", "0")) for c in tc.iter(q + "tableColumn")] if tc is not None else []
        names = (
            {c.get("name", "").casefold() for c in tc.iter(q + "tableColumn")}
            if tc is not None
            else set()
        )
        next_id = max(ids, default=0) + 1
        new_cols: list[tuple[int, str]] = []
        for t in sorted((t for t in plan.targets if t.created), key=lambda t: t.col):
            name = t.column.header
            if name.casefold() in names:
                raise WriteError(
                    "write.table_name_taken", path=pkg.display, sheet=plan.sheet.name, header=name
                )
            new_cols.append((next_id, name))
            next_id += 1
        plan.table = _TablePlan(
            part=pkg.info(part).filename,  # type: ignore[union-attr]
            name=root.get("displayName") or root.get("name") or part,  # type: ignore[attr-defined]
            new_ref=_format_range(rng[0], rng[1], last, rng[3]),
            new_columns=new_cols,
        )
        return


def _find_sheet_autofilter(buf: bytes, tags: _Tags) -> tuple[int, int] | None | bool:
    """Where the worksheet's own autoFilter tag is in `buf` (start, end); False when the
    sheet has none (an element that comes after it was seen); None when undecided yet."""
    m = tags.after_autofilter.search(buf)
    if m is None:
        return None
    if m.group(1) != b"autoFilter":
        return False
    end = buf.find(b">", m.start())
    if end < 0:
        return None
    return m.start(), end + 1


def _carry(buf: bytes) -> int:
    """Where an unfinished tag starts at the end of `buf` (len(buf) when none)."""
    lt = buf.rfind(b"<")
    return lt if lt >= 0 and buf.find(b">", lt) < 0 else len(buf)


def _scan_tail(
    scanner: _SheetScanner, header_row: int
) -> tuple[tuple[int, int, int, int] | None, list[tuple[int, int, int, int]]]:
    """The sheet autofilter's range and the merged ranges reaching the header or below,
    reading the part after sheetData in chunks."""
    tags = scanner.tags
    autofilter: tuple[int, int, int, int] | None = None
    decided = False
    merges: list[tuple[int, int, int, int]] = []
    carry = b""
    for chunk in scanner.tail_chunks():
        buf = carry + chunk
        if b"<!" in buf or b"<?" in buf:
            raise scanner.refuse("comment, CDATA or processing instruction")
        if not decided:
            found = _find_sheet_autofilter(buf, tags)
            if found is not None:
                decided = True
                if found is not False:
                    assert isinstance(found, tuple)
                    autofilter = _attr_range(buf[found[0] : found[1]])
        for m in tags.merge.finditer(buf):
            r = _attr_range(m.group(0))
            if r is not None and r[3] >= header_row:
                merges.append(r)
        cut = _carry(buf)
        carry = buf[cut:] if decided else buf[-4096:]
    return autofilter, merges


# --- applying -----------------------------------------------------------------------------


def _apply(pkg: _Package, plan: _Plan, dest: BinaryIO) -> list[str]:
    writer = RawZipWriter(dest)
    changed: list[str] = []
    sheet_info = pkg.info(plan.sheet.part)
    try:
        for info in pkg.infos:
            if info is sheet_info:
                with read_member(pkg.zf, pkg.fp, info, _CHUNK) as stream:
                    writer.write_deflated(info, _sheet_chunks(pkg, plan, stream))
                changed.append(info.filename)
            elif plan.table is not None and info.filename == plan.table.part:
                writer.write_deflated(info, [_patch_table(pkg, plan.table)])
                changed.append(info.filename)
            elif (
                plan.autofilter_new_ref is not None
                and info.filename.lower() == plan.workbook_part.lower()
                and (patched := _patch_filter_name(pkg, plan)) is not None
            ):
                writer.write_deflated(info, [patched])
                changed.append(info.filename)
            else:
                writer.copy_raw(info, pkg.fp)
        writer.close(pkg.zf.comment)
    except ZipTooLarge as exc:
        raise WriteError("write.too_large", path=pkg.display) from exc
    except (ZipUnsupported, zipfile.BadZipFile, EOFError, zlib.error) as exc:
        raise UnusableFile(path=pkg.display, reason=f"damaged zip member ({exc})") from exc
    return changed


def _style_for(plan: _Plan, col: int) -> int | None:
    """The column style Excel would give a cell typed into `col`, if any."""
    for lo, hi, style in plan.col_styles:
        if lo <= col <= hi:
            return style
    return None


def _cell_xml(p: bytes, col: int, row: int, value: CellValue, style: int | None) -> bytes | None:
    """A cell holding `value`; a blank value gives an empty styled cell, or nothing."""
    ref = f"{column_letter(col)}{row}".encode("ascii")
    s = _style_attr(style)
    if value is None or value == "":
        return b"<" + p + b'c r="' + ref + b'"' + s + b"/>" if style is not None else None
    if isinstance(value, bool):
        return b'<%sc r="%s"%s t="b"><%sv>%d</%sv></%sc>' % (p, ref, s, p, int(value), p, p)
    if isinstance(value, int):
        return b'<%sc r="%s"%s><%sv>%d</%sv></%sc>' % (p, ref, s, p, value, p, p)
    if isinstance(value, float):
        return b'<%sc r="%s"%s><%sv>%s</%sv></%sc>' % (p, ref, s, p, _float_bytes(value), p, p)
    return _string_cell(p, ref, str(value), s)


def _string_cell(p: bytes, ref: bytes, text: str, s: bytes) -> bytes:
    if len(text) > _MAX_CELL_TEXT:
        raise WriteError("write.value_too_long", cell=ref.decode(), limit=_MAX_CELL_TEXT)
    space = (
        b' xml:space="preserve"'
        if text != text.strip() or "\n" in text or "\r" in text or "\t" in text
        else b""
    )
    return b'<%sc r="%s"%s t="inlineStr"><%sis><%st%s>%s</%st></%sis></%sc>' % (
        p,
        ref,
        s,
        p,
        p,
        space,
        xml_text(text),
        p,
        p,
        p,
    )


def _sheet_chunks(pkg: _Package, plan: _Plan, stream: Readable) -> Iterator[bytes]:
    """The patched sheet part, chunk by chunk (the second pass)."""
    scanner = _SheetScanner(stream, pkg.display, plan.sheet.name)
    scanner.read_head()
    tags = scanner.tags
    p = tags.p
    yield _patch_head(scanner.head, plan, tags)
    targets = sorted(plan.targets, key=lambda t: t.col)
    max_col = targets[-1].col
    header_row = plan.header_row
    process_all = plan.any_existing
    value_rows = plan.value_rows
    nrows = len(value_rows)
    vi = 0  # next index into value_rows

    def new_rows(upto: int) -> bytes:
        """Rows that get a value but do not exist in the sheet, numbered below `upto`."""
        nonlocal vi
        out: list[bytes] = []
        while vi < nrows and value_rows[vi] < upto:
            num = value_rows[vi]
            cells = [
                c
                for t in targets
                if (
                    c := _cell_xml(p, t.col, num, t.column.values.get(num), _style_for(plan, t.col))
                )
                is not None
            ]
            if cells:
                out.append(b'<%srow r="%d">%s</%srow>' % (p, num, b"".join(cells), p))
            vi += 1
        return b"".join(out)

    plain = plan.plain_rows or plan.plain_rerun
    fast = _FastCells(tags, targets, plan) if plain or not process_all else None
    row_close = tags.row_close
    try:
        until = header_row if plain else None
        for buf, rows, stop in scanner.blocks(check=False, until=until):
            out: list[bytes] = []
            copy_from = 0
            for row in rows:
                num = row.num
                inserted = new_rows(num) if vi < nrows and value_rows[vi] < num else b""
                has_value = vi < nrows and value_rows[vi] == num
                if has_value:
                    vi += 1
                wanted = num == header_row or (num > header_row and (process_all or has_value))
                if not wanted and not inserted:
                    continue
                out.append(buf[copy_from : row.start])
                out.append(inserted)
                if not wanted:
                    out.append(buf[row.start : row.end])
                elif fast is not None and num != header_row and fast.fits(buf, row):
                    # the common first run: new cells go after every cell of the row
                    body_end = row.end - len(row_close)
                    out.append(fast.start_tag(buf[row.start : row.gt + 1]))
                    out.append(buf[row.gt + 1 : body_end])
                    out.append(fast.cells(num))
                    out.append(row_close)
                else:
                    out.append(_patch_row(buf, row, tags, targets, max_col, pkg, plan))
                copy_from = row.end
            out.append(buf[copy_from:stop])
            yield b"".join(out)
        if scanner.stopped:
            assert fast is not None
            if plan.plain_rerun:
                yield from _plain_rerun(scanner, fast, tags, targets, pkg, plan)
            else:
                yield from _plain_rows(scanner, fast, tags, targets, pkg, plan)
            vi = nrows  # every row with a value exists (plan.plain_rows) and was written
        yield from _patch_tail(scanner, plan, new_rows(1 << 31))
    except _Malformed as exc:
        raise scanner.refuse(str(exc)) from exc


def _plain_rows(
    scanner: _SheetScanner,
    fast: _FastCells,
    tags: _Tags,
    targets: list[_Target],
    pkg: _Package,
    plan: _Plan,
) -> Iterator[bytes]:
    """The rows after the header on a plain sheet (see _scan_rows): each row that gets
    values has them appended before its end tag; nothing else is looked at."""
    row_start = re.compile(rb"<" + re.escape(tags.p) + rb'row r="(\d+)"[^>]*>')
    row_close = tags.row_close
    max_col = targets[-1].col
    value_rows = fast.value_rows
    for block in scanner.raw_blocks():
        whole = fast.block(block)
        if whole is not None:  # every row of the block alike and getting values: at C speed
            yield whole
            continue
        out: list[bytes] = []
        pos = 0
        for m in row_start.finditer(block):
            num = int(m.group(1))
            if num not in value_rows:
                continue
            tag = m.group(0)
            closed = tag.endswith(b"/>")
            close = -1 if closed else block.find(row_close, m.end())
            if closed or b"customFormat" in tag:  # an empty or a styled row: general path
                end = m.end() if closed else close + len(row_close)
                row = _Row(m.start(), m.end() - 1, end, num, closed)
                out += (
                    block[pos : m.start()],
                    _patch_row(block, row, tags, targets, max_col, pkg, plan),
                )
                pos = end
                continue
            out += (
                block[pos : m.start()],
                fast.start_tag(tag),
                block[m.end() : close],
                fast.cells(num),
            )
            pos = close
        out.append(block[pos:])
        yield b"".join(out)


def _plain_rerun(
    scanner: _SheetScanner,
    fast: _FastCells,
    tags: _Tags,
    targets: list[_Target],
    pkg: _Package,
    plan: _Plan,
) -> Iterator[bytes]:
    """The rows after the header on a re-run where clientbook's columns are the last ones:
    from the row's first clientbook cell to its end, every cell is ours, so when none of
    them has a style or formula to keep, the whole tail is replaced by the new cells."""
    p = tags.p
    row_start = re.compile(rb"<" + re.escape(p) + rb'row r="(\d+)"[^>]*>')
    row_close = tags.row_close
    first_ref = b'<%sc r="%s' % (p, column_letter(targets[0].col).encode())
    keep = (b' s="', b"<" + p + b"f")
    max_col = targets[-1].col
    for block in scanner.raw_blocks():
        whole = fast.block(block, rerun=True)
        if whole is not None:  # every row of the block alike and getting values: at C speed
            yield whole
            continue
        out: list[bytes] = []
        pos = 0
        for m in row_start.finditer(block):
            num = int(m.group(1))
            tag = m.group(0)
            close = -1 if tag.endswith(b"/>") else block.find(row_close, m.end())
            cut = block.find(first_ref + b'%d"' % num, m.end(), close) if close > 0 else -1
            if (
                cut < 0
                or b"customFormat" in tag
                or any(block.find(k, cut, close) >= 0 for k in keep)
            ):
                end = m.end() if close < 0 else close + len(row_close)
                row = _Row(m.start(), m.end() - 1, end, num, close < 0)
                out += (
                    block[pos : m.start()],
                    _patch_row(block, row, tags, targets, max_col, pkg, plan),
                )
                pos = end
                continue
            out += (block[pos:cut], fast.cells(num))
            pos = close
        out.append(block[pos:])
        yield b"".join(out)


class _FastCells:
    """New cells for the rows of a first run, built from precomputed byte templates."""

    def __init__(self, tags: _Tags, targets: list[_Target], plan: _Plan) -> None:
        p = tags.p
        self.tags = tags
        self.min_col = targets[0].col
        self.max_col = targets[-1].col
        self.c_len = len(tags.c_open)
        self.str_end = b"</%st></%sis></%sc>" % (p, p, p)
        self.num_end = b"</%sv></%sc>" % (p, p)
        self.columns: list[
            tuple[Callable[[int], CellValue], int, bytes, bytes, bytes, bytes, bytes]
        ] = []
        for t in targets:
            style = _style_attr(_style_for(plan, t.col))
            start = b'<%sc r="%s' % (p, column_letter(t.col).encode())
            self.columns.append(
                (
                    t.column.values.get,
                    t.col,
                    start,
                    b'"%s t="inlineStr"><%sis><%st>' % (style, p, p),
                    b'"%s t="inlineStr"><%sis><%st xml:space="preserve">' % (style, p, p),
                    b'"%s><%sv>' % (style, p),
                    b'"%s t="b"><%sv>' % (style, p),
                )
            )
        self.style = {t.col: _style_for(plan, t.col) for t in targets}
        self.value_rows = frozenset(plan.value_rows)
        self.sorted_rows = plan.value_rows
        self.row_open = tags.row_open
        self.row_head = b"<" + p + b'row r="'
        self._row_start = re.compile(rb"<" + re.escape(p) + rb'row r="(\d+)("[^>]*>)')
        self._row_forms: dict[bytes, tuple[bytes, bytes | None]] = {}
        first_ref = b'<%sc r="%s' % (p, column_letter(targets[0].col).encode())
        self._first_ref_fmt = first_ref.replace(b"%", b"%%") + b'%d"'
        self._keep = (b' s="', b"<" + p + b"f")  # as _plain_rerun
        self._payloads: list[dict[object, bytes]] = [{} for _ in targets]
        # the same bytes as %-format literals
        self._pct_start = [c[2].replace(b"%", b"%%") for c in self.columns]
        self._pct_num_mid = [c[5].replace(b"%", b"%%") for c in self.columns]
        self._pct_str_end = self.str_end.replace(b"%", b"%%")
        self._pct_num_end = self.num_end.replace(b"%", b"%%")
        self._pct_row_close = tags.row_close.replace(b"%", b"%%")
        self._letters: dict[bytes, int] = {}
        self._spans: dict[bytes, bytes] = {}
        self._texts: dict[str, tuple[bytes, bool]] = {}
        self._floats: dict[float, bytes] = {}

    def fits(self, buf: bytes, row: _Row) -> bool:
        """True when every cell of the row is left of the new columns (and the row has no
        row style or extension that needs the general path)."""
        if row.closed:
            return False
        body_end = row.end - len(self.tags.row_close)
        idx = body_end
        c_open = self.tags.c_open
        while True:
            s = buf.rfind(c_open, row.gt, idx)
            if s < 0:
                break
            if buf[s + self.c_len] in _DELIMS:
                gt = buf.find(b">", s, body_end)
                m = _R_RE.search(buf, s, gt)
                if m is None:
                    return False
                letters = m.group(1)
                col = self._letters.get(letters)
                if col is None:
                    col = self._letters[letters] = column_index(letters)
                if col >= self.min_col:
                    return False
                break
            idx = s
        if buf.find(b"customFormat", row.start, row.gt) >= 0:
            return False
        return buf.find(self.tags.ext, row.gt, body_end) < 0

    def start_tag(self, tag: bytes) -> bytes:
        i = tag.find(b'spans="')
        if i < 0:
            return tag if tag.find(b"spans") < 0 else _extend_spans(tag, self.max_col)
        i += 7
        j = tag.find(b'"', i)
        spans = tag[i:j]
        new = self._spans.get(spans)
        if new is None:
            new = _extend_spans(b' spans="' + spans + b'"', self.max_col)[8:-1]
            if len(self._spans) < 4096:
                self._spans[spans] = new
        return tag[:i] + new + tag[j:]

    def block(self, block: bytes, rerun: bool = False) -> bytes | None:
        """A block of whole rows patched as on a plain first run (each row's new cells
        appended: start_tag() and cells()) or, with `rerun`, as on a plain re-run (from the
        row's first clientbook cell to its end replaced by cells()), when its rows follow
        one another, all with the same start tag but for the number, and each gets a value
        of the same plain type (str, float or int, never blank) in each new column; None
        otherwise (the caller then goes row by row). The bytes are those the row-by-row
        path makes, but made a column at a time: Python does a little work per value, the
        rest is done at C speed a block at a time."""
        pieces = block.split(self.tags.row_close)  # piece i: row i up to its end tag
        k = len(pieces) - 1
        if k == 0 or self.row_open in pieces[k]:
            return None
        first = self._row_start.match(pieces[0])
        if first is None:
            return None
        rest = first.group(2)  # '" spans="1:25">': the start tag after the row number
        form = self._row_forms.get(rest)
        if form is None:
            if len(self._row_forms) >= 64 or rest.endswith(b"/>") or b"customFormat" in rest:
                return None
            new_rest = self.start_tag(self.row_head + b"1" + rest)[len(self.row_head) + 1 :]
            head = self.row_head.replace(b"%", b"%%") + b"%d"
            form = self._row_forms[rest] = (
                head + rest.replace(b"%", b"%%"),
                None if new_rest == rest else head + new_rest.replace(b"%", b"%%"),
            )
        head_fmt, new_head_fmt = form
        lo = int(first.group(1))
        rows = range(lo, lo + k)
        heads = list(map(head_fmt.__mod__, rows))
        # each piece starts with the expected start tag, and nothing after the last row's
        # end is a row: the block holds exactly rows lo..lo+k-1, in that form
        if not all(map(bytes.startswith, pieces[:k], heads)):
            return None
        cuts: list[int] = []
        if rerun:  # where clientbook's cells start in each row: all of them must have some
            cuts = list(map(bytes.find, pieces[:k], map(self._first_ref_fmt.__mod__, rows)))
            if -1 in cuts:
                return None
            ours = b"".join(
                map(bytes.__getitem__, pieces, map(slice, cuts, itertools.repeat(None)))
            )
            if any(mark in ours for mark in self._keep):
                return None  # a style or a formula to keep: the general path does
        at = bisect.bisect_left(self.sorted_rows, lo)
        if (
            at + k > len(self.sorted_rows)
            or self.sorted_rows[at] != lo
            or self.sorted_rows[at + k - 1] != lo + k - 1
        ):
            return None  # some rows get no value
        template = self._template(rows)
        if template is None:
            return None
        fmt, args = template
        # one %-format for the whole block: each row's bytes up to its end tag, then its new
        # cells and the end tag; a single formatting call makes the block
        if rerun:  # the row up to its first clientbook cell
            lead: Iterable[object] = map(bytes.__getitem__, pieces, map(slice, cuts))
            row_fmt = b"%s" + fmt
            columns = (lead, *args)
        elif new_head_fmt is None:  # the whole row
            row_fmt = b"%s" + fmt
            columns = (pieces[:k], *args)
        else:  # spans="..." grows to the new columns: a new start tag, then the row's body
            bodies = [p[n:] for p, n in zip(pieces[:k], map(len, heads), strict=True)]
            row_fmt = new_head_fmt + b"%s" + fmt
            columns = (rows, bodies, *args)
        flat = tuple(itertools.chain.from_iterable(zip(*columns, strict=True)))
        return (row_fmt * k) % flat + pieces[k]

    def _template(self, rows: range) -> tuple[bytes, list[Iterable[object]]] | None:
        """The %-format of one row's new cells and its arguments column by column."""
        fmt: list[bytes] = []
        args: list[Iterable[object]] = []
        for j, column in enumerate(self.columns):
            values = list(map(column[0], rows))
            kinds = set(map(type, values))
            if len(kinds) != 1:
                return None
            kind = kinds.pop()
            start = self._pct_start[j]
            payload: list[bytes]
            if kind is str:
                if "" in values:
                    return None
                try:
                    payload = self._str_payloads(values, j)  # type: ignore[arg-type]
                except _TooLong:
                    return None  # cells() says which cell
                fmt.append(start + b"%d%s" + self._pct_str_end)
            elif kind is float:
                try:
                    payload = self._float_payloads(values, j)  # type: ignore[arg-type]
                except ValueError:
                    return None  # inf, nan: cells() raises it
                fmt.append(start + b"%d" + self._pct_num_mid[j] + b"%s" + self._pct_num_end)
            elif kind is int:
                fmt.append(start + b"%d" + self._pct_num_mid[j] + b"%d" + self._pct_num_end)
                args += (rows, values)
                continue
            else:
                return None
            args += (rows, payload)
        fmt.append(self._pct_row_close)
        return b"".join(fmt), args

    def _float_payloads(self, values: list[float], j: int) -> list[bytes]:
        """Each number's bytes in column j (after the cell reference), from the column's
        cache, made for the others (zeros are never cached: 0.0 and -0.0 are one key to a
        dict but are written "0" and "-0")."""
        out = list(map(self._payloads[j].get, values))
        if None not in out:
            return cast(list[bytes], out)
        make = self._float_payload
        return [payload or make(v, j) for payload, v in zip(out, values, strict=True)]

    def _str_payloads(self, values: list[str], j: int) -> list[bytes]:
        """Each text's bytes in column j (after the cell reference): from the column's cache,
        the others made together (reasons are mostly new: 100,000 distinct texts)."""
        known = self._payloads[j]
        try:
            return list(map(known.__getitem__, values))
        except KeyError:
            pass
        out = list(map(known.get, values))
        if out.count(None) == len(out):  # all new (reasons): no per-value loop here
            texts = list(dict.fromkeys(values))
            made = dict(zip(texts, self._new_str_payloads(texts, j), strict=True))
            out = list(map(made.__getitem__, values))
        else:
            texts = [v for v in dict.fromkeys(values) if v not in known]
            made = dict(zip(texts, self._new_str_payloads(texts, j), strict=True))
            out = [payload or made[v] for payload, v in zip(out, values, strict=True)]
        room = 65536 - len(known)
        if room > 0:
            known.update(itertools.islice(made.items(), room))
        return cast(list[bytes], out)

    def _new_str_payloads(self, texts: list[str], j: int) -> list[bytes]:
        """_str_payload of each text, at C speed when none needs an escape or xml:space (the
        usual case): then the texts joined by line breaks are checked and encoded at once."""
        if len(texts) < 2 or max(map(len, texts)) > _MAX_CELL_TEXT:
            return [self._str_payload(text, j) for text in texts]
        joined = "\n".join(texts)
        if (
            _SPECIAL.search(joined) is not None
            or "\t" in joined
            or joined.count("\n") != len(texts) - 1
            or _ANY_SPACE.search(
                "".join(map(operator.itemgetter(0), texts))
                + "".join(map(operator.itemgetter(-1), texts))
            )
            is not None  # a text's first or last character is whitespace (strip() would cut it)
        ):
            return [self._str_payload(text, j) for text in texts]
        head = self.columns[j][3]
        return [head + text for text in joined.encode("utf-8").split(b"\n")]

    def _str_payload(self, value: str, j: int) -> bytes:
        if len(value) > _MAX_CELL_TEXT:
            raise _TooLong
        text, space = self.text(value, self.columns[j][1], 0)
        column = self.columns[j]
        out = (column[4] if space else column[3]) + text
        known = self._payloads[j]
        if len(known) < 65536:
            known[value] = out
        return out

    def _float_payload(self, value: float, j: int) -> bytes:
        digits = self._floats.get(value) if value else None
        if digits is None:
            digits = _float_bytes(value)
        if value and len(self._payloads[j]) < 65536:  # not 0.0: it equals -0.0 ("-0")
            self._payloads[j][value] = digits
        return digits

    def text(self, value: str, col: int, num: int) -> tuple[bytes, bool]:
        cached = self._texts.get(value)
        if cached is not None:
            return cached
        if len(value) > _MAX_CELL_TEXT:
            raise WriteError(
                "write.value_too_long", cell=f"{column_letter(col)}{num}", limit=_MAX_CELL_TEXT
            )
        out = value.encode("utf-8") if _SPECIAL.search(value) is None else xml_text(value)
        space = value != value.strip() or "\n" in value or "\r" in value or "\t" in value
        if len(self._texts) < 65536:
            self._texts[value] = (out, space)
        return out, space

    def cells(self, num: int) -> bytes:
        rownum = b"%d" % num
        out: list[bytes] = []
        str_end = self.str_end
        num_end = self.num_end
        texts = self._texts
        floats = self._floats
        for get, col, start, str_mid, str_mid_sp, num_mid, bool_mid in self.columns:
            v = get(num)
            if v is None or v == "":
                continue
            kind = type(v)
            if kind is str:
                cached = texts.get(v)  # type: ignore[arg-type]
                text, space = self.text(v, col, num) if cached is None else cached  # type: ignore[arg-type]
                out += (start, rownum, str_mid_sp if space else str_mid, text, str_end)
            elif kind is float:
                digits = floats.get(v)  # type: ignore[arg-type]
                if digits is None:
                    digits = _float_bytes(v)  # type: ignore[arg-type]
                    if v and len(floats) < 65536:  # not 0.0: it equals -0.0, written "-0"
                        floats[v] = digits  # type: ignore[index]
                out += (start, rownum, num_mid, digits, num_end)
            elif kind is int:
                out += (start, rownum, num_mid, b"%d" % v, num_end)  # type: ignore[str-format]
            elif kind is bool:
                out += (start, rownum, bool_mid, b"1" if v else b"0", num_end)
            else:  # subclasses of str, int, float
                cell = _cell_xml(self.tags.p, col, num, v, self.style[col])
                if cell:
                    out.append(cell)
        return b"".join(out)


class _TooLong(Exception):
    """A text longer than a cell holds (the row-by-row path says which cell)."""


_SPECIAL = re.compile(
    "[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]|_x[0-9A-Fa-f]{4}_"
)


# What str.strip() cuts (the same Unicode whitespace): a text that begins or ends with it
# is written with xml:space="preserve" (_FastCells.text).
_ANY_SPACE = re.compile(r"\s")


def _float_bytes(value: float) -> bytes:
    """The shortest text that reads back as the same float ("6" for 6.0)."""
    text = repr(value).encode("ascii")
    if b"n" in text:  # inf, nan: Excel has no such number
        raise ValueError(f"cannot write {value!r} into a cell")
    return text[:-2] if text.endswith(b".0") else text


def _patch_row(
    buf: bytes,
    row: _Row,
    tags: _Tags,
    targets: list[_Target],
    max_col: int,
    pkg: _Package,
    plan: _Plan,
) -> bytes:
    """The row with the target columns' cells set, every other cell as it was."""
    num = row.num
    start_tag = buf[row.start : row.gt + 1]
    row_style: int | None = None
    if _CUSTOM_FORMAT_RE.search(start_tag):
        sm = _S_RE.search(start_tag)
        row_style = int(sm.group(1)) if sm else None
    existing: list[_Cell]
    if row.closed:
        body_start = insert_at = tail_end = row.gt + 1
        existing = []
    else:
        body_start = row.gt + 1
        body_end = row.end - len(tags.row_close)
        if buf.find(tags.ext, body_start, body_end) >= 0:
            raise WriteError(
                "write.unsupported_xml",
                path=pkg.display,
                sheet=plan.sheet.name,
                detail=f"row {num} has an extension list",
            )
        min_col = targets[0].col
        scan = _cells_backward(buf, tags, row.start, body_end, min_col)
        if scan is None:
            cells = _cells_forward(buf, tags, body_start, body_end)
            existing = [c for c in cells if c.col >= min_col]
            before = [c for c in cells if c.col < min_col]
            insert_at = before[-1].end if before else body_start
        else:
            existing, insert_at = scan
        tail_end = existing[-1].end if existing else insert_at
    by_col = {c.col: c for c in existing}
    pieces: list[tuple[int, bytes]] = []
    for t in targets:
        old = by_col.pop(t.col, None)
        old_style: int | None = None
        if old is not None:
            if (
                num != plan.header_row
                and old.has_data
                and tags.formula.search(buf, old.start, old.end)
            ):
                raise WriteError(
                    "write.formula_in_column",
                    path=pkg.display,
                    sheet=plan.sheet.name,
                    cell=f"{column_letter(t.col)}{num}",
                    header=t.column.header,
                )
            sm = _S_RE.search(old.attrs)
            old_style = int(sm.group(1)) if sm else None
        cell: bytes | None
        if num == plan.header_row and old is not None and not t.created:
            cell = buf[old.start : old.end]  # found by its header: keep the user's text
        elif num == plan.header_row:
            style = old_style if old_style is not None else plan.header_style
            ref = f"{column_letter(t.col)}{num}".encode("ascii")
            cell = _string_cell(tags.p, ref, t.column.header, _style_attr(style))
        else:
            value = t.column.values.get(num)
            if (value is None or value == "") and old is not None and not old.has_data:
                cell = _explicit(buf, old, num, tags)  # an empty (styled) cell: keep it
            else:
                style = old_style
                if style is None and value is not None:
                    style = row_style if row_style is not None else _style_for(plan, t.col)
                cell = _cell_xml(tags.p, t.col, num, value, style)
        if cell is not None:
            pieces.append((t.col, cell))
    for c in by_col.values():  # the user's cells right of or between clientbook's
        pieces.append((c.col, _explicit(buf, c, num, tags)))
    pieces.sort(key=lambda x: x[0])
    new_body = b"".join(c for _, c in pieces)
    if row.closed:
        if not new_body:
            return start_tag
        return _extend_spans(start_tag[:-2].rstrip() + b">", max_col) + new_body + tags.row_close
    if [c for _, c in pieces] == [buf[c.start : c.end] for c in existing]:
        return buf[row.start : row.end]  # nothing changed: leave the row as it was (spans too)
    if new_body:
        start_tag = _extend_spans(start_tag, max_col)
    return start_tag + buf[body_start:insert_at] + new_body + buf[tail_end : row.end]


def _explicit(buf: bytes, cell: _Cell, num: int, tags: _Tags) -> bytes:
    """A kept cell's bytes, with r= added when it had none: its column was implied by its
    left neighbour, which may have changed."""
    data = buf[cell.start : cell.end]
    if _R_RE.search(cell.attrs) is not None:
        return data
    at = len(tags.c_open)
    return b'%s r="%s%d"%s' % (data[:at], column_letter(cell.col).encode(), num, data[at:])


def _style_attr(style: int | None) -> bytes:
    return b"" if style is None else b' s="%d"' % style


def _extend_spans(tag: bytes, max_col: int) -> bytes:
    m = _SPANS_RE.search(tag)
    if m is None:
        return tag
    spans = m.group(2).split()
    if not spans:
        return tag
    lo, _, hi = spans[-1].partition(b":")
    if not hi.isdigit() or int(hi) >= max_col + 1:
        return tag
    spans[-1] = lo + b":" + str(max_col + 1).encode()
    return tag[: m.start(2)] + b" ".join(spans) + tag[m.end(2) :]


def _patch_head(head: bytes, plan: _Plan, tags: _Tags) -> bytes:
    p = tags.p
    max_col = max(t.col for t in plan.targets)
    # <dimension ref="A1:Y100"/>
    m = tags.dimension.search(head)
    if m:
        tag = m.group(0)
        rm = _REF_RE.search(tag)
        rng = _parse_range(rm.group(2).decode("ascii", "replace")) if rm else None
        if rm and rng:
            new = _format_range(rng[0], rng[1], max(rng[2], max_col), max(rng[3], plan.max_row))
            if new != rm.group(2).decode():
                tag = tag[: rm.start(2)] + new.encode() + tag[rm.end(2) :]
                head = head[: m.start()] + tag + head[m.end() :]
    # <cols>: a width for each created column that no <col> covers yet
    widths = [(t.col, t.column.width) for t in plan.targets if t.created and t.column.width]
    if widths:
        cm = tags.cols.search(head)
        covered: list[tuple[int, int]] = []
        entries: list[tuple[int, bytes]] = []
        if cm:
            for col in tags.col.finditer(cm.group(1)):
                attrs = _attrs(col.group(0))
                if "min" in attrs and "max" in attrs:
                    covered.append((int(attrs["min"]) - 1, int(attrs["max"]) - 1))
                    entries.append((int(attrs["min"]) - 1, col.group(0)))
        new_entries = [
            (
                c,
                b'<%scol min="%d" max="%d" width="%s" customWidth="1"/>'
                % (p, c + 1, c + 1, _num(w).encode()),
            )
            for c, w in widths
            if w and not any(lo <= c <= hi for lo, hi in covered)
        ]
        if new_entries:
            if cm:
                body = cm.group(1)
                # insert each new <col> before the first existing one that starts right of it
                for c, entry in sorted(new_entries):
                    pos = len(body)
                    for em in tags.col.finditer(body):
                        attrs = _attrs(em.group(0))
                        if int(attrs.get("min", "0")) - 1 > c:
                            pos = em.start()
                            break
                    body = body[:pos] + entry + body[pos:]
                head = head[: cm.start(1)] + body + head[cm.end(1) :]
            else:
                sd = tags.sheetdata_open.search(head)
                assert sd is not None
                cols = b"<%scols>%s</%scols>" % (p, b"".join(e for _, e in sorted(new_entries)), p)
                head = head[: sd.start()] + cols + head[sd.start() :]
    return head


def _num(x: float) -> str:
    text = repr(float(x))
    return text[:-2] if text.endswith(".0") else text


def _patch_tail(scanner: _SheetScanner, plan: _Plan, new_rows: bytes) -> Iterator[bytes]:
    """`</sheetData>` and what follows, with missing rows before it and the sheet
    autofilter's ref moved to the new columns."""
    tags = scanner.tags
    chunks = scanner.tail_chunks()
    buf = new_rows + next(chunks, b"")
    if plan.autofilter_new_ref is not None:
        while True:
            found = _find_sheet_autofilter(buf, tags)
            if found is not None:
                break
            chunk = next(chunks, b"")
            if not chunk:
                break
            buf += chunk
        if isinstance(found, tuple):
            start, end = found
            tag = buf[start:end]
            rm = _REF_RE.search(tag)
            if rm is not None:
                tag = tag[: rm.start(2)] + plan.autofilter_new_ref.encode() + tag[rm.end(2) :]
                buf = buf[:start] + tag + buf[end:]
    yield buf
    yield from chunks


def _patch_table(pkg: _Package, table: _TablePlan) -> bytes:
    """The table part with its ref, autoFilter and tableColumns grown to the new columns."""
    data = pkg.read_small(table.part)
    root = _ROOT_TABLE_RE.search(data)
    if root is None:
        raise UnusableFile(path=pkg.display, reason=f"{table.part} is not a table")
    prefix = root.group(1) or b""
    new_ref = table.new_ref.encode()

    def set_ref(data: bytes, tag_re: re.Pattern[bytes], start: int = 0) -> bytes:
        m = tag_re.search(data, start)
        if m is None:
            return data
        tag = m.group(0)
        rm = _REF_RE.search(tag)
        if rm is None:
            return data
        tag = tag[: rm.start(2)] + new_ref + tag[rm.end(2) :]
        return data[: m.start()] + tag + data[m.end() :]

    data = set_ref(data, re.compile(rb"<" + re.escape(prefix) + rb"table\s[^>]*>"))
    data = set_ref(data, re.compile(rb"<" + re.escape(prefix) + rb"autoFilter\s[^>]*>"))
    tc = re.compile(rb"<" + re.escape(prefix) + rb"tableColumns(\s[^>]*)?>").search(data)
    if tc is None:
        raise UnusableFile(path=pkg.display, reason=f"{table.part} has no tableColumns")
    tag = tc.group(0)
    count = re.search(rb"""(\scount\s*=\s*["'])(\d+)(["'])""", tag)
    if count:
        n = int(count.group(2)) + len(table.new_columns)
        tag = tag[: count.start(2)] + str(n).encode() + tag[count.end(2) :]
    data = data[: tc.start()] + tag + data[tc.end() :]
    close = data.find(b"</" + prefix + b"tableColumns>")
    if close < 0:
        raise UnusableFile(path=pkg.display, reason=f"{table.part} has no tableColumns")
    new_cols = b"".join(
        b'<%stableColumn id="%d" name="%s"/>' % (prefix, i, _attr_escape(name))
        for i, name in table.new_columns
    )
    return data[:close] + new_cols + data[close:]


_ROOT_TABLE_RE = re.compile(rb"<(?:([A-Za-z_][\w.-]*:))?table[\s>]")


def _attr_escape(text: str) -> bytes:
    return xml_text(text).replace(b'"', b"&quot;").replace(b"\n", b"&#10;").replace(b"\t", b"&#9;")


def _patch_filter_name(pkg: _Package, plan: _Plan) -> bytes | None:
    """Move the end column of the sheet's hidden _xlnm._FilterDatabase name, if any."""
    data = pkg.read_small(plan.workbook_part)
    pattern = re.compile(
        rb"(<(?:[\w.-]+:)?definedName\s[^>]*name\s*=\s*[\"']_xlnm\._FilterDatabase[\"'][^>]*>)"
        rb"([^<]*)(</)"
    )
    assert plan.autofilter_new_ref is not None and plan.autofilter_old_ref is not None
    old = _parse_range(plan.autofilter_old_ref)
    new = _parse_range(plan.autofilter_new_ref)
    assert old is not None and new is not None
    for m in pattern.finditer(data):
        attrs = _attrs(m.group(1))
        if attrs.get("localSheetId") != str(plan.sheet.index):
            continue
        text = m.group(2)
        rm = re.search(rb"\$?([A-Z]{1,3})\$?(\d+)\s*$", text)
        if rm is None or column_index(rm.group(1)) != old[2]:
            return None
        text = text[: rm.start(1)] + column_letter(new[2]).encode() + text[rm.end(1) :]
        return data[: m.start(2)] + text + data[m.end(2) :]
    return None
