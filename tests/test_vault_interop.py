"""Interoperability: the reference `age` tool and pyrage read our snapshots, and we read theirs.

`age` asks for passphrases on the terminal, so it is driven through a pseudo-terminal with
pexpect; so is clientbook's own prompt. These tests use age's default work factor (18).
"""

from __future__ import annotations

import io
import os
import shutil
import sys
from pathlib import Path

import pexpect
import pyrage
import pytest

from clientbook.vault import age, store
from vault_fixtures import PASSPHRASE, make_big_book, make_book

AGE = shutil.which("age")
needs_age = pytest.mark.skipif(
    AGE is None, reason="the `age` tool is not installed (apt-get install age); interop skipped"
)


def _child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLIENTBOOK_")}
    env["LANG"] = "C.UTF-8"
    return env


def _age_decrypt(path: Path, out: Path, passphrase: str) -> tuple[int, str]:
    assert AGE is not None
    child = pexpect.spawn(AGE, ["-d", "-o", str(out), str(path)], timeout=120, env=_child_env())
    child.expect("(?i)passphrase")
    child.sendline(passphrase)
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus or 0, (child.before or b"").decode("utf-8", "replace")


def _age_encrypt(path: Path, out: Path, passphrase: str) -> None:
    assert AGE is not None
    child = pexpect.spawn(AGE, ["-p", "-o", str(out), str(path)], timeout=120, env=_child_env())
    child.expect("(?i)passphrase")
    child.sendline(passphrase)
    child.expect("(?i)confirm")
    child.sendline(passphrase)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def _clientbook(args: list[str]) -> pexpect.spawn:
    return pexpect.spawn(
        sys.executable,
        ["-m", "clientbook", *args],
        timeout=120,
        env=_child_env(),
        encoding="utf-8",
    )


@needs_age
def test_age_decrypts_a_snapshot_made_through_the_prompt(tmp_path: Path) -> None:
    """New vault: the passphrase is asked twice (a mismatch asks again); age -d opens it."""
    book = make_big_book(tmp_path / "客户名册.xlsx")
    vault = tmp_path / "vault"
    child = _clientbook(["backup", str(book), "--vault", str(vault), "--lang", "en"])
    child.expect("New passphrase")
    child.sendline(PASSPHRASE)
    child.expect("Repeat")
    child.sendline("a typo")
    child.expect("(?i)match")
    child.expect("New passphrase")
    child.sendline(PASSPHRASE)
    child.expect("Repeat")
    child.sendline(PASSPHRASE)
    child.expect("Backed up")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    (data,) = (vault / "data").glob("*.age")
    assert data.read_bytes().split(b"\n")[1].endswith(b" 18")  # age's default work factor
    out = tmp_path / "by-age.xlsx"
    status, _ = _age_decrypt(data, out, PASSPHRASE)
    assert status == 0
    assert out.read_bytes() == book.read_bytes()

    index = tmp_path / "index.json"
    assert _age_decrypt(vault / "index.age", index, PASSPHRASE)[0] == 0
    assert "客户名册.xlsx" in index.read_text(encoding="utf-8")

    # An existing vault asks once.
    child = _clientbook(["backup", "list", "--vault", str(vault), "--lang", "en"])
    child.expect("Vault passphrase")
    child.sendline(PASSPHRASE)
    child.expect("客户名册.xlsx")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


@needs_age
def test_we_decrypt_what_age_encrypts(tmp_path: Path) -> None:
    book = make_big_book(tmp_path / "book.xlsx")
    encrypted = tmp_path / "book.xlsx.age"
    _age_encrypt(book, encrypted, PASSPHRASE)
    with encrypted.open("rb") as src:
        assert b"".join(age.decrypt(src, PASSPHRASE)) == book.read_bytes()
    with encrypted.open("rb") as src, pytest.raises(age.NoMatch):
        age.decrypt(src, "not it")


@needs_age
def test_age_refuses_what_we_refuse(tmp_path: Path) -> None:
    blob = io.BytesIO()
    age.encrypt(io.BytesIO(bytes(200_000)), blob, PASSPHRASE, work_factor=10)
    damaged = bytearray(blob.getvalue())
    damaged[-3] ^= 1
    path = tmp_path / "damaged.age"
    path.write_bytes(bytes(damaged))
    status, _ = _age_decrypt(path, tmp_path / "out", PASSPHRASE)
    assert status != 0
    with path.open("rb") as src, pytest.raises(age.PayloadError):
        b"".join(age.decrypt(src, PASSPHRASE))


def test_pyrage_decrypts_a_vault_snapshot(tmp_path: Path) -> None:
    book = make_book(tmp_path / "book.xlsx", rows=2000)
    vault = store.Vault(tmp_path / "vault", PASSPHRASE, work_factor=12)
    snap = vault.create(book)
    decrypted = pyrage.passphrase.decrypt((vault.directory / snap.file).read_bytes(), PASSPHRASE)
    assert decrypted == book.read_bytes()
