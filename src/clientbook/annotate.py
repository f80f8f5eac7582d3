"""`validate --annotate OUT.xlsx`: a COPY of the register with every finding marked.

Each offending cell gets a fill (errors red, warnings amber) and a comment holding the
messages (under a comment the user already had there, which keeps its author); a missing
column is marked on cell A of the header row. Annotating a copy annotated before replaces
the old clientbook notes instead of repeating them, and a cell fixed since loses its note
and fill; a register with nothing to mark is copied byte for byte. The register itself is
only read: the copy is made with openpyxl (load + save) and written to OUT through
safe_io.atomic_write (temp file, fsync, replace).

openpyxl keeps cells, styles, formulas, merged cells, comments, data validations,
conditional formats, defined names, tables, charts, images (Pillow is a dependency for
that) and, for an .xlsm copy, macros; it drops shapes, form controls, pivot caches, slicers,
threaded comments and Excel 2010 extensions (data bars with x14 options, sparklines). The
parts of the package that did not survive are compared and returned in `lost`, so the CLI
can say so: the copy is for reading the findings, the original stays as it was. An
encrypted register gives an annotated copy encrypted with the same password.
"""

from __future__ import annotations

import io
import os
import re
import warnings
import zipfile
from collections import defaultdict
from pathlib import Path
from typing import Any, BinaryIO

from pydantic import BaseModel

from clientbook.errors import UnusableFile, UsageError, WrongPassword
from clientbook.safe_io import atomic_write, check_not_open, keep_previous
from clientbook.validate import Severity, ValidationReport

ERROR_FILL = "FFC7CE"  # Excel's "Bad" red
WARNING_FILL = "FFEB9C"  # Excel's "Neutral" amber
AUTHOR = "clientbook"

# Parts of an OOXML package that openpyxl may not carry over; the names are keys of
# messages "validate.part.<name>".
_PARTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("images", re.compile(r"xl/media/")),
    ("charts", re.compile(r"xl/charts/chart\d+\.xml$")),
    ("drawings", re.compile(r"xl/drawings/drawing\d+\.xml$")),
    ("pivot_tables", re.compile(r"xl/pivotTables/")),
    ("slicers", re.compile(r"xl/slicers/")),
    ("form_controls", re.compile(r"xl/ctrlProps/")),
    ("embedded_objects", re.compile(r"xl/embeddings/")),
    ("threaded_comments", re.compile(r"xl/threadedComments/")),
    ("macros", re.compile(r"xl/vbaProject\.bin$")),
    ("external_links", re.compile(r"xl/externalLinks/externalLink")),
)
# Excel 2010+ features stored inside the sheet XML (openpyxl drops these extensions).
_SHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml$")
_EXTENSIONS: tuple[tuple[str, re.Pattern[bytes]], ...] = (
    ("x14_conditional_formats", re.compile(rb"<x14:conditionalFormatting[\s>]")),
    ("x14_data_validations", re.compile(rb"<x14:dataValidation[\s>]")),
    ("sparklines", re.compile(rb"<x14:sparklineGroup[\s>]")),
)


class AnnotateResult(BaseModel):
    """What `annotate_copy` wrote."""

    path: str
    cells: int  # cells filled and commented
    lost: list[str]  # kinds of parts the copy lacks (keys of "validate.part.<kind>")
    previous: str | None = None  # an existing file at the output path, kept as NAME.old.xlsx


def _same_file(a: Path, b: Path) -> bool:
    if b.exists():
        try:
            return os.path.samefile(a, b)
        except OSError:
            return False
    return a.resolve() == b.resolve()


def check_annotate_target(source: Path, out: Path) -> None:
    """Refuse an OUT that is not .xlsx/.xlsm or that is the register itself."""
    if out.suffix.lower() not in (".xlsx", ".xlsm"):
        raise UsageError("validate.annotate_suffix", path=str(out))
    if _same_file(source, out):
        raise UsageError("validate.annotate_same_file", path=str(out))
    check_not_open(out)


def _plain_bytes(source: Path, password: str | None) -> tuple[bytes, bool]:
    """The workbook's bytes (decrypted when it is an encrypted OLE package), and whether it was."""
    data = source.read_bytes()
    if not data.startswith(b"\xd0\xcf\x11\xe0"):  # not an OLE container: plain OOXML
        return data, False
    import msoffcrypto

    if password is None:
        raise WrongPassword(path=str(source))
    try:
        office = msoffcrypto.OfficeFile(io.BytesIO(data))
        office.load_key(password=password)
        plain = io.BytesIO()
        office.decrypt(plain)
    except Exception as exc:  # msoffcrypto raises several unrelated types for a bad key
        raise WrongPassword(path=str(source)) from exc
    return plain.getvalue(), True


def _part_counts(package: bytes) -> dict[str, int]:
    """How many of each kind of part (and of sheet-XML extension) a package holds."""
    counts: dict[str, int] = defaultdict(int)
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        for name in archive.namelist():
            for kind, pattern in _PARTS:
                if pattern.match(name):
                    counts[kind] += 1
            if _SHEET_PART.match(name):
                xml = archive.read(name)
                if b"<x14:" in xml:
                    for kind, tag in _EXTENSIONS:
                        counts[kind] += len(tag.findall(xml))
    return counts


def _has_comments(package: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        return any(name.startswith("xl/comments") for name in archive.namelist())


def _target_cell(sheet: Any, coordinate: str) -> Any:
    """The cell to mark: the top-left cell when `coordinate` is inside a merged range."""
    for merged in sheet.merged_cells.ranges:
        if coordinate in merged:
            return sheet.cell(merged.min_row, merged.min_col)
    return sheet[coordinate]


_OUR_NOTE = f"[{AUTHOR}] "


def _user_text(comment: Any) -> str:
    """A comment's text without the notes an earlier `--annotate` added (its own lines)."""
    if comment is None or not comment.text:
        return ""
    kept = [line for line in comment.text.split("\n") if not line.startswith(_OUR_NOTE)]
    return "\n".join(kept).strip("\n")


def _clear_stale_marks(workbook: Any, fresh: set[tuple[str, str]], fills: set[str]) -> None:
    """On a copy annotated before (the user re-checks the annotated file), take the old
    notes off cells that have no finding now; a fill of ours goes with a note of ours."""
    for sheet in workbook.worksheets:
        for cell in list(getattr(sheet, "_cells", {}).values()):
            comment = cell.comment
            if comment is None or _OUR_NOTE not in (comment.text or ""):
                continue
            if (sheet.title, cell.coordinate) in fresh:
                continue
            text = _user_text(comment)
            if text:
                cell.comment = _comment(text, comment.author or AUTHOR, 0)
            else:
                cell.comment = None
                if str(cell.fill.fgColor.rgb)[-6:] in fills and cell.fill.fill_type == "solid":
                    from openpyxl.styles import PatternFill

                    cell.fill = PatternFill()


def _comment(body: str, author: str, items: int) -> Any:
    from openpyxl.comments import Comment

    comment = Comment(body, author)
    comment.width = 360
    comment.height = max(80, 40 * items + 20 * body.count("\n"))
    return comment


def annotate_copy(
    source: Path,
    report: ValidationReport,
    out: Path,
    lang: str,
    password: str | None = None,
) -> AnnotateResult:
    """Write a copy of `source` to `out` with each finding's cell filled and commented."""
    check_annotate_target(source, out)

    from openpyxl import load_workbook
    from openpyxl.styles import PatternFill

    plain, encrypted = _plain_bytes(source, password)
    if (
        not report.findings
        and out.suffix.lower() == source.suffix.lower()
        and not _has_comments(plain)
    ):
        # nothing to mark and no old notes to clear: the copy is the register itself,
        # byte for byte (an encrypted one stays encrypted), without openpyxl's load + save
        original = source.read_bytes()

        def copy(stream: BinaryIO) -> None:
            stream.write(original)

        previous = keep_previous(out)
        atomic_write(out, copy)
        return AnnotateResult(path=str(out), cells=0, lost=[], previous=_shown(previous))
    keep_vba = out.suffix.lower() == ".xlsm"
    try:
        with warnings.catch_warnings():
            # openpyxl warns about each unsupported extension it drops; `lost` reports them.
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(plain), keep_vba=keep_vba, rich_text=True)
    except Exception as exc:  # a register open_book accepted; anything here is unusable
        raise UnusableFile(path=str(source), reason=type(exc).__name__) from exc

    marks: dict[tuple[str, str], list[tuple[Severity, str]]] = defaultdict(list)
    for finding in report.findings:
        coordinate = finding.cell or f"A{finding.row or 1}"
        marks[(finding.sheet, coordinate)].append((finding.severity, finding.message(lang)))

    fills = {
        Severity.error: PatternFill("solid", start_color=ERROR_FILL, end_color=ERROR_FILL),
        Severity.warning: PatternFill("solid", start_color=WARNING_FILL, end_color=WARNING_FILL),
    }
    targets: dict[tuple[str, str], Any] = {}
    for sheet_name, coordinate in marks:
        if sheet_name in workbook.sheetnames:
            cell = _target_cell(workbook[sheet_name], coordinate)
            targets[(sheet_name, coordinate)] = cell
    if _has_comments(plain):
        fresh = {(name, cell.coordinate) for (name, _), cell in targets.items()}
        _clear_stale_marks(workbook, fresh, {ERROR_FILL, WARNING_FILL})
    cells = 0
    for key, cell in targets.items():
        items = marks[key]
        worst = Severity.error if any(s is Severity.error for s, _ in items) else Severity.warning
        cell.fill = fills[worst]
        body = "\n".join(f"{_OUR_NOTE}{message}" for _, message in items)
        # the user's own note stays first, under its author; notes of an earlier run go
        user = _user_text(cell.comment)
        author = cell.comment.author if user and cell.comment.author else AUTHOR
        cell.comment = _comment(f"{user}\n\n{body}" if user else body, author, len(items))
        cells += 1

    buffer = io.BytesIO()
    try:
        workbook.save(buffer)
    except Exception as exc:
        raise UsageError(
            "validate.annotate_failed", path=str(out), reason=type(exc).__name__
        ) from exc
    finally:
        if workbook.vba_archive is not None:  # kept open by keep_vba=True
            workbook.vba_archive.close()
    package = buffer.getvalue()
    before, after = _part_counts(plain), _part_counts(package)
    kinds = [kind for kind, _ in _PARTS] + [kind for kind, _ in _EXTENSIONS]
    lost = [kind for kind in kinds if after.get(kind, 0) < before.get(kind, 0)]
    if encrypted and password is not None:
        package = _encrypt(package, password)

    def write(stream: BinaryIO) -> None:
        stream.write(package)

    previous = keep_previous(out)
    atomic_write(out, write)
    return AnnotateResult(path=str(out), cells=cells, lost=lost, previous=_shown(previous))


def _shown(path: Path | None) -> str | None:
    return None if path is None else str(path)


def _encrypt(package: bytes, password: str) -> bytes:
    from msoffcrypto.format.ooxml import OOXMLFile

    encrypted = io.BytesIO()
    OOXMLFile(io.BytesIO(package)).encrypt(password, encrypted)
    return encrypted.getvalue()
