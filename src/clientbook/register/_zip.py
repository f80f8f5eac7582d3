"""A minimal zip writer that copies members raw and deflates only the parts we change.

`zipfile` can read everything we need (central directory, offsets, sizes, CRCs), but it
cannot copy a member's compressed bytes without inflating and deflating them again. This
writer copies compressed streams byte for byte, so every part clientbook does not touch
keeps its exact bytes, and memory stays flat whatever the size of the copied parts.
Zip64 is not written: a register over 4 GiB is refused by the caller.
"""

from __future__ import annotations

import contextlib
import os
import queue
import struct
import sys
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from types import ModuleType
from typing import IO, BinaryIO, Protocol

_LOCAL_SIG = 0x04034B50
_CENTRAL_SIG = 0x02014B50
_END_SIG = 0x06054B50
_LIMIT = 0xFFFFFFFF
_COPY_CHUNK = 1 << 20
_FLAG_DATA_DESCRIPTOR = 0x08
_FLAG_UTF8 = 0x800
# zlib level for the parts we rewrite. Measured on a 118 MiB sheet: level 6 takes 2.1 s CPU
# for 18.6 MiB, level 4 0.9 s for 21.0 MiB, level 1 0.5 s for 25.7 MiB. Level 4 keeps the
# write well inside 1.5x an unzip/re-zip of the whole file; Excel recompresses on its next save.
DEFLATE_LEVEL = 4
# Deflated with zlib-ng when it is installed (a dependency; the same deflate format, written
# by a faster search). Measured on the 131 MiB sheet of a 100,000-client register, CPU seconds
# for compressed/uncompressed size: zlib 4 0.95 s for 13.6%; zlib-ng 4 0.76 s for 13.0%,
# zlib-ng 3 0.49 s for 13.9%, zlib-ng 2 0.35 s for 14.9%. The deflate threads share the two
# cores with the patching main thread, which sets the pace: at level 2 a 100,000-client
# `tier` took 0.05-0.1 s less than at level 3 (seven alternated runs each), for a written
# file 6% larger (32 MB instead of 30; the register was 22 MB, before its new columns).
DEFLATE_LEVEL_NG = 2
try:
    from zlib_ng import zlib_ng as _zlib_ng

    _DEFLATE_LIB: ModuleType = _zlib_ng
except ImportError:  # a platform without its wheels: the standard zlib
    _DEFLATE_LIB = zlib
# What inflates and checks CRC-32s (guard.inflate too): zlib-ng's inflate takes half the
# time of zlib's on a register's sheet, its CRC-32 a quarter; the same results.
ZLIB: ModuleType = _DEFLATE_LIB
# Parallel deflate (see write_deflated): the threads that compress, the size of a block, and
# how many blocks may wait between the chunks' producer and the writer at most. Each block
# takes the GIL back a few times as its output grows, each time from the main thread, which
# is patching the sheet: 4 MiB blocks (not 1) interrupt it a quarter as often (the write of
# a 100,000-client register took about 12% less time).
DEFLATE_THREADS = 2
DEFLATE_BLOCK = 4 << 20
DEFLATE_IN_FLIGHT = 2 * DEFLATE_THREADS + 1
_WINDOW = 32768  # deflate's window: a block's dictionary is this much of the input before it
_SWITCH_INTERVAL = 0.0005  # seconds, while a member is deflated in threads
_PREFETCH = 4  # inflated pieces read ahead by prefetched()


class Readable(Protocol):
    """What reads a member's bytes piece by piece (b"" at the end)."""

    def read(self, size: int = -1, /) -> bytes: ...


class ZipTooLarge(Exception):
    """The archive would need Zip64 (a member or the archive over 4 GiB)."""


class ZipUnsupported(Exception):
    """A member is stored in a way we do not copy (zip encryption, split archive...)."""


def _strip_zip64(extra: bytes) -> bytes:
    """Drop the Zip64 extra block (id 1): sizes are written in the header itself."""
    out = bytearray()
    i = 0
    while i + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, i)
        block = extra[i : i + 4 + size]
        if tag != 0x0001:
            out += block
        i += 4 + size
    if i < len(extra):  # trailing bytes that are not a block: keep them as they were
        out += extra[i:]
    return bytes(out)


def _dos_datetime(info: zipfile.ZipInfo) -> tuple[int, int]:
    year, month, day, hour, minute, second = info.date_time
    dosdate = (max(year, 1980) - 1980) << 9 | month << 5 | day
    dostime = hour << 11 | minute << 5 | second // 2
    return dostime, dosdate


def _encoded_name(info: zipfile.ZipInfo) -> bytes:
    name = info.orig_filename
    if info.flag_bits & _FLAG_UTF8:
        return name.encode("utf-8")
    try:
        return name.encode("cp437")
    except UnicodeEncodeError:
        return name.encode("utf-8")


@dataclass
class _Entry:
    info: zipfile.ZipInfo
    name: bytes
    extra: bytes
    flag: int
    method: int
    crc: int
    csize: int
    usize: int
    offset: int
    version_needed: int


class RawZipWriter:
    """Writes a zip archive member by member to a seekable binary stream."""

    def __init__(self, fp: BinaryIO) -> None:
        if not fp.seekable():
            raise ValueError("the destination stream must be seekable")
        self._fp = fp
        self._base = fp.tell()
        self._pos = 0
        self._entries: list[_Entry] = []

    def _write(self, data: bytes) -> None:
        self._fp.write(data)
        self._pos += len(data)

    def _local_header(self, e: _Entry) -> bytes:
        dostime, dosdate = _dos_datetime(e.info)
        return (
            struct.pack(
                "<IHHHHHIIIHH",
                _LOCAL_SIG,
                e.version_needed,
                e.flag,
                e.method,
                dostime,
                dosdate,
                e.crc,
                e.csize,
                e.usize,
                len(e.name),
                len(e.extra),
            )
            + e.name
            + e.extra
        )

    def _new_entry(self, info: zipfile.ZipInfo) -> _Entry:
        if info.flag_bits & 0x01:
            raise ZipUnsupported(f"member {info.filename} is zip-encrypted")
        if self._pos > _LIMIT:
            raise ZipTooLarge(info.filename)
        return _Entry(
            info=info,
            name=_encoded_name(info),
            extra=_strip_zip64(info.extra),
            flag=info.flag_bits & ~_FLAG_DATA_DESCRIPTOR,
            method=info.compress_type,
            crc=info.CRC,
            csize=info.compress_size,
            usize=info.file_size,
            offset=self._pos,
            version_needed=info.extract_version,
        )

    def copy_raw(self, info: zipfile.ZipInfo, src: BinaryIO) -> None:
        """Copy a member's compressed bytes from the source archive unchanged."""
        entry = self._new_entry(info)
        if entry.csize > _LIMIT or entry.usize > _LIMIT:
            raise ZipTooLarge(info.filename)
        src.seek(info.header_offset)
        header = src.read(30)
        if len(header) != 30 or struct.unpack_from("<I", header)[0] != _LOCAL_SIG:
            raise zipfile.BadZipFile(f"bad local header for {info.filename}")
        name_len, extra_len = struct.unpack_from("<HH", header, 26)
        src.seek(info.header_offset + 30 + name_len + extra_len)
        self._write(self._local_header(entry))
        remaining = entry.csize
        crc_check = entry.method == zipfile.ZIP_STORED
        crc = 0
        while remaining:
            block = src.read(min(_COPY_CHUNK, remaining))
            if not block:
                raise zipfile.BadZipFile(f"truncated member {info.filename}")
            if crc_check:
                crc = ZLIB.crc32(block, crc)
            self._write(block)
            remaining -= len(block)
        if crc_check and crc != entry.crc:
            raise zipfile.BadZipFile(f"bad CRC for {info.filename}")
        self._entries.append(entry)

    def write_deflated(self, info: zipfile.ZipInfo, chunks: Iterable[bytes]) -> None:
        """Write a member from uncompressed chunks (deflated), keeping its metadata.

        The chunks are cut into blocks that DEFLATE_THREADS threads compress at the same
        time (zlib releases the GIL), the way pigz does: each block is compressed with the
        last 32 KiB of the input before it as its dictionary, so matches reach back across
        the cut as in one stream, and ends with a sync flush (an empty stored block that
        brings it to a byte boundary); the last one ends the stream. Their concatenation is
        then one ordinary deflate stream. A writer thread takes the blocks back in order,
        sums the CRC-32 of the input and writes them. At most DEFLATE_IN_FLIGHT blocks are
        held at once, so memory stays flat whatever the size of the member; producing the
        chunks overlaps compressing them.
        """
        entry = self._new_entry(info)
        entry.method = zipfile.ZIP_DEFLATED
        entry.flag &= _FLAG_UTF8  # clear the deflate-level bits of the old member
        entry.version_needed = max(20, entry.version_needed)
        entry.crc = entry.csize = entry.usize = 0
        header_at = self._pos
        self._write(self._local_header(entry))
        crc, usize, csize = _deflate_blocks(chunks, self._write)
        if usize > _LIMIT or csize > _LIMIT:
            raise ZipTooLarge(info.filename)
        entry.crc, entry.csize, entry.usize = crc, csize, usize
        end = self._pos
        self._fp.seek(self._base + header_at)
        self._fp.write(self._local_header(entry))
        self._fp.seek(self._base + end)
        self._entries.append(entry)

    def close(self, comment: bytes = b"") -> None:
        """Write the central directory and the end record."""
        start = self._pos
        if len(self._entries) > 0xFFFF or start > _LIMIT:
            raise ZipTooLarge("central directory")
        for e in self._entries:
            dostime, dosdate = _dos_datetime(e.info)
            comment_bytes = e.info.comment
            self._write(
                struct.pack(
                    "<IBBHHHHHIIIHHHHHII",
                    _CENTRAL_SIG,
                    e.info.create_version,
                    e.info.create_system,
                    e.version_needed,
                    e.flag,
                    e.method,
                    dostime,
                    dosdate,
                    e.crc,
                    e.csize,
                    e.usize,
                    len(e.name),
                    len(e.extra),
                    len(comment_bytes),
                    0,
                    e.info.internal_attr,
                    e.info.external_attr,
                    e.offset,
                )
                + e.name
                + e.extra
                + comment_bytes
            )
        size = self._pos - start
        if size > _LIMIT:
            raise ZipTooLarge("central directory")
        self._write(
            struct.pack(
                "<IHHHHIIH",
                _END_SIG,
                0,
                0,
                len(self._entries),
                len(self._entries),
                size,
                start,
                len(comment),
            )
            + comment
        )
        self._fp.flush()


def _compress_block(data: bytes, zdict: bytes, final: bool) -> bytes:
    """One block of a parallel deflate: `zdict` is the input just before it (pigz's way)."""
    lib = _DEFLATE_LIB
    level = DEFLATE_LEVEL_NG if lib is not zlib else DEFLATE_LEVEL
    try:
        if zdict:
            comp = lib.compressobj(level, zlib.DEFLATED, -15, zdict=zdict)
        else:
            comp = lib.compressobj(level, zlib.DEFLATED, -15)
        out: bytes = comp.compress(data)
        end: bytes = comp.flush(zlib.Z_FINISH if final else zlib.Z_SYNC_FLUSH)
    except lib.error as exc:  # zlib_ng.error is not a zlib.error: callers catch the latter
        if isinstance(exc, zlib.error):
            raise
        raise zlib.error(str(exc)) from exc
    return out + end


_switch_lock = threading.Lock()
_switch_users = 0
_switch_saved = 0.0


@contextlib.contextmanager
def _short_switch_interval() -> Iterator[None]:
    """A short GIL switch interval while helper threads run beside a busy main thread.

    The main thread (the patcher) holds the GIL almost all the time: with the default 5 ms
    switch interval a thread that comes back from zlib waits up to that long for it each
    time, and the threads fall behind. Counted, so that overlapping uses (in several
    threads) restore the interval once the last one ends."""
    global _switch_users, _switch_saved
    with _switch_lock:
        if _switch_users == 0:
            _switch_saved = sys.getswitchinterval()
            sys.setswitchinterval(min(_switch_saved, _SWITCH_INTERVAL))
        _switch_users += 1
    try:
        yield
    finally:
        with _switch_lock:
            _switch_users -= 1
            if _switch_users == 0:
                sys.setswitchinterval(_switch_saved)


def _deflate_blocks(
    chunks: Iterable[bytes], write: Callable[[bytes], None], block: int = 0
) -> tuple[int, int, int]:
    """Deflate `chunks` as one raw deflate stream, compressing blocks of about `block` bytes
    (DEFLATE_BLOCK by default) in DEFLATE_THREADS threads, in the manner of pigz (Mark
    Adler's parallel gzip: each block primed with the 32 KiB before it, ended by a sync
    flush, the last by Z_FINISH); `write` gets the compressed bytes in order. Returns (CRC-32,
    uncompressed size, compressed size). An exception of the chunks, of zlib or of `write` is
    raised here, once every thread has stopped."""
    size = block or DEFLATE_BLOCK
    waiting: queue.Queue[tuple[bytes, Future[bytes]] | None] = queue.Queue(DEFLATE_IN_FLIGHT)
    failed: list[BaseException] = []
    sums = [0, 0, 0]  # crc, uncompressed size, compressed size

    def drain() -> None:  # the writer thread: blocks back in order
        crc = usize = csize = 0
        while (item := waiting.get()) is not None:
            data, done = item
            if failed:
                done.cancel()
                continue
            try:
                out = done.result()
                crc = crc32(data, crc)
                usize += len(data)
                write(out)
                csize += len(out)
            except BaseException as exc:  # zlib, I/O: reported, and the rest is drained
                failed.append(exc)
        sums[:] = [crc, usize, csize]

    crc32 = _DEFLATE_LIB.crc32  # zlib-ng's is the faster; the same CRC-32
    pool = ThreadPoolExecutor(DEFLATE_THREADS, thread_name_prefix="clientbook-deflate")
    writer = threading.Thread(target=drain, name="clientbook-deflate-writer", daemon=True)
    window = b""

    def submit(data: bytes, final: bool) -> None:
        nonlocal window
        waiting.put((data, pool.submit(_compress_block, data, window, final)))
        window = data[-_WINDOW:] if len(data) >= _WINDOW else (window + data)[-_WINDOW:]

    with _short_switch_interval():
        writer.start()
        try:
            pending: list[bytes] = []
            held = 0
            for chunk in chunks:
                if failed:
                    break
                if not chunk:
                    continue
                pending.append(chunk)
                held += len(chunk)
                if held < size:
                    continue
                data = b"".join(pending)
                pending.clear()
                held = 0
                if len(data) < 2 * size:
                    submit(data, False)
                else:  # a very large chunk: in blocks, so that both threads get some
                    for at in range(0, len(data), size):
                        submit(data[at : at + size], False)
            if not failed:
                submit(b"".join(pending), True)
        except BaseException as exc:
            failed.append(exc)
            raise
        finally:
            waiting.put(None)
            writer.join()
            pool.shutdown(wait=True, cancel_futures=True)
    if failed:
        raise failed[0]
    crc, usize, csize = sums
    return crc, usize, csize


class _Prefetched:
    """A binary stream read ahead in a thread: read() returns the next piece (about `piece`
    bytes; b"" at the end). Reading a zip member this way inflates it beside the caller's
    work (zlib releases the GIL). An error of the stream is raised by read()."""

    def __init__(self, pieces: Iterator[bytes]) -> None:
        self._pieces = pieces
        self._queue: queue.Queue[bytes | BaseException | None] = queue.Queue(_PREFETCH)
        self._stop = False
        self._done = False
        self._thread = threading.Thread(target=self._run, name="clientbook-inflate", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            for data in self._pieces:
                if self._stop:
                    break
                if data:
                    self._queue.put(data)
            self._queue.put(None)
        except BaseException as exc:  # zlib.error, BadZipFile (bad CRC), OSError...
            self._queue.put(exc)

    def read(self, size: int = -1) -> bytes:
        if self._done:
            return b""
        item = self._queue.get()
        if item is None:
            self._done = True
            return b""
        if isinstance(item, BaseException):
            self._done = True
            raise item
        return item

    def close(self) -> None:
        self._stop = True
        while self._thread.is_alive():
            try:  # unblock a put() on the full queue
                self._queue.get(timeout=0.05)
            except queue.Empty:
                pass
        self._thread.join()
        self._done = True


def _stream_pieces(stream: IO[bytes], piece: int) -> Iterator[bytes]:
    while data := stream.read(piece):
        yield data


@contextlib.contextmanager
def prefetched(stream: IO[bytes], piece: int = _COPY_CHUNK) -> Iterator[_Prefetched]:
    """`with prefetched(stream) as reader:` reader.read() gives the stream's next piece, read
    ahead in a thread, which is stopped on exit."""
    reader = _Prefetched(_stream_pieces(stream, piece))
    try:
        yield reader
    finally:
        reader.close()


_READ_COMPRESSED = 1 << 18  # bytes of a member's compressed data read at a time


def _inflated_pieces(fd: int, info: zipfile.ZipInfo, piece: int) -> Iterator[bytes]:
    """A deflated or stored member's bytes, read with pread (the file offset is untouched, so
    other readers of the same file are not disturbed) and inflated with zlib-ng when
    installed (about twice as fast as zlib); the CRC-32 and the size are checked at the end,
    as zipfile checks them."""
    lib = _DEFLATE_LIB
    header = os.pread(fd, 30, info.header_offset)
    if len(header) != 30 or struct.unpack_from("<I", header)[0] != _LOCAL_SIG:
        raise zipfile.BadZipFile(f"bad local header for {info.filename}")
    name_len, extra_len = struct.unpack_from("<HH", header, 26)
    pos = info.header_offset + 30 + name_len + extra_len
    left = info.compress_size
    crc = size = 0
    try:
        if info.compress_type == zipfile.ZIP_STORED:
            while left:
                data = os.pread(fd, min(piece, left), pos)
                if not data:
                    raise EOFError(f"member {info.filename} is cut short")
                pos += len(data)
                left -= len(data)
                crc = lib.crc32(data, crc)
                size += len(data)
                yield data
        else:
            inflater = lib.decompressobj(-15)
            while not inflater.eof:
                data = inflater.unconsumed_tail
                if not data and left:
                    data = os.pread(fd, min(_READ_COMPRESSED, left), pos)
                    if not data:
                        raise EOFError(f"member {info.filename} is cut short")
                    pos += len(data)
                    left -= len(data)
                out = inflater.decompress(data, piece)  # at most `piece` bytes
                if out:
                    crc = lib.crc32(out, crc)
                    size += len(out)
                    yield out
                elif not data:  # all read, nothing more comes out, and no end of stream
                    raise EOFError(f"member {info.filename} is cut short")
    except lib.error as exc:  # zlib_ng.error is not a zlib.error: callers catch the latter
        if isinstance(exc, zlib.error):
            raise
        raise zlib.error(str(exc)) from exc
    if crc != info.CRC or size != info.file_size:
        raise zipfile.BadZipFile(f"Bad CRC-32 for file {info.filename!r}")


@contextlib.contextmanager
def read_member(
    zf: zipfile.ZipFile, fp: BinaryIO, info: zipfile.ZipInfo, piece: int = _COPY_CHUNK
) -> Iterator[_Prefetched]:
    """`with read_member(zf, fp, info) as reader:` reader.read() gives the member's next
    piece (about `piece` bytes; b"" at the end), inflated ahead in a thread, which is stopped
    on exit. `fp` is the file `zf` reads: on a real file (POSIX) the member is read and
    inflated here (see _inflated_pieces); otherwise through zipfile, in the same thread."""
    fd = _file_descriptor(fp)
    plain = info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
    if fd is None or not plain or info.flag_bits & 0x01 or not hasattr(os, "pread"):
        with zf.open(info) as stream, prefetched(stream, piece) as reader:
            yield reader
        return
    # The GIL switch interval is left alone: while the sheet is also deflated, the deflate
    # shortens it; in the first pass (made beside the reader) a short one slowed the reader.
    reader = _Prefetched(_inflated_pieces(fd, info, piece))
    try:
        yield reader
    finally:
        reader.close()


def _file_descriptor(fp: BinaryIO) -> int | None:
    try:
        return fp.fileno()
    except (OSError, ValueError, AttributeError):  # io.UnsupportedOperation: BytesIO
        return None
