"""Benchmark the write phase (the lossless write-back) against the physical floor of the file.

    .venv/bin/python benchmarks/bench_write.py [--rows 1000,10000,100000] [--repeat 3]
        [--book read|sst] [--media MIB] [--src DIR]

--book read (default): bench_read.py's synthetic registers (benchmarks/data/register_N.xlsx,
inline strings, a title row, the header on row 2, a holdings sheet), the ones
tier_command.py times; --book sst: this script's own Excel-like registers (~25 columns,
shared strings, styles, an autofilter), cached as benchmarks/data/write_register_N.xlsx.
--media adds a 1,000-row book carrying a stored picture of that many MiB, to show that memory
does not grow with the copied parts. --src times another checkout's `src` folder (e.g. the
code before a change: `git archive OLD src | tar -x -C /tmp/old`, then --src /tmp/old/src).

For each size it times, each in a fresh child process:

* floor    - unzip every member and re-zip the file unchanged (zipfile, deflate level 6);
* write    - update_register(..., output=NEW) writing the 7 `tier` columns, both passes
             over the sheet (no head start);
* tier     - the same with the first pass made before the clock starts (prepare_sheet), as
             `clientbook tier` makes it in a thread while it reads: its write phase;
* re-run   - the `tier` call on the written file (the columns exist: every row updated).

Seconds are the best of --repeat interleaved runs of the call alone (wall clock), "CPU" the
least CPU seconds (user + system, all threads), "x" the ratio to the floor; peak RSS is the
child's ru_maxrss and "base" the RSS before the call (interpreter + the values to write).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
N_COLS = 25
BOOKS = {  # --book: (file name, sheet, header row)
    "read": ("register_{rows}.xlsx", "客户信息", 2),
    "sst": ("write_register_{rows}.xlsx", "客户", 1),
}

HEADERS = [
    "客户号", "客户姓名", "性别", "出生日期", "身份证号", "手机号", "邮箱", "地址", "职业",
    "学历", "婚姻状况", "资产规模(万元)", "上年资产规模(万元)", "年收入(万元)",
    "他行资产(万元)", "风险等级", "风险测评日期", "投资期限", "投资偏好", "联系方式偏好",
    "最近联系日期", "开户日期", "距网点(公里)", "持有产品", "备注",
]  # fmt: skip
assert len(HEADERS) == N_COLS

_CT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"""  # noqa: E501
_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"""  # noqa: E501
_WB = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="客户" sheetId="1" r:id="rId1"/></sheets><definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">客户!$A$1:$Y${last}</definedName></definedNames></workbook>"""  # noqa: E501
_WB_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"""  # noqa: E501
_STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>"""  # noqa: E501


def _letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def generate(rows: int, path: Path) -> None:
    """A synthetic register of `rows` clients, shared strings like Excel writes."""
    rng = random.Random(rows)
    strings: dict[str, int] = {}

    def sst(text: str) -> int:
        if text not in strings:
            strings[text] = len(strings)
        return strings[text]

    letters = [_letter(i) for i in range(N_COLS)]
    spans = f"1:{N_COLS}"
    last = rows + 1
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("xl/worksheets/sheet1.xml", "w") as f:
            f.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="'
                b'http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:'
                + f"Y{last}".encode()
                + b'"/><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2"'
                b' activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
                b'<sheetFormatPr defaultRowHeight="15"/><cols><col min="1" max="25" width="14"'
                b' customWidth="1"/></cols><sheetData>'
            )
            head = "".join(
                f'<c r="{letters[i]}1" s="1" t="s"><v>{sst(h)}</v></c>'
                for i, h in enumerate(HEADERS)
            )
            f.write(f'<row r="1" spans="{spans}">{head}</row>'.encode())
            buf: list[str] = []
            for r in range(2, last + 1):
                cells = []
                for i, letter in enumerate(letters):
                    kind = i % 5
                    if kind in (0, 1, 2):
                        text = f"客户{r}-{i}" if kind == 0 else f"V{rng.randrange(5000)}"
                        cells.append(f'<c r="{letter}{r}" t="s"><v>{sst(text)}</v></c>')
                    elif kind == 3:
                        cells.append(
                            f'<c r="{letter}{r}" s="2"><v>{rng.randrange(30000, 45000)}</v></c>'
                        )  # noqa: E501
                    else:
                        cells.append(
                            f'<c r="{letter}{r}" s="3"><v>{rng.random() * 5000:.2f}</v></c>'
                        )  # noqa: E501
                buf.append(f'<row r="{r}" spans="{spans}">{"".join(cells)}</row>')
                if len(buf) >= 1000:
                    f.write("".join(buf).encode())
                    buf.clear()
            f.write("".join(buf).encode())
            f.write(
                f'</sheetData><autoFilter ref="A1:Y{last}"/><pageMargins left="0.7" right="0.7"'
                ' top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>'.encode()
            )
        with z.open("xl/sharedStrings.xml", "w") as f:
            f.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://'
                b'schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">'
                % (len(strings), len(strings))
            )
            chunk: list[str] = []
            for text in strings:
                chunk.append(f"<si><t>{text}</t></si>")
                if len(chunk) >= 5000:
                    f.write("".join(chunk).encode())
                    chunk.clear()
            f.write("".join(chunk).encode() + b"</sst>")
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WB.replace("{last}", str(last)))
        z.writestr("xl/_rels/workbook.xml.rels", _WB_RELS)
        z.writestr("xl/styles.xml", _STYLES)


_CHILD = r"""
import json, resource, sys, time, zipfile, shutil
from pathlib import Path
mode, src, dst, rows = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
sheet, header_row = sys.argv[5], int(sys.argv[6])
def rss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime
if mode == "floor":
    base = rss()
    c = cpu()
    t = time.perf_counter()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            with zin.open(info) as r, zout.open(info.filename, "w") as w:
                shutil.copyfileobj(r, w, 1 << 20)
    sec = time.perf_counter() - t
else:
    from clientbook.register.write import NewColumn
    from clientbook.safe_io import update_register
    data_rows = range(header_row + 1, header_row + 1 + rows)
    quads = ["速赢", "培养", "维持", "放弃"]
    cols = [
        NewColumn("客户层级", ("Tier",), {r: "ABCD"[r % 4] for r in data_rows}, 10),
        NewColumn("潜力分", ("Potential",), {r: (r * 37) % 100 + 0.5 for r in data_rows}, 8),
        NewColumn("易达分", ("Ease",), {r: float((r * 53) % 100) for r in data_rows}, 8),
        NewColumn("优先级得分", ("Priority score",), {r: r % 97 + 0.25 for r in data_rows}, 10),
        NewColumn("优先级象限", ("Quadrant",), {r: quads[r % 4] for r in data_rows}, 10),
        NewColumn("优先排名", ("Rank",), {r: r - 1 for r in data_rows}, 8),
        NewColumn("优先级说明", ("Reason",),
                  {r: f"AUM top {r % 10 + 1}%; 他行资产 {r % 900}万" for r in data_rows}, 30),
    ]
    prepared = None
    if mode == "tier":
        from clientbook.register.write import prepare_sheet
        names = [(c.header, c.aliases) for c in cols]
        prepared = prepare_sheet(src, sheet_name=sheet, header_row=header_row, names=names)
    base = rss()
    c = cpu()
    t = time.perf_counter()
    update_register(src, cols, sheet_name=sheet, header_row=header_row, output=dst, force=True,
                    prepared=prepared)
    sec = time.perf_counter() - t
print(json.dumps({"seconds": sec, "cpu": cpu() - c, "peak": rss(), "base": base}))
"""


def _child(
    mode: str, src: Path, dst: Path, rows: int, book: str, code: str | None
) -> dict[str, float]:
    _, sheet, header_row = BOOKS[book]
    env = dict(os.environ)
    if code:
        env["PYTHONPATH"] = code
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, mode, str(src), str(dst), str(rows), sheet,
         str(header_row)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )  # fmt: skip
    result: dict[str, float] = json.loads(proc.stdout)
    return result


def add_media(src: Path, path: Path, mib: int) -> None:
    """The register plus an incompressible picture of `mib` MiB (stored, as JPEGs are)."""
    import shutil

    shutil.copyfile(src, path)
    rng = random.Random(mib)
    with zipfile.ZipFile(path, "a") as z, z.open("xl/media/photo.jpg", "w") as f:
        for _ in range(mib):
            f.write(rng.randbytes(1 << 20))


def _register(book: str, rows: int) -> Path:
    path = DATA / BOOKS[book][0].format(rows=rows)
    if not path.exists():
        if book == "sst":
            generate(rows, path)
        else:
            sys.path.insert(0, str(HERE))
            from bench_read import generate as generate_read

            generate_read(path, rows)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--book", choices=sorted(BOOKS), default="read")
    parser.add_argument(
        "--media", type=int, default=0, help="MiB of picture in an extra 1,000-row book"
    )
    parser.add_argument("--src", default=None, help="the src folder of the code to time")
    args = parser.parse_args()
    code = str(Path(args.src).resolve()) if args.src else None
    DATA.mkdir(parents=True, exist_ok=True)
    out_dir = HERE / "out"
    out_dir.mkdir(exist_ok=True)
    mib = 1024 * 1024
    print(f"book: {args.book}; code: {code or 'this checkout'}; load {os.getloadavg()[0]:.2f}")
    print(
        f"{'rows':>16} {'file':>6} {'sheet':>6} | {'floor':>6} {'write':>6} {'x':>5} "
        f"{'tier':>6} {'x':>5} {'re-run':>6} {'x':>5} | {'CPU fl':>6} {'write':>6} "
        f"{'tier':>6} {'re-run':>6} | {'out':>6} | {'RSS wr':>6} {'tier':>6} {'base':>5}"
    )
    print(
        f"{'':>16} {'MiB':>6} {'MiB':>6} | {'s':>6} {'s':>6} {'':>5} {'s':>6} {'':>5} "
        f"{'s':>6} {'':>5} | {'s':>6} {'s':>6} {'s':>6} {'s':>6} | {'MiB':>6} |"
    )
    sizes: list[tuple[int, int]] = [(int(x), 0) for x in args.rows.split(",")]
    if args.media:
        sizes.append((1000, args.media))
    for rows, media in sizes:
        src = _register(args.book, rows)
        if media:
            plain = src
            src = DATA / f"{plain.stem}_media{media}.xlsx"
            if not src.exists():
                add_media(plain, src, media)
        sheet_name = "xl/worksheets/sheet1.xml"
        with zipfile.ZipFile(src) as z:
            sheet_mib = z.getinfo(sheet_name).file_size / mib
        first = out_dir / f"written_{src.stem}.xlsx"
        second = out_dir / f"rewritten_{src.stem}.xlsx"
        runs: dict[str, list[dict[str, float]]] = {
            "floor": [],
            "write": [],
            "tier": [],
            "rewrite": [],
        }
        for _ in range(args.repeat):  # interleaved, so that all of them see the same load
            runs["floor"].append(
                _child("floor", src, out_dir / "floor.xlsx", rows, args.book, code)
            )
            runs["write"].append(_child("write", src, first, rows, args.book, code))
            runs["tier"].append(_child("tier", src, first, rows, args.book, code))
            runs["rewrite"].append(_child("tier", first, second, rows, args.book, code))
        best = {k: min(runs[k], key=lambda r: r["seconds"]) for k in runs}
        cpu = {k: min(r["cpu"] for r in runs[k]) for k in runs}
        peak = {k: max(r["peak"] for r in runs[k]) for k in runs}
        fl = best["floor"]["seconds"]
        label = f"{rows:,}" + (f"+{media}MiB pic" if media else "")
        print(
            f"{label:>16} {src.stat().st_size / mib:>6.1f} {sheet_mib:>6.1f} | "
            f"{fl:>6.2f} {best['write']['seconds']:>6.2f} {best['write']['seconds'] / fl:>5.2f} "
            f"{best['tier']['seconds']:>6.2f} {best['tier']['seconds'] / fl:>5.2f} "
            f"{best['rewrite']['seconds']:>6.2f} {best['rewrite']['seconds'] / fl:>5.2f} | "
            f"{cpu['floor']:>6.2f} {cpu['write']:>6.2f} {cpu['tier']:>6.2f} "
            f"{cpu['rewrite']:>6.2f} | {first.stat().st_size / mib:>6.1f} | "
            f"{peak['write'] / mib:>5.0f}M {peak['tier'] / mib:>5.0f}M "
            f"{best['write']['base'] / mib:>4.0f}M",
            flush=True,
        )
    print(f"load {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
