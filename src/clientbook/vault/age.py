"""The age v1 file format (age-encryption.org/v1), passphrase (scrypt) recipients only.

Built from the `cryptography` package's primitives exactly as the specification says
(https://c2sp.org/age): a textual header with one scrypt stanza and an HMAC-SHA-256 MAC,
then a STREAM payload of 64 KiB ChaCha20-Poly1305 chunks. Every file written here is a
standard age file (`age -d` decrypts it with the passphrase) and every standard
passphrase-encrypted age file can be read here.

Encryption and decryption stream in blocks of 16 chunks (1 MiB) through reusable buffers:
memory stays flat (a few MiB) at any file size. Decryption releases a chunk only after it
authenticated; callers that must not write anything on failure (restore) collect the
chunks in a temporary file.

Failures follow the four outcomes of the age test kit: HeaderError (the header does not
parse), NoMatch (no stanza opens with this passphrase), HmacError (the header MAC does not
match), PayloadError (the payload does not authenticate all the way to its end).
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, BinaryIO, Protocol

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from clientbook.errors import VaultError

VERSION_LINE = b"age-encryption.org/v1\n"
VERSION_PREFIX = b"age-encryption.org/"
SCRYPT_LABEL = b"age-encryption.org/v1/scrypt"
CHUNK_SIZE = 64 * 1024
TAG_SIZE = 16
ENC_CHUNK_SIZE = CHUNK_SIZE + TAG_SIZE
FILE_KEY_SIZE = 16
NONCE_SIZE = 16
COLUMNS = 64

#: age's default work factor (log2 N) when encrypting with a passphrase.
DEFAULT_WORK_FACTOR = 18
#: age's default upper limit when decrypting; higher stanzas are refused unopened.
MAX_WORK_FACTOR = 22

# A header line is short; a generous cap keeps a hostile file from growing memory.
_MAX_LINE = 64 * 1024
_MAX_STANZAS = 256
_B64_CHARS = re.compile(rb"[A-Za-z0-9+/]*")
_DECIMAL = re.compile(rb"[1-9][0-9]*")
_ZERO_NONCE = bytes(12)


class AgeError(VaultError):
    """An age file cannot be decrypted."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail=detail)
        self.detail = detail


class HeaderError(AgeError):
    """The header does not parse as age v1."""


class NoMatch(AgeError):
    """No recipient stanza opens with this passphrase."""


class HmacError(AgeError):
    """The header MAC does not match: the header was changed."""


class PayloadError(AgeError):
    """The payload does not authenticate all the way to its end."""


class Readable(Protocol):
    """Anything with a binary `read(size)`: a file, a pipe, a hashing wrapper."""

    def read(self, size: int = -1, /) -> bytes: ...


@dataclass(frozen=True)
class Stanza:
    args: tuple[str, ...]
    body: bytes


@dataclass(frozen=True)
class Header:
    stanzas: tuple[Stanza, ...]
    mac: bytes
    mac_input: bytes  # the header up to and including "---"


# --- encoding helpers ---------------------------------------------------------------


def b64encode(data: bytes) -> bytes:
    """Canonical unpadded base64 (RFC 4648 §4, no '=')."""
    return base64.b64encode(data).rstrip(b"=")


def b64decode(text: bytes) -> bytes:
    """Strict unpadded base64: rejects padding, stray characters and non-canonical tails."""
    if _B64_CHARS.fullmatch(text) is None or len(text) % 4 == 1:
        raise HeaderError("invalid base64")
    try:
        data = base64.b64decode(text + b"=" * (-len(text) % 4), validate=True)
    except binascii.Error as exc:
        raise HeaderError("invalid base64") from exc
    if b64encode(data) != text:
        raise HeaderError("non-canonical base64")
    return data


def _hkdf(ikm: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(ikm)


def _header_mac(file_key: bytes, mac_input: bytes) -> hmac.HMAC:
    mac = hmac.HMAC(_hkdf(file_key, b"", b"header"), hashes.SHA256())
    mac.update(mac_input)
    return mac


def _scrypt_key(passphrase: bytes, salt: bytes, work_factor: int) -> bytes:
    kdf = Scrypt(salt=SCRYPT_LABEL + salt, length=32, n=1 << work_factor, r=8, p=1)
    return kdf.derive(passphrase)


def _read_exact(src: Readable, size: int) -> bytes:
    """Up to `size` bytes; fewer only at end of file (pipes may return short reads)."""
    data = src.read(size)
    if len(data) == size or not data:
        return data
    parts = [data]
    got = len(data)
    while got < size:
        more = src.read(size - got)
        if not more:
            break
        parts.append(more)
        got += len(more)
    return b"".join(parts)


def _readline(src: BinaryIO) -> bytes:
    """One header line including its LF; a line without LF is a truncated header."""
    line = src.readline(_MAX_LINE)
    if not line.endswith(b"\n"):
        raise HeaderError("header line too long" if len(line) >= _MAX_LINE else "truncated header")
    return line


# --- header ---------------------------------------------------------------------------


def _is_argument(arg: bytes) -> bool:
    return bool(arg) and all(0x21 <= c <= 0x7E for c in arg)


def read_header(src: BinaryIO) -> Header:
    """Parse an age v1 header, leaving `src` at the first byte of the payload nonce."""
    first = _readline(src)
    if first != VERSION_LINE:
        if first.startswith(VERSION_PREFIX):
            raise HeaderError("unsupported age version")
        raise HeaderError("not an age file")
    consumed = [first]
    stanzas: list[Stanza] = []
    line = _readline(src)
    while line.startswith(b"-> "):
        if len(stanzas) >= _MAX_STANZAS:
            raise HeaderError("too many recipient stanzas")
        consumed.append(line)
        args = line[3:-1].split(b" ")
        if not all(_is_argument(arg) for arg in args):
            raise HeaderError("malformed stanza arguments")
        body = bytearray()
        while True:
            body_line = _readline(src)
            consumed.append(body_line)
            text = body_line[:-1]
            if len(text) > COLUMNS:
                raise HeaderError("stanza body line too long")
            body += b64decode(text)
            if len(text) < COLUMNS:
                break
        stanzas.append(Stanza(tuple(arg.decode("ascii") for arg in args), bytes(body)))
        line = _readline(src)
    if not stanzas:
        raise HeaderError("no recipient stanza")
    if not line.startswith(b"---"):
        raise HeaderError("malformed header line")
    if not line.startswith(b"--- ") or len(line) != 4 + 43 + 1:
        raise HeaderError("malformed header MAC line")
    mac = b64decode(line[4:-1])
    if len(mac) != 32:
        raise HeaderError("malformed header MAC")
    mac_input = b"".join(consumed) + b"---"
    return Header(stanzas=tuple(stanzas), mac=mac, mac_input=mac_input)


def _stanza_lines(args: tuple[str, ...], body: bytes) -> bytes:
    encoded = b64encode(body)
    lines = [encoded[i : i + COLUMNS] for i in range(0, len(encoded), COLUMNS)]
    if not lines or len(lines[-1]) == COLUMNS:
        lines.append(b"")  # the body always ends with a line shorter than 64 columns
    return b"-> " + " ".join(args).encode("ascii") + b"\n" + b"".join(x + b"\n" for x in lines)


# --- scrypt recipient ------------------------------------------------------------------


def unwrap_scrypt(
    header: Header, passphrase: str, *, max_work_factor: int = MAX_WORK_FACTOR
) -> bytes:
    """The file key from the header's scrypt stanza, or NoMatch / HeaderError."""
    scrypt = [s for s in header.stanzas if s.args[0] == "scrypt"]
    if not scrypt:
        raise NoMatch("no passphrase stanza")
    if len(header.stanzas) != 1:
        raise HeaderError("an scrypt stanza must be the only stanza")
    stanza = scrypt[0]
    if len(stanza.args) != 3:
        raise HeaderError("scrypt stanza needs exactly two arguments")
    salt = b64decode(stanza.args[1].encode("ascii"))
    if len(salt) != 16:
        raise HeaderError("scrypt salt must be 16 bytes")
    factor = stanza.args[2].encode("ascii")
    if _DECIMAL.fullmatch(factor) is None:
        raise HeaderError("scrypt work factor must be a decimal number")
    if len(factor) > 2 or int(factor) > max_work_factor:
        raise HeaderError(f"scrypt work factor above {max_work_factor}")
    if len(stanza.body) != FILE_KEY_SIZE + TAG_SIZE:
        raise HeaderError("scrypt stanza body must be 32 bytes")
    wrap_key = _scrypt_key(passphrase.encode("utf-8"), salt, int(factor))
    try:
        return ChaCha20Poly1305(wrap_key).decrypt(_ZERO_NONCE, stanza.body, None)
    except InvalidTag:
        raise NoMatch("incorrect passphrase") from None


def wrap_scrypt(file_key: bytes, passphrase: str, work_factor: int) -> bytes:
    """An scrypt recipient stanza for `file_key`, with a fresh salt."""
    if not 1 <= work_factor <= 30:
        raise ValueError("scrypt work factor out of range")
    salt = os.urandom(16)
    wrap_key = _scrypt_key(passphrase.encode("utf-8"), salt, work_factor)
    body = ChaCha20Poly1305(wrap_key).encrypt(_ZERO_NONCE, file_key, None)
    return _stanza_lines(("scrypt", b64encode(salt).decode("ascii"), str(work_factor)), body)


# --- payload ----------------------------------------------------------------------------

# Payload I/O works on blocks of whole chunks (1 MiB of plaintext): one read and one write
# per block into reusable buffers, so the per-chunk cost is only the AEAD call.
_BLOCK_CHUNKS = 16
_PLAIN_BLOCK = CHUNK_SIZE * _BLOCK_CHUNKS
_SEALED_BLOCK = ENC_CHUNK_SIZE * _BLOCK_CHUNKS
# cryptography >= 45 seals and opens into a caller's buffer; older versions return bytes.
_AEAD_INTO = hasattr(ChaCha20Poly1305, "encrypt_into")


def _chunk_nonce(counter: int, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def _fill(src: Readable, view: memoryview) -> int:
    """Read into `view` until it is full or the input ends; the number of bytes read."""
    readinto = getattr(src, "readinto", None)
    got = 0
    size = len(view)
    while got < size:
        if readinto is not None:
            n = readinto(view[got:])
        else:
            data = src.read(size - got)
            n = len(data)
            view[got : got + n] = data
        if not n:
            break
        got += n
    return got


def _seal(aead: ChaCha20Poly1305, nonce: bytes, plain: memoryview, out: memoryview) -> None:
    if _AEAD_INTO:
        aead.encrypt_into(nonce, plain, None, out)
    else:
        out[:] = aead.encrypt(nonce, plain, None)


def _open(aead: ChaCha20Poly1305, nonce: bytes, sealed: memoryview, out: memoryview) -> bool:
    """Decrypt one chunk into `out`; False if it does not authenticate with `nonce`."""
    try:
        if _AEAD_INTO:
            aead.decrypt_into(nonce, sealed, None, out)
        else:
            out[:] = aead.decrypt(nonce, sealed, None)
    except InvalidTag:
        return False
    return True


def decrypt_payload(src: BinaryIO, header: Header, file_key: bytes) -> Iterator[bytes]:
    """Check the header MAC, then the authenticated plaintext chunks, one at a time.

    The MAC and the payload nonce are checked before this returns; chunk failures are
    raised while iterating, after every earlier chunk was released.
    """
    blocks = open_payload(src, header, file_key)

    def chunks() -> Iterator[bytes]:
        for block in blocks:
            for start in range(0, max(len(block), 1), CHUNK_SIZE):
                yield bytes(block[start : start + CHUNK_SIZE])

    return chunks()


def open_payload(src: BinaryIO, header: Header, file_key: bytes) -> Iterator[memoryview]:
    """Like `decrypt_payload`, but the plaintext comes in blocks of up to 16 chunks.

    Each block is a view into a buffer that the next block overwrites: use it (hash it,
    write it) before asking for the next one. A block holds only authenticated chunks;
    when a chunk fails, the chunks before it are released, then PayloadError is raised.
    """
    if len(file_key) != FILE_KEY_SIZE:
        raise HeaderError("file key must be 16 bytes")
    try:
        _header_mac(file_key, header.mac_input).verify(header.mac)
    except InvalidSignature:
        raise HmacError("header MAC does not match") from None
    nonce = _read_exact(src, NONCE_SIZE)
    if len(nonce) != NONCE_SIZE:
        raise HeaderError("missing payload nonce")
    aead = ChaCha20Poly1305(_hkdf(file_key, nonce, b"payload"))
    return _open_blocks(src, aead)


def _open_blocks(src: BinaryIO, aead: ChaCha20Poly1305) -> Iterator[memoryview]:
    current = memoryview(bytearray(_SEALED_BLOCK))
    following = memoryview(bytearray(_SEALED_BLOCK))
    plain = memoryview(bytearray(_PLAIN_BLOCK))
    counter = 0
    size = _fill(src, current)
    while True:
        # Read ahead: whether more input follows decides which chunk may be the last.
        more = _fill(src, following) if size == _SEALED_BLOCK else 0
        block = current[:size]
        done = 0  # plaintext bytes of this block that authenticated
        for start in range(0, max(size, 1), ENC_CHUNK_SIZE):
            sealed = block[start : start + ENC_CHUNK_SIZE]
            if len(sealed) < TAG_SIZE:
                yield from _released(plain, done)
                raise PayloadError("payload truncated")
            # A short chunk can only be the last; a full one is the last if it opens as
            # such (the reference implementation's rule, so the same bytes are released).
            last = len(sealed) < ENC_CHUNK_SIZE
            out = plain[done : done + len(sealed) - TAG_SIZE]
            opened = _open(aead, _chunk_nonce(counter, last), sealed, out)
            if not opened and not last:
                last = True
                opened = _open(aead, _chunk_nonce(counter, last), sealed, out)
            if not opened:
                yield from _released(plain, done)
                raise PayloadError(f"payload chunk {counter} does not authenticate")
            if last and not out and counter > 0:
                yield from _released(plain, done)
                raise PayloadError("final payload chunk is empty")
            done += len(out)
            if last:
                yield plain[:done]
                if start + len(sealed) < size or more:
                    raise PayloadError("data after the final payload chunk")
                return
            counter += 1
        yield plain[:done]
        if not more:
            raise PayloadError("payload truncated: no final chunk")
        current, following = following, current
        size = more


def _released(plain: memoryview, done: int) -> Iterator[memoryview]:
    """The chunks that authenticated before a failure, if any."""
    if done:
        yield plain[:done]


def _seal_chunks(src: Readable, dst: IO[bytes], aead: ChaCha20Poly1305) -> None:
    current = memoryview(bytearray(_PLAIN_BLOCK))
    following = memoryview(bytearray(_PLAIN_BLOCK))
    sealed = memoryview(bytearray(_SEALED_BLOCK))
    counter = 0
    size = _fill(src, current)
    while True:
        # Read ahead: the last chunk is sealed differently, so it must be known as such.
        more = _fill(src, following) if size == _PLAIN_BLOCK else 0
        block = current[:size]
        done = 0
        for start in range(0, max(size, 1), CHUNK_SIZE):
            plain = block[start : start + CHUNK_SIZE]
            last = not more and start + len(plain) == size
            out = sealed[done : done + len(plain) + TAG_SIZE]
            _seal(aead, _chunk_nonce(counter, last), plain, out)
            done += len(out)
            counter += 1
        dst.write(sealed[:done])
        if not more:
            return
        current, following = following, current
        size = more


# --- whole files ------------------------------------------------------------------------


def encrypt(
    src: Readable, dst: IO[bytes], passphrase: str, *, work_factor: int = DEFAULT_WORK_FACTOR
) -> None:
    """Write `src` to `dst` as an age file that opens with `passphrase`, chunk by chunk."""
    file_key = os.urandom(FILE_KEY_SIZE)
    mac_input = VERSION_LINE + wrap_scrypt(file_key, passphrase, work_factor) + b"---"
    mac = _header_mac(file_key, mac_input).finalize()
    nonce = os.urandom(NONCE_SIZE)
    dst.write(mac_input + b" " + b64encode(mac) + b"\n" + nonce)
    _seal_chunks(src, dst, ChaCha20Poly1305(_hkdf(file_key, nonce, b"payload")))


def decrypt(
    src: BinaryIO, passphrase: str, *, max_work_factor: int = MAX_WORK_FACTOR
) -> Iterator[bytes]:
    """The plaintext of the age file `src`, as authenticated chunks.

    Header, passphrase and MAC are checked before this returns; payload failures are
    raised while iterating.
    """
    header = read_header(src)
    file_key = unwrap_scrypt(header, passphrase, max_work_factor=max_work_factor)
    return decrypt_payload(src, header, file_key)


def decrypt_blocks(
    src: BinaryIO, passphrase: str, *, max_work_factor: int = MAX_WORK_FACTOR
) -> Iterator[memoryview]:
    """Like `decrypt`, in blocks of up to 16 chunks (see `open_payload`): the fast path."""
    header = read_header(src)
    file_key = unwrap_scrypt(header, passphrase, max_work_factor=max_work_factor)
    return open_payload(src, header, file_key)
