"""`clientbook validate --format json` next to python-calamine alone, and the readers apart.

Generates synthetic registers of 1,000 / 10,000 / 100,000 clients (27 client columns and a
holdings sheet with two rows per client), cached in benchmarks/data/. For each size it runs,
each in a fresh child process and alternating, `clientbook validate FILE --format json` and
python-calamine alone reading every sheet of the same file (`to_python()`), and prints the
fastest run of each: wall-clock seconds, CPU seconds (user + system of the child, start-up
and imports included) and peak RSS (the child's own, from wait4), and the ratios.
CPU seconds are steadier than wall-clock seconds on a shared machine; the load average is
printed with the table.

    .venv/bin/python benchmarks/bench_read.py [--sizes 1000,10000,100000] [--repeat 3]
    .venv/bin/python benchmarks/bench_read.py --readers calamine,guard,open_book,openpyxl
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"

HEADERS = [
    "客户号", "客户姓名", "性别", "出生日期", "身份证号", "手机号", "邮箱", "地址", "职业",
    "学历", "婚姻状况", "资产规模(万元)", "上年资产规模(万元)", "年收入(万元)",
    "他行资产(万元)", "风险等级", "风险测评日期", "投资期限", "联系方式偏好", "联系频率",
    "保密要求", "最近联系日期", "开户日期", "距网点(公里)", "持有产品", "客户经理", "备注",
]  # fmt: skip
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # GB 11643


def _id_number(rng: random.Random, born: date, female: bool) -> str:
    sex_digit = rng.choice("02468" if female else "13579")
    body = f"110105{born:%Y%m%d}{rng.randint(0, 99):02d}{sex_digit}"
    total = sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


def generate(path: Path, clients: int, seed: int = 7) -> None:
    """Write a synthetic, clean register with openpyxl's write-only mode."""
    from openpyxl import Workbook

    rng = random.Random(seed)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("客户信息")
    ws.append([f"客户名册（合成数据，{clients} 户）"])
    ws.append(HEADERS)
    today = date.today()  # dates relative to the day the file is made
    levels = []
    for i in range(clients):
        female = rng.random() < 0.5
        level = rng.randint(1, 5)
        levels.append(level)
        born = date(1950, 1, 1) + timedelta(days=rng.randint(0, 365 * 55))
        aum = round(rng.lognormvariate(4.5, 1.2), 2)
        ws.append(
            [
                f"C{100000 + i}",
                rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                "女" if female else "男",
                born,
                _id_number(rng, born, female),
                f"13{rng.randint(0, 999999999):09d}",
                f"client{i}@example.com",
                f"北京市朝阳区{rng.randint(1, 300)}号",
                rng.choice(["教师", "医生", "企业主", "工程师", "退休", "公务员"]),
                rng.choice(["本科", "硕士", "大专", "高中"]),
                rng.choice(["已婚", "未婚"]),
                aum,
                round(aum * rng.uniform(0.6, 1.3), 2),
                rng.choice([30, 50, 80, "120万", 200]),
                rng.choice([0, 100, 500, "1,200"]),
                "C3 稳健型" if level == 3 else f"C{level}",
                today - timedelta(days=rng.randint(0, 360)),
                rng.choice(["短期", "中长期", "养老规划"]),
                rng.choice(["电话", "微信", "面谈", "短信"]),
                rng.choice(["每月", "每季度", "", "60天"]),
                rng.choice(["是", "否", "否", "否"]),
                today - timedelta(days=rng.randint(0, 400)),
                today - timedelta(days=rng.randint(100, 5000)),
                round(rng.uniform(0.2, 30), 1),
                rng.choice(["定期存款、基金", "理财A；保险", "国债", ""]),
                rng.choice(["李经理", "王经理"]),
                "",
            ]
        )
    hs = wb.create_sheet("持仓")
    hs.append(["客户号", "产品名称", "产品风险等级", "金额(万元)", "到期日"])
    for i in range(clients):
        for _ in range(2):
            hs.append(
                [
                    f"C{100000 + i}",
                    rng.choice(["稳盈1号", "安享90天", "成长混合", "国债2027"]),
                    f"R{rng.randint(1, levels[i])}",
                    round(rng.uniform(5, 300), 2),
                    today + timedelta(days=rng.randint(1, 700)),
                ]
            )
    tmp = path.with_suffix(".tmp.xlsx")
    wb.save(tmp)
    tmp.replace(path)


CHILD = r"""
import json, resource, sys, time
from pathlib import Path
which, path = sys.argv[1], sys.argv[2]
start = time.perf_counter()
if which == "open_book":
    from clientbook.register.read import open_book
    book = open_book(Path(path))
    rows = len(book.clients.records) + (len(book.holdings.records) if book.holdings else 0)
elif which == "calamine":
    from python_calamine import CalamineWorkbook
    wb = CalamineWorkbook.from_path(path)
    rows = 0
    for name in wb.sheet_names:
        rows += len(wb.get_sheet_by_name(name).to_python())
elif which == "openpyxl":
    from openpyxl import load_workbook
    wb = load_workbook(path, read_only=True, data_only=True)
    rows = 0
    for ws in wb.worksheets:
        for _ in ws.iter_rows(values_only=True):
            rows += 1
    wb.close()
elif which == "guard":
    from clientbook.register.guard import check_package
    with open(path, "rb") as f:
        check_package(f, path)
    rows = 0
else:
    raise SystemExit(which)
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_SELF)
cpu = usage.ru_utime + usage.ru_stime
peak = usage.ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mib": peak, "rows": rows}))
"""


def measure(which: str, path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, which, str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def run_child(argv: list[str]) -> dict[str, float]:
    """Wall seconds, CPU seconds and peak RSS (MiB) of one child process, and its exit code."""
    started = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert child.stderr is not None
    err = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):  # 1: the register has findings
        raise SystemExit(f"{' '.join(argv)} failed ({code}): {err.decode(errors='replace')}")
    return {
        "seconds": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "peak_mib": usage.ru_maxrss / 1024,  # KiB on Linux
    }


BARE = (
    "import sys\n"
    "from python_calamine import CalamineWorkbook\n"
    "wb = CalamineWorkbook.from_path(sys.argv[1])\n"
    "rows = sum(len(wb.get_sheet_by_name(n).to_python()) for n in wb.sheet_names)\n"
)


def compare(path: Path, repeat: int) -> tuple[dict[str, float], dict[str, float]]:
    """Best of `repeat` runs of python-calamine alone and of `clientbook validate`."""
    bare_runs, validate_runs = [], []
    for _ in range(repeat):
        bare_runs.append(run_child([sys.executable, "-c", BARE, str(path)]))
        validate_runs.append(
            run_child(
                [sys.executable, "-m", "clientbook", "validate", str(path), "--format", "json"]
            )
        )

    def best(runs: list[dict[str, float]]) -> dict[str, float]:
        return {
            "seconds": min(r["seconds"] for r in runs),
            "cpu": min(r["cpu"] for r in runs),
            "peak_mib": max(r["peak_mib"] for r in runs),
        }

    return best(bare_runs), best(validate_runs)


def ensure(size: int) -> Path:
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"register_{size}.xlsx"
    if not path.exists():
        started = time.perf_counter()
        generate(path, size)
        print(f"# generated {path.name} in {time.perf_counter() - started:.1f}s", flush=True)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument(
        "--readers",
        default="",
        help="also time readers apart, comma-separated: calamine, guard, open_book, "
        "openpyxl (read-only mode, slow)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs each; the best is shown")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"# load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    head = (
        "clients", "file MiB", "calamine s", "cpu s", "MiB",
        "validate s", "cpu s", "MiB", "ratio s", "ratio cpu",
    )  # fmt: skip
    print("{:>8} {:>8} {:>10} {:>6} {:>5} {:>10} {:>6} {:>5} {:>8} {:>9}".format(*head))
    for size in sizes:
        path = ensure(size)
        bare, checked = compare(path, args.repeat)
        print(
            f"{size:>8} {path.stat().st_size / 2**20:>8.1f} "
            f"{bare['seconds']:>10.2f} {bare['cpu']:>6.2f} {bare['peak_mib']:>5.0f} "
            f"{checked['seconds']:>10.2f} {checked['cpu']:>6.2f} {checked['peak_mib']:>5.0f} "
            f"{checked['seconds'] / bare['seconds']:>8.2f} {checked['cpu'] / bare['cpu']:>9.2f}",
            flush=True,
        )
    print(f"# load average {os.getloadavg()[0]:.1f}")
    if not args.readers:
        return
    head = ("clients", "file MiB", "reader", "seconds", "cpu s", "peak MiB", "rows")
    print("{:>8} {:>8} {:>10} {:>8} {:>8} {:>9} {:>8}".format(*head))
    for size in sizes:
        path = ensure(size)
        mib = path.stat().st_size / 2**20
        for which in args.readers.split(","):
            runs = [measure(which, path) for _ in range(args.repeat)]
            r = min(runs, key=lambda run: run["seconds"])
            print(
                f"{size:>8} {mib:>8.1f} {which:>10} {r['seconds']:>8.2f} {r['cpu']:>8.2f} "
                f"{r['peak_mib']:>9.0f} {int(r['rows']):>8}",
                flush=True,
            )


if __name__ == "__main__":
    main()
