"""`clientbook tier` end to end on synthetic registers: seconds and peak memory.

Uses the registers of bench_read.py (cached in benchmarks/data/), copies each to a temporary
folder and runs the real command in a child process, once in place without backup, once in
place with a backup into a fresh vault (age default scrypt work factor), and prints a table.

    .venv/bin/python benchmarks/tier_command.py [--sizes 3000,20000,100000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_read import DATA, generate  # noqa: E402


def run(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one child process."""
    code = (
        "import resource, subprocess, sys, time\n"
        "start = time.perf_counter()\n"
        "done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
        "seconds = time.perf_counter() - start\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "assert done.returncode == 0, done.stderr.decode()\n"
        "print(seconds, peak)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, sys.executable, "-m", "clientbook", *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return float(out[0]), float(out[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="3000,20000,100000")
    sizes = [int(s) for s in parser.parse_args().sizes.split(",")]
    DATA.mkdir(parents=True, exist_ok=True)
    print(f"{'clients':>8} {'MB file':>8} {'mode':<14} {'seconds':>8} {'peak MB':>8}")
    for size in sizes:
        source = DATA / f"register_{size}.xlsx"
        if not source.exists():
            generate(source, size)
        mb = source.stat().st_size / 1e6
        with tempfile.TemporaryDirectory() as tmp:
            env = {k: v for k, v in os.environ.items() if not k.startswith("CLIENTBOOK_")}
            env.update({"CLIENTBOOK_VAULT": str(Path(tmp) / "vault")})
            book = Path(tmp) / "book.xlsx"
            modes = {
                "no backup": ["--no-backup"],
                "backup": [],
                "dry run": ["--dry-run"],
            }
            for mode, extra in modes.items():
                shutil.copy(source, book)
                env["CLIENTBOOK_PASSPHRASE"] = "benchmark passphrase"
                seconds, peak = run(["tier", str(book), "--format", "json", *extra], env)
                print(f"{size:>8} {mb:>8.1f} {mode:<14} {seconds:>8.2f} {peak:>8.0f}")


if __name__ == "__main__":
    main()
