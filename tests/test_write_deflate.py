"""The zip writer's parallel deflate (pigz-style blocks) and the sheet read ahead in a thread:
the result is one ordinary deflate stream that zipfile, unzip and LibreOffice read, whatever
the size and the cut of the input; errors of any thread surface as before; no thread is
left running."""

from __future__ import annotations

import io
import random
import shutil
import subprocess
import threading
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from clientbook.errors import UnusableFile, WriteError
from clientbook.register import _zip
from clientbook.register._zip import RawZipWriter, prefetched, read_member
from clientbook.register.write import write_columns
from clientbook.safe_io import update_register
from libreoffice import needs_soffice, soffice_csv
from rich_workbook import CLIENT_SHEET, FIRST_DATA_ROW, HEADER_ROW, build_rich_workbook
from write_fixtures import members, tier_columns

BLOCK = 4096  # small blocks, so that small inputs make many of them


@pytest.fixture(params=["zlib-ng", "zlib"], autouse=True)
def deflate_lib(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """Every test with zlib-ng (a dependency) and with the standard zlib (the fallback)."""
    if request.param == "zlib":
        monkeypatch.setattr(_zip, "_DEFLATE_LIB", zlib)
        return zlib
    from zlib_ng import zlib_ng

    monkeypatch.setattr(_zip, "_DEFLATE_LIB", zlib_ng)
    return zlib_ng


def _helpers() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("clientbook-")]


def _text(size: int, seed: int = 1) -> bytes:
    """Compressible, XML-like bytes with long-range repeats (matches across blocks)."""
    rng = random.Random(seed)
    out = bytearray()
    n = 0
    while len(out) < size:
        n += 1
        out += b'<row r="%d"><c r="A%d" t="s"><v>%d</v></c></row>' % (n, n, rng.randrange(50))
    return bytes(out[:size])


def _cut(data: bytes, rng: random.Random) -> Iterator[bytes]:
    """`data` in chunks of random sizes, some empty, some larger than two blocks."""
    at = 0
    while at < len(data):
        n = rng.choice([0, 1, 7, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK + 5, 10_000])
        yield data[at : at + n]
        at += n


def _deflate(
    chunks: Iterator[bytes] | list[bytes], block: int = BLOCK
) -> tuple[bytes, tuple[int, int, int]]:
    out = bytearray()
    sums = _zip._deflate_blocks(chunks, out.extend, block)
    return bytes(out), sums


SIZES = [0, 1, BLOCK - 1, BLOCK, BLOCK + 1, 2 * BLOCK, 37 * BLOCK + 123]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("kind", ["text", "random"])
def test_blocks_make_one_deflate_stream(size: int, kind: str) -> None:
    data = _text(size) if kind == "text" else random.Random(size).randbytes(size)
    for cut in range(3):
        chunks = [data] if cut == 0 else list(_cut(data, random.Random(cut)))
        raw, (crc, usize, csize) = _deflate(chunks)
        assert zlib.decompress(raw, -15) == data
        assert (crc, usize, csize) == (zlib.crc32(data), len(data), len(raw))
        assert zlib.decompressobj(-15).decompress(raw) == data  # nothing after the end block


def test_parallel_stream_compresses_like_one_stream(deflate_lib: ModuleType) -> None:
    """Each block starts from the 32 KiB before it: the ratio stays that of one stream."""
    data = _text(3 << 20)
    level = _zip.DEFLATE_LEVEL if deflate_lib is zlib else _zip.DEFLATE_LEVEL_NG
    one = deflate_lib.compressobj(level, zlib.DEFLATED, -15)
    single = one.compress(data) + one.flush()
    raw, _ = _deflate([data], 1 << 20)
    assert zlib.decompress(raw, -15) == data
    assert len(raw) <= len(single) * 1.01 + 64


def _zip_of(members_: dict[str, list[bytes]], path: Path) -> None:
    with path.open("wb") as f:
        writer = RawZipWriter(f)
        for name, chunks in members_.items():
            info = zipfile.ZipInfo(name, (2024, 5, 6, 7, 8, 10))
            info.CRC = info.compress_size = info.file_size = 0  # as if read from a zip
            writer.write_deflated(info, chunks)
        writer.close()


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_zip, "DEFLATE_BLOCK", BLOCK)


@pytest.mark.usefixtures("small_blocks")
def test_members_of_every_size_read_back_with_zipfile_and_unzip(tmp_path: Path) -> None:
    contents = {
        f"m{size}_{kind}.bin": (_text(size) if kind == "t" else random.Random(size).randbytes(size))
        for size in SIZES
        for kind in ("t", "r")
    }
    path = tmp_path / "sizes.zip"
    _zip_of({n: list(_cut(d, random.Random(len(d)))) for n, d in contents.items()}, path)
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        assert {i.filename: z.read(i) for i in z.infolist()} == contents
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in z.infolist())
    if shutil.which("unzip") is None:
        pytest.skip("unzip is not installed")
    done = subprocess.run(["unzip", "-t", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No errors detected" in done.stdout


@needs_soffice
@pytest.mark.usefixtures("small_blocks")
def test_libreoffice_reads_a_sheet_deflated_in_many_blocks(tmp_path: Path) -> None:
    src = build_rich_workbook(tmp_path / "src.xlsx")
    out = tmp_path / "written.xlsx"
    columns = tier_columns()
    with out.open("wb") as f:
        write_columns(src, f, sheet_name=CLIENT_SHEET, header_row=HEADER_ROW, columns=columns)
    sheet = next(i for i in zipfile.ZipFile(out).infolist() if i.filename.endswith("sheet1.xml"))
    assert sheet.file_size > 3 * BLOCK  # several blocks
    rows = soffice_csv(out, tmp_path)
    assert rows[HEADER_ROW - 1][7] == "客户层级"
    assert rows[FIRST_DATA_ROW - 1][7] == columns[0].values[FIRST_DATA_ROW]
    assert rows[FIRST_DATA_ROW - 1][13] == columns[6].values[FIRST_DATA_ROW]


def test_small_blocks_give_the_same_workbook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = build_rich_workbook(tmp_path / "src.xlsx")

    def write() -> bytes:
        out = io.BytesIO()
        write_columns(
            src, out, sheet_name=CLIENT_SHEET, header_row=HEADER_ROW, columns=tier_columns()
        )
        return out.getvalue()

    default = write()
    monkeypatch.setattr(_zip, "DEFLATE_BLOCK", 512)
    monkeypatch.setattr(_zip, "DEFLATE_IN_FLIGHT", 1)
    small = write()
    assert members(small) == members(default)
    assert _helpers() == []


# --- failures -------------------------------------------------------------------------


def test_a_failing_chunk_iterator_stops_every_thread() -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(50):
            yield _text(BLOCK)
        raise ValueError("the patcher failed")

    with pytest.raises(ValueError, match="the patcher failed"):
        _deflate(chunks())
    assert _helpers() == []


def test_keyboard_interrupt_in_the_chunks_propagates() -> None:
    def chunks() -> Iterator[bytes]:
        yield _text(5 * BLOCK)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _deflate(chunks())
    assert _helpers() == []


def test_a_failing_compression_thread_raises_its_error(monkeypatch: pytest.MonkeyPatch) -> None:
    real = _zip._compress_block
    calls = 0
    lock = threading.Lock()

    def failing(data: bytes, zdict: bytes, final: bool) -> bytes:
        nonlocal calls
        with lock:
            calls += 1
            n = calls
        if n == 3:
            raise zlib.error("Error -2 while compressing data")
        return real(data, zdict, final)

    monkeypatch.setattr(_zip, "_compress_block", failing)
    with pytest.raises(zlib.error):
        _deflate(iter([_text(20 * BLOCK)]))
    assert _helpers() == []


def test_a_failing_write_raises_its_oserror() -> None:
    written = 0

    def write(data: bytes) -> None:
        nonlocal written
        written += 1
        if written == 2:
            raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        _zip._deflate_blocks(iter([_text(20 * BLOCK)]), write, BLOCK)
    assert _helpers() == []


def test_compression_error_in_a_write_is_a_clientbook_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A zlib failure while deflating was reported as an UnusableFile before the threads
    came; still so, and the register is untouched."""
    src = build_rich_workbook(tmp_path / "src.xlsx")
    before = src.read_bytes()

    def failing(data: bytes, zdict: bytes, final: bool) -> bytes:
        raise zlib.error("Error -2 while compressing data")

    monkeypatch.setattr(_zip, "_compress_block", failing)
    with pytest.raises(UnusableFile):
        update_register(
            src, tier_columns(), sheet_name=CLIENT_SHEET, header_row=HEADER_ROW, force=True
        )
    assert src.read_bytes() == before
    assert _helpers() == []
    assert [p.name for p in tmp_path.iterdir()] == ["src.xlsx"]


def test_disk_full_while_deflating_is_a_write_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = build_rich_workbook(tmp_path / "src.xlsx")
    before = src.read_bytes()
    real = RawZipWriter._write

    def full(self: RawZipWriter, data: bytes) -> None:
        if threading.current_thread().name == "clientbook-deflate-writer":
            raise OSError(28, "No space left on device")
        real(self, data)

    monkeypatch.setattr(RawZipWriter, "_write", full)
    with pytest.raises(WriteError) as info:
        update_register(
            src, tier_columns(), sheet_name=CLIENT_SHEET, header_row=HEADER_ROW, force=True
        )
    assert info.value.key == "write.disk_full"
    assert src.read_bytes() == before
    assert _helpers() == []


# --- the sheet read ahead ---------------------------------------------------------------


class _Stream:
    def __init__(self, pieces: list[bytes | BaseException]) -> None:
        self.pieces = pieces

    def read(self, size: int = -1) -> bytes:
        if not self.pieces:
            return b""
        piece = self.pieces.pop(0)
        if isinstance(piece, BaseException):
            raise piece
        return piece


def test_prefetched_gives_the_stream_in_order() -> None:
    data = [b"%d," % i * 100 for i in range(200)]
    with prefetched(_Stream(list(data))) as reader:  # type: ignore[arg-type]
        got = []
        while piece := reader.read(1 << 20):
            got.append(piece)
        assert reader.read() == b""
    assert got == data
    assert _helpers() == []


def test_prefetched_raises_the_stream_error_in_order() -> None:
    stream = _Stream([b"a", b"b", zlib.error("invalid stored block lengths"), b"c"])
    with prefetched(stream) as reader, pytest.raises(zlib.error):  # type: ignore[arg-type]
        assert reader.read() == b"a"
        assert reader.read() == b"b"
        reader.read()
    assert _helpers() == []


def test_prefetched_stops_when_the_reader_stops_early() -> None:
    stream = _Stream([b"x" * 1000] * 500)
    with prefetched(stream) as reader:  # type: ignore[arg-type]
        assert reader.read() == b"x" * 1000
    assert _helpers() == []
    assert len(stream.pieces) > 400  # read ahead a few pieces only


def test_prefetched_keeps_the_switch_interval() -> None:
    import sys

    before = sys.getswitchinterval()
    with prefetched(_Stream([b"a"])) as outer:  # type: ignore[arg-type]
        with prefetched(_Stream([b"b"])) as inner:  # type: ignore[arg-type]
            assert inner.read() == b"b"
        assert outer.read() == b"a"
    assert sys.getswitchinterval() == before


def test_damaged_sheet_member_is_an_unusable_file(tmp_path: Path) -> None:
    """A bit flipped in the client sheet's compressed bytes: refused cleanly, nothing
    written (the sheet is inflated in a thread; its error still reaches the caller)."""
    src = build_rich_workbook(tmp_path / "src.xlsx")
    data = bytearray(src.read_bytes())
    with zipfile.ZipFile(src) as z:
        info = next(i for i in z.infolist() if i.filename.endswith("sheet1.xml"))
    # the local header is 30 bytes + name + extra; flip a byte in the middle of the data
    name_len, extra_len = (
        int.from_bytes(data[info.header_offset + 26 : info.header_offset + 28], "little"),
        int.from_bytes(data[info.header_offset + 28 : info.header_offset + 30], "little"),
    )
    start = info.header_offset + 30 + name_len + extra_len
    data[start + info.compress_size // 2] ^= 0x55
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(bytes(data))
    with pytest.raises((UnusableFile, WriteError)):
        update_register(
            bad, tier_columns(), sheet_name=CLIENT_SHEET, header_row=HEADER_ROW, force=True
        )
    assert bad.read_bytes() == bytes(data)
    assert _helpers() == []


def test_a_compression_error_is_a_zlib_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """The callers turn zlib.error into a clientbook error; zlib-ng's own error class is
    not a subclass of it, so the writer raises it as one."""
    from zlib_ng import zlib_ng

    class Failing:
        def compress(self, data: bytes) -> bytes:
            raise zlib_ng.error("Error -2 while compressing data")

    fake = ModuleType("fake_zlib_ng")
    fake.error = zlib_ng.error  # type: ignore[attr-defined]
    fake.crc32 = zlib.crc32  # type: ignore[attr-defined]
    fake.compressobj = lambda *args, **kwargs: Failing()  # type: ignore[attr-defined]
    monkeypatch.setattr(_zip, "_DEFLATE_LIB", fake)
    with pytest.raises(zlib.error):
        _zip._compress_block(b"data", b"", True)
    with pytest.raises(zlib.error):
        _deflate(iter([_text(5 * BLOCK)]))
    assert _helpers() == []


# --- members read with pread and inflated in a thread ------------------------------------


def _archive(path: Path) -> dict[str, bytes]:
    """A zip with stored and deflated members of many sizes (what read_member reads)."""
    contents: dict[str, bytes] = {}
    with zipfile.ZipFile(path, "w") as z:
        for size in SIZES:
            for kind, data in (("t", _text(size)), ("r", random.Random(size).randbytes(size))):
                for method, level in ((zipfile.ZIP_STORED, None), (zipfile.ZIP_DEFLATED, 1),
                                      (zipfile.ZIP_DEFLATED, 9)):  # fmt: skip
                    name = f"m{size}_{kind}_{method}_{level}.bin"
                    z.writestr(name, data, compress_type=method, compresslevel=level)
                    contents[name] = data
    return contents


@pytest.mark.parametrize("piece", [1, 1000, BLOCK, 1 << 20])
@pytest.mark.parametrize("source", ["file", "bytes"])
def test_read_member_gives_every_member_as_zipfile_does(
    tmp_path: Path, piece: int, source: str
) -> None:
    path = tmp_path / "m.zip"
    contents = _archive(path)
    fp = path.open("rb") if source == "file" else io.BytesIO(path.read_bytes())
    with fp, zipfile.ZipFile(fp) as z:  # type: ignore[arg-type]
        for info in z.infolist():
            if piece == 1 and info.file_size > 3 * BLOCK:
                continue  # a byte at a time: small members only
            got = []
            with read_member(z, fp, info, piece) as reader:  # type: ignore[arg-type]
                while data := reader.read():
                    assert len(data) <= max(piece, 1)
                    got.append(data)
            assert b"".join(got) == contents[info.filename], info.filename
    assert _helpers() == []


def _damage(path: Path, name: str, at: float) -> None:
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(name)
    h = info.header_offset
    start = h + 30 + int.from_bytes(data[h + 26 : h + 28], "little")
    start += int.from_bytes(data[h + 28 : h + 30], "little")
    data[start + int(info.compress_size * at)] ^= 0x55
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_read_member_checks_the_crc(tmp_path: Path, method: int) -> None:
    path = tmp_path / "m.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("a.xml", _text(50_000), compress_type=method)
    _damage(path, "a.xml", 0.5)
    with path.open("rb") as fp, zipfile.ZipFile(fp) as z:
        info = z.getinfo("a.xml")
        with (
            pytest.raises((zipfile.BadZipFile, zlib.error)),
            read_member(z, fp, info, 1000) as reader,  # type: ignore[arg-type]
        ):
            while reader.read():
                pass
    assert _helpers() == []


def test_read_member_refuses_a_member_cut_short(tmp_path: Path) -> None:
    path = tmp_path / "m.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.xml", _text(200_000))
    with path.open("rb") as fp, zipfile.ZipFile(fp) as z:
        info = z.getinfo("a.xml")
        info.compress_size //= 2  # as if the data ended half way
        with pytest.raises(EOFError), read_member(z, fp, info, 1000) as reader:  # type: ignore[arg-type]
            while reader.read():
                pass
    assert _helpers() == []


def test_read_member_stops_its_thread_when_left_early(tmp_path: Path) -> None:
    path = tmp_path / "m.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.xml", _text(2_000_000))
    with path.open("rb") as fp, zipfile.ZipFile(fp) as z:
        with read_member(z, fp, z.getinfo("a.xml"), 1000) as reader:  # type: ignore[arg-type]
            assert reader.read() == _text(1000)
    assert _helpers() == []


def test_keyboard_interrupt_mid_sheet_stops_every_helper_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while the sheet is patched (read-ahead, compression and writer threads all
    running): it propagates, the register is as it was, no temporary file and no thread is
    left."""
    from clientbook.register import write as write_mod

    monkeypatch.setattr(write_mod, "_CHUNK", 300)  # many blocks
    src = build_rich_workbook(tmp_path / "src.xlsx")
    before = src.read_bytes()
    real = write_mod._FastCells.block
    calls = 0

    def interrupted(fast: object, block: bytes, rerun: bool = False) -> bytes | None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise KeyboardInterrupt
        return real(fast, block, rerun)  # type: ignore[arg-type]

    monkeypatch.setattr(write_mod._FastCells, "block", interrupted)
    with pytest.raises(KeyboardInterrupt):
        update_register(
            src, tier_columns(), sheet_name=CLIENT_SHEET, header_row=HEADER_ROW, force=True
        )
    assert calls == 3
    assert src.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["src.xlsx"]
    assert _helpers() == []
