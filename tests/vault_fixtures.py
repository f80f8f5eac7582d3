"""Fixtures for the vault tests: real registers built with openpyxl, fast scrypt."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from clientbook.vault import age, store

PASSPHRASE = "测试口令 correct horse"
FAST = 10  # scrypt log2(N) in tests; test_vault_interop also runs age's default (18)


@pytest.fixture
def fast_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    """New age files use a low work factor (an internal setting, not an env variable)."""
    monkeypatch.setattr(store, "DEFAULT_WORK_FACTOR", FAST)


def make_book(path: Path, rows: int = 40, seed: int = 7) -> Path:
    """A real register: header row plus synthetic clients; random notes make it large."""
    from openpyxl import Workbook

    rng = random.Random(seed)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "客户"
    ws.append(["客户号", "客户姓名", "手机号", "资产规模（万元）", "备注"])
    for i in range(rows):
        note = "".join(rng.choice("0123456789abcdef") for _ in range(48))
        ws.append([f"C{i:05d}", f"测试客户{i}", f"139{rng.randrange(10**8):08d}", i * 3, note])
    wb.save(path)
    return path


def make_big_book(path: Path) -> Path:
    """A register whose snapshot spans at least four 64 KiB payload chunks."""
    make_book(path, rows=9000)
    assert path.stat().st_size > 3 * age.CHUNK_SIZE + 1000
    return path


def payload_start(blob: bytes) -> int:
    """Offset of the first payload chunk (after the header and the 16-byte nonce)."""
    return blob.index(b"\n", blob.index(b"\n--- ") + 1) + 1 + age.NONCE_SIZE
