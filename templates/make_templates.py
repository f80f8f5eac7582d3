"""Build the blank registers that `clientbook init` copies.

Run from the repository root after changing the schema or the template layout:

    .venv/bin/python templates/make_templates.py

The layout lives in `clientbook.init.build_template`; this script only saves it, with fixed
timestamps so that an unchanged template gives an unchanged file.
"""

from __future__ import annotations

import sys
from pathlib import Path

from clientbook.init import TEMPLATE_FILES, build_template, save_reproducibly

HERE = Path(__file__).resolve().parent


def main(out_dir: Path = HERE) -> list[Path]:
    written = []
    for lang, name in TEMPLATE_FILES.items():
        path = out_dir / name
        save_reproducibly(build_template(lang), path)
        written.append(path)
    return written


if __name__ == "__main__":
    for path in main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(path, file=sys.stderr)
