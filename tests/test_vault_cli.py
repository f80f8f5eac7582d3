"""`clientbook backup ...` through the real CLI: outputs, refusals, tampering."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from clientbook.cli import app
from clientbook.vault import age
from vault_fixtures import (  # noqa: F401
    PASSPHRASE,
    fast_scrypt,
    make_big_book,
    make_book,
    payload_start,
)

pytestmark = pytest.mark.usefixtures("fast_scrypt")


def _run(runner: CliRunner, vault: Path, *args: str, passphrase: str | None = PASSPHRASE) -> Result:
    env = {"CLIENTBOOK_PASSPHRASE": passphrase, "CLIENTBOOK_VAULT": str(vault), "LANG": "C"}
    return runner.invoke(app, ["backup", *args], env=env)


def _one_line_error(result: Result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def _snapshots(runner: CliRunner, vault: Path, *args: str) -> list[dict[str, object]]:
    result = _run(runner, vault, "list", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    data: list[dict[str, object]] = json.loads(result.stdout)
    return data


def test_backup_book_is_short_for_create(runner: CliRunner, tmp_path: Path) -> None:
    book = make_book(tmp_path / "客户 名册.xlsx")
    vault = tmp_path / "vault"
    result = _run(runner, vault, str(book), "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "Backed up 客户 名册.xlsx" in result.stdout
    result = _run(runner, vault, "create", str(book), "--lang", "zh")
    assert result.exit_code == 0, result.output
    assert "已备份" in result.stdout and "只保存一份" in result.stdout
    assert len(_snapshots(runner, vault)) == 2


def test_list_json_fields(runner: CliRunner, tmp_path: Path) -> None:
    a = make_book(tmp_path / "a.xlsx")
    b = make_book(tmp_path / "b.xlsx", rows=12)
    vault = tmp_path / "vault"
    assert _run(runner, vault, "create", str(a), str(b)).exit_code == 0
    snaps = _snapshots(runner, vault)
    assert [s["book"] for s in snaps] == ["a.xlsx", "b.xlsx"]
    for snap, book in zip(snaps, (a, b), strict=True):
        assert {"id", "created", "book", "size", "sha256"} <= set(snap)
        assert snap["size"] == book.stat().st_size
        assert datetime.fromisoformat(str(snap["created"])).tzinfo is not None
    assert [s["book"] for s in _snapshots(runner, vault, "b.xlsx")] == ["b.xlsx"]
    table = _run(runner, vault, "list", "--lang", "en")
    assert table.exit_code == 0 and "a.xlsx" in table.stdout and "Snapshot" in table.stdout


def test_list_of_empty_vault(runner: CliRunner, tmp_path: Path) -> None:
    assert _snapshots(runner, tmp_path / "vault") == []


def test_verify_and_restore(runner: CliRunner, tmp_path: Path) -> None:
    book = make_book(tmp_path / "book.xlsx")
    vault = tmp_path / "vault"
    _run(runner, vault, "create", str(book))
    snap_id = str(_snapshots(runner, vault)[0]["id"])
    result = _run(runner, vault, "verify", snap_id[:8], "--lang", "en")
    assert result.exit_code == 0 and "verified" in result.stdout
    result = _run(runner, vault, "verify", "--all", "--lang", "en")
    assert result.exit_code == 0 and snap_id[:8] in result.stdout
    target = tmp_path / "restored.xlsx"
    result = _run(runner, vault, "restore", snap_id, "--to", str(target))
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == book.read_bytes()


def test_restore_refuses_to_overwrite(runner: CliRunner, tmp_path: Path) -> None:
    book = make_book(tmp_path / "book.xlsx")
    vault = tmp_path / "vault"
    _run(runner, vault, str(book))
    snap_id = str(_snapshots(runner, vault)[0]["id"])
    make_book(book, rows=3)  # the user's current file differs from the snapshot
    current = book.read_bytes()
    line = _one_line_error(_run(runner, vault, "restore", snap_id, "--to", str(book)))
    assert "--force" in line
    assert book.read_bytes() == current
    result = _run(runner, vault, "restore", snap_id, "--to", str(tmp_path), "--force")
    assert result.exit_code == 0
    assert book.read_bytes() != current


def test_wrong_passphrase_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    book = make_book(tmp_path / "book.xlsx")
    vault = tmp_path / "vault"
    _run(runner, vault, str(book))
    line = _one_line_error(_run(runner, vault, str(book), "--lang", "en", passphrase="oops"))
    assert "Wrong passphrase" in line
    line = _one_line_error(_run(runner, vault, "list", "--lang", "zh", passphrase="oops"))
    assert "口令错误" in line
    assert len(_snapshots(runner, vault)) == 1


def test_no_passphrase_and_no_terminal(runner: CliRunner, tmp_path: Path) -> None:
    book = make_book(tmp_path / "book.xlsx")
    result = _run(runner, tmp_path / "vault", str(book), "--lang", "en", passphrase=None)
    line = _one_line_error(result)
    assert "CLIENTBOOK_PASSPHRASE" in line and "--passphrase-file" in line
    assert not (tmp_path / "vault").exists()


def test_passphrase_file(runner: CliRunner, tmp_path: Path) -> None:
    book = make_book(tmp_path / "book.xlsx")
    secret = tmp_path / "secret.txt"
    secret.write_text(PASSPHRASE + "\n", encoding="utf-8")
    vault = tmp_path / "vault"
    args = ["--passphrase-file", str(secret)]
    assert _run(runner, vault, "create", str(book), *args, passphrase=None).exit_code == 0
    assert len(_snapshots(runner, vault)) == 1  # same passphrase from the environment


def test_missing_book(runner: CliRunner, tmp_path: Path) -> None:
    line = _one_line_error(
        _run(runner, tmp_path / "v", str(tmp_path / "nope.xlsx"), "--lang", "en")
    )
    assert "nope.xlsx" in line


def test_prune_cli(runner: CliRunner, tmp_path: Path) -> None:
    book = tmp_path / "book.xlsx"
    vault = tmp_path / "vault"
    for rows in (5, 6, 7):
        make_book(book, rows=rows)
        assert _run(runner, vault, str(book)).exit_code == 0
    line = _one_line_error(_run(runner, vault, "prune", "--lang", "en"))
    assert "--keep-last" in line
    dry = _run(runner, vault, "prune", "--keep-last", "1", "--dry-run", "--lang", "en")
    assert dry.exit_code == 0 and "Dry run" in dry.stderr
    assert len(_snapshots(runner, vault)) == 3
    done = _run(runner, vault, "prune", "--keep-last", "1", "--lang", "en")
    assert done.exit_code == 0 and "forgetting 2" in done.stderr
    assert len(_snapshots(runner, vault)) == 1
    assert len(list((vault / "data").glob("*.age"))) == 1


def test_verify_needs_one_of(runner: CliRunner, tmp_path: Path) -> None:
    _one_line_error(_run(runner, tmp_path / "v", "verify", "abcd", "--all"))


def test_every_backup_command_has_an_example(runner: CliRunner) -> None:
    for command in ("create", "list", "verify", "restore", "prune"):
        result = runner.invoke(app, ["backup", command, "--help"])
        assert result.exit_code == 0
        assert "Example: clientbook backup" in result.stdout


# --- tampering: each damaged snapshot is refused with exit 2 and writes nothing -----------


def _flip(offset: Callable[[bytes], int]) -> Callable[[bytes], bytes]:
    def damage(blob: bytes) -> bytes:
        changed = bytearray(blob)
        changed[offset(blob)] ^= 0x01
        return bytes(changed)

    return damage


def _mac_char(blob: bytes) -> int:
    return blob.index(b"\n--- ") + 6  # a character inside the base64 MAC


def _chunk(index: int) -> Callable[[bytes], int]:
    return lambda blob: payload_start(blob) + index * age.ENC_CHUNK_SIZE + 100


TAMPERING: dict[str, Callable[[bytes], bytes]] = {
    "header version": _flip(lambda blob: 3),
    "header salt": _flip(lambda blob: blob.index(b"scrypt ") + 9),
    "header MAC": _flip(_mac_char),
    "payload nonce": _flip(lambda blob: payload_start(blob) - 5),
    "first chunk": _flip(_chunk(0)),
    "middle chunk": _flip(_chunk(1)),
    "last chunk": _flip(lambda blob: len(blob) - 20),
    "last tag": _flip(lambda blob: len(blob) - 1),
    "truncated at chunk boundary": lambda blob: blob[
        : payload_start(blob) + 2 * age.ENC_CHUNK_SIZE
    ],
    "truncated mid-chunk": lambda blob: blob[: payload_start(blob) + age.ENC_CHUNK_SIZE + 777],
    "extra bytes": lambda blob: blob + b"\x00",
}


@pytest.fixture(scope="module")
def big_snapshot(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    folder = tmp_path_factory.mktemp("big")
    book = make_big_book(folder / "大客户名册.xlsx")
    vault = age_file = folder / "vault"
    with pytest.MonkeyPatch.context() as patch:
        from clientbook.vault import store

        patch.setattr(store, "DEFAULT_WORK_FACTOR", 10)
        snap = store.Vault(vault, PASSPHRASE).create(book)
    age_file = vault / snap.file
    assert len(age_file.read_bytes()) > payload_start(age_file.read_bytes()) + 3 * 65552
    return vault, age_file.read_bytes()


@pytest.mark.parametrize("how", list(TAMPERING), ids=list(TAMPERING))
def test_tampered_snapshot_is_refused(
    runner: CliRunner, tmp_path: Path, big_snapshot: tuple[Path, bytes], how: str
) -> None:
    source, blob = big_snapshot
    vault = tmp_path / "vault"
    (vault / "data").mkdir(parents=True)
    (vault / "index.age").write_bytes((source / "index.age").read_bytes())
    data_file = next((source / "data").glob("*.age"))
    (vault / "data" / data_file.name).write_bytes(TAMPERING[how](blob))
    snap_id = str(_snapshots(runner, vault)[0]["id"])
    out = tmp_path / "out"
    out.mkdir()

    line = _one_line_error(
        _run(runner, vault, "restore", snap_id, "--to", str(out), "--lang", "en")
    )
    assert "damaged or has been tampered with" in line and snap_id in line
    assert list(out.iterdir()) == []  # no output file, no temporary left behind

    line = _one_line_error(
        _run(runner, vault, "restore", snap_id, "--to", str(out), "--lang", "zh")
    )
    assert "已损坏或被篡改" in line

    assert _run(runner, vault, "verify", snap_id).exit_code == 2
    result = _run(runner, vault, "verify", "--all", "--lang", "en")
    assert result.exit_code == 2
    assert "failed verification" in result.stderr


def test_untampered_copy_restores(
    runner: CliRunner, tmp_path: Path, big_snapshot: tuple[Path, bytes]
) -> None:
    """The control for the tampering table: the same copying, without damage, works."""
    source, blob = big_snapshot
    vault = tmp_path / "vault"
    (vault / "data").mkdir(parents=True)
    (vault / "index.age").write_bytes((source / "index.age").read_bytes())
    data_file = next((source / "data").glob("*.age"))
    (vault / "data" / data_file.name).write_bytes(blob)
    snap = _snapshots(runner, vault)[0]
    result = _run(runner, vault, "restore", str(snap["id"]), "--to", str(tmp_path / "r.xlsx"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "r.xlsx").stat().st_size == snap["size"]


def test_every_vault_message_exists_in_both_languages() -> None:
    import re

    from clientbook import messages

    src = Path(__file__).parents[1] / "src" / "clientbook"
    code = "".join(
        p.read_text(encoding="utf-8")
        for p in [*src.joinpath("vault").glob("*.py"), src / "cli.py", src / "render.py"]
    )
    used = set(re.findall(r'"(vault\.[a-z_.]+)"', code)) - {"vault.col.", "vault.reason."}
    assert used, "no message keys found"
    for key in used | set(messages.VAULT):
        assert messages.has(key), key
    for key, (zh, en) in messages.VAULT.items():
        assert zh and en, key
        assert re.search(r"[\u4e00-\u9fff]", zh) or key == "vault.col.sha256", key


def test_vault_that_cannot_be_written(runner: CliRunner, tmp_path: Path) -> None:
    book = make_book(tmp_path / "book.xlsx")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    line = _one_line_error(_run(runner, blocker / "vault", str(book), "--lang", "en"))
    assert "Cannot write to the vault" in line
