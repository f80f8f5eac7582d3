"""The writer's first pass over the client sheet, made while the register is being read.

`tier` reads the register, scores it and then writes its columns; the writer's first pass
(write.prepare_sheet: the header cells, the last used column, the rows) does not depend on
the scores, so it is made meanwhile, for the header row and language the reader will find
(in a thread, or for a big register in the worker process: see worker.py). A wrong guess
costs nothing: write_columns then makes its own pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from clientbook.register.write import PreparedSheet

Columns = Sequence[tuple[str, str, str]]  # (key, Chinese header, English header)


def prepare_guessed(path: Path, sheet_name: str, columns: Columns) -> PreparedSheet | None:
    """write.prepare_sheet for the header row and language open_book will find, or None
    when no header row is found (the reader then says so)."""
    from clientbook.register.read import HEADER_SEARCH_ROWS, MIN_HEADER_MATCHES
    from clientbook.register.schema import CLIENTS
    from clientbook.register.values import has_cjk, header_index, normalise_header
    from clientbook.register.write import find_header_row, prepare_sheet

    index = header_index(CLIENTS)

    def keys(texts: list[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for t in texts:
            key = index.get(normalise_header(t)) if t.strip() else None
            if key is not None:
                out.setdefault(key, t)
        return out

    found = find_header_row(
        path,
        sheet_name,
        lambda texts: len(keys(texts)) >= MIN_HEADER_MATCHES,
        HEADER_SEARCH_ROWS,
    )
    if found is None:
        return None
    row, texts = found
    matched = keys(texts)
    english = sum(0 if has_cjk(t) else 1 for t in matched.values())
    lang = "en" if english * 2 > len(matched) else "zh"
    names = [((en, (zh,)) if lang == "en" else (zh, (en,))) for _, zh, en in columns]
    return prepare_sheet(path, sheet_name=sheet_name, header_row=row, names=names)
