"""The streaming paths of the vault: 1 MiB blocks, both AEAD code paths.

The payload is read, sealed and opened in blocks of 16 chunks into reusable buffers. These
tests compare it, around every block edge, with a plain chunk-by-chunk reading of the age
specification (written here, independently) and with pyrage, and run the vault on files
of several blocks.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Iterator
from pathlib import Path

import pyrage
import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from clientbook.errors import TamperedSnapshot
from clientbook.vault import age
from clientbook.vault.store import Vault
from vault_fixtures import PASSPHRASE, fast_scrypt, payload_start  # noqa: F401

pytestmark = pytest.mark.usefixtures("fast_scrypt")

CHUNK = age.CHUNK_SIZE
BLOCK = CHUNK * 16
# Around the edges of a chunk and of a 16-chunk block, and more than two blocks.
SIZES = [0, 1, CHUNK, BLOCK - 1, BLOCK, BLOCK + 1, 2 * BLOCK, 2 * BLOCK + CHUNK + 7]


def _data(size: int) -> bytes:
    return os.urandom(size)


def _encrypt(data: bytes, src: object = None) -> bytes:
    out = io.BytesIO()
    age.encrypt(src or io.BytesIO(data), out, PASSPHRASE, work_factor=10)  # type: ignore[arg-type]
    return out.getvalue()


def _reference(blob: bytes) -> tuple[str, bytes]:
    """The payload as the spec reads it, one 64 KiB chunk at a time: outcome, released."""
    src = io.BytesIO(blob)
    header = age.read_header(src)
    file_key = age.unwrap_scrypt(header, PASSPHRASE)
    nonce = src.read(age.NONCE_SIZE)
    aead = ChaCha20Poly1305(age._hkdf(file_key, nonce, b"payload"))
    released = bytearray()
    counter = 0
    while True:
        sealed = src.read(age.ENC_CHUNK_SIZE)
        if not sealed and counter > 0 or len(sealed) < age.TAG_SIZE:
            return "payload failure", bytes(released)
        plain = None
        for last in [True] if len(sealed) < age.ENC_CHUNK_SIZE else [False, True]:
            try:
                nonce = counter.to_bytes(11, "big") + bytes([last])
                plain = aead.decrypt(nonce, sealed, None)
                break
            except InvalidTag:
                continue
        if plain is None or last and not plain and counter > 0:
            return "payload failure", bytes(released)
        released += plain
        if last:
            return ("payload failure" if src.read(1) else "success"), bytes(released)
        counter += 1


def _ours(blob: bytes) -> tuple[str, bytes]:
    released = bytearray()
    try:
        for chunk in age.decrypt(io.BytesIO(blob), PASSPHRASE):
            assert len(chunk) <= CHUNK
            released += chunk
    except age.PayloadError:
        return "payload failure", bytes(released)
    return "success", bytes(released)


@pytest.fixture(params=[True, False], ids=["encrypt_into", "encrypt"])
def aead_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Both ways of calling the AEAD: into a buffer (cryptography >= 45), or bytes."""
    into = bool(request.param)
    if into and not age._AEAD_INTO:
        pytest.skip("this cryptography has no encrypt_into")
    monkeypatch.setattr(age, "_AEAD_INTO", into)
    return into


@pytest.mark.parametrize("size", SIZES)
def test_round_trip_and_pyrage_across_block_edges(size: int, aead_path: bool) -> None:
    data = _data(size)
    blob = _encrypt(data)
    assert b"".join(age.decrypt(io.BytesIO(blob), PASSPHRASE)) == data
    assert pyrage.passphrase.decrypt(blob, PASSPHRASE) == data
    blocks = [bytes(b) for b in age.decrypt_blocks(io.BytesIO(blob), PASSPHRASE)]
    assert b"".join(blocks) == data
    assert all(len(b) <= BLOCK for b in blocks)


def test_pyrage_file_of_several_blocks_opens() -> None:
    data = _data(2 * BLOCK + CHUNK + 7)
    blob = pyrage.passphrase.encrypt(data, PASSPHRASE)  # pyrage picks its own work factor
    assert b"".join(age.decrypt(io.BytesIO(blob), PASSPHRASE)) == data


def _cuts(blob: bytes) -> Iterator[tuple[str, bytes]]:
    start = payload_start(blob)
    enc = age.ENC_CHUNK_SIZE
    for chunks in (1, 15, 16, 17, 32):
        edge = start + chunks * enc
        for delta in (-17, -16, -1, 0, 1, 15, 16, 17):
            if start < edge + delta < len(blob):
                yield f"cut at chunk {chunks}{delta:+d}", blob[: edge + delta]
    for chunk in (0, 15, 16, 17, 33):
        at = start + chunk * enc + 5
        if at < len(blob):
            flipped = bytearray(blob)
            flipped[at] ^= 1
            yield f"flip in chunk {chunk}", bytes(flipped)
    yield "one byte appended", blob + b"\0"
    yield "a chunk appended", blob + bytes(enc)
    yield "payload empty", blob[:start]


@pytest.mark.parametrize("size", [16 * CHUNK, 33 * CHUNK + 100])
def test_damage_near_block_edges_matches_the_spec_reading(size: int, aead_path: bool) -> None:
    blob = _encrypt(_data(size))
    checked = 0
    for name, damaged in _cuts(blob):
        assert _ours(damaged) == _reference(damaged), name
        checked += 1
    assert checked > 20


def test_full_final_chunk_at_a_block_edge_opens_as_last(aead_path: bool) -> None:
    """The final chunk is full and is the 16th of its block: it must be sealed as last."""
    data = _data(BLOCK)
    blob = _encrypt(data)
    assert len(blob) - payload_start(blob) == 16 * age.ENC_CHUNK_SIZE
    assert _reference(blob) == ("success", data)


class _Trickle:
    """A pipe-like source: `read` only, and never more than 1000 bytes at a time."""

    def __init__(self, data: bytes) -> None:
        self._src = io.BytesIO(data)

    def read(self, size: int = -1, /) -> bytes:
        return self._src.read(min(size, 1000) if size >= 0 else 1000)


class _ShortReads(io.RawIOBase):
    """`readinto` that fills at most 777 bytes per call."""

    def __init__(self, data: bytes) -> None:
        self._src = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        return self._src.readinto(memoryview(buffer)[:777])


def test_sources_with_short_reads_give_the_same_file() -> None:
    data = _data(BLOCK + 3 * CHUNK + 11)
    for src in (_Trickle(data), _ShortReads(data)):
        blob = _encrypt(data, src)
        assert pyrage.passphrase.decrypt(blob, PASSPHRASE) == data


@pytest.mark.parametrize("size", [0, BLOCK, 3 * BLOCK + 5])
def test_vault_round_trip_of_whole_blocks(tmp_path: Path, size: int) -> None:
    book = tmp_path / "book.xlsx"
    data = _data(size)
    book.write_bytes(data)
    vault = Vault(tmp_path / "vault", PASSPHRASE)
    snap = vault.create(book)
    assert snap.sha256 == hashlib.sha256(data).hexdigest()
    assert snap.size == size
    assert vault.verify(snap.id) == snap
    assert vault.restore(snap.id, tmp_path / "back.xlsx").read_bytes() == data
    with (vault.directory / snap.file).open("rb") as src:
        assert b"".join(age.decrypt(src, PASSPHRASE)) == data


def test_tampered_snapshot_of_several_blocks_is_refused(tmp_path: Path) -> None:
    book = tmp_path / "book.xlsx"
    book.write_bytes(_data(2 * BLOCK + 5))
    vault = Vault(tmp_path / "vault", PASSPHRASE)
    snap = vault.create(book)
    path = vault.directory / snap.file
    blob = bytearray(path.read_bytes())
    blob[payload_start(bytes(blob)) + 20 * age.ENC_CHUNK_SIZE] ^= 1  # in the second block
    path.write_bytes(bytes(blob))
    with pytest.raises(TamperedSnapshot):
        vault.verify(snap.id)
    target = tmp_path / "back.xlsx"
    with pytest.raises(TamperedSnapshot):
        vault.restore(snap.id, target)
    assert not target.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx", "vault"]
