"""Safe writes: lock files, atomic replace, interruptions, --output, --dry-run, backup."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from clientbook import safe_io
from clientbook.errors import FileLocked, UnusableFile, UsageError, WriteError
from clientbook.safe_io import atomic_write, check_not_open, update_register
from rich_workbook import CLIENT_SHEET, FIRST_DATA_ROW, HEADER_ROW, build_rich_workbook
from write_fixtures import load_quietly, tier_columns


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".clientbook-"))


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return build_rich_workbook(tmp_path / "客户 名册.xlsx")


def _update(path: Path, **kwargs: object):
    return update_register(
        path, tier_columns(), sheet_name=CLIENT_SHEET, header_row=HEADER_ROW, **kwargs
    )


def test_update_in_place_backs_up_first_and_writes(book: Path) -> None:
    old = book.read_bytes()
    seen: list[bytes] = []
    result = _update(book, backup=lambda p: seen.append(p.read_bytes()))
    assert seen == [old]  # the backup saw the old file, before the replace
    assert result.backed_up and result.output == str(book)
    ws = load_quietly(book)[0][CLIENT_SHEET]
    assert ws.cell(row=HEADER_ROW, column=8).value == "客户层级"
    assert _leftovers(book.parent) == []


def test_failing_backup_leaves_the_register_untouched(book: Path) -> None:
    before = _digest(book)

    def backup(_: Path) -> None:
        raise WriteError("write.io_error", path="vault", reason="no passphrase")

    with pytest.raises(WriteError):
        _update(book, backup=backup)
    assert _digest(book) == before
    assert _leftovers(book.parent) == []


@pytest.mark.parametrize("lock", ["~$客户 名册.xlsx", ".~lock.客户 名册.xlsx#", ".~客户 名册.xlsx"])
def test_lock_file_makes_it_refuse_unless_forced(book: Path, lock: str) -> None:
    (book.parent / lock).write_bytes(b"RM")
    before = _digest(book)
    with pytest.raises(FileLocked) as info:
        _update(book)
    assert lock in info.value.render("zh") and "--force" in info.value.render("en")
    assert _digest(book) == before
    _update(book, force=True)
    assert _digest(book) != before


def test_check_not_open_passes_without_lock(book: Path) -> None:
    check_not_open(book)


def test_output_leaves_the_original_byte_for_byte(book: Path, tmp_path: Path) -> None:
    before = _digest(book)
    out = tmp_path / "new.xlsx"
    called: list[Path] = []
    result = _update(book, output=out, backup=called.append)
    assert _digest(book) == before
    assert called == [] and not result.backed_up
    assert load_quietly(out)[0][CLIENT_SHEET].cell(row=HEADER_ROW, column=8).value == "客户层级"
    # overwriting an existing output goes through the same atomic replace
    _update(book, output=out)
    assert _digest(book) == before


def test_output_same_as_input_is_refused(book: Path) -> None:
    with pytest.raises(UsageError) as info:
        _update(book, output=book.parent / "." / book.name)
    assert info.value.key == "write.output_is_input"


def test_output_with_another_extension_is_refused(book: Path, tmp_path: Path) -> None:
    with pytest.raises(UsageError) as info:
        _update(book, output=tmp_path / "new.xlsm")
    assert info.value.key == "write.output_suffix"


def test_dry_run_writes_nothing(book: Path) -> None:
    before = _digest(book)
    called: list[Path] = []
    result = _update(book, dry_run=True, backup=called.append)
    assert result.dry_run and [c.letter for c in result.columns] == list("HIJKLMN")
    assert result.cells == 7 * 20
    assert _digest(book) == before and called == []
    assert _leftovers(book.parent) == []


@pytest.mark.parametrize("suffix", [".xls", ".ods", ".csv", ".numbers", ""])
def test_formats_that_cannot_be_written_are_refused(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"book{suffix}"
    path.write_bytes(b"whatever")
    with pytest.raises(UsageError) as info:
        _update(path)
    assert info.value.key == "write.unsupported_format"
    assert ".xlsx" in info.value.render("zh") and ".xlsx" in info.value.render("en")
    assert path.read_bytes() == b"whatever"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UnusableFile) as info:
        _update(tmp_path / "nope.xlsx")
    assert "nope.xlsx" in info.value.render("zh")


@pytest.mark.parametrize("where", ["fsync", "replace"])
def test_crash_before_the_replace_keeps_the_original(
    book: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    before = _digest(book)

    def boom(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, where, boom)
    with pytest.raises(WriteError) as info:
        _update(book)
    assert info.value.key == "write.disk_full"
    monkeypatch.undo()
    assert _digest(book) == before
    assert _leftovers(book.parent) == []


def test_keyboard_interrupt_mid_write_keeps_the_original(
    book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _digest(book)
    from clientbook.register import _zip

    real = _zip.RawZipWriter.copy_raw
    calls = 0

    def interrupted(self: object, *args: object) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise KeyboardInterrupt
        real(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(_zip.RawZipWriter, "copy_raw", interrupted)
    with pytest.raises(KeyboardInterrupt):
        _update(book)
    assert _digest(book) == before
    assert _leftovers(book.parent) == []


def test_reader_during_the_write_sees_the_old_file(book: Path) -> None:
    before = book.read_bytes()
    seen: list[bytes] = []

    def write(f: object) -> None:
        seen.append(book.read_bytes())  # mid-write, the target is still the old file
        f.write(b"new content")  # type: ignore[attr-defined]

    atomic_write(book, write)
    assert seen == [before] and book.read_bytes() == b"new content"


def test_permissions_are_kept(book: Path) -> None:
    if os.name != "posix":
        pytest.skip("POSIX permission bits")
    book.chmod(0o640)
    _update(book)
    assert book.stat().st_mode & 0o777 == 0o640


def test_replace_denied_is_a_clear_error(book: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def denied(*_: object) -> None:
        raise PermissionError(13, "Access is denied")

    monkeypatch.setattr(safe_io.os, "replace", denied)
    before = _digest(book)
    with pytest.raises(WriteError) as info:
        _update(book)
    monkeypatch.undo()
    assert info.value.key == "write.replace_denied"
    assert _digest(book) == before and _leftovers(book.parent) == []


def test_encrypted_register_round_trips_with_its_password(tmp_path: Path) -> None:
    import io

    import msoffcrypto
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = build_rich_workbook(tmp_path / "plain.xlsx")
    book = tmp_path / "locked.xlsx"
    with plain.open("rb") as f, book.open("wb") as out:
        OOXMLFile(f).encrypt("s3cret-密码", out)
    with pytest.raises(UnusableFile) as info:  # WrongPassword is an UnusableFile
        _update(book, password="wrong")
    assert info.value.key == "error.wrong_password"
    with pytest.raises(UnusableFile):
        _update(book)
    result = _update(book, password="s3cret-密码")
    assert result.encrypted
    decrypted = io.BytesIO()
    with book.open("rb") as f:
        office = msoffcrypto.OfficeFile(f)
        assert office.is_encrypted()
        office.load_key(password="s3cret-密码")
        office.decrypt(decrypted)
    ws = load_quietly(decrypted.getvalue())[0][CLIENT_SHEET]
    assert ws.cell(row=HEADER_ROW, column=8).value == "客户层级"
    assert ws.cell(row=FIRST_DATA_ROW, column=8).value == tier_columns()[0].values[FIRST_DATA_ROW]


def test_keyboard_interrupt_while_the_sheet_streams(
    book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from clientbook.register import write as write_mod

    before = _digest(book)
    real = write_mod._FastCells.cells

    def interrupted(self: object, num: int) -> bytes:
        if num == FIRST_DATA_ROW + 10:
            raise KeyboardInterrupt
        return real(self, num)  # type: ignore[arg-type]

    monkeypatch.setattr(write_mod._FastCells, "cells", interrupted)
    with pytest.raises(KeyboardInterrupt):
        _update(book)
    assert _digest(book) == before
    assert _leftovers(book.parent) == []
    assert not any(t.name == "clientbook-deflate" for t in threading.enumerate())
