"""Benchmark: `clientbook backup create/restore` next to the `age` tool, same files, same run.

    .venv/bin/python benchmarks/bench_vault.py [--sizes 1,50,500] [--repeat 5] [--dir DIR]

Every operation runs in its own child process, started by a small wrapper that measures
the child's wall time, CPU time (user + system) and peak RSS (os.wait4). The runs of all
tools for one size are interleaved (clientbook, age, clientbook, age, ...) so that a
shared machine's load hits them alike; the best of `--repeat` runs of each is kept. The
load average is printed with the results.

Two tables:

1. Full cost, as a user meets it. scrypt at log2 N = 18 (age's default) costs ~0.4-0.7 s
   and 256 MiB per age file by design. clientbook create and restore open two age files
   each (the snapshot and the encrypted index), `age -p` / `age -d` one. `age` reads the
   passphrase from the terminal, so it runs under a pseudo-terminal (pexpect) and the
   passphrase is typed; clientbook reads CLIENTBOOK_PASSPHRASE.
2. Streaming cost, scrypt excluded: clientbook with the scrypt work factor lowered to
   log2 N = 10 (an internal setting, benchmark only) next to `age` encrypting to an
   X25519 recipient (`age -r`, `age -d -i`): the same STREAM payload, no scrypt.

What differs, and is printed side by side rather than hidden: clientbook also computes
the content's SHA-256 (de-duplication, `verify`, restore's check) and fsyncs what it
writes before renaming it into place (a crash never leaves half a file), then the folder;
`age ... && sync FILE` rows give age the same durability for its output file.
clientbook's own modules are byte-compiled first, as `pip install` does (this machine
sets PYTHONDONTWRITEBYTECODE, which would otherwise recompile them at every start).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
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
    """Run argv under a pty; type the passphrase `answers` times; wall, CPU, peak RSS."""
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


@dataclass
class Case:
    tool: str
    argv: list[str]
    prepare: Callable[[], None]
    answers: int = 0
    runs: list[Result] = field(default_factory=list)

    def best(self) -> Result:
        return min(self.runs, key=lambda r: r["seconds"])


def interleaved(cases: list[Case], repeat: int) -> None:
    for _ in range(repeat):
        for case in cases:
            case.prepare()
            case.runs.append(measure(case.argv, case.answers))


def clientbook(factor: int, *args: str) -> list[str]:
    return [sys.executable, "-c", CLIENTBOOK, str(factor), *args]


def synced(argv: list[str], output: Path) -> list[str]:
    """argv, then `sync OUTPUT` (fsync of the file it wrote), in one child process."""
    return ["sh", "-c", '"$@" && sync "$0"', str(output), *argv]


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


def write_random(path: Path, size: int) -> None:
    with path.open("wb") as out:
        left = size
        while left:
            block = os.urandom(min(left, 8 * MiB))
            out.write(block)
            left -= len(block)


@dataclass
class Rows:
    full: list[str] = field(default_factory=list)
    stream: list[str] = field(default_factory=list)
    ratios: list[str] = field(default_factory=list)


def row(size: float, op: str, case: Case, stream: bool) -> str:
    r = case.best()
    speed = f"{size / r['seconds']:.0f}" if stream else "–"
    return (
        f"| {size:g} MiB | {op} | {case.tool} | {r['seconds']:.2f} | {r['cpu']:.2f} | {speed} "
        f"| {r['rss_mib']:.0f} |"
    )


def ratio(ours: Case, theirs: Case) -> str:
    a, b = ours.best(), theirs.best()
    return f"{a['seconds'] / b['seconds']:.2f}× wall, {a['cpu'] / b['cpu']:.2f}× CPU"


def bench_size(work: Path, size: float, repeat: int, key: Path, recipient: str, rows: Rows) -> None:
    src = work / f"book-{size:g}MiB.xlsx"
    write_random(src, int(size * MiB))
    v18, v10 = work / "v18", work / "v10"
    p_age, x_age = work / "p.age", work / "x.age"
    out = work / "out.xlsx"

    def cb_create(vault: Path, factor: int) -> list[str]:
        return clientbook(factor, "backup", "create", str(src), "--vault", str(vault))

    made = [
        Case("clientbook", cb_create(v18, 18), rm(v18)),
        Case("age -p", ["age", "-p", "-o", str(p_age), str(src)], rm(p_age), answers=2),
        Case(
            "age -p + sync",
            synced(["age", "-p", "-o", str(p_age), str(src)], p_age),
            rm(p_age),
            answers=2,
        ),
        Case("clientbook (scrypt 2^10)", cb_create(v10, 10), rm(v10)),
        Case("age -r (X25519)", ["age", "-r", recipient, "-o", str(x_age), str(src)], rm(x_age)),
        Case(
            "age -r (X25519) + sync",
            synced(["age", "-r", recipient, "-o", str(x_age), str(src)], x_age),
            rm(x_age),
        ),
    ]
    interleaved(made, repeat)
    # The files the last runs left are what the restore runs read.
    (data,) = (v18 / "data").glob("*.age")
    age_out = work / "age.out"
    measure(["age", "-d", "-o", str(age_out), str(data)], 1)  # age opens clientbook's file
    if not same(age_out, src):
        raise SystemExit("age -d of the snapshot differs from the original")

    def cb_restore(vault: Path, factor: int) -> list[str]:
        snap = snapshot_id(vault)
        return clientbook(
            factor,
            "backup",
            "restore",
            snap,
            "--to",
            str(out),
            "--vault",
            str(vault),
        )

    back = [
        Case("clientbook", cb_restore(v18, 18), rm(out)),
        Case("age -d", ["age", "-d", "-o", str(age_out), str(p_age)], rm(age_out), answers=1),
        Case(
            "age -d + sync",
            synced(["age", "-d", "-o", str(age_out), str(p_age)], age_out),
            rm(age_out),
            answers=1,
        ),
        Case("clientbook (scrypt 2^10)", cb_restore(v10, 10), rm(out)),
        Case(
            "age -d -i (X25519)",
            ["age", "-d", "-i", str(key), "-o", str(age_out), str(x_age)],
            rm(age_out),
        ),
        Case(
            "age -d -i (X25519) + sync",
            synced(["age", "-d", "-i", str(key), "-o", str(age_out), str(x_age)], age_out),
            rm(age_out),
        ),
    ]
    interleaved(back, repeat)
    if not same(out, src) or not same(age_out, src):
        raise SystemExit("a restore differs from the original")
    rm(v18, v10, p_age, x_age, out, age_out, src)()

    for op, cases in (("create", made), ("restore", back)):
        rows.full += [row(size, op, c, False) for c in cases[:3]]
        rows.stream += [row(size, op, c, True) for c in cases[3:]]
        full, age_p, age_p_sync, ours, age_x, age_x_sync = cases
        rows.ratios.append(
            f"{size:g} MiB {op}, scrypt excluded: {ratio(ours, age_x)} of age; "
            f"{ratio(ours, age_x_sync)} of age + sync"
        )
        rows.ratios.append(
            f"{size:g} MiB {op}, scrypt 2^18: {ratio(full, age_p)} of age; "
            f"{ratio(full, age_p_sync)} of age + sync"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--sizes", default="1,50,500", help="file sizes in MiB")
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (best kept)")
    parser.add_argument("--dir", type=Path, default=None, help="work folder (default: temp)")
    args = parser.parse_args()
    if shutil.which("age") is None or shutil.which("age-keygen") is None:
        raise SystemExit("the `age` tool is needed (apt-get install age)")
    import clientbook

    compileall.compile_dir(Path(clientbook.__file__).parent, quiet=1)
    work = Path(tempfile.mkdtemp(prefix="bench-vault-", dir=args.dir))
    rows = Rows()
    loads = [os.getloadavg()[0]]
    try:
        key = work / "key.txt"
        subprocess.run(["age-keygen", "-o", str(key)], check=True, capture_output=True)
        recipient = subprocess.run(
            ["age-keygen", "-y", str(key)], check=True, capture_output=True, text=True
        ).stdout.strip()
        startup = Case(
            "python -c 'import clientbook.cli, clientbook.vault'",
            [sys.executable, "-c", "import clientbook.cli, clientbook.vault"],
            lambda: None,
        )
        interleaved([startup], args.repeat)
        for size in (float(s) for s in args.sizes.split(",")):
            bench_size(work, size, args.repeat, key, recipient, rows)
            loads.append(os.getloadavg()[0])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    head = (
        "| size | operation | tool | wall s | CPU s | MiB/s (wall) | peak RSS (MiB) |\n"
        "|---:|---|---|---:|---:|---:|---:|"
    )
    print("Full cost, scrypt log2 N = 18 (age's default):\n")
    print(head)
    print("\n".join(rows.full))
    print("\nStreaming cost, scrypt excluded:\n")
    print(head)
    print("\n".join(rows.stream))
    print("\nclientbook / age (best runs):\n- " + "\n- ".join(rows.ratios))
    s = startup.best()
    print(
        f"\nStart-up ({startup.tool}): {s['seconds']:.2f} s wall, {s['cpu']:.2f} s CPU, "
        f"{s['rss_mib']:.0f} MiB"
    )
    print(
        f"(best of {args.repeat} interleaved runs each; {os.cpu_count()} CPUs; load average "
        f"{min(loads):.1f}–{max(loads):.1f} during the run)"
    )


if __name__ == "__main__":
    main()
