"""Time score_book on synthetic books of growing size (pure scoring, no file I/O).

Usage: python benchmarks/tier_scoring.py [N ...]   (default: 3000 20000 100000)
Prints rows, seconds and the peak resident memory of a child process per size, with and
without the per-client breakdown.
"""

from __future__ import annotations

import random
import resource
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from clientbook.config import TierSettings
from clientbook.register.model import Book, ClientRecord, Column, Sheet
from clientbook.register.schema import CLIENT_FIELDS
from clientbook.tier import score_book

TODAY = date(2026, 11, 27)
JOBS = ["企业主", "医生", "教师", "工程师", "退休", "自由职业", None]
EDUCATION = ["博士", "硕士", "本科", "大专", None]
PRODUCTS = ["定期存款", "理财", "基金", "保险", "信托", "私募", "国债"]


def synthetic_book(n: int, seed: int = 1) -> Book:
    rnd = random.Random(seed)
    records = []
    for i in range(n):
        aum = round(rnd.lognormvariate(5, 1.2), 2)
        records.append(
            ClientRecord(
                row=i + 2,
                client_id=str(100000 + i),
                name=f"客户{i}",
                aum=aum,
                aum_prev=round(aum * rnd.uniform(0.5, 1.5), 2) if rnd.random() < 0.8 else None,
                income=round(rnd.uniform(5, 300), 1) if rnd.random() < 0.6 else None,
                assets_elsewhere=round(rnd.uniform(0, 2000), 1) if rnd.random() < 0.4 else None,
                birth_date=date(rnd.randint(1940, 2000), rnd.randint(1, 12), rnd.randint(1, 28)),
                occupation=rnd.choice(JOBS),
                education=rnd.choice(EDUCATION),
                products=tuple(rnd.sample(PRODUCTS, rnd.randint(0, 4))),
                last_contact=TODAY - timedelta(days=rnd.randint(0, 400))
                if rnd.random() < 0.9
                else None,
                onboarded_on=TODAY - timedelta(days=rnd.randint(30, 7000)),
                branch_km=round(rnd.uniform(0.2, 40), 1) if rnd.random() < 0.7 else None,
                channel=rnd.choice(["phone", "wechat", None]),
                contact_window=rnd.choice(["上午", "晚上", None]),
            )
        )
    columns = [Column(i, f"C{i}", f.zh, f.key) for i, f in enumerate(CLIENT_FIELDS)]
    sheet = Sheet("客户", "clients", 1, columns, records)
    return Book(Path("synthetic.xlsx"), "xlsx", "zh", ["客户"], sheet)


def measure(n: int, breakdown: bool) -> None:
    book = synthetic_book(n)
    start, cpu = time.perf_counter(), time.process_time()
    result = score_book(book, TierSettings(), TODAY, breakdown=breakdown)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"rows={n} breakdown={breakdown} scored={result.summary.scored} "
        f"score_book_seconds={seconds:.2f} cpu_seconds={cpu:.2f} peak_rss_mb={peak_mb:.0f}"
    )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--one":
        measure(int(sys.argv[2]), sys.argv[3] == "breakdown")
    else:
        for size in [int(a) for a in sys.argv[1:]] or [3000, 20000, 100000]:
            # A child per size, so the peak memory is that size's alone. With the breakdown
            # (each client's inputs and scores) as --format json needs; without, as the table.
            for mode in ("breakdown", "lean"):
                subprocess.run([sys.executable, __file__, "--one", str(size), mode], check=True)
