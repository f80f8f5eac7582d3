"""Generate synthetic registers of several sizes and report seconds, size and peak memory.

    .venv/bin/python benchmarks/make_registers.py [N ...]      # default: 1000 10000 100000

Each register is written by a child process (peak memory is that process's own, POSIX) into
benchmarks/data/book_N.xlsx, which other benchmarks can reuse. Same N, same cells.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data"

_CHILD = """
import json, sys, time
from pathlib import Path
sys.path.insert(0, {examples!r})
from make_examples import make_register
start = time.perf_counter()
make_register(Path({path!r}), {n}, lang="zh", seed=1, reproducible={reproducible})
print(json.dumps({{"seconds": time.perf_counter() - start}}))
"""


def generate(n: int, reproducible: bool = False) -> dict[str, float]:
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"book_{n}.xlsx"
    code = _CHILD.format(
        examples=str(ROOT / "examples"), path=str(path), n=n, reproducible=reproducible
    )
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)  # this child's own rusage
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"generating {n} clients failed")
    wall = time.perf_counter() - started
    return {
        "clients": n,
        "generate_s": round(json.loads(out)["seconds"], 2),
        "process_s": round(wall, 2),
        "file_mb": round(path.stat().st_size / 1e6, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # KiB on Linux
    }


def main(sizes: list[int]) -> None:
    print("clients  generate_s  process_s  file_mb  peak_rss_mb")
    for n in sizes:
        r = generate(n)
        print(
            f"{r['clients']:>7}  {r['generate_s']:>10}  {r['process_s']:>9}  "
            f"{r['file_mb']:>7}  {r['peak_rss_mb']:>11}",
            flush=True,
        )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 10000, 100000])
