"""A targeted reader of the client sheet: only the columns a command needs, as calamine reads them.

`open_book(..., fields=...)` calls `read_clients`, which reads the client sheet's XML itself
(streamed from the zip in blocks cut after `</row>`, never the whole sheet in memory) and
returns the same Sheet that python-calamine's path returns for those fields, or None when
it cannot vouch for the sheet: the caller then reads the whole sheet with calamine (after
guard.check_sheet, as always). A fallback is always allowed; a different value never.

What it reads, as calamine 0.37 (python-calamine 0.9) gives it to Python:

- the header: the first rows (Excel rows 1-20) are read cell by cell, all columns, to find
  the header exactly as read.py does; then only the cells of the wanted columns are matched
  (one regular expression per 1 MiB block), and their values are typed a column at a time;
- inline strings (`<is>`) and shared strings (`t="s"`, xl/sharedStrings.xml): the `<t>`
  texts concatenated (rich text runs), phonetic `<rPh>` runs left out, ASCII spaces trimmed
  unless `xml:space="preserve"`, XML entities and line ends as an XML parser gives them,
  and calamine's `_x00HH_` escapes decoded (only those: calamine leaves `_x4E2D_` as is);
- numbers (`t="n"` or no `t`) are floats; a number whose style (styles.xml cellXfs →
  numFmtId, a custom format or a built-in date id 14-22, 45, 47) is a date format is a
  date (whole serials) or a datetime, in the 1900 or 1904 system (workbook.xml), with
  calamine's rounding to the millisecond; `t="b"` is a bool, `t="str"` (a formula's text)
  a str, `t="e"` (an error) and an empty cell "" (calamine's empty), as are cells whose
  last child is `<f>` (a formula without a cached value);
- a row is a record when any of its cells, wanted or not, holds more than spaces: rows
  whose wanted cells are all blank are looked at whole (rare), as read.py does.

How a block (1 MiB of whole rows) is read:

- regular blocks (every row has the same cells in the same order, as openpyxl, Excel and
  WPS write a register without gaps): the block is split at each `<c r="`; the cells of one
  column are every W-th piece, joined and matched at once by the simplest pattern that
  takes them all (inline text, shared string index, plain or styled number, else the
  general cell pattern). It is taken only if the pieces are rows x W, every `<c` is a
  `<c r="` one, each position holds one column's letters in every row, no wanted column
  is twice in a row, and each wanted cell's row number is its row's;
- other blocks (cells left out, as Excel leaves out empty cells): one regular expression
  finds the wanted cells (and, with an empty first group, any cell or row tag without a
  plain `r`, which falls back), then the cells are put in their columns by column and row
  (a stable sort; two cells of one column in a row fall back);
- a column's values are made at once when its cells are alike (all inline strings, all
  shared strings, all plain numbers, all date-styled numbers, text mixed with unstyled
  numbers), else cell by cell (exactly, with an XML parser for odd cell bodies).

What it takes on trust, as calamine would read such a file differently only if it is not
valid SpreadsheetML (Excel refuses to open it): that a cell of a column it does not read
has its own row's number (a stray one would only change whether a blank-looking row is
a record).

The safety checks of guard.check_sheet that matter for this reader are made on the same
pass (it builds no grid, so the sparse-sheet limit is calamine's concern only): the member
is inflated with guard.inflate (capped at its declared size, CRC checked at the end), a
DTD in the prolog, a row longer than 64 MiB, or anything below falls back to calamine,
which runs guard.check_sheet first.

Speed (benchmarks/bench_fastread.py, 100,000 clients, 2 shared CPUs under load): open_book
for tier's fields 2.4 s (inline strings) / 2.6 s (shared strings) against 3.3 s / 3.0 s
with calamine, peak RSS 157 / 217 MB against 308 / 325 MB. Pure Python: the regular
expressions over the cells (about 1 s) are the floor of this design.

It falls back (returns None) for: a comment, CDATA section or other `<!` markup in the
sheet data; a sheet workbook.xml does not name unambiguously; a
prefixed (namespaced) root, cell, row or value tag; a row without `r`, a cell whose `r`
is not plain `A1` style (lowercase, absent); rows not in ascending order; two cells of one
wanted column in one row; a DOCTYPE; an XML declaration naming another encoding than
UTF-8, or bytes that are not UTF-8; shared strings it cannot parse; a cell type other than
n, s, str, inlineStr, b, e (`t="d"` too); a number that is not plain decimal
(`-?digits[.digits][e±digits]`); a date-styled number below 1 (a time) or with a duration
format ([h]:mm); a style index with leading zeros; an error value calamine does not know;
an unknown element in a cell; no header within the first block's rows.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
import queue
import re
import threading
import zipfile
from collections.abc import Callable, Collection, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO, Literal, cast

from clientbook.register import guard
from clientbook.register.model import Sheet, ValueIssue
from clientbook.register.schema import CLIENTS, TIER_FIELDS
from clientbook.register.values import ValueProblem, header_index, is_blank
from clientbook.register.worker import Worker, take_early, tier_worker

_FROM_ID = frozenset(("birth_date", "gender", "id_number"))
_ALWAYS = frozenset(("client_id", "name"))  # the totals rows (合计) are told by these


def closure(fields: Collection[str]) -> frozenset[str]:
    """The fields read for `fields`: client_id and name always (a totals row is told by
    them), and birth_date, gender and id_number together (the first two are filled from
    the third), so that the records equal a full read's for every field in `fields`."""
    wanted = frozenset(fields) | _ALWAYS
    if wanted & _FROM_ID:
        wanted |= _FROM_ID
    return wanted


class Fallback(Exception):
    """The targeted reader cannot vouch for this sheet: read it with calamine."""


_MAX_CARRY = 64 << 20  # one row's XML at most
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_ERRORS = frozenset((b"#DIV/0!", b"#N/A", b"#NAME?", b"#NULL!", b"#NUM!", b"#REF!", b"#VALUE!"))
_ASCII_TYPES = frozenset((b"", b"n", b"s", b"b", b"e"))
_NUMBER = re.compile(rb"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
_NUMBERS = re.compile(rb"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?:,-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)*")
_X00 = re.compile(r"_x00([0-9A-Fa-f]{2}|\+[0-9A-Fa-f])_")
_EPOCH = datetime(1899, 12, 30)
_EPOCH_DAY = _EPOCH.toordinal()

# One cell: column letters, row, s, t, other attributes, then <v>, a plain <is><t>, a
# preserved <is><t>, or any other body (read exactly, cell by cell).
_CELL_TAIL = (
    rb')(\d+)"(?: s="(\d+)")?(?: t="(\w+)")?\s*([^>]*?)(?:/>|>(?:<v>([^<&]*)</v>'
    rb"|<is><t>((?:[^<&\s](?:[^<&]*[^<&\s])?)?)</t></is>"
    rb'|<is><t xml:space="preserve">([^<&]*)</t></is>|(.*?))</c>)'
)
_ANY_CELL = re.compile(rb'<c r="([A-Z]{1,3}' + _CELL_TAIL, re.S)
_ROW = re.compile(rb'<row r="(\d+)"[^>]*?(?:/>|>(.*?)</row>)', re.S)
_ROW_NUMBERS = re.compile(rb'<row r="(\d+)"')
# A tag this reader cannot vouch for: a cell or row without a plain r, or a prefixed tag
# that calamine (which matches local names) would read as a cell, row, value or text.
_ODD_TAGS = rb'c(?! r="[A-Z]{1,3}[1-9]\d{0,6}")[\s/>]|row(?! r="[1-9]\d{0,6}")[\s/>]'
_ODD = re.compile(rb"<(?:" + _ODD_TAGS + rb")")
# A prefixed tag: first a quick search from the colon (rare in registers), then exactly.
_PREFIX_HINT = re.compile(rb":(?:c|row|v|is|t|f|r|rPh|si|sst|sheetData|worksheet)[\s/>]")
_PREFIXED = re.compile(
    rb"<[A-Za-z_][\w.\-]*:(?:c|row|v|is|t|f|r|rPh|si|sst|sheetData|worksheet)[\s/>]"
)


def _prefixed(data: bytes) -> bool:
    return (
        b":" in data  # a memchr: the hint's search scans the whole block when there is none
        and _PREFIX_HINT.search(data) is not None
        and _PREFIXED.search(data) is not None
    )


def _markup(data: bytes) -> bool:
    """Whether `data` holds `<!` (a comment or CDATA section). "!" alone is a memchr, rare
    in a sheet; a search for the two bytes stops at every "<" (20 times slower)."""
    return b"!" in data and b"<!" in data


_DECL_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']+)["']""")
_ROOT = re.compile(rb"<[A-Za-z_][\w.\-]*(?::[\w.\-]+)?")
_SHEET_DATA = re.compile(rb"<sheetData\s*>")
_DTD_MARKERS = (b"<!DOCTYPE", b"<!ENTITY", b"<!doctype")


# --- workbook parts ------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _parse(data: bytes) -> Any:
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        return fromstring(data)
    except (DefusedXmlException, SyntaxError, ValueError) as exc:
        raise Fallback from exc


def _unescape(text: str) -> str:
    """calamine's unescape_xml: `_x00HH_` is the character HH; nothing else."""
    if "_x00" not in text:
        return text
    return _X00.sub(lambda m: chr(int(m.group(1), 16)), text)


def _string_of(element: Any) -> str:
    """An <si> or <is> element's text as calamine's read_string gives it."""
    parts: list[str] = []
    phonetic = False

    def walk(node: Any) -> None:
        nonlocal phonetic
        for child in node:
            tag = _local(child.tag)
            if tag == "rPh":
                phonetic = True
                walk(child)
                phonetic = False
            elif tag == "t" and not phonetic:
                value = "".join(child.itertext())
                if child.get(_XML_SPACE) != "preserve":
                    value = value.strip(" \t\r\n")
                parts.append(_unescape(value))
            else:
                walk(child)

    walk(element)
    return "".join(parts)


class _Floats(dict[bytes, float]):
    """Plain decimal <v> text → float, filled on first sight; Fallback for other text."""

    def __missing__(self, raw: bytes) -> float:
        if _NUMBER.fullmatch(raw) is None:
            raise Fallback
        value = self[raw] = float(raw)
        return value


class _Shared(dict[bytes, str]):
    """A shared string's index as written in <v> → its text; Fallback for an index calamine
    would not find (or read differently: leading zeros)."""

    def __init__(self, strings: list[str]) -> None:
        super().__init__()
        self.strings = strings

    def __missing__(self, raw: bytes) -> str:
        if not raw.isdigit() or (raw[:1] == b"0" and raw != b"0"):
            raise Fallback
        try:
            value = self[raw] = self.strings[int(raw)]
        except IndexError:
            raise Fallback from None
        return value


class _Dates(dict[bytes, Any]):
    """Date-styled <v> text → date or datetime, filled on first sight."""

    def __init__(self, book: _Book) -> None:
        super().__init__()
        self.book = book

    def __missing__(self, raw: bytes) -> Any:
        if _NUMBER.fullmatch(raw) is None:
            raise Fallback
        value = self[raw] = _date_value(self.book, raw)
        return value


class _Book:
    """What the cells need from the rest of the workbook: strings, date styles, 1904."""

    def __init__(self, strings: list[str], formats: list[str], is_1904: bool) -> None:
        self.strings = strings
        self.shared = _Shared(strings)
        self.date_styles = frozenset(str(i).encode() for i, f in enumerate(formats) if f == "d")
        self.delta_styles = frozenset(str(i).encode() for i, f in enumerate(formats) if f == "t")
        self.is_1904 = is_1904
        self.dates = _Dates(self)
        self.floats = _Floats()


def _custom_format(code: str) -> str:
    """calamine's detect_custom_number_format: "d" (date), "t" (duration) or "" (other)."""
    escaped = is_quote = ap = hms = False
    brackets = 0
    prev = " "
    for s in code:
        if escaped:
            escaped = False
        elif s in "_\\*":
            escaped = True
        elif is_quote:
            if s == '"':
                is_quote = False
        elif s == '"':
            is_quote = True
        elif s == ";":
            return ""
        elif s == "[":
            brackets = min(brackets + 1, 255)
        elif s == "]" and brackets == 1 and hms:
            return "t"
        elif s == "]":
            brackets = max(brackets - 1, 0)
        elif s in "aA" and not ap and brackets == 0:
            ap = True
        elif s in "pm/PM" and ap and brackets == 0:
            return "d"
        elif s in "dmhysDMHYS" and not ap and brackets == 0:
            return "d"
        elif hms and s.lower() == prev.lower():
            pass
        else:
            hms = prev == "[" and s in "mhsMHS"
        prev = s
    return ""


def _builtin_format(num_id: str) -> str:
    if num_id in ("14", "15", "16", "17", "18", "19", "20", "21", "22", "45", "47"):
        return "d"
    return "t" if num_id == "46" else ""


def _styles(data: bytes | None) -> list[str]:
    if data is None:
        return []
    root = _parse(data)
    custom: dict[str, str] = {}
    formats: list[str] = []
    for node in root.iter():
        tag = _local(node.tag)
        if tag == "numFmts":
            for fmt in node.iter():
                if _local(fmt.tag) == "numFmt":
                    num_id, code = fmt.get("numFmtId"), fmt.get("formatCode")
                    if num_id is not None and code is not None:
                        custom[num_id] = code
        elif tag == "cellXfs":
            for xf in node.iter():
                if _local(xf.tag) == "xf":
                    num_id = xf.get("numFmtId")
                    if num_id is None:
                        formats.append("")
                    elif num_id in custom:
                        formats.append(_custom_format(custom[num_id]))
                    else:
                        formats.append(_builtin_format(num_id))
    return formats


_SI = re.compile(
    rb"<si>(?:<t>((?:[^<&\s](?:[^<&]*[^<&\s])?)?)</t>"
    rb'|<t xml:space="preserve">([^<&]*)</t>|(.*?))</si>|<si/>',
    re.S,
)


def _shared_strings(data: bytes | None) -> list[str]:
    if data is None:
        return []
    if any(marker in data for marker in _DTD_MARKERS) or _prefixed(data):
        raise Fallback
    found = _SI.findall(data)
    if len(found) != data.count(b"<si>") + data.count(b"<si/>") or b"<si " in data:
        raise Fallback  # an <si> with attributes or that the pattern did not take
    if not found:
        return []
    plain, kept, other = zip(*found, strict=True)
    # Plain texts have no spaces at their ends (others are read as bodies): none to trim.
    strings = _decode_all(tuple(map(max, plain, kept)))
    if other.count(b"") != len(other):
        for i, body in enumerate(other):
            if body:
                strings[i] = _string_of(_parse(b"<si>" + body + b"</si>"))
    return strings


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _workbook(fp: BinaryIO, shown: str) -> _Book:
    archive = zipfile.ZipFile(fp)
    names = {info.filename: info for info in archive.infolist()}

    def part(name: str) -> bytes | None:
        info = names.get(name)
        if info is None:
            return None
        return b"".join(guard.inflate(fp, info, shown))

    book = part("xl/workbook.xml")
    if book is None:
        raise Fallback
    is_1904 = False
    for node in _parse(book).iter():
        if _local(node.tag) == "workbookPr":
            is_1904 = node.get("date1904") in ("1", "true")
    return _Book(
        _shared_strings(part("xl/sharedStrings.xml")), _styles(part("xl/styles.xml")), is_1904
    )


# --- cell values ---------------------------------------------------------------------


def _round_half_away(x: float) -> int:
    whole = math.trunc(x)
    if abs(x - whole) >= 0.5:
        whole += 1 if x > 0 else -1
    return int(whole)


def _date_value(book: _Book, raw: bytes) -> Any:
    """A date-styled number as python-calamine gives it."""
    if raw.isdigit():  # a whole day (most dates): the same date, without the float steps
        days = int(raw)
        if days >= 1:
            since = days + 1462 if book.is_1904 else days
            try:
                return date.fromordinal(_EPOCH_DAY + since + (since < 60))
            except (ValueError, OverflowError):
                pass  # out of the calendar: as below
    value = float(raw)
    if not math.isfinite(value):
        return value
    if not value >= 1.0:
        raise Fallback  # a time of day (or negative): not needed by any register field
    serial = value + 1462.0 if book.is_1904 else value
    if serial < 60.0:
        serial += 1.0
    try:
        moment = _EPOCH + timedelta(milliseconds=_round_half_away(serial * 86400000.0))
    except OverflowError:
        return value
    if value == float(int(value)):
        return moment.date()
    return moment


def _number(book: _Book, style: bytes, raw: bytes) -> Any:
    if _NUMBER.fullmatch(raw) is None:
        raise Fallback
    if not style:
        return float(raw)
    if style in book.date_styles:
        return book.dates[raw]
    if style in book.delta_styles or (style[:1] == b"0" and style != b"0"):
        raise Fallback
    return float(raw)


def _text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Fallback from exc


def _v_value(book: _Book, kind: bytes, style: bytes, raw: bytes) -> Any:
    """A <v> of a cell of type `kind`, as calamine's read_v."""
    if kind in (b"inlineStr", b"is"):
        return ""
    if not raw:
        return ""
    if kind == b"" or kind == b"n":
        return _number(book, style, raw)
    if kind == b"s":
        return book.shared[raw]
    if kind == b"b":
        return raw != b"0"
    if kind == b"e":
        if raw in _ERRORS:
            return ""
        raise Fallback
    if kind == b"str":
        return _newlines(_text(raw))
    raise Fallback  # t="d" and unknown types


_ATTR = re.compile(rb"""(?:^|\s)([\w:.\-]+)\s*=\s*(["'])(.*?)\2""", re.S)


def _cell(
    book: _Book,
    style: bytes,
    kind: bytes,
    rest: bytes,
    v: bytes,
    plain: bytes,
    kept: bytes,
    body: bytes,
) -> Any:
    """One cell's value, exactly (the slow path: any cell the column path did not take)."""
    if rest.strip():
        attrs = {name: value for name, _, value in _ATTR.findall(rest)}
        if b"r" in attrs or (b"s" in attrs and style) or (b"t" in attrs and kind):
            raise Fallback
        if attrs.get(b"s", b"x") == b"" or attrs.get(b"t", b"x") == b"":
            raise Fallback  # calamine: style 0, or an unknown type
        style = attrs.get(b"s", style)
        kind = attrs.get(b"t", kind)
        if b"&" in style + kind or (style and not style.isdigit()):
            raise Fallback
    if body:
        return _body_value(book, kind, style, body)
    if plain:
        return _unescape(_newlines(_text(plain)))
    if kept:
        return _unescape(_newlines(_text(kept)))
    return _v_value(book, kind, style, v)


def _body_value(book: _Book, kind: bytes, style: bytes, body: bytes) -> Any:
    if kind in _ASCII_TYPES and b"&" in body:
        raise Fallback  # calamine reads these <v> raw, entities and all
    root = _parse(b"<c>" + body + b"</c>")
    value: Any = ""
    for child in root:
        tag = _local(child.tag)
        if tag == "is":
            value = _string_of(child)
        elif tag == "v":
            if len(child):
                raise Fallback
            value = _v_value(book, kind, style, (child.text or "").encode("utf-8"))
        elif tag == "f":
            value = ""
        else:
            raise Fallback  # calamine refuses the sheet
    return value


# --- the sheet -----------------------------------------------------------------------


class _Inflating(threading.Thread):
    """guard.inflate in the background (zlib releases the GIL): chunks through a short queue."""

    def __init__(self, fp: BinaryIO, info: zipfile.ZipInfo, shown: str) -> None:
        super().__init__(name="clientbook-inflate", daemon=True)
        self.source = guard.inflate(fp, info, shown)
        self.chunks: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=8)
        self.stopped = threading.Event()
        self.start()

    def run(self) -> None:
        item: bytes | BaseException | None
        try:
            for item in self.source:
                if not self._put(item):
                    return
            item = None
        except BaseException as exc:  # handed to the reading thread
            item = exc
        self._put(item)

    def _put(self, item: bytes | BaseException | None) -> bool:
        while not self.stopped.is_set():
            try:
                self.chunks.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def __iter__(self) -> Iterator[bytes]:
        while True:
            item = self.chunks.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def stop(self) -> None:
        self.stopped.set()
        while True:  # a put waiting for room returns now, not after its 0.1 s timeout
            try:
                self.chunks.get_nowait()
            except queue.Empty:
                break
        self.join()


def _blocks(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The member's bytes cut after a `</row>` (whole rows), about 1 MiB each."""
    carry = b""
    for chunk in chunks:
        data = carry + chunk if carry else chunk
        cut = data.rfind(b"</row>")
        if cut < 0:
            carry = data
            if len(carry) > _MAX_CARRY:
                raise Fallback
            continue
        cut += 6
        yield data[:cut]
        carry = data[cut:]
    if carry:
        yield carry


def _head(block: bytes) -> int:
    """Where the rows start in the first block (after <sheetData>), or Fallback."""
    declared = _DECL_ENCODING.match(block)
    if declared and declared.group(1).lower().replace(b"-", b"") != b"utf8":
        raise Fallback
    data = _SHEET_DATA.search(block)
    if data is None:
        raise Fallback
    prolog_end = block.find(b"<worksheet")
    if prolog_end < 0 or any(m in block[:prolog_end] for m in _DTD_MARKERS):
        raise Fallback
    if block[prolog_end + 10 : prolog_end + 11] not in (b" ", b">", b"\n", b"\r", b"\t"):
        raise Fallback
    return data.end()


class _Column:
    """One wanted column: its letters and the read.py reader of its field."""

    __slots__ = ("letters", "reader")

    def __init__(self, letters: bytes, reader: Any) -> None:
        self.letters = letters
        self.reader = reader


Group = tuple[bytes, ...]


def _column_values(
    book: _Book,
    style: Group,
    kind: Group,
    rest: Group,
    v: Group,
    plain: Group,
    kept: Group,
    body: Group,
) -> list[Any]:
    """The values of one column's cells, given as the groups _CELL_TAIL captures."""
    n = len(style)
    if rest.count(b"") == n and body.count(b"") == n:
        if kind.count(b"inlineStr") == n:
            return _decode_all(plain if kept.count(b"") == n else tuple(map(max, plain, kept)))
        if plain.count(b"") == n and kept.count(b"") == n:
            if kind.count(b"s") == n and v.count(b"") == 0:
                try:
                    return list(map(book.shared.__getitem__, v))
                except Fallback:
                    pass  # leading zeros, or a missing string: cell by cell
            elif kind.count(b"") + kind.count(b"n") == n and v.count(b"") == 0:
                styles = set(style)
                if _NUMBERS.fullmatch(b",".join(v)) is not None:
                    if styles <= book.date_styles:
                        return list(map(book.dates.__getitem__, v))
                    if styles.isdisjoint(book.date_styles) and styles.isdisjoint(book.delta_styles):
                        if all(s == b"0" or s[:1] != b"0" for s in styles):
                            return list(map(float, v))
        kinds = kind.count(b"inlineStr") + kind.count(b"s") + kind.count(b"n") + kind.count(b"")
        if kinds == n and style.count(b"") == n:
            # Text and plain numbers mixed (amounts typed as "120万"): a memo per value. A
            # cell with an <is> is its text whatever its type, as in calamine.
            texts = _decode_all(plain if kept.count(b"") == n else tuple(map(max, plain, kept)))
            floats, shared = book.floats, book.shared
            try:
                return [
                    t
                    if t or k == b"inlineStr"
                    else (shared[x] if k == b"s" else floats[x])
                    if x
                    else ""
                    for k, t, x in zip(kind, texts, v, strict=True)
                ]
            except Fallback:
                pass
    return [_cell(book, *c) for c in zip(style, kind, rest, v, plain, kept, body, strict=True)]


def _decode_all(raw: Sequence[bytes]) -> list[str]:
    """Inline texts (plain or preserved) as str, all at once."""
    try:
        joined = b"\0".join(raw).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Fallback from exc
    texts = joined.split("\0")
    if "\r" in joined or "_x00" in joined:
        texts = [_unescape(_newlines(t)) for t in texts]
    return texts


def _row_blank(book: _Book, xml: bytes) -> bool:
    """Whether every cell of a row's XML is blank (read exactly)."""
    for match in _ANY_CELL.findall(xml):
        if not is_blank(_cell(book, *match[2:])):
            return False
    return True


def read_clients(
    fp: BinaryIO,
    package: guard.PackageInfo,
    name: str,
    shown: str,
    fields: Collection[str],
    told: Callable[[], object] | None = None,
    path: Path | None = None,
    worker: Worker | None = None,
    ahead: ReadAhead | None = None,
) -> tuple[Sheet[Any], int, int] | None:
    """The client sheet `name` read for `fields`, as read.py's _read_sheet reads it from
    calamine; None when the targeted reader cannot vouch for the sheet (read it with
    calamine then). NoHeaderRow and damaged-zip errors are raised as the calamine path
    would raise them. With `worker` and the register's `path` (a plain file), the last
    part of a big sheet's rows is read by the worker meanwhile (see _Split); that job is
    submitted before `told()`, so that jobs submitted there queue behind it. With `ahead`
    (read_ahead), its job is that part when it reads this very sheet, and else this
    process reads the whole sheet (the worker is busy with the other one)."""
    info = package.deferred.get(name)
    tail: Future[Any] | None = None
    at = 0
    if info is not None and ahead is not None and path is not None:
        if ahead.serves(path, name, info, fields):
            at, tail = ahead.at, ahead.job
    elif info is not None and worker is not None and path is not None:
        if info.file_size >= SPLIT_FROM:
            at = int(info.file_size * (1 - TAIL_SHARE))
            member = (info.CRC, info.file_size)  # the worker reads the same bytes, or none
            tail = worker.submit(read_tail, str(path), name, sorted(fields), at, member)
    if told is not None:
        told()
    if info is None:
        return None
    try:
        book = _workbook(fp, shown)
        split = None if tail is None else (at, tail)
        try:
            result = _read(fp, info, shown, name, book, fields, split)
        except _TailFailed:
            result = _read(fp, info, shown, name, book, fields, None)
    except Fallback:
        return None
    if result is not None:
        package.deferred.pop(name, None)  # checked on the way (see the module docstring)
    return result


def _read(
    fp: BinaryIO,
    info: zipfile.ZipInfo,
    shown: str,
    name: str,
    book: _Book,
    fields: Collection[str],
    split: tuple[int, Future[Any]] | None = None,
) -> tuple[Sheet[Any], int, int] | None:
    inflating = _Inflating(fp, info, shown)
    try:
        blocks = _blocks(iter(inflating))
        if split is None:
            whole: tuple[Sheet[Any], int, int] = _read_blocks(blocks, name, book, fields)
            return whole
        at, tail = split
        head: tuple[Sheet[Any], int, int] = _read_blocks(
            blocks, name, book, fields, _Split(at, False), tail
        )
        return head
    finally:
        inflating.stop()  # the file handle is ours again


# --- a big sheet read by two processes -----------------------------------------------
#
# The reading holds the GIL (regular expressions and Python objects per cell), so on a big
# sheet the worker process (worker.py) reads the rows of its last part meanwhile, on the
# other core: blocks are cut the same way in both processes (the same bytes, the same
# code); the worker reads those that start at or after byte `at` of the sheet's XML and
# this process those before it. The worker sends its records back column by column
# (pickled records would cost more than they save) with its issues. If it cannot read its
# part, or its rows do not follow ours, this process reads the whole sheet itself.

SPLIT_FROM = 32 << 20  # the client sheet's XML (bytes) from which the worker reads a part
# Of the sheet's XML. The worker also starts up and inflates all of it, but `clientbook
# tier` starts it before its own imports (launch.py), and its second job (the writer's
# first pass) has until the scoring ends. At 100,000 clients, of 0.40-0.53, 0.48-0.50 gave
# the best times; at 0.50 this process waited about 0.1 s for the worker's part.
TAIL_SHARE = 0.48


@dataclass
class ReadAhead:
    """A worker started before the command has loaded, already reading the last part of
    the client sheet (see read_ahead); `with` it: the worker is stopped on the way out."""

    worker: Worker
    path: Path
    sheet: str
    at: int
    member: tuple[int, int]  # the sheet's (CRC-32, size)
    fields: frozenset[str]
    job: Future[Any]

    def serves(self, path: Path, name: str, info: zipfile.ZipInfo, fields: Collection[str]) -> bool:
        """Whether the job reads what the caller is reading: the same file and sheet, of
        the same bytes, for the same fields."""
        return (
            Path(path) == self.path
            and name == self.sheet
            and (info.CRC, info.file_size) == self.member
            and closure(fields) == self.fields
        )

    def __enter__(self) -> ReadAhead:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        self.worker.close(kill=exc_type is not None)


def read_ahead(path: Path, sheet: str | None, fields: Collection[str]) -> ReadAhead | None:
    """For a big register (a plain .xlsx/.xlsm whose client sheet's XML is SPLIT_FROM bytes
    or more): a worker that reads the last part of the client sheet open_book will choose
    (`sheet` as its option) while the caller goes on loading, before it opens the register
    itself (`clientbook tier` spends a third of a second on its imports): the one
    launch.py started with tier_tail_early when that reads this very part, else one
    started now. None for anything else, a file that cannot be read included: open_book
    then says why."""
    part = _tail_part(path, sheet)
    if part is None:
        return None
    name, at, member = part
    wanted = closure(fields)
    early = take_early()
    if early is not None and early.path is not None:
        if Path(early.path) == Path(path) and sheet is None and wanted == closure(TIER_FIELDS):
            job = _checked(early.job, (name, at, member))
            return ReadAhead(early.worker, Path(path), name, at, member, wanted, job)
        early.worker.close(kill=True)  # busy with another file's part: not worth waiting for
        early = None
    worker = early.worker if early is not None else tier_worker()  # started early, idle
    job = worker.submit(read_tail, str(path), name, sorted(wanted), at, member)
    return ReadAhead(worker, Path(path), name, at, member, wanted, job)


def tier_tail_early(path: str, split_from: int) -> tuple[Any, ...]:
    """The worker's job when launch.py starts it, before `tier`'s options are parsed: as
    read_tail for the part read_ahead(path, None, TIER_FIELDS) would choose (`split_from`:
    SPLIT_FROM as the caller has it), followed by that part ((sheet, at, member), or None)
    for read_ahead to check against its own."""
    part = _tail_part(Path(path), None, split_from)
    if part is None:
        return ("fallback", None)
    name, at, member = part
    return (*read_tail(path, name, sorted(closure(TIER_FIELDS)), at, member), part)


def _checked(job: Future[Any], part: tuple[str, int, tuple[int, int]]) -> Future[Any]:
    """tier_tail_early's answer as read_tail's, when it read `part`; else a fallback (the
    file changed in between: this process reads the whole sheet)."""
    out: Future[Any] = Future()

    def done(answered: Future[Any]) -> None:
        try:
            answer = answered.result()
        except BaseException as exc:
            out.set_exception(exc)
            return
        out.set_result(answer[:-1] if answer[-1] == part else ("fallback",))

    job.add_done_callback(done)
    return out


def _tail_part(
    path: Path, sheet: str | None, split_from: int | None = None
) -> tuple[str, int, tuple[int, int]] | None:
    """The client sheet open_book will choose, if a worker should read its last part:
    (its name, the byte of its XML where that part starts, its (CRC-32, size))."""
    from clientbook.register import read

    shown = str(path)
    try:
        with open(path, "rb") as source:
            if source.read(4) != b"PK\x03\x04":
                return None  # not a zip: encrypted, or not a workbook
            source.seek(0)
            package = guard.check_package(source, shown, defer_sheets=True)
            workbook = read._calamine_from_path(source, path)
            if workbook is None:
                return None
            with workbook:
                _, (name, _, _) = read.sheets_chosen(workbook, sheet, shown)
    except Exception:  # open_book reads it again and says what is wrong
        return None
    info = package.deferred.get(name)
    if info is None or info.file_size < (SPLIT_FROM if split_from is None else split_from):
        return None
    return name, int(info.file_size * (1 - TAIL_SHARE)), (info.CRC, info.file_size)


class _TailFailed(Exception):
    """The worker did not read its part: read the whole sheet here."""


@dataclass(frozen=True)
class _Split:
    at: int  # the first byte of the sheet's XML that is the worker's (blocks starting there)
    tail: bool  # True in the worker: read the blocks from `at` on; else those before it


@dataclass
class _Tail:
    records: Any  # in the worker a _Columns; in this process, once sent, the records
    issues: list[ValueIssue]
    first_row: int | None  # the first row number of the worker's blocks
    last_row: int


class _Columns:
    """The worker's rows column by column: the arguments this process makes their records
    with, record_type(row, *values in plan.layout's order), so that no record is made in
    the worker only to be taken apart for sending."""

    def __init__(self, plan: Any) -> None:
        self.keys = [None if reader is None else reader.key for reader, _ in plan.layout]
        self.defaults = [default for _, default in plan.layout]
        self.rows: list[int] = []
        self.values: list[list[Any]] = [[] for _ in plan.layout]

    def add(self, numbers: list[int], args: list[Any], blank: set[int]) -> None:
        keep = [i for i in range(len(numbers)) if i not in blank] if blank else None
        for key, column, values in zip(self.keys, self.values, args, strict=True):
            if key is not None:
                column += values if keep is None else map(values.__getitem__, keep)
        self.rows += numbers if keep is None else map(numbers.__getitem__, keep)

    def sent(self) -> list[Any]:
        """Per layout field its values (packed: see _pack), or (default,) for a field not
        read."""
        return [
            (default,) if key is None else _pack(values)
            for key, values, default in zip(self.keys, self.values, self.defaults, strict=True)
        ]


# The worker's columns cross the pipe pickled, at the end of its part while this process
# waits for them. Two kinds of column pickle slowly: dates (one reduce each) and texts that
# repeat (职业, 学历: a new str per cell, so each is written out again). A column of dates is
# sent as day numbers, and a text column with repeats with one object per distinct text,
# which pickle then writes once (the 48,000-row part of the benchmark: 7 MB to 4 MB).
_DAYS = "days"


def _pack(values: list[Any]) -> list[Any] | tuple[str, list[int]]:
    kinds = set(map(type, values))
    if kinds == {date}:
        return (_DAYS, list(map(date.toordinal, values)))
    if kinds == {str}:
        distinct = set(values)
        if len(distinct) * 2 < len(values):
            one = {text: text for text in distinct}
            return list(map(one.__getitem__, values))
    return values


def _unpack(sent: list[Any] | tuple[Any, ...]) -> Any:
    """Values of a field as _pack sent them (an iterable), or its default repeated."""
    if isinstance(sent, tuple):
        if len(sent) == 2 and sent[0] == _DAYS:
            day_of = {n: date.fromordinal(n) for n in set(sent[1])}
            return list(map(day_of.__getitem__, sent[1]))
        return itertools.repeat(sent[0])
    return sent


def read_tail(
    path: str, name: str, fields: list[str], at: int, member: tuple[int, int]
) -> tuple[Any, ...]:
    """The worker's job: the rows of the blocks from byte `at` on, column by column
    (("ok", the layout's field keys, row numbers, values per field or (default,) for a
    field not read, issues, first row, last row), or ("fallback",)).
    `member` is the sheet's (CRC-32, size) as the caller read it: a register saved again
    in between has other bytes, and the worker then reads none of them."""
    try:
        tail = _read_tail(Path(path), name, fields, at, member)
    except Fallback:
        return ("fallback",)
    rows: _Columns = tail.records
    issues = [(i.code, i.field, i.row, i.raw, i.suggestion) for i in tail.issues]
    return ("ok", rows.keys, rows.rows, rows.sent(), issues, tail.first_row, tail.last_row)


def _read_tail(
    path: Path, name: str, fields: Collection[str], at: int, member: tuple[int, int]
) -> _Tail:
    from clientbook.register import read

    shown = str(path)
    source, encrypted = read._read_source(path, None)
    with source:
        package = guard.check_package(source, shown, defer_sheets=True)
        info = package.deferred.get(name)
        if info is None or encrypted or (info.CRC, info.file_size) != tuple(member):
            raise Fallback  # inflating checks the bytes against this CRC
        book = _workbook(source, shown)
        inflating = _Inflating(source, info, shown)
        try:
            tail = _read_blocks(_blocks(iter(inflating)), name, book, fields, _Split(at, True))
        finally:
            inflating.stop()
    assert isinstance(tail, _Tail)
    return tail


def _tail_of(job: Future[Any], plan: Any) -> _Tail:
    """The worker's answer with its records, or _TailFailed."""
    try:
        answer = job.result()
    except Exception as exc:
        raise _TailFailed from exc
    if answer[0] != "ok" or answer[1] != _Columns(plan).keys:
        raise _TailFailed  # read for other fields than this process reads
    rows, sent, issues, first_row, last_row = answer[2:]
    records = list(map(plan.record_type, rows, *map(_unpack, sent)))
    return _Tail(records, [ValueIssue(*i) for i in issues], first_row, last_row)


def _read_blocks(
    blocks: Iterator[bytes],
    name: str,
    book: _Book,
    fields: Collection[str],
    split: _Split | None = None,
    tail_job: Future[Any] | None = None,
) -> Any:
    """The sheet (its Sheet, English and matched header counts); with `split`, only the
    blocks on this side of the cut: in the worker (split.tail) a _Tail, before _finish;
    in this process the rest comes from `tail_job`."""
    from clientbook.register import read

    first = next(blocks, b"")
    start = _head(first)
    index = header_index(CLIENTS)
    header: tuple[int, list[tuple[int, Any]]] | None = None
    after = start
    if _prefixed(first) or first.find(b"<!", start) >= 0:
        raise Fallback
    for match in _ROW.finditer(first, start):
        number = int(match.group(1))
        if number > read.HEADER_SEARCH_ROWS:
            break
        cells = [
            (guard.column_index(c[0].decode()) - 1, _cell(book, *c[2:]))
            for c in _ANY_CELL.findall(match.group(2) or b"")
        ]
        if len(read._header_matches([v for _, v in cells], index)) >= read.MIN_HEADER_MATCHES:
            header = (number, cells)
            after = match.end()
            break
    if header is None or _ODD.search(first, start, after):
        raise Fallback  # calamine says whether there is no header (NoHeaderRow)
    header_row, header_cells = header
    width = max(j for j, _ in header_cells) + 1
    row = [""] * width
    for j, value in header_cells:
        row[j] = value  # later cells win, as in calamine's grid
    plan = read._plan(list(enumerate(row)), 0, CLIENTS, fields)
    readers = sorted(plan.readers, key=lambda r: r.j)
    columns = [_Column(guard.column_letter(r.j).encode(), r) for r in readers]
    if not columns:
        raise Fallback
    # The wanted cells, and (with an empty first group) any cell or row tag without a plain r.
    letters = b"|".join(c.letters for c in columns)
    pattern = re.compile(rb'<(?:c r="(' + letters + _CELL_TAIL + rb"|" + _ODD_TAGS + rb")", re.S)
    records: list[Any] | _Columns = _Columns(plan) if split is not None and split.tail else []
    issues: list[ValueIssue] = []
    last_row = header_row
    first_row: int | None = None
    position = len(first)  # where the next block starts in the sheet's XML
    for i, block in enumerate(itertools.chain((first[after:],), blocks)):
        start = 0 if i == 0 else position
        if i:
            position += len(block)
        if split is not None:
            if split.tail and (i == 0 or start < split.at):
                continue  # the other process's rows
            if not split.tail and i and start >= split.at:
                break  # the child's rows from here on
        if i and (_prefixed(block) or _markup(block)):
            raise Fallback  # a prefixed tag, a comment or a CDATA section
        if first_row is None and (found := _ROW_NUMBERS.search(block)) is not None:
            first_row = int(found.group(1))
        last_row = _read_block(block, pattern, columns, book, plan, records, issues, last_row)
    if split is not None and split.tail:
        return _Tail(records, issues, first_row, last_row)
    assert isinstance(records, list)
    if tail_job is not None:
        tail = _tail_of(tail_job, plan)
        if tail.first_row is not None:
            if tail.first_row <= last_row:
                raise _TailFailed  # rows out of order across the cut: read it all here
            records += tail.records
            issues += tail.issues
    kind: Literal["clients"] = "clients"
    return read._finish(name, kind, header_row, plan, records, issues)


def _read_block(
    block: bytes,
    pattern: re.Pattern[bytes],
    columns: list[_Column],
    book: _Book,
    plan: Any,
    records: list[Any] | _Columns,
    issues: list[ValueIssue],
    last_row: int,
) -> int:
    """Read one block's rows into `records` and `issues`; the last row number seen."""
    from clientbook.register import read

    present = list(map(int, _ROW_NUMBERS.findall(block)))
    if present:
        if present[0] <= last_row or not all(map(int.__lt__, present, present[1:])):
            raise Fallback
        last_row = present[-1]
    k = len(columns)
    letters = [c.letters for c in columns]
    numbers: list[int]
    raw: list[list[Any]]
    split = _split_block(block, present, columns, book) if present else None
    found = pattern.findall(block) if split is None else []
    if split is not None:
        numbers, raw = present, split
    elif not found:
        numbers = []
        raw = [[] for _ in columns]
    else:
        cells = list(zip(*found, strict=True))
        if cells[0].count(b""):
            raise Fallback  # a cell or row tag without a plain r
        n = len(found) // k
        regular = n * k == len(found) and all(
            cells[0][i::k].count(letters[i]) == n for i in range(k)
        )
        rows = cells[1]
        if regular:
            first_rows = rows[0::k]
            regular = all(rows[i::k] == first_rows for i in range(1, k))
        if regular:
            numbers = list(map(int, first_rows))
            groups = cells[2:]
            raw = [_column_values(book, *(g[i::k] for g in groups)) for i in range(k)]
        else:
            numbers, raw = _sparse(found, cells, letters, book)
        if not set(numbers) <= set(present):
            raise Fallback  # a cell outside its row, or rows out of order
    bodies: dict[int, bytes] = {}

    def row_xml(row: int) -> bytes:
        if not bodies:
            bodies.update((int(m.group(1)), m.group(2) or b"") for m in _ROW.finditer(block))
        try:
            return bodies[row]
        except KeyError:
            raise Fallback from None

    # Rows with cells in other columns only: records if any of those holds a value.
    leftovers = sorted(set(present) - set(numbers))
    extra = [row for row in leftovers if not _row_blank(book, row_xml(row))]
    if extra:
        merged = sorted(
            itertools.chain(zip(numbers, *raw, strict=True), ((row, *([""] * k)) for row in extra)),
            key=lambda m: m[0],
        )
        numbers = [m[0] for m in merged]
        raw = [[m[i + 1] for m in merged] for i in range(k)]
    if not numbers:
        return last_row
    found_issues: list[tuple[int, int, ValueIssue]] = []
    values: dict[str, list[Any]] = {}
    for pos, column in enumerate(columns):
        reader = column.reader
        try:
            values[reader.key] = reader.column(raw[pos])
        except ValueProblem:
            values[reader.key] = read._cell_by_cell(
                tuple(raw[pos]), numbers, pos, reader, found_issues
            )
    mapped = [values[c.reader.key] for c in columns]
    head = mapped[0]
    maybe_blank = [
        i
        for i, v in enumerate(head)
        if (v is None or v == ()) and all(m[i] is None or m[i] == () for m in mapped)
    ]
    blank = {
        i
        for i in maybe_blank
        if all(read._is_empty(r[i]) for r in raw) and _row_blank(book, row_xml(numbers[i]))
    }
    args = [
        values[reader.key] if reader is not None else itertools.repeat(default)
        for reader, default in plan.layout
    ]
    if isinstance(records, _Columns):  # the worker: sent column by column
        records.add(numbers, args, blank)
    else:
        built = list(map(plan.record_type, numbers, *args))
        if blank:
            built = [record for i, record in enumerate(built) if i not in blank]
        records += built
    if blank:
        found_issues = [item for item in found_issues if item[0] not in blank]
    # Issues in row order, then in the order of the header's columns (as read.py).
    found_issues.sort(key=lambda item: (item[0], item[1]))
    issues += [issue for _, _, issue in found_issues]
    return last_row


_PIECE_LETTERS = re.compile(rb"([A-Z]{1,3})[1-9]")
_NUM = rb"(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)"
_TEXT = rb"((?:[^<&\s](?:[^<&]*[^<&\s])?)?)"


class _Shapes:
    """Per column letters: the patterns of its cells in a joined column (cells after \\0),
    each compiled when first used (most columns use two or three of them)."""

    def __init__(self, letters: bytes) -> None:
        self.head = rb"\0" + letters + rb'\d+"'
        self.column = letters

    # One group each: lists of bytes, no tuples to take apart.
    @functools.cached_property
    def letters(self) -> re.Pattern[bytes]:
        return re.compile(rb"\0" + self.column + rb'(\d+)"')

    @functools.cached_property
    def inline(self) -> re.Pattern[bytes]:
        return re.compile(
            self.head
            + rb'(?: s="\d+")? t="inlineStr"(?:\s*/>|><is><t>'
            + _TEXT
            + rb"</t></is></c>)"
        )

    @functools.cached_property
    def shared(self) -> re.Pattern[bytes]:
        return re.compile(self.head + rb'(?: s="\d+")? t="s"><v>(0|[1-9]\d*)</v></c>')

    @functools.cached_property
    def number(self) -> re.Pattern[bytes]:
        return re.compile(self.head + rb'(?: s="\d+")?(?: t="n")?><v>' + _NUM + rb"</v></c>")

    @functools.cached_property
    def styles(self) -> re.Pattern[bytes]:
        return re.compile(self.head[:-1] + rb'" s="(\d+)"')

    @functools.cached_property
    def mixed(self) -> re.Pattern[bytes]:
        """Unstyled numbers, shared strings and inline texts in one column (an amount
        column where some cells say "待补" or "120万"): one group each, two of them empty."""
        return re.compile(
            self.head
            + rb'(?: t="n")?><v>'
            + _NUM
            + rb"</v></c>|"
            + self.head
            + rb' t="s"><v>(0|[1-9]\d*)</v></c>|'
            + self.head
            + rb' t="inlineStr"><is><t>'
            + _TEXT
            + rb"</t></is></c>"
        )

    @functools.cached_property
    def general(self) -> re.Pattern[bytes]:
        return re.compile(rb"\0(" + self.column + _CELL_TAIL, re.S)


_SHAPES: dict[bytes, _Shapes] = {}


def _shapes(letters: bytes) -> _Shapes:
    found = _SHAPES.get(letters)
    if found is None:
        found = _SHAPES[letters] = _Shapes(letters)
    return found


def _split_block(
    block: bytes, present: list[int], columns: list[_Column], book: _Book
) -> list[list[Any]] | None:
    """The wanted columns' values when every row of the block has the same cells in the same
    order (as most writers write a register), else None (the block is read cell by cell).

    The block is split at each `<c r="`; the cells of one column are then every W-th piece,
    joined and matched at once, by the simplest pattern that takes them all."""
    pieces = block.split(b'<c r="')
    rows = len(present)
    width, rem = divmod(len(pieces) - 1, rows)
    if rem or not width or block.count(b"<c") != len(pieces) - 1:
        return None  # rows of different widths, or a cell tag without a plain r
    wanted = {c.letters: pos for pos, c in enumerate(columns)}
    raw: list[list[Any] | None] = [None] * len(columns)
    expected = [str(n).encode() for n in present]
    for j in range(width):
        head = _PIECE_LETTERS.match(pieces[1 + j])
        if head is None:
            return None
        shapes = _shapes(head.group(1))
        joined = b"\0" + b"\0".join(pieces[1 + j :: width])
        pos = wanted.get(head.group(1))
        if pos is None:
            # Every cell here must be this column's (not a wanted one's): a count of the
            # letters suffices unless they begin a wanted column's letters ("A" and "AB").
            letters = head.group(1)
            if any(w != letters and w.startswith(letters) for w in wanted):
                taken = len(shapes.letters.findall(joined))
            else:
                taken = joined.count(b"\0" + letters)
            if taken != rows:
                return None  # another column's letters here in some row
            continue
        if raw[pos] is not None:
            return None  # a wanted column twice in a row
        values = _joined_values(shapes, joined, expected, book, pieces[1 + j])
        if values is None:
            return None
        raw[pos] = values
    if any(values is None for values in raw):
        return None
    return cast(list[list[Any]], raw)


def _joined_values(
    shapes: _Shapes, joined: bytes, expected: list[bytes], book: _Book, sample: bytes
) -> list[Any] | None:
    """The values of a joined column, or None when some cell is not taken or is not in the
    row its position says (`expected`: the rows' numbers)."""
    if shapes.letters.findall(joined) != expected:
        return None  # a cell whose row is not its row's
    rows = len(expected)
    if b't="inlineStr"' in sample[:64]:
        texts = shapes.inline.findall(joined)
        if len(texts) == rows:
            return _decode_all(texts)
    elif b't="s"' in sample[:64]:
        indexes = shapes.shared.findall(joined)
        if len(indexes) == rows:
            try:  # the pattern takes canonical indexes only (no leading zeros)
                return list(map(book.strings.__getitem__, map(int, indexes)))
            except IndexError:
                pass
    else:
        v = shapes.number.findall(joined)
        if len(v) == rows:
            styles = shapes.styles.findall(joined)  # of the cells that have one
            kinds = set(styles)
            if len(styles) == rows and kinds <= book.date_styles:
                return list(map(book.dates.__getitem__, v))
            if kinds.isdisjoint(book.date_styles) and kinds.isdisjoint(book.delta_styles):
                if all(s == b"0" or s[:1] != b"0" for s in kinds):
                    return list(map(float, v))
    mixed = shapes.mixed.findall(joined)
    if len(mixed) == rows:  # as _column_values reads text and numbers mixed, in C
        in_v, in_s, inline = zip(*mixed, strict=True)  # per cell, two of the three empty
        floats, shared = book.floats, book.shared
        try:
            return [
                floats[x] if x else shared[i] if i else t
                for x, i, t in zip(in_v, in_s, _decode_all(inline), strict=True)
            ]
        except Fallback:
            pass  # an index or a number calamine reads otherwise: cell by cell below
    cells = shapes.general.findall(joined)
    if len(cells) != rows:
        return None
    groups = list(zip(*cells, strict=True))
    return _column_values(book, *groups[2:])


def _sparse(
    found: list[tuple[bytes, ...]],
    cells: list[tuple[bytes, ...]],
    letters: list[bytes],
    book: _Book,
) -> tuple[list[int], list[list[Any]]]:
    """Rows and column values of a block whose wanted columns are not all in every row."""
    rows = list(map(int, cells[1]))
    if not all(map(int.__le__, rows, rows[1:])):
        raise Fallback
    numbers = list(dict.fromkeys(rows))
    at = {letter: pos for pos, letter in enumerate(letters)}
    positions = list(map(at.__getitem__, cells[0]))
    order = sorted(range(len(found)), key=positions.__getitem__)
    ordered = list(map(positions.__getitem__, order))
    raw: list[list[Any]] = []
    for pos in range(len(letters)):
        picked = order[bisect.bisect_left(ordered, pos) : bisect.bisect_right(ordered, pos)]
        column_rows = list(map(rows.__getitem__, picked))
        if len(set(column_rows)) != len(column_rows):
            raise Fallback  # two cells of one column in one row
        if picked:
            got = _column_values(book, *(tuple(map(g.__getitem__, picked)) for g in cells[2:]))
            by_row = dict(zip(column_rows, got, strict=True))
            raw.append(list(map(by_row.get, numbers, itertools.repeat(""))))
        else:
            raw.append([""] * len(numbers))
    return numbers, raw
