"""Benchmark: `clientbook backup create/restore` next to the `age` tool, same files, same run.

    .venv/bin/python benchmarks/bench_vault.py [--sizes 1,50,500] [--repeat 3] [--dir DIR]

Each operation runs in its own child process, started by a small wrapper that measures
the child's wall time and peak RSS (os.wait4); the best of `--repeat` runs is kept.

Two tables:

1. Full cost, as a user meets it. scrypt at log2 N = 18 (age's default) costs ~0.7 s and
   256 MiB per age file by design. clientbook create and restore open two age files each
   (the snapshot and the encrypted index), `age -p` / `age -d` one. `age` reads the
   passphrase from the terminal, so it runs under a pseudo-terminal (pexpect) and the
   passphrase is typed; clientbook reads CLIENTBOOK_PASSPHRASE.
2. Streaming cost, scrypt excluded: clientbook with the scrypt work factor lowered to
   log2 N = 10 (an internal setting, benchmark only) next to `age` encrypting to an
   X25519 recipient (`age -r`, `age -d -i`): the same STREAM payload, no scrypt. clientbook
   also computes the content's SHA-256 and fsyncs what it writes; `age ... && sync FILE`
   rows show age with the same durability.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pexpect

PASSPHRASE = "benchmark passphrase 口令"
MiB = 1024 * 1024

# Runs argv, waits with wait4, prints the child's wall time, peak RSS and exit status.
WRAPPER = r"""
import json, os, sys, time
argv = json.loads(sys.argv[1])
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execvp(argv[0], argv)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - start
print("RESULT " + json.dumps({"seconds": seconds, "rss_mib": usage.ru_maxrss / 1024,
                              "cpu": usage.ru_utime + usage.ru_stime,
                              "status": os.waitstatus_to_exitcode(status)}), flush=True)
"""

# clientbook's CLI with the scrypt work factor for new files set (benchmark only).
CLIENTBOOK = r"""
import sys
from clientbook.vault import store
store.DEFAULT_WORK_FACTOR = int(sys.argv[1])
sys.argv = ["clientbook", *sys.argv[2:]]
from clientbook.cli import main
main()
"""

Result = dict[str, float]


def measure(argv: list[str], answers: int = 0) -> Result:
    """Run argv under a pty; type the passphrase `answers` times; wall time and peak RSS."""
    env = dict(os.environ, CLIENTBOOK_PASSPHRASE=PASSPHRASE)
    child = pexpect.spawn(sys.executable, ["-c", WRAPPER, json.dumps(argv)], timeout=900, env=env)
    for _ in range(answers):
        child.expect("(?i)(passphrase|confirm)")
        child.sendline(PASSPHRASE)
    child.expect(r"RESULT (\{.*\})")
    result: Result = json.loads(child.match.group(1))
    child.expect(pexpect.EOF)
    child.close()
    if result["status"] != 0:
        raise SystemExit(f"failed: {argv}")
    return result


def best(repeat: int, prepare: Callable[[], None], argv: list[str], answers: int = 0) -> Result:
    runs = []
    for _ in range(repeat):
        prepare()
        runs.append(measure(argv, answers))
    return min(runs, key=lambda r: r["seconds"])


def clientbook(factor: int, *args: str) -> list[str]:
    return [sys.executable, "-c", CLIENTBOOK, str(factor), *args]


def same(a: Path, b: Path) -> bool:
    if a.stat().st_size != b.stat().st_size:
        return False
    with a.open("rb") as fa, b.open("rb") as fb:
        while True:
            x, y = fa.read(MiB), fb.read(MiB)
            if x != y:
                return False
            if not x:
                return True


def rm(*paths: Path) -> Callable[[], None]:
    def clean() -> None:
        for path in paths:
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)

    return clean


def snapshot_id(vault: Path) -> str:
    listing = subprocess.run(
        [sys.executable, "-m", "clientbook", "backup", "list", "--format", "json"]
        + ["--vault", str(vault)],
        env=dict(os.environ, CLIENTBOOK_PASSPHRASE=PASSPHRASE),
        capture_output=True,
        check=True,
    )
    return str(json.loads(listing.stdout)[0]["id"])


def bench_clientbook(work: Path, src: Path, factor: int, repeat: int) -> tuple[Result, Result]:
    vault = work / "vault"
    restored = work / "restored.xlsx"
    create = clientbook(factor, "backup", "create", str(src), "--vault", str(vault))
    made = best(repeat, rm(vault), create)
    rm(vault)()
    measure(create)
    restore = clientbook(
        factor,
        "backup",
        "restore",
        snapshot_id(vault),
        "--to",
        str(restored),
        "--vault",
        str(vault),
    )
    back = best(repeat, rm(restored), restore)
    if not same(restored, src):
        raise SystemExit("restore differs from the original")
    if factor == 18:  # and the reference tool opens the snapshot clientbook wrote
        (data,) = (vault / "data").glob("*.age")
        cross = work / "cross.out"
        measure(["age", "-d", "-o", str(cross), str(data)], 1)
        if not same(cross, src):
            raise SystemExit("age -d of the snapshot differs from the original")
        rm(cross)()
    rm(vault, restored)()
    return made, back


def bench_age_passphrase(work: Path, src: Path, repeat: int) -> tuple[Result, Result]:
    enc, out = work / "age.age", work / "age.out"
    made = best(repeat, rm(enc), ["age", "-p", "-o", str(enc), str(src)], 2)
    back = best(repeat, rm(out), ["age", "-d", "-o", str(out), str(enc)], 1)
    rm(enc, out)()
    return made, back


def bench_age_x25519(work: Path, src: Path, repeat: int) -> tuple[Result, Result, Result, Result]:
    key = work / "key.txt"
    if not key.exists():
        subprocess.run(["age-keygen", "-o", str(key)], check=True, capture_output=True)
    recipient = subprocess.run(
        ["age-keygen", "-y", str(key)], check=True, capture_output=True, text=True
    ).stdout.strip()
    enc, out = work / "x.age", work / "x.out"
    made = best(repeat, rm(enc), ["age", "-r", recipient, "-o", str(enc), str(src)])
    back = best(repeat, rm(out), ["age", "-d", "-i", str(key), "-o", str(out), str(enc)])
    # The same, made durable like clientbook's writes (fsync of the new file: `sync FILE`).
    made_sync = best(
        repeat,
        rm(enc),
        ["sh", "-c", 'age -r "$1" -o "$2" "$3" && sync "$2"', "sh", recipient, str(enc), str(src)],
    )
    back_sync = best(
        repeat,
        rm(out),
        [
            "sh",
            "-c",
            'age -d -i "$1" -o "$2" "$3" && sync "$2"',
            "sh",
            str(key),
            str(out),
            str(enc),
        ],
    )
    rm(enc, out)()
    return made, back, made_sync, back_sync


def write_random(path: Path, size: int) -> None:
    with path.open("wb") as out:
        left = size
        while left:
            block = os.urandom(min(left, 8 * MiB))
            out.write(block)
            left -= len(block)


def row(size: float, op: str, tool: str, r: Result, stream: bool) -> str:
    speed = f"{size / r['seconds']:.0f}" if stream else "–"
    return (
        f"| {size:g} MiB | {op} | {tool} | {r['seconds']:.2f} | {r['cpu']:.2f} | {speed} "
        f"| {r['rss_mib']:.0f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--sizes", default="1,50,500", help="file sizes in MiB")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (best kept)")
    parser.add_argument("--dir", type=Path, default=None, help="work folder (default: temp)")
    args = parser.parse_args()
    if shutil.which("age") is None or shutil.which("age-keygen") is None:
        raise SystemExit("the `age` tool is needed (apt-get install age)")
    work = Path(tempfile.mkdtemp(prefix="bench-vault-", dir=args.dir))
    full: list[str] = []
    stream: list[str] = []
    ratios: list[str] = []
    try:
        for size in (float(s) for s in args.sizes.split(",")):
            src = work / f"book-{size:g}MiB.xlsx"
            write_random(src, int(size * MiB))
            c18, r18 = bench_clientbook(work, src, 18, args.repeat)
            a18, d18 = bench_age_passphrase(work, src, args.repeat)
            c10, r10 = bench_clientbook(work, src, 10, args.repeat)
            ax, dx, axs, dxs = bench_age_x25519(work, src, args.repeat)
            full += [
                row(size, "create", "clientbook", c18, False),
                row(size, "encrypt", "age -p", a18, False),
                row(size, "restore", "clientbook", r18, False),
                row(size, "decrypt", "age -d", d18, False),
            ]
            stream += [
                row(size, "create", "clientbook (scrypt 2^10)", c10, True),
                row(size, "encrypt", "age -r (X25519)", ax, True),
                row(size, "encrypt", "age -r (X25519) + sync", axs, True),
                row(size, "restore", "clientbook (scrypt 2^10)", r10, True),
                row(size, "decrypt", "age -d -i (X25519)", dx, True),
                row(size, "decrypt", "age -d -i (X25519) + sync", dxs, True),
            ]
            ratios.append(
                f"{size:g} MiB: create {c10['seconds'] / ax['seconds']:.2f}x age, "
                f"{c10['seconds'] / axs['seconds']:.2f}x age+sync, "
                f"CPU {c10['cpu'] / ax['cpu']:.2f}x; "
                f"restore {r10['seconds'] / dx['seconds']:.2f}x age, "
                f"{r10['seconds'] / dxs['seconds']:.2f}x age+sync, "
                f"CPU {r10['cpu'] / dx['cpu']:.2f}x"
            )
            src.unlink()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    head = (
        "| size | operation | tool | wall s | CPU s | MiB/s (wall) | peak RSS (MiB) |\n"
        "|---:|---|---|---:|---:|---:|---:|"
    )
    print("Full cost, scrypt log2 N = 18 (age's default):\n")
    print(head)
    print("\n".join(full))
    print("\nStreaming cost, scrypt excluded:\n")
    print(head)
    print("\n".join(stream))
    print("\nclientbook / age, scrypt excluded:\n- " + "\n- ".join(ratios))
    load = os.getloadavg()[0]
    print(f"(best of {args.repeat} runs each; {os.cpu_count()} CPUs; load average {load:.1f})")


if __name__ == "__main__":
    main()
