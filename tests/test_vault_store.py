"""The vault as a library: what `tier` and the CLI call."""

from __future__ import annotations

import hashlib
import os
import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from clientbook.errors import TamperedSnapshot, VaultError, WrongPassphrase
from clientbook.vault import age, store
from clientbook.vault.store import PrunePolicy, Vault
from vault_fixtures import PASSPHRASE, fast_scrypt, make_book  # noqa: F401

pytestmark = pytest.mark.usefixtures("fast_scrypt")
CST = timezone(timedelta(hours=8))


def _vault(tmp_path: Path, passphrase: str = PASSPHRASE) -> Vault:
    return Vault(tmp_path / "vault", passphrase)


def test_create_list_restore_round_trip(tmp_path: Path) -> None:
    book = make_book(tmp_path / "张三的客户 book.xlsx")
    vault = _vault(tmp_path)
    assert not vault.exists()
    snap = vault.create(book, now=datetime(2026, 3, 1, 9, 30, tzinfo=CST))
    assert snap.book == "张三的客户 book.xlsx"
    assert snap.size == book.stat().st_size
    assert snap.sha256 == hashlib.sha256(book.read_bytes()).hexdigest()
    assert snap.created == datetime(2026, 3, 1, 9, 30, tzinfo=CST)
    assert vault.exists()

    again = _vault(tmp_path)  # a fresh object reads the encrypted index
    assert [s.id for s in again.list()] == [snap.id]
    assert again.list("张三的客户 book.xlsx") == again.list(str(book))
    assert again.list("other.xlsx") == []

    out = again.restore(snap.id[:6], tmp_path / "restored")
    assert out == tmp_path / "restored"
    assert out.read_bytes() == book.read_bytes()
    folder = tmp_path / "into"
    folder.mkdir()
    assert again.restore(snap.id, folder).read_bytes() == book.read_bytes()
    assert (folder / book.name).is_file()


def test_identical_content_is_stored_once(tmp_path: Path) -> None:
    book = make_book(tmp_path / "book.xlsx")
    copy = tmp_path / "copy.xlsx"
    copy.write_bytes(book.read_bytes())
    vault = _vault(tmp_path)
    result = vault.create_many([book, copy])
    first, second = result.snapshots
    assert first.file == second.file
    assert result.reused == [second.id]
    third = vault.create(book)
    assert third.file == first.file
    assert len(list((vault.directory / "data").glob("*.age"))) == 1
    make_book(book, rows=41)  # changed content → a new data file
    assert vault.create(book).file != first.file
    assert len(list((vault.directory / "data").glob("*.age"))) == 2


def test_vault_files_reveal_nothing(tmp_path: Path) -> None:
    book = make_book(tmp_path / "王五客户名册.xlsx")
    vault = _vault(tmp_path)
    vault.create(book)
    vault.create(book)
    digest = hashlib.sha256(book.read_bytes()).hexdigest()
    names = sorted(str(p.relative_to(vault.directory)) for p in vault.directory.rglob("*"))
    assert len(names) == 4  # data/, data/<random>.age, index.age, lock
    assert {"data", "index.age", "lock"} <= set(names)
    for path in vault.directory.rglob("*"):
        assert "王五" not in path.name and digest[:8] not in path.name
        if path.is_file():
            content = path.read_bytes()
            for secret in ("王五".encode(), b"C00001", digest.encode(), bytes.fromhex(digest)):
                assert secret not in content
            if path.suffix == ".age":
                assert content.startswith(b"age-encryption.org/v1\n-> scrypt ")


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_vault_is_private(tmp_path: Path) -> None:
    vault = _vault(tmp_path)
    vault.create(make_book(tmp_path / "book.xlsx"))
    assert stat.S_IMODE(vault.directory.stat().st_mode) == 0o700
    assert stat.S_IMODE((vault.directory / "data").stat().st_mode) == 0o700
    for path in vault.directory.rglob("*"):
        if path.is_file():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_wrong_passphrase_is_caught_at_create(tmp_path: Path) -> None:
    book = make_book(tmp_path / "book.xlsx")
    _vault(tmp_path).create(book)
    before = sorted(p.name for p in (tmp_path / "vault" / "data").iterdir())
    with pytest.raises(WrongPassphrase):
        _vault(tmp_path, "mistyped").create(book)
    assert sorted(p.name for p in (tmp_path / "vault" / "data").iterdir()) == before
    with pytest.raises(WrongPassphrase):
        _vault(tmp_path, "mistyped").list()


def test_damaged_snapshot_is_refused_and_nothing_written(tmp_path: Path) -> None:
    book = make_book(tmp_path / "book.xlsx")
    vault = _vault(tmp_path)
    snap = vault.create(book)
    data = vault.directory / snap.file
    blob = bytearray(data.read_bytes())
    blob[-5] ^= 0x40
    data.write_bytes(bytes(blob))
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(TamperedSnapshot):
        vault.restore(snap.id, out / "book.xlsx")
    assert list(out.iterdir()) == []
    with pytest.raises(TamperedSnapshot):
        vault.verify(snap.id)
    report = vault.verify_all()
    assert report.ok == [] and [d.id for d in report.damaged] == [snap.id]


def test_content_that_does_not_match_the_index_is_refused(tmp_path: Path) -> None:
    """A data file swapped for another valid age file (same passphrase) is caught by SHA-256."""
    vault = _vault(tmp_path)
    a = vault.create(make_book(tmp_path / "a.xlsx"))
    b = vault.create(make_book(tmp_path / "b.xlsx", rows=41))
    (vault.directory / a.file).write_bytes((vault.directory / b.file).read_bytes())
    with pytest.raises(TamperedSnapshot):
        vault.verify(a.id)
    assert not (tmp_path / "restored.xlsx").exists()
    with pytest.raises(TamperedSnapshot):
        vault.restore(a.id, tmp_path / "restored.xlsx")
    assert not (tmp_path / "restored.xlsx").exists()
    assert vault.verify(b.id).id == b.id


def test_restore_never_overwrites_without_force(tmp_path: Path) -> None:
    book = make_book(tmp_path / "book.xlsx")
    vault = _vault(tmp_path)
    snap = vault.create(book)
    target = tmp_path / "existing.xlsx"
    target.write_bytes(b"keep me")
    with pytest.raises(VaultError) as info:
        vault.restore(snap.id, target)
    assert info.value.key == "vault.target_exists"
    assert target.read_bytes() == b"keep me"
    vault.restore(snap.id, target, force=True)
    assert target.read_bytes() == book.read_bytes()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_unknown_and_ambiguous_ids(tmp_path: Path) -> None:
    vault = _vault(tmp_path)
    snap = vault.create(make_book(tmp_path / "book.xlsx"))
    with pytest.raises(VaultError) as info:
        vault.get("ffffffffffff")
    assert info.value.key == "vault.unknown_snapshot"
    with pytest.raises(VaultError):
        vault.get(snap.id[:2])  # too short to be a prefix
    assert vault.get(snap.id.upper()).id == snap.id


def test_prune_forgets_and_deletes_unused_data(tmp_path: Path) -> None:
    book = tmp_path / "book.xlsx"
    vault = _vault(tmp_path)
    made = []
    for day in range(1, 6):
        make_book(book, rows=30 + day)
        made.append(vault.create(book, now=datetime(2026, 3, day, 9, tzinfo=CST)))
    dry = vault.prune(PrunePolicy(last=2), dry_run=True)
    assert [s.id for s in dry.keep] == [made[4].id, made[3].id]
    assert len(list((vault.directory / "data").glob("*.age"))) == 5  # dry run changes nothing
    result = vault.prune(PrunePolicy(last=2))
    assert result.removed_files == 3 and not result.dry_run
    fresh = _vault(tmp_path)
    assert [s.id for s in fresh.list()] == [made[3].id, made[4].id]
    assert {p.name for p in (vault.directory / "data").glob("*.age")} == {
        Path(s.file).name for s in fresh.list()
    }
    assert fresh.verify_all().damaged == []


def test_prune_keeps_data_shared_with_a_survivor(tmp_path: Path) -> None:
    book = make_book(tmp_path / "book.xlsx")
    vault = _vault(tmp_path)
    old = vault.create(book, now=datetime(2026, 1, 1, tzinfo=CST))
    new = vault.create(book, now=datetime(2026, 2, 1, tzinfo=CST))
    assert old.file == new.file
    result = vault.prune(PrunePolicy(last=1))
    assert [s.id for s in result.forget] == [old.id] and result.removed_files == 0
    assert vault.restore(new.id, tmp_path / "r.xlsx").read_bytes() == book.read_bytes()


def test_missing_book_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(VaultError) as info:
        _vault(tmp_path).create(tmp_path / "nope.xlsx")
    assert info.value.key == "vault.book_missing"
    assert not (tmp_path / "vault").exists()


def test_index_damage_is_reported(tmp_path: Path) -> None:
    vault = _vault(tmp_path)
    vault.create(make_book(tmp_path / "book.xlsx"))
    index = vault.index_path
    index.write_bytes(index.read_bytes()[:-1])
    with pytest.raises(VaultError) as info:
        _vault(tmp_path).list()
    assert info.value.key == "vault.index_damaged"


def test_new_files_use_the_configured_work_factor(tmp_path: Path) -> None:
    vault = Vault(tmp_path / "v", PASSPHRASE, work_factor=12)
    snap = vault.create(make_book(tmp_path / "book.xlsx"))
    head = (vault.directory / snap.file).read_bytes().split(b"\n")[1]
    assert head.endswith(b" 12")
    assert store.DEFAULT_WORK_FACTOR == 10  # the fixture's low factor, never age's 18 here
    assert age.DEFAULT_WORK_FACTOR == 18


def test_resolve_passphrase(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLIENTBOOK_PASSPHRASE", raising=False)
    assert store.resolve_passphrase(None) is None
    monkeypatch.setenv("CLIENTBOOK_PASSPHRASE", "from env")
    assert store.resolve_passphrase(None) == "from env"
    file = tmp_path / "pass.txt"
    file.write_text("from file 口令\r\nignored\n", encoding="utf-8")
    assert store.resolve_passphrase(file) == "from file 口令"  # explicit file wins
    file.write_text("\n", encoding="utf-8")
    with pytest.raises(VaultError) as info:
        store.resolve_passphrase(file)
    assert info.value.key == "vault.empty_passphrase"
    with pytest.raises(VaultError) as info:
        store.resolve_passphrase(tmp_path / "missing.txt")
    assert info.value.key == "vault.passphrase_file"


def test_default_vault_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CLIENTBOOK_VAULT", str(tmp_path / "elsewhere"))
    assert store.default_vault_dir() == tmp_path / "elsewhere"
    monkeypatch.delenv("CLIENTBOOK_VAULT")
    default = store.default_vault_dir()
    assert default.name == "vault" and "clientbook" in str(default)


def test_open_vault_asks_twice_only_for_a_new_vault(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CLIENTBOOK_PASSPHRASE", raising=False)
    with pytest.raises(VaultError) as info:
        store.open_vault(tmp_path / "v")  # no passphrase, no prompt
    assert info.value.key == "vault.no_passphrase"
    monkeypatch.setattr(store, "is_terminal", lambda: True)
    asked: list[bool] = []

    def prompt(folder: Path, new: bool) -> str:
        assert folder == tmp_path / "v"
        asked.append(new)
        return PASSPHRASE

    store.open_vault(tmp_path / "v", prompt=prompt).create(make_book(tmp_path / "b.xlsx"))
    assert len(store.open_vault(tmp_path / "v", prompt=prompt).list()) == 1
    assert asked == [True, False]
    monkeypatch.setattr(store, "is_terminal", lambda: False)
    with pytest.raises(VaultError):
        store.open_vault(tmp_path / "v", prompt=prompt)


def test_an_ordinary_folder_is_not_turned_into_a_vault(tmp_path: Path) -> None:
    folder = tmp_path / "Documents"
    folder.mkdir(mode=0o755)
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(VaultError) as info:
        Vault(folder, PASSPHRASE).create(make_book(tmp_path / "book.xlsx"))
    assert info.value.key == "vault.not_a_vault"
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert Vault(empty, PASSPHRASE).create(make_book(tmp_path / "book.xlsx")).size > 0


def test_force_restore_refuses_a_workbook_open_in_excel(tmp_path: Path) -> None:
    from clientbook.errors import FileLocked

    book = make_book(tmp_path / "book.xlsx")
    vault = _vault(tmp_path)
    snap = vault.create(book)
    make_book(book, rows=5)
    edited = book.read_bytes()
    (tmp_path / "~$book.xlsx").write_bytes(b"lock")  # Excel's lock file beside the book
    with pytest.raises(FileLocked):
        vault.restore(snap.id, book, force=True)
    assert book.read_bytes() == edited
    (tmp_path / "~$book.xlsx").unlink()
    assert vault.restore(snap.id, book, force=True).read_bytes() != edited
