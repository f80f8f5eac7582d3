"""A big client sheet read by two processes: the worker reads the last part of the rows.

The same Book as calamine's whatever the cut, and as a read by one process when the
worker cannot help (it does not start, or cannot vouch for its part)."""

from __future__ import annotations

import itertools
import pickle
import zipfile
from pathlib import Path
from typing import Any

import pytest

from clientbook.register import fastcells, guard
from clientbook.register import worker as worker_module
from clientbook.register.schema import TIER_FIELDS
from clientbook.register.worker import Worker, WorkerFailed
from test_fastread import (
    FIELD_SETS,
    TITLE,
    _header_row,
    _package,
    _regular_rows,
    assert_same,
    sparse_register,
)


@pytest.mark.parametrize(
    ("kind", "share"),
    [
        ("sparse", 0.1),
        ("sparse", 0.45),
        ("sparse", 0.9),
        ("regular-inline", 0.45),
        ("regular-shared", 0.45),
    ],
)
def test_the_split_read_is_calamines(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    split_every_sheet: list[int],
    share: float,
    kind: str,
) -> None:
    monkeypatch.setattr(fastcells, "TAIL_SHARE", share)
    if kind == "sparse":
        path = sparse_register(tmp_path / "book.xlsx")
    else:
        rows = _regular_rows(4, 6000, shared=kind.endswith("shared"))
        path = _package(tmp_path / "book.xlsx", _header_row(3) + rows, head=TITLE)
    with Worker() as worker:
        for fields in FIELD_SETS.values():
            assert_same(path, fields, worker=worker)
    assert len(split_every_sheet) == len(FIELD_SETS)
    assert all(part > 0 for part in split_every_sheet)  # the worker really read rows


def test_a_worker_that_cannot_start_leaves_the_reading_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fastcells, "SPLIT_FROM", 0)
    monkeypatch.setattr("clientbook.register.worker.sys.executable", "/nonexistent/python")
    path = sparse_register(tmp_path / "book.xlsx")
    with Worker() as worker:
        assert_same(path, TIER_FIELDS, worker=worker)


def test_a_part_the_worker_cannot_vouch_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A comment in the worker's part: it says so, this process reads the sheet, finds
    the comment and falls back to calamine, as a read by one process would."""
    monkeypatch.setattr(fastcells, "SPLIT_FROM", 0)
    path = sparse_register(tmp_path / "book.xlsx", comment_near_the_end=True)
    with Worker() as worker:
        job = worker.submit(
            fastcells.read_tail, str(path), "客户信息", sorted(TIER_FIELDS), 1 << 20, _member(path)
        )
        assert job.result() == ("fallback",)
        assert_same(path, TIER_FIELDS, worker=worker)


def _member(path: Path) -> tuple[int, int]:
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    return info.CRC, info.file_size


def test_the_worker_reads_nothing_of_a_register_saved_again(tmp_path: Path) -> None:
    """The worker reads the file again: if its client sheet is not the one this process
    read (another CRC or size: the register was saved in between), it reads none of it."""
    path = sparse_register(tmp_path / "book.xlsx")
    crc, size = _member(path)
    fields = sorted(TIER_FIELDS)
    read_tail = fastcells.read_tail
    with Worker() as worker:
        same = worker.submit(read_tail, str(path), "客户信息", fields, 1 << 20, (crc, size))
        other = worker.submit(read_tail, str(path), "客户信息", fields, 1 << 20, (crc ^ 1, size))
        answer = same.result()
        assert answer[0] == "ok" and len(answer[2]) > 0  # row numbers of the rows read
        assert other.result() == ("fallback",)


def test_worker_runs_jobs_in_order_and_reports_errors() -> None:
    with Worker() as worker:
        first = worker.submit(guard.column_letter, 0)
        failing = worker.submit(guard.column_letter, "not a number")
        last = worker.submit(guard.column_letter, 27)
        assert first.result() == "A" and last.result() == "AB"
        with pytest.raises(WorkerFailed, match="TypeError"):
            failing.result()
    after = worker.submit(guard.column_letter, 1)  # closed: the job fails at once
    with pytest.raises(WorkerFailed):
        after.result()


def test_a_finished_worker_answers_what_it_had_and_takes_no_more() -> None:
    with Worker() as worker:
        first = worker.submit(guard.column_letter, 0)
        worker.finish()  # the child ends once it has answered
        assert first.result() == "A"
        with pytest.raises(WorkerFailed):
            worker.submit(guard.column_letter, 1).result()


def test_big_answers_cross_whole_and_in_order() -> None:
    """Answers many pipefuls long are sent by the worker's sending thread while it runs the
    next job: each arrives whole, in the order of the jobs."""
    from clientbook.register.values import normalise_header

    texts = ["ab" * 3_000_000, "cd" * 2_000_000]
    with Worker() as worker:
        jobs = [worker.submit(normalise_header, text) for text in texts]
        small = worker.submit(guard.column_letter, 2)
        assert [job.result() for job in jobs] == texts
        assert small.result() == "C"


# --- started before the command has loaded (fastcells.read_ahead) -----------------------


def test_a_read_ahead_gives_the_same_book(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, split_every_sheet: list[int]
) -> None:
    path = sparse_register(tmp_path / "book.xlsx")
    with fastcells.read_ahead(path, None, TIER_FIELDS) as ahead:
        assert ahead.sheet == "客户信息" and ahead.member == _member(path)
        assert_same(path, TIER_FIELDS, worker=ahead.worker, ahead=ahead)
    assert split_every_sheet and split_every_sheet[0] > 0  # its rows came from the worker
    assert ahead.worker.submit(guard.column_letter, 1).exception() is not None  # closed


def test_a_read_ahead_of_other_bytes_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, split_every_sheet: list[int]
) -> None:
    """Saved again after the worker started (or another sheet asked for): this process
    reads the whole sheet itself."""
    path = sparse_register(tmp_path / "book.xlsx")
    ahead = fastcells.read_ahead(path, None, TIER_FIELDS)
    assert ahead is not None
    with ahead:
        sparse_register(tmp_path / "again.xlsx", comment_near_the_end=True).replace(path)
        assert_same(path, TIER_FIELDS, worker=ahead.worker, ahead=ahead)
        assert not ahead.serves(path, "客户信息", _info(path), TIER_FIELDS)
        assert not ahead.serves(path, "客户信息", _info(path), {"aum"})
    assert split_every_sheet == []  # no part of it came from the worker


def _info(path: Path) -> zipfile.ZipInfo:
    with zipfile.ZipFile(path) as z:
        return z.getinfo("xl/worksheets/sheet1.xml")


def test_no_read_ahead_where_there_is_nothing_to_split(tmp_path: Path) -> None:
    small = sparse_register(tmp_path / "book.xlsx")  # 1 MiB of XML: below SPLIT_FROM
    assert fastcells.read_ahead(small, None, TIER_FIELDS) is None
    assert fastcells.read_ahead(tmp_path / "missing.xlsx", None, TIER_FIELDS) is None
    (tmp_path / "notes.xlsx").write_text("not a workbook", encoding="utf-8")
    assert fastcells.read_ahead(tmp_path / "notes.xlsx", None, TIER_FIELDS) is None
    ole = tmp_path / "locked.xlsx"  # an encrypted workbook is an OLE file
    ole.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))
    assert fastcells.read_ahead(ole, None, TIER_FIELDS) is None
    assert fastcells.read_ahead(small, "no such sheet", TIER_FIELDS) is None


def test_modules_preloaded_for_later_jobs_never_break_the_jobs() -> None:
    """A module to preload that cannot be imported (or is not clientbook's) is left to
    the job that needs it: the jobs run and report as usual."""
    preload = ("clientbook.register.no_such_module", "os.path", "clientbook.register.write")
    with Worker(preload) as worker:
        assert worker.submit(guard.column_letter, 0).result() == "A"
        with pytest.raises(WorkerFailed, match="TypeError"):
            worker.submit(guard.column_letter, "x").result()
        assert worker.submit(guard.column_letter, 27).result() == "AB"


def test_a_part_read_for_other_fields_is_not_taken() -> None:
    """The worker's columns come with the fields they are: read for another layout (other
    fields, another header), they are refused and this process reads the sheet itself."""
    from concurrent.futures import Future
    from types import SimpleNamespace

    from clientbook.register.model import ClientRecord

    plan = SimpleNamespace(
        layout=[(SimpleNamespace(key="client_id"), None), (None, None)], record_type=ClientRecord
    )
    answer = ("ok", ["client_id", "name"], [5], [["C5"], ["张三"]], [], 5, 5)
    job: Future[Any] = Future()
    job.set_result(answer)
    with pytest.raises(fastcells._TailFailed):
        fastcells._tail_of(job, plan)
    fitting: Future[Any] = Future()
    fitting.set_result(("ok", ["client_id", None], [5], [["C5"], (None,)], [], 5, 5))
    tail = fastcells._tail_of(fitting, plan)
    assert [(r.row, r.client_id, r.name) for r in tail.records] == [(5, "C5", None)]


# --- started first thing by launch.py (worker.start_early) ------------------------------


@pytest.fixture
def no_early_worker() -> Any:
    yield
    worker_module.stop_early()


def test_an_early_worker_reading_this_part_is_taken(
    tmp_path: Path, split_every_sheet: list[int], no_early_worker: None
) -> None:
    """launch.py starts the worker on the register named in the arguments: read_ahead takes
    it, with the part it read, when that is the part it would choose itself."""
    path = sparse_register(tmp_path / "book.xlsx")
    worker_module.start_early(str(path), 0)
    early = worker_module._early[0]
    with fastcells.read_ahead(path, None, TIER_FIELDS) as ahead:
        assert ahead.worker is early.worker and worker_module.take_early() is None
        assert_same(path, TIER_FIELDS, worker=ahead.worker, ahead=ahead)
    assert split_every_sheet and split_every_sheet[0] > 0  # its rows came from the worker


def test_an_early_worker_that_read_other_bytes_is_not_trusted(
    tmp_path: Path, split_every_sheet: list[int], no_early_worker: None
) -> None:
    """The register saved again after the worker read it: its part is refused, and this
    process reads the whole sheet."""
    path = sparse_register(tmp_path / "book.xlsx")
    worker_module.start_early(str(path), 0)
    assert worker_module._early[0].job.result()[0] == "ok"  # read before the save
    sparse_register(tmp_path / "again.xlsx", comment_near_the_end=True).replace(path)
    with fastcells.read_ahead(path, None, TIER_FIELDS) as ahead:
        assert_same(path, TIER_FIELDS, worker=ahead.worker, ahead=ahead)
    assert split_every_sheet == []


def test_an_early_worker_busy_with_another_file_is_stopped(
    tmp_path: Path, split_every_sheet: list[int], no_early_worker: None
) -> None:
    """The arguments were guessed wrong (another file, or a sheet chosen by --sheet): that
    worker is stopped and a new one reads this part."""
    path = sparse_register(tmp_path / "book.xlsx")
    other = sparse_register(tmp_path / "other.xlsx")
    worker_module.start_early(str(other), 0)
    early = worker_module._early[0]
    with fastcells.read_ahead(path, None, TIER_FIELDS) as ahead:
        assert ahead.worker is not early.worker
        assert early.worker.submit(guard.column_letter, 1).exception() is not None  # stopped
        assert_same(path, TIER_FIELDS, worker=ahead.worker, ahead=ahead)
    assert split_every_sheet and split_every_sheet[0] > 0


def test_an_early_worker_nothing_takes_is_stopped() -> None:
    worker_module.start_early(None)
    early = worker_module._early[0]
    assert early.worker.submit(guard.column_letter, 2).result() == "C"  # it runs jobs
    worker_module.stop_early()
    assert worker_module.take_early() is None
    assert early.worker.submit(guard.column_letter, 1).exception() is not None


def test_the_columns_cross_as_they_were_read() -> None:
    """Dates go as day numbers and texts that repeat as one object each: the values this
    process gets back are equal, and of the same types, as the worker's."""
    from datetime import date, datetime

    columns: list[list[Any]] = [
        [date(1990, 1, 31), date(1990, 1, 31), date(2026, 11, 27), date(1, 1, 1)],
        [date(2020, 1, 1), None, date(2021, 2, 3)],  # blank cells: sent as they are
        [date(2020, 1, 1), datetime(2020, 1, 1, 8, 30)],
        ["企业主", "企业主", "教师", "企业主", "企业主"],
        ["C1", "C2", "C3"],  # no repeats
        ["M", None, "M", "M", "M"],
        [1.5, 2.0, 1.5],
        [("基金", "保险"), (), ("基金", "保险")],
        [],
    ]
    for values in columns:
        sent = fastcells._pack(values)
        back = list(fastcells._unpack(pickle.loads(pickle.dumps(sent))))
        assert back == values and [type(v) for v in back] == [type(v) for v in values]
    as_read = [text.encode().decode() for text in ["企业主", "教师"] * 1000]  # a str per cell
    packed = fastcells._pack(as_read)
    assert packed == as_read and len(pickle.dumps(packed)) < len(pickle.dumps(as_read)) // 3
    default = list(itertools.islice(fastcells._unpack(((),)), 3))
    assert default == [(), (), ()]


def test_an_early_worker_without_a_part_reads_the_one_asked_for(
    tmp_path: Path, split_every_sheet: list[int], no_early_worker: None
) -> None:
    """With --sheet the worker is started without a part to read (launch.py leaves the
    sheet to the command): read_ahead gives it the part of the sheet asked for."""
    path = sparse_register(tmp_path / "book.xlsx")
    worker_module.start_early(None)
    early = worker_module._early[0]
    with fastcells.read_ahead(path, "客户信息", TIER_FIELDS) as ahead:
        assert ahead.worker is early.worker
        assert_same(path, TIER_FIELDS, worker=ahead.worker, ahead=ahead, sheet="客户信息")
    assert split_every_sheet and split_every_sheet[0] > 0
