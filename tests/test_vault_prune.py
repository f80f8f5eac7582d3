"""restic's keep policy, as a pure function, against a table of dated snapshots."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from clientbook.errors import UsageError
from clientbook.vault.store import PrunePolicy, Snapshot, select_survivors

CST = timezone(timedelta(hours=8))

# id: (book, local time). 2026-01-01 is a Thursday; ISO week 2026-W01 runs from Monday
# 2025-12-29 to Sunday 2026-01-04, so "dec30" and "jan01*"/"jan02" share a week.
DATED = {
    "dec30": ("a.xlsx", "2025-12-30 12:00"),
    "jan01am": ("a.xlsx", "2026-01-01 10:00"),
    "jan01pm": ("a.xlsx", "2026-01-01 18:00"),
    "jan02": ("a.xlsx", "2026-01-02 09:00"),
    "jan05": ("a.xlsx", "2026-01-05 09:00"),  # Monday, W02
    "jan12": ("a.xlsx", "2026-01-12 09:00"),  # Monday, W03
    "jan31": ("a.xlsx", "2026-01-31 09:00"),  # Saturday, W05
    "feb01": ("a.xlsx", "2026-02-01 09:00"),  # Sunday, W05
    "feb15": ("a.xlsx", "2026-02-15 09:00"),  # Sunday, W07
    "mar03am": ("a.xlsx", "2026-03-03 09:00"),  # Tuesday, W10
    "mar03pm": ("a.xlsx", "2026-03-03 17:00"),
    "other": ("b.xlsx", "2025-06-01 09:00"),
}


def _snapshots() -> list[Snapshot]:
    return [
        Snapshot(
            id=key,
            created=datetime.strptime(when, "%Y-%m-%d %H:%M").replace(tzinfo=CST),
            book=book,
            source="/synthetic",
            size=1,
            sha256="0" * 64,
            file=f"data/{key}.age",
        )
        for key, (book, when) in DATED.items()
    ]


TABLE = [
    ({"last": 3}, {"mar03pm", "mar03am", "feb15", "other"}),
    ({"daily": 3}, {"mar03pm", "feb15", "feb01", "other"}),
    ({"weekly": 3}, {"mar03pm", "feb15", "feb01", "other"}),
    ({"weekly": 100}, {"mar03pm", "feb15", "feb01", "jan12", "jan05", "jan02", "other"}),
    ({"monthly": 2}, {"mar03pm", "feb15", "other"}),
    ({"monthly": 12}, {"mar03pm", "feb15", "jan31", "dec30", "other"}),
    ({"yearly": 2}, {"mar03pm", "dec30", "other"}),
    (
        {"daily": 100},
        {"mar03pm", "feb15", "feb01", "jan31", "jan12", "jan05", "jan02", "jan01pm", "dec30"}
        | {"other"},
    ),
    ({"last": 1, "daily": 2, "monthly": 3}, {"mar03pm", "feb15", "jan31", "other"}),
    ({"last": 2, "weekly": 2}, {"mar03pm", "mar03am", "feb15", "other"}),
    ({"last": 100}, set(DATED)),
]


@pytest.mark.parametrize(("policy", "survivors"), TABLE, ids=[str(p) for p, _ in TABLE])
def test_survivors_match_restic(policy: dict[str, int], survivors: set[str]) -> None:
    chosen = select_survivors(_snapshots(), PrunePolicy(**policy))
    assert {s.id for s in chosen.keep} == survivors
    assert {s.id for s in chosen.forget} == set(DATED) - survivors
    assert set(chosen.reasons) == survivors


def test_reasons_name_every_rule_that_keeps() -> None:
    chosen = select_survivors(_snapshots(), PrunePolicy(last=1, daily=2, monthly=3))
    assert chosen.reasons["mar03pm"] == ["last", "daily", "monthly"]
    assert chosen.reasons["feb15"] == ["daily", "monthly"]
    assert chosen.reasons["jan31"] == ["monthly"]


def test_order_of_input_does_not_matter() -> None:
    snaps = _snapshots()
    a = select_survivors(snaps, PrunePolicy(daily=4, weekly=2))
    b = select_survivors(list(reversed(snaps)), PrunePolicy(daily=4, weekly=2))
    assert [s.id for s in a.keep] == [s.id for s in b.keep]
    assert [s.id for s in a.keep] == sorted(
        (s.id for s in a.keep), key=lambda k: DATED[k][1], reverse=True
    )


def test_no_rule_is_refused() -> None:
    with pytest.raises(UsageError) as info:
        select_survivors(_snapshots(), PrunePolicy())
    assert info.value.key == "vault.no_policy"


def test_same_file_name_in_two_folders_is_two_books() -> None:
    """A team lead backs up 王经理/客户名册.xlsx and 李经理/客户名册.xlsx: --keep-last 1
    keeps the newest snapshot of each, never forgets a book's only snapshot."""
    snaps = [
        Snapshot(
            id=f"{n:016x}",
            created=datetime(2026, 3, 1, 9, n, tzinfo=CST),
            book="客户名册.xlsx",
            source=folder,
            size=1,
            sha256="0" * 64,
            file=f"data/{n}.age",
        )
        for n, folder in enumerate(["/team/王经理", "/team/李经理", "/team/王经理"])
    ]
    selection = select_survivors(snaps, PrunePolicy(last=1))
    assert {s.id for s in selection.keep} == {snaps[1].id, snaps[2].id}
    assert [s.id for s in selection.forget] == [snaps[0].id]
