"""Every write to a file the user owns: lock check, backup first, temp file, fsync, replace.

A crash, a full disk or Ctrl-C at any moment leaves either the old register or the new
one, never half of one, and no temporary file behind.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from clientbook.errors import FileLocked, UnusableFile, UsageError, WriteError

if TYPE_CHECKING:
    from clientbook.register.write import NewColumn, PreparedSheet
    from clientbook.register.written import WriteResult

WRITABLE_SUFFIXES = (".xlsx", ".xlsm")
_TEMP_PREFIX = ".clientbook-"
_TEMP_SUFFIX = ".tmp"


def lock_files(path: Path) -> list[Path]:
    """The lock files that Excel, WPS or LibreOffice create beside an open workbook."""
    name = path.name
    return [
        path.with_name("~$" + name),  # Excel and WPS on Windows
        path.with_name(".~lock." + name + "#"),  # LibreOffice
        path.with_name(".~" + name),  # WPS on Linux and macOS
    ]


def check_not_open(path: Path) -> None:
    """Raise FileLocked when a lock file says the workbook is open in Excel, WPS or Calc."""
    for lock in lock_files(path):
        if lock.exists():
            raise FileLocked(path=str(path), lock=lock.name)


def free_previous_name(target: Path) -> Path:
    """客户名册.xlsx → 客户名册.old.xlsx (or .old-2, .old-3 … when taken)."""
    n = 1
    while True:
        tag = ".old" if n == 1 else f".old-{n}"
        candidate = target.with_name(f"{target.stem}{tag}{target.suffix}")
        if not candidate.exists():
            return candidate
        n += 1


def keep_previous(target: Path) -> Path | None:
    """Copy an existing file about to be replaced to NAME.old.xlsx; None when there is none.

    Used where the user names a file to write (--output, --annotate): naming the wrong
    workbook by mistake must not cost its contents.
    """
    if not target.is_file():
        return None
    import shutil

    previous = free_previous_name(target)
    try:
        shutil.copy2(target, previous)
    except OSError as exc:
        previous.unlink(missing_ok=True)
        raise WriteError(
            "write.keep_previous_failed", path=str(target), detail=exc.strerror or str(exc)
        ) from exc
    return previous


def fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable (POSIX; NTFS journals the rename itself)."""
    if os.name != "posix":  # Windows cannot open a directory; NTFS journals the rename
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(
    target: Path,
    write: Callable[[BinaryIO], None],
    *,
    before_replace: Callable[[], object] | None = None,
) -> None:
    """Write `target` through a temporary file in the same folder, then replace it.

    The temporary file is fsynced before the rename and the folder after it; on any
    exception (KeyboardInterrupt included) the temporary file is removed and `target` is
    as it was. `before_replace` runs once the new content is safely on disk (the backup).
    An existing target keeps its permission bits; a new one gets the permissions any
    program would give it (0666 less the umask), not the temporary file's private 0600.
    """
    folder = target.parent
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=_TEMP_PREFIX, suffix=_TEMP_SUFFIX, dir=folder)
    except OSError as exc:
        raise _io_error(target, exc) from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        try:
            mode = stat.S_IMODE(target.stat().st_mode)
        except FileNotFoundError:
            mode = _new_file_mode()
        os.chmod(tmp, mode)
        if before_replace is not None:
            before_replace()
        try:
            os.replace(tmp, target)
        except PermissionError as exc:
            raise WriteError("write.replace_denied", path=str(target)) from exc
        fsync_dir(folder)
    except OSError as exc:
        _remove(tmp)
        raise _io_error(target, exc) from exc
    except BaseException:
        _remove(tmp)
        raise


def _new_file_mode() -> int:
    """0666 less the process umask: what open(2) would give a newly created file."""
    mask = os.umask(0o077)  # reading the umask means setting it; put it straight back
    os.umask(mask)
    return 0o666 & ~mask


def _remove(tmp: Path) -> None:
    with contextlib.suppress(OSError):
        tmp.unlink()


def _io_error(target: Path, exc: OSError) -> WriteError:
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return WriteError("write.disk_full", path=str(target))
    return WriteError("write.io_error", path=str(target), reason=exc.strerror or str(exc))


def check_writable(path: Path) -> None:
    """Refuse formats clientbook does not write back (.xls, .ods, .csv...)."""
    if path.suffix.lower() not in WRITABLE_SUFFIXES:
        raise UsageError(
            "write.unsupported_format", path=str(path), suffix=path.suffix.lower() or "(none)"
        )


def update_register(
    path: Path,
    columns: Sequence[NewColumn],
    *,
    sheet_name: str,
    header_row: int,
    output: Path | None = None,
    password: str | None = None,
    force: bool = False,
    backup: Callable[[Path], object] | None = None,
    dry_run: bool = False,
    prepared: PreparedSheet | None = None,
) -> WriteResult:
    """Write clientbook's columns into the register at `path`, safely.

    In place: refuses when Excel/WPS has the file open (unless `force`) or the file is
    marked read-only, calls
    `backup(path)` once the new file is ready and before it replaces the old one.
    With `output`: writes a new file and leaves `path` untouched (no backup needed).
    With `dry_run`: reports what would be written and writes nothing (a lock file does not
    stop a preview). `prepared`: write.prepare_sheet's head start, if any.
    """
    from clientbook.register.write import plan_columns, write_columns

    check_writable(path)
    if not path.exists():
        raise UnusableFile("write.missing", path=str(path))
    if output is not None:
        check_writable(output)
        if output.suffix.lower() != path.suffix.lower():
            raise UsageError(
                "write.output_suffix",
                path=str(path),
                output=str(output),
                suffix=path.suffix.lower(),
            )
        if output.resolve() == path.resolve() or (
            output.exists() and os.path.samefile(output, path)
        ):
            raise UsageError("write.output_is_input", path=str(path))
    # in place through a symlink: replace the file it points to, keep the link
    target = output if output is not None else (path.resolve() if path.is_symlink() else path)
    if dry_run:  # writes nothing, so a workbook open in Excel/WPS can still be previewed
        result = plan_columns(
            path,
            sheet_name=sheet_name,
            header_row=header_row,
            columns=columns,
            password=password,
            prepared=prepared,
        )
        return result.model_copy(update={"output": str(target)})
    if not force:
        # only the file being replaced matters: reading a register open in Excel is harmless
        for candidate in dict.fromkeys((target,) if output is not None else (path, target)):
            check_not_open(candidate)
    if output is None and stat.S_IMODE(target.stat().st_mode) & 0o222 == 0:
        # marked read-only (chmod a-w, or Windows' read-only attribute): Excel would not
        # save over it, and neither do we; POSIX would let the rename through silently
        raise WriteError("write.read_only", path=str(path))

    outcome: list[WriteResult] = []

    def write(f: BinaryIO) -> None:
        outcome.append(
            write_columns(
                path,
                f,
                sheet_name=sheet_name,
                header_row=header_row,
                columns=columns,
                password=password,
                prepared=prepared,
            )
        )

    backed_up = False

    def before_replace() -> None:
        nonlocal backed_up
        if backup is not None and output is None:
            backup(path)
            backed_up = True

    previous = keep_previous(target) if output is not None else None
    atomic_write(target, write, before_replace=before_replace)
    return outcome[0].model_copy(
        update={
            "output": str(target),
            "backed_up": backed_up,
            "previous": str(previous) if previous else None,
        }
    )
