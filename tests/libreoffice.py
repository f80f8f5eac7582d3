"""LibreOffice as an independent reader of what clientbook writes (skipped where absent)."""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (soffice) is not installed; .ci/run installs it"
)
# 44=comma, 34=quote, 76=UTF-8, then "formatted as shown" so dates read as displayed
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false"


def soffice_csv(book: Path, workdir: Path) -> list[list[str]]:
    """The first sheet of `book` as LibreOffice reads it, converted headless to CSV.

    A private profile under `workdir` keeps parallel runs from sharing LibreOffice's lock.
    """
    assert SOFFICE is not None
    outdir = workdir / "csv"
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={(workdir / 'lo-profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            CSV_FILTER,
            "--outdir",
            str(outdir),
            str(book),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    (out,) = outdir.glob("*.csv")
    with out.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))
