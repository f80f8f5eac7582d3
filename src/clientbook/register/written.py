"""What write.write_columns wrote (or would write): pydantic models, apart from write.py so
that the worker process (worker.py), which makes the writer's first pass and no result,
does not load pydantic."""

from __future__ import annotations

from pydantic import BaseModel


class WrittenColumn(BaseModel):
    header: str
    letter: str
    index: int  # 0-based, A = 0
    created: bool  # False when an existing column (same header or alias) was updated


class WriteResult(BaseModel):
    sheet: str
    header_row: int
    columns: list[WrittenColumn]
    cells: int  # non-blank data cells written
    rows_added: int  # rows that did not exist in the sheet and were created
    table: str | None = None  # name of the Excel table extended to the new columns
    autofilter_extended: bool = False
    changed_parts: list[str] = []
    encrypted: bool = False
    output: str | None = None
    dry_run: bool = False
    backed_up: bool = False
    previous: str | None = None  # an existing --output file, kept as NAME.old.xlsx
