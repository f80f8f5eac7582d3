"""Lossless write-back: everything but the new columns stays byte for byte as it was."""

from __future__ import annotations

import io
import re
from pathlib import Path

import defusedxml.ElementTree as DET
import pytest

from clientbook.register.write import (
    NewColumn,
    column_index,
    column_letter,
    write_columns,
)
from clientbook.register.written import WriteResult
from rich_workbook import (
    CLIENT_SHEET,
    FIRST_DATA_ROW,
    HEADER_ROW,
    LAST_DATA_ROW,
    VBA,
    Variant,
    build_rich_workbook,
    client_sheet_part,
)
from write_fixtures import (
    NS,
    TIER_HEADERS,
    load_quietly,
    member_names,
    members,
    sheet_without,
    tier_columns,
)

VARIANTS = {
    "autofilter": Variant(),
    "table": Variant(table=True),
    "xlsm": Variant(macro=True),
    "prefix": Variant(prefix=True),
    "beyond": Variant(beyond=True),
}


def _write(src: Path | bytes, columns: list[NewColumn] | None = None) -> tuple[bytes, WriteResult]:
    out = io.BytesIO()
    result = write_columns(
        src,
        out,
        sheet_name=CLIENT_SHEET,
        header_row=HEADER_ROW,
        columns=columns if columns is not None else tier_columns(),
    )
    return out.getvalue(), result


@pytest.fixture(params=list(VARIANTS), scope="module")
def written(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    variant = VARIANTS[request.param]
    folder = tmp_path_factory.mktemp(request.param)
    path = build_rich_workbook(folder / ("book.xlsm" if variant.macro else "book.xlsx"), variant)
    data, result = _write(path)
    return request.param, variant, path, data, result


def test_member_list_order_and_untouched_members_are_identical(written) -> None:
    name, variant, path, data, result = written
    before, after = members(path), members(data)
    assert member_names(path) == member_names(data)
    sheet = client_sheet_part(path)
    expected_changed = {sheet}
    if variant.table:
        expected_changed.add("xl/tables/table1.xml")
    elif not variant.beyond:  # the autofilter ends at G, next to the new columns
        expected_changed.add("xl/workbook.xml")
    assert set(result.changed_parts) == expected_changed
    for member in before:
        if member not in expected_changed:
            assert before[member] == after[member], member
    if variant.macro:
        assert after["xl/vbaProject.bin"] == VBA


def test_client_sheet_is_unchanged_outside_the_new_columns(written) -> None:
    name, variant, path, data, result = written
    sheet = client_sheet_part(path)
    new_cols = {c.index for c in result.columns}
    before, after = members(path)[sheet], members(data)[sheet]
    assert sheet_without(before, new_cols) == sheet_without(after, new_cols)
    # the attributes the comparison blanked changed exactly as they should
    last = column_letter(max(new_cols))
    root = DET.fromstring(after)
    assert root.find(f"{NS}dimension").get("ref") == f"A1:{last}{LAST_DATA_ROW}"
    if not variant.table and not variant.beyond:
        assert root.find(f"{NS}autoFilter").get("ref") == f"A{HEADER_ROW}:{last}{LAST_DATA_ROW}"
    if variant.beyond:  # the autofilter ends at G, the new columns start at K: left alone
        assert root.find(f"{NS}autoFilter").get("ref") == f"A{HEADER_ROW}:G{LAST_DATA_ROW}"


def test_new_columns_hold_the_values_and_headers(written) -> None:
    name, variant, path, data, result = written
    wb, _ = load_quietly(data)
    ws = wb[CLIENT_SHEET]
    columns = tier_columns()
    first = 7 if not variant.beyond else 10  # H, or K right of the user's column J
    assert [c.letter for c in result.columns] == [column_letter(first + i) for i in range(7)]
    assert all(c.created for c in result.columns)
    for i, column in enumerate(columns):
        assert ws.cell(row=HEADER_ROW, column=first + 1 + i).value == column.header
        for r in range(FIRST_DATA_ROW, LAST_DATA_ROW + 1):
            assert ws.cell(row=r, column=first + 1 + i).value == column.values[r]
    assert result.cells == 7 * (LAST_DATA_ROW - FIRST_DATA_ROW + 1)
    assert result.rows_added == 0


def test_header_cells_take_the_style_of_the_last_header(written) -> None:
    name, variant, path, data, result = written
    wb, _ = load_quietly(data)
    ws = wb[CLIENT_SHEET]
    last_header = ws.cell(row=HEADER_ROW, column=7)
    for c in result.columns:
        cell = ws.cell(row=HEADER_ROW, column=c.index + 1)
        if variant.beyond and c.letter == "L":
            continue  # a styled cell of the user's: its own style is kept
        assert cell.font.b and cell.fill.fgColor.rgb == last_header.fill.fgColor.rgb


def test_openpyxl_reads_the_result_with_the_same_warnings(written) -> None:
    name, variant, path, data, result = written
    _, before = load_quietly(path)
    _, after = load_quietly(data)
    assert after == before  # only openpyxl's notes about the Excel 2010 data bar, as before


def test_second_run_is_a_no_op(written) -> None:
    name, variant, path, data, result = written
    again, result2 = _write(data)
    assert members(again) == members(data)
    assert [c.letter for c in result2.columns] == [c.letter for c in result.columns]
    assert not any(c.created for c in result2.columns)


def test_table_is_extended_to_the_new_columns(tmp_path: Path) -> None:
    path = build_rich_workbook(tmp_path / "book.xlsx", Variant(table=True))
    data, result = _write(path)
    assert result.table == "ClientTable"
    before = DET.fromstring(members(path)["xl/tables/table1.xml"])
    after = DET.fromstring(members(data)["xl/tables/table1.xml"])
    assert after.get("ref") == f"A{HEADER_ROW}:N{LAST_DATA_ROW}"
    assert after.find(f"{NS}autoFilter").get("ref") == f"A{HEADER_ROW}:N{LAST_DATA_ROW}"
    cols = after.find(f"{NS}tableColumns")
    names = [c.get("name") for c in cols]
    ids = [c.get("id") for c in cols]
    assert int(cols.get("count")) == len(names) == 14
    assert len(set(ids)) == 14
    assert names[7:] == [zh for zh, _ in TIER_HEADERS]
    assert names[:7] == [c.get("name") for c in before.find(f"{NS}tableColumns")]
    # a second run finds the columns in the table and adds nothing
    again, _ = _write(data)
    assert members(again)["xl/tables/table1.xml"] == members(data)["xl/tables/table1.xml"]


def test_filter_database_name_follows_the_autofilter(tmp_path: Path) -> None:
    path = build_rich_workbook(tmp_path / "book.xlsx")
    data, _ = _write(path)
    before = members(path)["xl/workbook.xml"].decode()
    after = members(data)["xl/workbook.xml"].decode()
    assert "_xlnm._FilterDatabase" in before
    assert after == before.replace(f"$G${LAST_DATA_ROW}<", f"$N${LAST_DATA_ROW}<")


def test_prefixed_sheet_keeps_its_prefix(tmp_path: Path) -> None:
    path = build_rich_workbook(tmp_path / "book.xlsx", Variant(prefix=True))
    data, _ = _write(path)
    xml = members(data)[client_sheet_part(path)].decode()
    assert '<x:c r="H3"' in xml and "<x:is><x:t>客户层级</x:t></x:is>" in xml
    assert not re.search(r"<(?!x:|/|\?)[a-zA-Z]", xml.split("<x:extLst>")[0])


def test_rerun_updates_values_in_place_and_clears_missing_ones(tmp_path: Path) -> None:
    path = build_rich_workbook(tmp_path / "book.xlsx")
    data, _ = _write(path)
    columns = tier_columns(seed=1)
    blanked = FIRST_DATA_ROW + 2
    for column in columns:
        column.values[blanked] = None  # type: ignore[index]
    again, result = _write(data, columns)
    assert [c.letter for c in result.columns] == list("HIJKLMN")
    ws = load_quietly(again)[0][CLIENT_SHEET]
    assert ws.max_column == 14
    for i, column in enumerate(columns):
        for r in range(FIRST_DATA_ROW, LAST_DATA_ROW + 1):
            assert ws.cell(row=r, column=8 + i).value == column.values[r]


def test_english_header_found_by_alias_keeps_the_users_header(tmp_path: Path) -> None:
    path = build_rich_workbook(tmp_path / "book.xlsx")
    data, _ = _write(path)
    english = [
        NewColumn(en, (zh,), c.values, c.width)
        for (zh, en), c in zip(TIER_HEADERS, tier_columns(seed=2), strict=True)
    ]
    again, result = _write(data, english)
    assert [c.header for c in result.columns] == [zh for zh, _ in TIER_HEADERS]
    ws = load_quietly(again)[0][CLIENT_SHEET]
    assert ws.cell(row=HEADER_ROW, column=8).value == "客户层级"
    assert ws.cell(row=FIRST_DATA_ROW, column=8).value == english[0].values[FIRST_DATA_ROW]


def test_header_matching_ignores_width_case_and_spaces(tmp_path: Path) -> None:
    path = build_rich_workbook(tmp_path / "book.xlsx")
    data, _ = _write(path, [NewColumn("Priority Score", (), {FIRST_DATA_ROW: 1})])
    again, result = _write(
        data, [NewColumn("优先级得分", ("ＰＲＩＯＲＩＴＹ　ｓｃｏｒｅ",), {FIRST_DATA_ROW: 2})]
    )
    assert [(c.letter, c.created, c.header) for c in result.columns] == [
        ("H", False, "Priority Score")
    ]
    assert load_quietly(again)[0][CLIENT_SHEET]["H4"].value == 2


def test_values_are_escaped_and_read_back_exactly(tmp_path: Path) -> None:
    path = build_rich_workbook(tmp_path / "book.xlsx")
    texts = {
        FIRST_DATA_ROW: "第一行\n第二行",
        FIRST_DATA_ROW + 1: "a & b < c > d \"e\" 'f'",
        FIRST_DATA_ROW + 2: "  leading and trailing  ",
        FIRST_DATA_ROW + 3: "CR\r\nLF",
        FIRST_DATA_ROW + 4: "literal _x0041_ stays",
        FIRST_DATA_ROW + 5: "=SUM(A1:A2)",
        FIRST_DATA_ROW + 6: "tab\there",
        FIRST_DATA_ROW + 7: "😀 emoji",
    }
    numbers = {FIRST_DATA_ROW: 0.1 + 0.2, FIRST_DATA_ROW + 1: -3, FIRST_DATA_ROW + 2: 1e20}
    data, _ = _write(path, [NewColumn("说明", (), texts), NewColumn("分数", (), numbers)])
    ws = load_quietly(data)[0][CLIENT_SHEET]
    for r, text in texts.items():
        if "_x" not in text:  # openpyxl does not decode Excel's _xHHHH_ escapes
            assert ws.cell(row=r, column=8).value == text, r
    # python-calamine decodes them as Excel does
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    rows = book.get_sheet_by_name(CLIENT_SHEET).to_python()
    for r, text in texts.items():
        assert rows[r - 1][7] == text, r
    for r, number in numbers.items():
        assert ws.cell(row=r, column=9).value == number
    assert ws.cell(row=FIRST_DATA_ROW + 5, column=8).data_type == "s"  # never a formula


def test_control_characters_are_written_as_excel_escapes(tmp_path: Path) -> None:
    path = build_rich_workbook(tmp_path / "book.xlsx")
    data, _ = _write(path, [NewColumn("说明", (), {FIRST_DATA_ROW: "bell\x07 nul\x00"})])
    xml = members(data)[client_sheet_part(path)]
    assert b"bell_x0007_ nul_x0000_" in xml
    DET.fromstring(xml)  # still well-formed XML
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    assert book.get_sheet_by_name(CLIENT_SHEET).to_python()[FIRST_DATA_ROW - 1][7] == (
        "bell\x07 nul\x00"
    )


def test_rows_that_do_not_exist_are_created_in_order(tmp_path: Path) -> None:
    path = build_rich_workbook(tmp_path / "book.xlsx")
    values = {LAST_DATA_ROW + 2: "after", LAST_DATA_ROW + 5: "further", FIRST_DATA_ROW: "x"}
    data, result = _write(path, [NewColumn("客户层级", (), values)])
    assert result.rows_added == 2
    root = DET.fromstring(members(data)[client_sheet_part(path)])
    nums = [int(r.get("r")) for r in root.iter(f"{NS}row")]
    assert nums == sorted(nums)
    ws = load_quietly(data)[0][CLIENT_SHEET]
    assert ws.cell(row=LAST_DATA_ROW + 5, column=8).value == "further"


def test_existing_column_with_a_formula_is_refused(tmp_path: Path) -> None:
    from clientbook.errors import WriteError

    path = build_rich_workbook(tmp_path / "book.xlsx")
    column = NewColumn("资产翻倍", (), {FIRST_DATA_ROW: 1})
    with pytest.raises(WriteError) as info:
        _write(path, [column])
    assert info.value.key == "write.formula_in_column"
    assert "F4" in info.value.render("en") and "F4" in info.value.render("zh")
    # a dry run finds it too: the first pass looks for formulas in the columns it will own
    from clientbook.register.write import plan_columns

    with pytest.raises(WriteError):
        plan_columns(path, sheet_name=CLIENT_SHEET, header_row=HEADER_ROW, columns=[column])


def test_column_letters_round_trip() -> None:
    for i in (0, 25, 26, 701, 702, 16383):
        assert column_index(column_letter(i)) == i
    assert column_letter(16383) == "XFD"


def test_header_found_through_a_late_shared_string(tmp_path: Path) -> None:
    """The shared string table is read only as far as the header needs, in bounded memory,
    even when the header's string comes after thousands of others."""
    path = build_rich_workbook(tmp_path / "book.xlsx")
    sst = members(path)["xl/sharedStrings.xml"].decode()
    count = sst.count("<si>")
    filler = "".join(f"<si><t>filler {i}</t></si>" for i in range(3000))
    late = count + 3000
    sheet = client_sheet_part(path)
    from rich_workbook import rewrite_zip

    rewrite_zip(
        path,
        {
            "xl/sharedStrings.xml": lambda xml: xml.replace(
                b"</sst>", (filler + "<si><t>Tier</t></si></sst>").encode()
            ),
            sheet: lambda xml: xml.replace(
                f'<c r="G{HEADER_ROW}"'.encode(),
                f'<c r="H{HEADER_ROW}" t="s"><v>{late}</v></c><c r="G{HEADER_ROW}"'.encode(),
            ),
        },
    )
    # (H3 was put before G3 above; move it after, keeping cells in column order)
    rewrite_zip(
        path,
        {
            sheet: lambda xml: re.sub(
                rb'(<c r="H3" t="s"><v>\d+</v></c>)(<c r="G3".*?</c>)', rb"\2\1", xml
            )
        },
    )
    _, result = _write(path, [NewColumn("客户层级", ("tier",), {FIRST_DATA_ROW: "A"})])
    assert [(c.letter, c.created, c.header) for c in result.columns] == [("H", False, "Tier")]


@pytest.mark.parametrize("col", [-1, 0, 1, 24, 25, 26, 27, 30, 51, 52, 700, 701, 702, 16383])
def test_letters_upto_matches_exactly_the_columns_up_to_this_one(col: int) -> None:
    from clientbook.register.write import _letters_upto

    pattern = re.compile(b"^" + _letters_upto(col) + b"$")
    for i in range(16384):
        letters = column_letter(i)
        assert bool(pattern.match(letters.encode())) == (i <= col), letters
        assert not pattern.match(letters.lower().encode()) or letters.lower() == letters


@pytest.mark.parametrize("col", [-1, 0, 24, 25, 26, 51, 700, 701, 16382])
def test_letters_after_matches_exactly_the_columns_to_the_right(col: int) -> None:
    from clientbook.register.write import _letters_after

    pattern = re.compile(b"^" + _letters_after(col) + b"$")
    for i in range(16384):
        letters = column_letter(i)
        assert bool(pattern.match(letters.encode())) == (i > col), letters
        assert bool(pattern.match(letters.lower().encode())) == (i > col), letters
