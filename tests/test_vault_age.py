"""The age v1 format: the published test kit vectors, round trips, and pyrage both ways."""

from __future__ import annotations

import hashlib
import io
import zlib
from pathlib import Path

import pyrage
import pytest

from clientbook.vault import age

VECTORS = Path(__file__).parent / "age_vectors"
VECTOR_FILES = sorted(p for p in VECTORS.iterdir() if p.suffix != ".md")
LOW = 10  # scrypt work factor for fast tests; the default (18) is tested in test_vault_interop


def _load(path: Path) -> tuple[dict[str, list[str]], bytes]:
    raw = path.read_bytes()
    head, _, body = raw.partition(b"\n\n")
    meta: dict[str, list[str]] = {}
    for line in head.decode("utf-8").splitlines():
        key, _, value = line.partition(": ")
        meta.setdefault(key, []).append(value)
    if meta.get("compressed") == ["zlib"]:
        body = zlib.decompress(body)
    return meta, body


def _run(meta: dict[str, list[str]], body: bytes) -> tuple[str, bytes]:
    """Decrypt as far as possible; the outcome in the test kit's words and what was released."""
    src = io.BytesIO(body)
    released = bytearray()
    try:
        header = age.read_header(src)
        if "passphrase" in meta:
            outcome: Exception | None = None
            for passphrase in meta["passphrase"]:
                try:
                    file_key = age.unwrap_scrypt(header, passphrase)
                    break
                except age.NoMatch as exc:
                    outcome = exc
            else:
                assert outcome is not None
                raise outcome
        else:
            # X25519 files: the stanza is not ours to open, the rest of the format is.
            file_key = bytes.fromhex(meta["file key"][0])
        for chunk in age.decrypt_payload(src, header, file_key):
            released += chunk
    except age.HeaderError:
        return "header failure", bytes(released)
    except age.NoMatch:
        return "no match", bytes(released)
    except age.HmacError:
        return "HMAC failure", bytes(released)
    except age.PayloadError:
        return "payload failure", bytes(released)
    return "success", bytes(released)


@pytest.mark.parametrize("path", VECTOR_FILES, ids=[p.name for p in VECTOR_FILES])
def test_age_testkit_vector(path: Path) -> None:
    meta, body = _load(path)
    expect = meta["expect"][0]
    outcome, released = _run(meta, body)
    assert outcome == expect, meta.get("comment")
    if "payload" in meta:
        assert hashlib.sha256(released).hexdigest() == meta["payload"][0]


def test_vectors_are_present() -> None:
    names = {p.name for p in VECTOR_FILES}
    assert {"scrypt", "scrypt_work_factor_23", "stream_two_chunks", "hmac_bad"} <= names
    assert len(names) > 60


def _encrypt(data: bytes, passphrase: str = "correct horse", factor: int = LOW) -> bytes:
    out = io.BytesIO()
    age.encrypt(io.BytesIO(data), out, passphrase, work_factor=factor)
    return out.getvalue()


def _decrypt(blob: bytes, passphrase: str = "correct horse") -> bytes:
    return b"".join(age.decrypt(io.BytesIO(blob), passphrase))


SIZES = [0, 1, age.CHUNK_SIZE - 1, age.CHUNK_SIZE, age.CHUNK_SIZE + 1, 3 * age.CHUNK_SIZE]


@pytest.mark.parametrize("size", SIZES)
def test_round_trip_and_chunk_layout(size: int) -> None:
    data = bytes(range(256)) * (size // 256) + bytes(size % 256)
    blob = _encrypt(data)
    assert _decrypt(blob) == data
    header_end = blob.index(b"\n", blob.index(b"--- ")) + 1
    payload = len(blob) - header_end - age.NONCE_SIZE
    chunks = max(1, -(-size // age.CHUNK_SIZE))  # no empty final chunk unless all is empty
    assert payload == size + chunks * age.TAG_SIZE


def test_header_is_one_scrypt_stanza_at_default_factor() -> None:
    out = io.BytesIO()
    age.encrypt(io.BytesIO(b"x"), out, "pw")  # default factor: what `age -p` writes
    lines = out.getvalue().split(b"\n")
    assert lines[0] == b"age-encryption.org/v1"
    args = lines[1].split(b" ")
    assert args[:2] == [b"->", b"scrypt"] and args[3] == b"18"
    assert len(age.b64decode(args[2])) == 16
    assert lines[3].startswith(b"--- ")


def test_wrong_passphrase_is_no_match() -> None:
    with pytest.raises(age.NoMatch):
        _decrypt(_encrypt(b"secret"), "wrong")


def test_fresh_key_salt_and_nonce_each_time() -> None:
    assert _encrypt(b"same") != _encrypt(b"same")


def test_pyrage_decrypts_ours() -> None:
    data = b"client register \xe5\xae\xa2\xe6\x88\xb7" * 30000  # > 2 chunks
    assert pyrage.passphrase.decrypt(_encrypt(data, "pässphrase"), "pässphrase") == data


def test_we_decrypt_pyrage() -> None:
    data = bytes(range(256)) * 1000
    blob = pyrage.passphrase.encrypt(data, "pässphrase")
    assert _decrypt(blob, "pässphrase") == data


def test_truncated_at_chunk_boundary_is_refused() -> None:
    blob = _encrypt(bytes(3 * age.CHUNK_SIZE))
    cut = len(blob) - age.CHUNK_SIZE - age.TAG_SIZE  # drop the whole final chunk
    with pytest.raises(age.PayloadError):
        _decrypt(blob[:cut])


def test_trailing_data_is_refused() -> None:
    with pytest.raises(age.PayloadError):
        _decrypt(_encrypt(b"abc") + b"\x00")
