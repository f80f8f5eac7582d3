"""Checks a workbook package before any parser sees it: zip bombs, XML attacks, sparse sheets.

An .xlsx is a zip of XML parts. Before python-calamine reads one, `check_package` makes sure
that:

- the zip's central directory is small (member count) and its declared sizes are sane
  (per member, in total, and in compression ratio), with only stored/deflated members;
- every XML member really inflates to its declared size and CRC (each is stream-inflated
  here with a cap, so a zip whose headers lie is refused before anything allocates for it;
  binary members such as images are never parsed and only their declared sizes count);
- no XML part has a DOCTYPE (legitimate OOXML never does; calamine does not expand
  entities, this just refuses billion-laughs and external-entity files with a clear reason);
- no worksheet has values so far apart that a dense grid of them would not fit in memory:
  calamine allocates rows × columns cells for the area between the first and last value, and
  a single value in XFD1048576 next to A1 aborts the process (calamine issue #693). Styled
  empty cells do not count, as calamine skips them too.

The worksheets that workbook.xml names unambiguously can be left to `check_sheet`, which
the reader calls right before python-calamine parses each one (open_book does): a sheet
that is never read is never inflated. Every other part is checked by `check_package`.

Everything here reads the package in bounded chunks; no member is held in memory whole.
One pass per part inflates it and runs the DTD and a quick extent test (all values within
max_cells / 64 rows and 64 columns, regular tags); only other sheets take the slower passes.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import BinaryIO

from clientbook.errors import UnusableFile
from clientbook.register._zip import ZLIB

MiB = 1 << 20
GiB = 1 << 30


@dataclass(frozen=True)
class Limits:
    max_members: int = 10_000
    max_directory: int = 4 * MiB  # central directory bytes read without counting entries
    max_member_size: int = 512 * MiB  # declared uncompressed size of one member
    max_total_size: int = 1 * GiB  # declared uncompressed size of all members
    max_ratio: float = 200.0  # uncompressed / compressed, for members above ratio_floor
    ratio_floor: int = 16 * MiB
    max_cells: int = 16_000_000  # rows × columns between a sheet's first and last value
    max_tag: int = 1 * MiB  # one XML tag (attributes included)


LIMITS = Limits()
_CHUNK = 1 * MiB

_OOXML_MAIN = b"application/vnd.openxmlformats-officedocument.spreadsheetml"
_MACRO_MAIN = b"application/vnd.ms-excel.sheet.macroenabled"
_BINARY_MAIN = b"application/vnd.ms-excel.sheet.binary"
_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"


@dataclass
class PackageInfo:
    """What the package check learned: format and per-member facts."""

    format: str  # "xlsx" | "xlsm"
    members: list[str] = field(default_factory=list)
    # Sheet name → its worksheet member, for the sheets whose check waits until they are
    # read (check_sheet); sheets never read are never inflated.
    deferred: dict[str, zipfile.ZipInfo] = field(default_factory=dict)


def _refuse(key: str, **params: object) -> UnusableFile:
    return UnusableFile(key=key, **params)


# --- central directory -----------------------------------------------------------------

_EOCD = b"PK\x05\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"


def _central_directory(fp: BinaryIO, path: str) -> tuple[int, int]:
    """(entries, bytes) of the central directory, from the end record, before zipfile reads it."""
    fp.seek(0, 2)
    size = fp.tell()
    tail_len = min(size, 22 + 65535 + 20)
    fp.seek(size - tail_len)
    tail = fp.read(tail_len)
    at = tail.rfind(_EOCD)
    if at < 0 or at + 22 > len(tail):
        raise _refuse("register.damaged", path=path, detail="zip")
    (entries, directory_size) = struct.unpack_from("<HI", tail, at + 10)
    locator = at - 20
    if locator >= 0 and tail[locator : locator + 4] == _EOCD64_LOCATOR:
        (eocd64_at,) = struct.unpack_from("<Q", tail, locator + 8)
        if eocd64_at + 56 > size:
            raise _refuse("register.damaged", path=path, detail="zip64")
        fp.seek(eocd64_at)
        record = fp.read(56)
        if record[:4] != b"PK\x06\x06":
            raise _refuse("register.damaged", path=path, detail="zip64")
        (entries, directory_size) = struct.unpack_from("<QQ", record, 32)
    return int(entries), int(directory_size)


def open_zip(fp: BinaryIO, path: str, limits: Limits = LIMITS) -> zipfile.ZipFile:
    """The zip's directory, after checking member count, sizes, methods and names."""
    count, directory_size = _central_directory(fp, path)
    # zipfile reads entries until the directory's bytes are used up, whatever the count says:
    # bound both (a directory entry takes at least 46 bytes).
    count = max(count, directory_size // 46 if directory_size > limits.max_directory else 0)
    if count > limits.max_members:
        raise _refuse("register.zip_members", path=path, count=count, limit=limits.max_members)
    fp.seek(0)
    try:
        archive = zipfile.ZipFile(fp)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise _refuse("register.damaged", path=path, detail=type(exc).__name__) from exc
    infos = archive.infolist()
    if len(infos) > limits.max_members:
        raise _refuse("register.zip_members", path=path, count=len(infos), limit=limits.max_members)
    total = sum(info.file_size for info in infos)
    largest = max((info.file_size for info in infos), default=0)
    if largest > limits.max_member_size or total > limits.max_total_size:
        raise _refuse(
            "register.zip_too_large",
            path=path,
            size_mib=total // MiB,
            limit_mib=limits.max_total_size // MiB,
        )
    seen: set[str] = set()
    for info in infos:
        name = info.filename.casefold()
        if name in seen:
            raise _refuse("register.zip_odd", path=path, detail="duplicate member name")
        seen.add(name)
        if info.flag_bits & 0x1:
            raise _refuse("register.zip_odd", path=path, detail="encrypted zip member")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _refuse("register.zip_odd", path=path, detail="unsupported compression")
        if info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            raise _refuse("register.zip_ratio", path=path, member=info.filename)
    return archive


# --- inflating with a cap ------------------------------------------------------------


def inflate(
    fp: BinaryIO, info: zipfile.ZipInfo, path: str, limits: Limits = LIMITS
) -> Iterator[bytes]:
    """The member's bytes in chunks; refuses as soon as it inflates past its declared size."""
    fp.seek(info.header_offset)
    header = fp.read(30)
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise _refuse("register.damaged", path=path, detail="zip local header")
    name_len, extra_len = struct.unpack_from("<HH", header, 26)
    fp.seek(info.header_offset + 30 + name_len + extra_len)
    remaining = info.compress_size
    lib = ZLIB
    inflater = lib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    produced = 0
    crc = 0
    while remaining > 0:
        raw = fp.read(min(_CHUNK, remaining))
        if not raw:
            raise _refuse("register.damaged", path=path, detail="truncated zip")
        remaining -= len(raw)
        pending = raw
        while pending:
            if inflater is None:
                out, pending = pending, b""
            else:
                try:
                    out = inflater.decompress(pending, _CHUNK)
                except (zlib.error, lib.error) as exc:  # zlib_ng.error is its own class
                    raise _refuse("register.damaged", path=path, detail="deflate") from exc
                pending = inflater.unconsumed_tail
            produced += len(out)
            if produced > info.file_size:
                raise _refuse("register.zip_lying", path=path, member=info.filename)
            crc = lib.crc32(out, crc)
            if out:
                yield out
            if inflater is not None and inflater.eof:
                break
    if inflater is not None and not inflater.eof:
        raise _refuse("register.damaged", path=path, detail="deflate stream")
    if produced != info.file_size or crc != info.CRC:
        raise _refuse("register.damaged", path=path, detail="crc")


# --- worksheet extent ----------------------------------------------------------------

_ROW_R = re.compile(rb'<row r="(\d{1,9})"')
_ROW_ODD = re.compile(rb'<row(?=[\s/>])(?! r="[1-9]\d{0,6}")')
_PREFIXED = re.compile(rb":(?:c|row)[\s/>]")
_COL_LETTERS = re.compile(rb'<c r="([A-Z]{2,3})\d')
_CELL_IRREGULAR = re.compile(rb'<c(?=[\s/>])(?! r="[A-Z]{1,3}[1-9]\d{0,6}")')
_VALUED_CELL = re.compile(rb'<c r="([A-Z]{1,3})([1-9]\d{0,6})"[^>]*(?<!/)>')
_OPEN_TAG = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?(row|c)(?=[\s/>])([^>]*)>")
_R_ATTR = re.compile(rb"""(?:^|\s)r\s*=\s*["']([^"']*)["']""")
_REF = re.compile(rb"^([A-Za-z]{1,4})(\d{1,9})$")


def column_index(letters: str) -> int:
    """1-based column number of "A", "AB", "XFD"."""
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number


def column_letter(index: int) -> str:
    """Column letters of a 0-based index (0 → "A")."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _at_most(number: int) -> bytes:
    """A regex alternation for decimal numbers 1..number (no leading zero), then a quote."""
    digits = str(number)
    alternatives = []
    if len(digits) >= 2:
        alternatives.append(rb"[1-9]\d{0,%d}" % (len(digits) - 2))
    for i, ch in enumerate(digits):
        low = 1 if i == 0 else 0
        if int(ch) > low:
            rest = rb"\d" * (len(digits) - i - 1)
            alternatives.append(digits[:i].encode() + b"[%d-%d]" % (low, int(ch) - 1) + rest)
    alternatives.append(digits.encode())
    return b"(?:" + b"|".join(alternatives) + b')"'


class _FastExtent:
    """Cheap bounds for a sheet, counting styled empty cells too (so never below calamine's).

    `regular`: every row and cell tag is unprefixed and starts with its r attribute (as
    Excel, WPS, LibreOffice and openpyxl write them). `bounded`: no cell lies below the
    last row tag seen so far. The bounds only hold when both are true.
    """

    def __init__(self) -> None:
        self.max_row = 0
        self.max_col = 0
        self.regular = True
        self.bounded = True
        self._cell_odd: dict[int, re.Pattern[bytes]] = {}

    def feed(self, piece: bytes) -> None:
        if not self.regular:
            return
        if _ROW_ODD.search(piece) or _PREFIXED.search(piece):
            self.regular = False
            return
        row_numbers = _ROW_R.findall(piece)
        if row_numbers:
            self.max_row = max(self.max_row, max(map(int, row_numbers)))
        if self.bounded:
            cell_odd = self._cell_odd.get(self.max_row)
            if cell_odd is None:
                if self.max_row:
                    refs = rb'(?! r="[A-Z]{1,3}' + _at_most(self.max_row) + b")"
                else:
                    refs = b""
                cell_odd = re.compile(rb"<c(?=[\s/>])" + refs)
                self._cell_odd = {self.max_row: cell_odd}
            if cell_odd.search(piece):
                self.bounded = False
        if not self.bounded and _CELL_IRREGULAR.search(piece):
            self.regular = False
            return
        letters = set(_COL_LETTERS.findall(piece))
        if letters:
            self.max_col = max(self.max_col, max(column_index(x.decode()) for x in letters))
        elif row_numbers:
            self.max_col = max(self.max_col, 26)

    def fits(self, limits: Limits) -> bool:
        return self.regular and self.bounded and self.max_row * self.max_col <= limits.max_cells


class _RegularExtent:
    """Exact bounds of the cells holding a value, for a sheet whose tags are regular."""

    def __init__(self) -> None:
        self.min_row = self.min_col = 1 << 40
        self.max_row = self.max_col = 0

    def feed(self, piece: bytes) -> None:
        cells = _VALUED_CELL.findall(piece)
        if not cells:
            return
        letters, rows = zip(*cells, strict=True)
        numbers = list(map(int, rows))
        self.min_row = min(self.min_row, min(numbers))
        self.max_row = max(self.max_row, max(numbers))
        columns = [column_index(x.decode()) for x in set(letters)]
        self.min_col = min(self.min_col, min(columns))
        self.max_col = max(self.max_col, max(columns))

    @property
    def cells(self) -> int:
        if not self.max_row:
            return 0
        return (self.max_row - self.min_row + 1) * (self.max_col - self.min_col + 1)

    @property
    def corner(self) -> str:
        return f"{column_letter(self.max_col - 1)}{self.max_row}"


class _ExactExtent(_RegularExtent):
    """Exact bounds of the cells holding a value, from every row and cell tag (slow, general:
    prefixed tags, attributes in any order, rows and cells without r)."""

    def __init__(self) -> None:
        super().__init__()
        self.row = 0
        self.col = 0

    def feed(self, piece: bytes) -> None:
        for match in _OPEN_TAG.finditer(piece):
            name, attrs = match.groups()
            r_attr = _R_ATTR.search(attrs)
            if name == b"row":
                digits = r_attr.group(1) if r_attr else b""
                self.row = int(digits) if digits.isdigit() else self.row + 1
                self.col = 0
                continue
            ref = _REF.match(r_attr.group(1)) if r_attr else None
            if ref:
                self.col = column_index(ref.group(1).decode())
                self.row = int(ref.group(2))
            else:
                self.col += 1
            if attrs.rstrip().endswith(b"/"):
                continue  # an empty (styled) cell: calamine skips it too
            self.min_row = min(self.min_row, self.row)
            self.min_col = min(self.min_col, self.col)
            self.max_row = max(self.max_row, self.row)
            self.max_col = max(self.max_col, self.col)


def _pieces(chunks: Iterator[bytes], path: str, limits: Limits) -> Iterator[bytes]:
    """Chunks cut so that no tag is split between two of them."""
    carry = b""
    for chunk in chunks:
        data = carry + chunk if carry else chunk
        lt = data.rfind(b"<")
        if lt > data.rfind(b">"):
            carry = data[lt:]
            if len(carry) > limits.max_tag:
                raise _refuse("register.xml_odd", path=path, member="", detail="tag too long")
            data = data[:lt]
        else:
            carry = b""
        yield data
    if carry:
        yield carry


_DTD_MARKERS = (b"<!DOCTYPE", b"<!ENTITY", b"<!doctype")
_ROOT_START = re.compile(rb"<[A-Za-z_]")


def _is_xml(name: str) -> bool:
    lower = name.casefold()
    return lower.endswith((".xml", ".rels", ".vml")) or "." not in lower.rsplit("/", 1)[-1]


def check_package(
    fp: BinaryIO, path: str, limits: Limits = LIMITS, *, defer_sheets: bool = False
) -> PackageInfo:
    """Refuse a zip that is not a usable, safe OOXML workbook; else say what it is.

    With `defer_sheets`, worksheets that workbook.xml names unambiguously are left for
    `check_sheet`, to be called right before each one is parsed; every other part is
    checked here. Without it (or when the names are ambiguous) every part is checked here.
    """
    archive = open_zip(fp, path, limits)
    names = {info.filename: info for info in archive.infolist()}
    if "mimetype" in names and not any(n.startswith("xl/") for n in names):
        mimetype = b"".join(inflate(fp, names["mimetype"], path, limits))[:200]
        if mimetype.startswith(_ODS_MIME):
            raise _refuse("register.ods", path=path)
    content_types = names.get("[Content_Types].xml")
    if content_types is None:
        raise _refuse("register.not_workbook", path=path)
    head = b"".join(inflate(fp, content_types, path, limits)).lower()
    if _BINARY_MAIN in head:
        raise _refuse("register.xlsb", path=path)
    if _MACRO_MAIN in head:
        fmt = "xlsm"
    elif _OOXML_MAIN + b".sheet.main" in head or _OOXML_MAIN + b".template.main" in head:
        fmt = "xlsx"
    else:
        raise _refuse("register.not_workbook", path=path)
    sheet_names, unambiguous = _sheet_names(fp, names, path, limits)
    deferred: dict[str, zipfile.ZipInfo] = {}
    if defer_sheets and unambiguous:
        deferred = {name: names[member] for member, name in sheet_names.items()}
    later = {info.filename for info in deferred.values()}
    for info in archive.infolist():
        if info.is_dir() or info.filename in later:
            continue
        if not _is_xml(info.filename):
            continue  # images, printer settings, VBA: calamine does not read them
        _check_xml_member(fp, info, path, limits, sheet_names.get(info.filename))
    return PackageInfo(format=fmt, members=list(names), deferred=deferred)


def check_sheet(
    fp: BinaryIO, path: str, package: PackageInfo, sheet: str, limits: Limits = LIMITS
) -> None:
    """Check a deferred worksheet before calamine parses the sheet named `sheet`.

    For a name workbook.xml did not give, every deferred worksheet is checked.
    """
    info = package.deferred.pop(sheet, None)
    if info is not None:
        _check_xml_member(fp, info, path, limits, sheet)
        return
    for name, info in list(package.deferred.items()):
        _check_xml_member(fp, info, path, limits, name)
    package.deferred.clear()


_SMALL_PART = 4 * MiB
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


# The two ways writers name a worksheet in workbook.xml.rels (Excel and WPS write the first,
# openpyxl the second), which every reader resolves to the same member.
_PLAIN_TARGET = re.compile(r"(?:/xl/)?worksheets/[\w.\-]+\.xml")


def _sheet_names(
    fp: BinaryIO, names: dict[str, zipfile.ZipInfo], path: str, limits: Limits
) -> tuple[dict[str, str], bool]:
    """Worksheet member → sheet name (to name the sheet in messages), and whether the
    mapping is unambiguous: unique relationship ids, names and members, plain targets of
    members that exist, and no other worksheet member (then a sheet can be checked alone)."""
    workbook = names.get("xl/workbook.xml")
    rels = names.get("xl/_rels/workbook.xml.rels")
    if workbook is None or rels is None or max(workbook.file_size, rels.file_size) > _SMALL_PART:
        return {}, False
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        book = fromstring(b"".join(inflate(fp, workbook, path, limits)))
        links = fromstring(b"".join(inflate(fp, rels, path, limits)))
    except (DefusedXmlException, SyntaxError, ValueError):
        return {}, False  # the member checks that follow say what is wrong
    relationships = list(links.iter(f"{_PKG_NS}Relationship"))
    targets = {rel.get("Id"): str(rel.get("Target", "")) for rel in relationships}
    unambiguous = len(targets) == len(relationships)
    members: dict[str, str] = {}
    for sheet in book.iter(f"{_MAIN_NS}sheet"):
        target = targets.get(sheet.get(f"{_REL_NS}id"), "")
        member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        name = str(sheet.get("name", ""))
        unambiguous = (
            unambiguous
            and _PLAIN_TARGET.fullmatch(target) is not None
            and member in names
            and member not in members
            and name not in members.values()
        )
        members.setdefault(member, name)
    others = [n for n in names if n.casefold().startswith("xl/worksheets/") and n.count("/") == 2]
    unambiguous = unambiguous and all(n in members for n in others)
    return members, unambiguous


_QUICK_COLUMNS = 64  # A..BL
_QUICK_LETTERS = rb"(?:[A-Z]|A[A-Z]|B[A-L])"


@lru_cache(maxsize=4)
def _quick_outliers(max_row: int) -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
    """A cell tag that is not `<c r="LN"` with L <= BL and N <= max_row, and a row tag that is
    not `<row r="N"`: a sheet without either has all its values within max_row x 64 cells.
    (Two searches, each testing its tag's start first, are quicker than one.)"""
    rows = _at_most(max_row)
    return (
        re.compile(rb'<c(?! r="' + _QUICK_LETTERS + rows + rb")[\s/>]"),
        re.compile(rb'<row(?! r="' + rows + rb")[\s/>]"),
    )


def _check_xml_member(
    fp: BinaryIO, info: zipfile.ZipInfo, path: str, limits: Limits, sheet: str | None = None
) -> None:
    # One pass: inflate (size and CRC), the prolog's DTD, and the quick extent test; only a
    # sheet wider than 64 columns, longer than max_cells / 64 rows or with odd tags takes
    # the slower passes below.
    max_row = limits.max_cells // _QUICK_COLUMNS
    outliers = _quick_outliers(max_row) if max_row >= 1 else None
    in_prolog = True
    for piece in _pieces(inflate(fp, info, path, limits), path, limits):
        if in_prolog:
            # A DTD can only stand in the prolog, before the root element's start tag.
            root = _ROOT_START.search(piece)
            prolog = piece if root is None else piece[: root.start()]
            if any(marker in prolog for marker in _DTD_MARKERS):
                raise _refuse("register.xml_dtd", path=path, member=info.filename)
            in_prolog = root is None
        if outliers is not None and (
            outliers[0].search(piece) or outliers[1].search(piece) or _PREFIXED.search(piece)
        ):
            outliers = None
        if outliers is None and not in_prolog:
            break  # the passes below inflate the member again, checking its size and CRC
    if outliers is not None:
        return
    fast = _FastExtent()
    for piece in _pieces(inflate(fp, info, path, limits), path, limits):
        fast.feed(piece)
    if fast.fits(limits):
        return
    exact = _RegularExtent() if fast.regular else _ExactExtent()
    for piece in _pieces(inflate(fp, info, path, limits), path, limits):
        exact.feed(piece)
    if exact.cells > limits.max_cells:
        raise _refuse(
            "register.sheet_too_sparse",
            path=path,
            sheet=sheet or info.filename,
            cell=exact.corner,
        )
