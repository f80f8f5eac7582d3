"""`clientbook tier` end to end next to the physical floor of the same file.

For 1,000 / 10,000 / 100,000-client registers (bench_read.py's synthetic registers, cached
in benchmarks/data/ and never modified: each run works on a fresh copy) it times, each in a
fresh child process:

* floor     - unzip every member and re-zip the file unchanged with zipfile (deflate,
              default level), member by member in 1 MiB pieces;
* in place  - `clientbook tier BOOK --no-backup` (the columns are new: a first run);
* --output  - `clientbook tier BOOK --output NEW`;
* json      - (--json) `clientbook tier BOOK --output NEW --format json`, the JSON to /dev/null.

Seconds are wall clock, the best of --repeat interleaved runs ("median": their median);
"cpu" is the least user + system seconds of the child (steadier than wall clock on a shared
machine); "peak MB" is the child's largest ru_maxrss over the runs. "x floor" is the
command's best wall time over the floor's best wall time measured in the same run ("med x"
the same for the medians, "cpu x" for CPU seconds).
The load average is printed before and after each size: compare runs at similar loads.

    .venv/bin/python benchmarks/tier_command.py [--sizes 1000,10000,100000] [--repeat 3]
        [--json]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_read import DATA, generate  # noqa: E402

# Runs argv[1:] as a grandchild and prints its wall seconds, CPU seconds and peak RSS (KiB).
_MEASURE = """
import resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
if done.returncode != 0:
    sys.exit(done.stderr.decode(errors="replace"))
print(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)
"""

# The physical floor: every member unzipped and re-zipped unchanged.
_FLOOR = """
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as src, zipfile.ZipFile(sys.argv[2], "w") as dst:
    for info in src.infolist():
        with src.open(info) as fin, dst.open(info, "w") as fout:
            shutil.copyfileobj(fin, fout, 1 << 20)
"""


def measure(argv: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS in MB) of one fresh child process."""
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, *argv],
        env=env,
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(argv[3:])} failed:\n{out.stderr}")
    wall, cpu, kib = out.stdout.split()
    return float(wall), float(cpu), float(kib) / 1024


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="also --format json")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    DATA.mkdir(parents=True, exist_ok=True)
    # Python may write its bytecode caches, as it does on a user's machine (a machine that
    # sets PYTHONDONTWRITEBYTECODE would compile every module at each start: ~0.1 s more).
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("CLIENTBOOK_") and k != "PYTHONDONTWRITEBYTECODE"
    }
    print(f"{os.cpu_count()} CPUs; best of {args.repeat} (median: the middle run's seconds)")
    print(
        f"{'clients':>8} {'MB':>5} {'mode':<10} {'seconds':>8} {'median':>7} {'cpu':>7}"
        f" {'peak MB':>8} {'x floor':>8} {'med x':>6} {'cpu x':>6}"
    )
    for size in sizes:
        source = DATA / f"register_{size}.xlsx"
        if not source.exists():
            generate(source, size)
        mb = source.stat().st_size / 1e6
        print(f"# load average before: {load()}")
        with tempfile.TemporaryDirectory() as tmp:
            env["CLIENTBOOK_VAULT"] = str(Path(tmp) / "vault")
            book, new = Path(tmp) / "book.xlsx", Path(tmp) / "new.xlsx"
            cli = [sys.executable, "-m", "clientbook", "tier", str(book)]
            modes: dict[str, list[str]] = {
                "floor": [sys.executable, "-c", _FLOOR, str(book), str(new)],
                "in place": [*cli, "--no-backup"],
                "--output": [*cli, "--output", str(new)],
            }
            if args.json:
                modes["json"] = [*cli, "--output", str(new), "--format", "json"]
            best: dict[str, tuple[float, float, float]] = {}
            walls: dict[str, list[float]] = {mode: [] for mode in modes}
            for _ in range(args.repeat):
                for mode, argv in modes.items():
                    shutil.copy(source, book)
                    new.unlink(missing_ok=True)
                    wall, cpu, peak = measure(argv, env)
                    walls[mode].append(wall)
                    old = best.get(mode, (wall, cpu, peak))
                    best[mode] = (min(old[0], wall), min(old[1], cpu), max(old[2], peak))
            floor_wall, floor_cpu, _ = best["floor"]
            floor_median = statistics.median(walls["floor"])
            for mode, (wall, cpu, peak) in best.items():
                median = statistics.median(walls[mode])
                print(
                    f"{size:>8} {mb:>5.1f} {mode:<10} {wall:>8.2f} {median:>7.2f} {cpu:>7.2f}"
                    f" {peak:>8.0f} {wall / floor_wall:>8.2f} {median / floor_median:>6.2f}"
                    f" {cpu / floor_cpu:>6.2f}"
                )
        print(f"# load average after: {load()}")


if __name__ == "__main__":
    main()
