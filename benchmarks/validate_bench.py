"""validate on a team lead's book: sizes, seconds and peak memory.

    python benchmarks/validate_bench.py [ROWS]          # check_book on an in-memory Book
    python benchmarks/validate_bench.py [ROWS] --file   # + write an .xlsx and run the CLI

Every 50th row carries a defect, so findings are built for ~2% of rows as in a real book.
Peak memory is the child process's maximum resident set size (resource.getrusage).
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def make_id(birth: date, seq: int) -> str:
    """A valid ID number; (birth, seq) must be unique per client."""
    body = f"110101{birth:%Y%m%d}{seq:03d}"
    total = sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


def _seq(i: int) -> int:
    """Unique per (birth date, i): births repeat every 20000 rows; odd = male like i."""
    return 2 * (i // 20000) + i % 2


def in_memory(rows: int) -> None:
    from clientbook.config import ValidateSettings
    from clientbook.register.model import Book, ClientRecord, Column, Sheet
    from clientbook.register.schema import CLIENTS
    from clientbook.validate import check_book

    today = date(2026, 3, 15)
    keys = [f.key for f in CLIENTS.fields]
    columns = [Column(i, _letter(i), CLIENTS.by_key[k].zh, k) for i, k in enumerate(keys)]
    records = []
    for i in range(rows):
        birth = date(1950, 1, 1) + timedelta(days=i % 20000)
        rec = ClientRecord(
            row=i + 2,
            client_id=f"C{i:06d}",
            name="客户",
            gender="M" if i % 2 else "F",
            birth_date=birth,
            id_number=make_id(birth, _seq(i)),
            mobile="13812345678",
            email="a@example.com",
            aum=100.0,
            risk_level="C3",
            risk_assessed_on=today - timedelta(days=100),
            last_contact=today - timedelta(days=10),
        )
        if i % 50 == 0:
            rec.aum = -1.0
            rec.mobile = "123"
        records.append(rec)
    sheet = Sheet[ClientRecord]("客户", "clients", 1, columns, records)
    book = Book(Path("bench.xlsx"), "xlsx", "zh", ["客户"], sheet)
    start = time.perf_counter()
    report = check_book(book, ValidateSettings(), today)
    seconds = time.perf_counter() - start
    print(f"check_book: {rows} rows, {len(report.findings)} findings, {seconds:.2f} s")


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def with_file(rows: int) -> None:
    from openpyxl import Workbook

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "book.xlsx"
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("客户")
        ws.append(
            ["客户号", "客户姓名", "性别", "出生日期", "身份证号", "手机号", "资产规模(万元)"]
        )
        for i in range(rows):
            birth = date(1950, 1, 1) + timedelta(days=i % 20000)
            aum = -1 if i % 50 == 0 else 100
            gender = "男" if i % 2 else "女"
            ws.append(
                [f"C{i:06d}", "客户", gender, birth, make_id(birth, _seq(i)), "13812345678", aum]
            )
        start = time.perf_counter()
        wb.save(path)
        print(f"wrote {path.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - start:.1f} s")
        annotated = str(Path(folder) / "annotated.xlsx")
        runs = (
            ["--format", "json"],
            ["--format", "table"],
            ["--format", "json", "--annotate", annotated],
        )
        for options in runs:
            start = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "clientbook", "validate", str(path), *options],
                capture_output=True,
            )
            seconds = time.perf_counter() - start
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            shown = " ".join(o if o != annotated else "OUT.xlsx" for o in options)
            print(
                f"clientbook validate {shown}: {rows} rows, exit {done.returncode}, "
                f"{seconds:.1f} s, peak RSS (largest child so far) {peak:.0f} MB, "
                f"stdout {len(done.stdout) / 1e6:.1f} MB"
            )


if __name__ == "__main__":
    count = int(next((a for a in sys.argv[1:] if a.isdigit()), "100000"))
    in_memory(count)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process: {peak:.0f} MB")
    if "--file" in sys.argv:
        with_file(count)
