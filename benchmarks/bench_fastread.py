"""open_book(fields=TIER_FIELDS) (the targeted reader, fastcells.py) next to the calamine path.

For 1,000 / 10,000 / 100,000 clients, on bench_read.py's synthetic register (inline strings,
as openpyxl writes them) and on a shared-strings copy of it (as Excel and WPS write them),
runs each reader in a fresh child process and prints the best of `--repeat` runs: seconds
of open_book alone (imports excluded), and the child's peak RSS.

    fast       open_book(path, holdings=False, fields=TIER_FIELDS)   (what `clientbook tier` does)
    calamine   the same, with the targeted reader switched off (calamine reads the sheet)
    full       open_book(path, holdings=False)                       (before fields= existed)

    .venv/bin/python benchmarks/bench_fastread.py [--sizes 1000,10000,100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_read import DATA, ensure  # noqa: E402

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
which, path = sys.argv[1], Path(sys.argv[2])
from clientbook.register import fastcells
from clientbook.register.read import open_book
from clientbook.register.schema import TIER_FIELDS
if which == "calamine":
    fastcells.read_clients = lambda *args, **kwargs: (args[5] and args[5]()) and None
start = time.perf_counter()
if which == "full":
    book = open_book(path, holdings=False)
else:
    book = open_book(path, holdings=False, fields=TIER_FIELDS)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mib": peak, "rows": len(book.clients.records)}))
"""

_INLINE = re.compile(
    rb'<c r="([A-Z]+\d+)"((?: s="\d+")?) t="inlineStr"><is><t>([^<]*)</t></is></c>'
)
_SST_REL = (
    b'<Relationship Id="rIdSharedStrings" Type="http://schemas.openxmlformats.org/'
    b'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
)
_SST_TYPE = (
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)


def shared_copy(source: Path) -> Path:
    """The register with its inline strings moved to xl/sharedStrings.xml (t="s")."""
    target = source.with_name(source.stem + "_shared.xlsx")
    if target.exists():
        return target
    table: dict[bytes, int] = {}

    def to_shared(match: re.Match[bytes]) -> bytes:
        index = table.setdefault(match.group(3), len(table))
        return b'<c r="%s"%s t="s"><v>%d</v></c>' % (match.group(1), match.group(2), index)

    tmp = target.with_suffix(".tmp")
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename.startswith("xl/worksheets/"):
                data = _INLINE.sub(to_shared, data)
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", _SST_REL + b"</Relationships>")
            elif info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", _SST_TYPE + b"</Types>")
            new.writestr(info.filename, data)
        items = b"".join(b"<si><t>" + text + b"</t></si>" for text in table)
        new.writestr(
            "xl/sharedStrings.xml",
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            b'count="%d" uniqueCount="%d">' % (len(table), len(table)) + items + b"</sst>",
        )
    tmp.replace(target)
    return target


def measure(which: str, path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, which, str(path)], check=True, capture_output=True, text=True
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--readers", default="fast,calamine,full")
    parser.add_argument("--make-shared", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make_shared:
        shared_copy(args.make_shared)
        return
    print(f"# load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; data in {DATA.name}/")
    head = ("clients", "strings", "sheet MiB", "reader", "seconds", "peak MiB", "records")
    print("{:>8} {:>8} {:>9} {:>9} {:>8} {:>9} {:>8}".format(*head))
    for size in map(int, args.sizes.split(",")):
        inline = ensure(size)
        started = time.perf_counter()
        # In a child: this process stays small, and its children's peak RSS is their own.
        subprocess.run([sys.executable, __file__, "--make-shared", str(inline)], check=True)
        shared = shared_copy(inline)
        if time.perf_counter() - started > 1:
            print(f"# made {shared.name} in {time.perf_counter() - started:.1f}s", flush=True)
        for kind, path in (("inline", inline), ("shared", shared)):
            with zipfile.ZipFile(path) as archive:
                mib = archive.getinfo("xl/worksheets/sheet1.xml").file_size / 2**20
            for which in args.readers.split(","):
                runs = [measure(which, path) for _ in range(args.repeat)]
                best = min(runs, key=lambda run: run["seconds"])
                print(
                    f"{size:>8} {kind:>8} {mib:>9.1f} {which:>9} {best['seconds']:>8.2f} "
                    f"{max(r['peak_mib'] for r in runs):>9.0f} {int(best['rows']):>8}",
                    flush=True,
                )
    print(f"# load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
