"""Segment and rank the book: tier by AUM, potential × ease, quadrant, rank and reason.

Pure: `score_book` reads a `Book` and the settings, takes `today` as an argument and
touches no file and no clock.

How a score is made (the README explains it for a manager):

* Each indicator gives every client a raw value, or None when the input is missing or
  unusable ("unknown").
* Percentile rank among the scored clients that HAVE the value: sort the n known values
  ascending, give each its 1-based rank, ties share the average of their ranks (r̄), and
  score = 100 · (r̄ − 1) / (n − 1). The lowest value scores 0, the highest 100, all-equal
  values score 50; a single known value scores 50. Where lower is better (age, days since
  contact, distance) the score is 100 minus that.
* Unknown inputs score 50 (neutral), never 0, and the reason names them.
* Potential and ease are the weighted means of their indicators' scores (weights from
  `[tier.potential_weights]` / `[tier.ease_weights]`, divided by their sum), rounded half up
  to 1 decimal. Quadrant: potential ≥ threshold is "high", ease likewise. Priority =
  (wp·potential + we·ease) / (wp + we) of the rounded scores (so the written numbers add
  up), rounded half up to 1 decimal; the quadrant also uses the rounded scores.
* Rank 1..N: quadrant (速赢, 培养, 维持, 放弃), then priority descending, then client ID in
  natural order (digit runs compare as numbers: "9" < "10" < "10023" < "100230"; equal
  numbers fall back to the text, "007" < "7").

The raw value of each indicator (INDICATORS below; negative amounts count as unknown):

* potential — aum; assets_elsewhere; income; growth = (aum − aum_prev) / aum_prev, capped
  at +1000% (aum_prev 0 with aum > 0 counts as the cap, "new money"); age in whole years
  (lower is better); occupation: 2 owner/executive keyword, 1 professional keyword, 0 other;
  education: 3 博士, 2 硕士, 1 本科, 0 other; product_gap = 2 when no product matches
  `high_margin_products`, plus (3 − products held) / 2 when fewer than 3 (an empty 持有产品
  cell is unknown, not "none").
* ease — recency: days since the newest of 最近联系日期 and the contacts sheet (lower is
  better); products: number held; tenure: years since 开户日期; distance: 距网点 km (lower is
  better); reachability: 1 per known preferred channel and contact window (always known:
  the register recording them is what it measures).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import math
import operator
import re
import threading
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, PrivateAttr, TypeAdapter

from clientbook.config import TierSettings
from clientbook.errors import UnusableFile
from clientbook.messages import text
from clientbook.register.model import Book, ClientRecord
from clientbook.register.schema import FIELDS_BY_KEY, TIER_COLUMNS, TIER_FIELDS
from clientbook.register.write import NewColumn, PreparedSheet
from clientbook.register.written import WriteResult

if TYPE_CHECKING:
    from clientbook.register.fastcells import ReadAhead
    from clientbook.register.worker import Worker

Lang = Literal["zh", "en"]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
Group = Literal["potential", "ease"]


class Tier(StrEnum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"


class Quadrant(StrEnum):
    quick_win = "quick_win"  # 速赢: high potential, high ease
    cultivate = "cultivate"  # 培养: high potential, low ease
    maintain = "maintain"  # 维持: low potential, high ease
    deprioritize = "deprioritize"  # 放弃: low potential, low ease


QUADRANT_ORDER: tuple[Quadrant, ...] = tuple(Quadrant)
_TIERS: tuple[Tier, ...] = tuple(Tier)


def tier_label(tier: Tier | str, lang: str) -> str:
    """ "A 超高净值" / "A UHNW": the letter first so the column filters and sorts."""
    return _fixed(f"tier.label.{tier}", lang)


def quadrant_label(quadrant: Quadrant | str, lang: str) -> str:
    return _fixed(f"tier.quadrant.{quadrant}", lang)


class ClientScore(BaseModel):
    row: int
    client_id: str
    name: str | None
    aum: float
    tier: Tier
    tier_label: str
    potential: float
    ease: float
    priority: float
    quadrant: Quadrant
    quadrant_label: str
    rank: int
    reason: str
    # The breakdown, by indicator key (see TierResult.weights): the raw value the percentile
    # was taken of (None = unknown) and the 0–100 score (50 when unknown, 2 decimals).
    inputs: dict[str, float | None]
    scores: dict[str, float]
    unknown: list[str]  # register fields that were missing, weightiest first


class Unscored(BaseModel):
    row: int
    client_id: str | None
    why: str  # missing_client_id | duplicate_client_id | missing_aum | invalid_aum | negative_aum
    message: str  # in the result's language
    params: dict[str, str] = {}  # what the message quotes: others (rows), raw (cell text)

    def render(self, lang: str) -> str:
        return text(
            f"tier.unscored.{self.why}", lang, row=self.row, client_id=self.client_id, **self.params
        )


class TopClient(BaseModel):
    rank: int
    client_id: str
    name: str | None
    tier: Tier
    quadrant: Quadrant
    priority: float
    reason: str


class TierSummary(BaseModel):
    scored: int
    unscored: int
    clients_per_tier: dict[str, int]
    aum_per_tier: dict[str, float]  # 万元
    clients_per_quadrant: dict[str, int]
    top: list[TopClient]


class TierResult(BaseModel):
    file: str
    sheet: str
    header_row: int
    lang: Lang  # language of the labels and reasons (the register's unless asked otherwise)
    today: date
    clients: list[ClientScore]  # in rank order
    unscored: list[Unscored]  # in row order
    summary: TierSummary
    # Normalised weights: "potential" and "ease" (each sums to 1), "priority" (sums to 1).
    weights: dict[str, dict[str, float]]
    settings: TierSettings

    def json_chunks(
        self, chunk: int = 1000, clients: Iterable[Sequence[ClientScore]] | None = None
    ) -> Iterator[str]:
        """The same text as model_dump_json(indent=2), a thousand clients at a time.

        For 100,000 clients the whole text is over 100 MB; in pieces it never is all in
        memory. The clients list is serialised in slices and indented one level deeper.
        `clients` (slices in rank order, e.g. TierRun.client_slices()) stands for a
        `clients` field left empty.
        """
        if clients is None:
            listed = self.clients
            clients = (listed[start : start + chunk] for start in range(0, len(listed), chunk))
        skeleton = self.model_copy(update={"clients": []}).model_dump_json(indent=2)
        head, tail = skeleton.split('"clients": []', 1)  # a key: never inside a string
        yield head + '"clients": ['
        adapter = _client_list_adapter()
        first = True
        for part in clients:
            if not part:
                continue
            # "[\n  {...},\n  {...}\n]" -> the items, two spaces deeper
            text = adapter.dump_json(list(part), indent=2).decode()
            yield ("\n" if first else ",\n") + "  " + text[2:-2].replace("\n", "\n  ")
            first = False
        yield ("]" if first else "\n  ]") + tail

    def column_values(self) -> dict[str, dict[int, Any]]:
        """For each column of schema.TIER_COLUMNS: Excel row → value (None = blank), from the
        listed clients (tier_register writes the same values without listing the clients)."""
        columns: dict[str, dict[int, Any]] = {}
        for key, _, _ in TIER_COLUMNS:
            value_of = operator.attrgetter(_COLUMN_FIELDS[key])
            values = {client.row: value_of(client) for client in self.clients}
            for row in self.unscored:
                values[row.row] = None
            columns[key] = values
        return columns


# The ClientScore field each register column shows.
_COLUMN_FIELDS = {
    "tier": "tier_label",
    "potential": "potential",
    "ease": "ease",
    "priority": "priority",
    "quadrant": "quadrant_label",
    "rank": "rank",
    "reason": "reason",
}


# --- percentiles ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Position:
    """Where one value stands among n known values."""

    percentile: float  # 100·(average rank − 1)/(n − 1); 50 when n == 1
    below: int  # values strictly lower
    above: int  # values strictly higher
    n: int


def percentile_positions(values: Sequence[float]) -> list[Position]:
    """Percentile rank of each value among all of them; ties share the average rank."""
    ranks = _Ranks(values)
    return [ranks.position(value) for value in values]


class _Ranks:
    """Where each distinct value stands among n known values (ties: the average rank).

    Counted once (one sort, in numpy); the value → percentile map and each Position are
    made only when asked for (the reasons ask for a few thousand values, not 100,000).
    """

    __slots__ = ("n", "distinct", "below", "counts", "percentiles", "inverse", "_by_value")

    def __init__(self, values: Sequence[float] | FloatArray) -> None:
        known = np.asarray(values, dtype=np.float64)
        n = self.n = len(known)
        distinct, inverse, counts = np.unique(known, return_inverse=True, return_counts=True)
        ends = np.cumsum(counts)
        starts = ends - counts
        if n == 1:
            percentiles = np.full(len(distinct), 50.0)
        else:
            # ends are one past the group's last index: average rank (first + last) / 2 + 1,
            # then 100 · (rank − 1) / (n − 1), the same float operations as one at a time.
            percentiles = 100.0 * ((starts + ends - 1) / 2 + 1 - 1) / (n - 1)
        self.distinct = distinct
        self.below = starts
        self.counts = counts
        self.percentiles = percentiles
        self.inverse = inverse.reshape(-1)  # each value's index in `distinct`
        self._by_value: dict[float, int] | None = None

    def _index(self, value: float) -> int:
        if self._by_value is None:
            self._by_value = {v: k for k, v in enumerate(self.distinct.tolist())}
        return self._by_value[value]

    def percentile(self, value: float) -> float:
        return float(self.percentiles[self._index(value)])

    def position(self, value: float) -> Position:
        k = self._index(value)
        start = int(self.below[k])
        end = start + int(self.counts[k]) - 1
        return Position(float(self.percentiles[k]), below=start, above=self.n - 1 - end, n=self.n)


def round1(value: float) -> float:
    """Round half up to one decimal (the tiny epsilon absorbs binary float noise)."""
    return math.floor(value * 10 + 0.5 + 1e-9) / 10


_DIGITS = re.compile(r"([0-9]+)")
_PREFIX_NUMBER = re.compile(r"([^0-9]*)([0-9]+)")


def natural_key(client_id: str) -> tuple[tuple[tuple[int, int, str], ...], str]:
    """Digit runs compare as numbers ("9" < "10"), the rest as case-folded text."""
    simple = _PREFIX_NUMBER.fullmatch(client_id)
    if simple is not None:  # the usual "C10023" or "10023": the same key, made faster
        prefix, number = simple.groups()
        if not prefix:
            return ((0, int(number), number),), client_id
        if not prefix.isdigit():
            return ((1, 0, prefix.casefold()), (0, int(number), number)), client_id
    # re.split with a group puts the [0-9]+ runs at the odd indices.
    parts = []
    for k, part in enumerate(_DIGITS.split(client_id)):
        if not part:
            continue
        if k & 1 or part.isdigit():
            parts.append((0, int(part), part))
        else:
            parts.append((1, 0, part.casefold()))
    return tuple(parts), client_id


def natural_order(ids: Sequence[str]) -> list[int]:
    """The indexes of `ids` sorted by natural_key (a stable sort)."""
    n = len(ids)
    if n and _one_shape(ids):
        return sorted(range(n), key=ids.__getitem__)
    return sorted(range(n), key=list(map(natural_key, ids)).__getitem__)


def _one_shape(ids: Sequence[str]) -> bool:
    """Whether every ID is the same non-digit prefix and then the same number of digits, as
    "C000123" (the usual register): their natural order is then their order as text."""
    first = _PREFIX_NUMBER.fullmatch(ids[0])
    if first is None or len(set(map(len, ids))) != 1:
        return False
    prefix, digits = first.groups()
    shape = re.escape(prefix) + f"[0-9]{{{len(digits)}}}"
    # IDs of one length joined by "\n": each must sit at its own place in the pattern.
    return re.fullmatch(f"(?:{shape}\n)*{shape}", "\n".join(ids)) is not None


# --- indicators ----------------------------------------------------------------------
#
# Each indicator maps the whole column of scorable clients to raw values at once (one list
# in, one list out): a value derived from text or a date is worked out once per distinct
# cell value, not once per client, which is what keeps 100,000 clients well under a second.


@dataclass(frozen=True, slots=True)
class _Indicator:
    key: str
    group: Group
    inputs: tuple[str, ...]  # register fields it reads (named when unknown)
    higher_is_better: bool
    raw: Callable[[_Clients, _Context], list[float | None]]  # one value per client
    phrase: Callable[[ClientRecord, float, _Ranks, str], str]  # ranks of the known values


@dataclass(slots=True)
class _Clients:
    """The scorable clients, column-wise: index i is the i-th client in row order."""

    records: list[ClientRecord]
    aum: list[float]  # the record's AUM as a float (never None or negative here)
    latest_contact: list[date | None]  # newest of 最近联系日期 and the contacts sheet

    def field(self, key: str) -> list[Any]:
        return list(map(operator.attrgetter(key), self.records))


@dataclass(frozen=True, slots=True)
class _Context:
    """What the raw values need besides the clients."""

    settings: TierSettings
    today: date


def _per_value(values: list[Any], raw: Callable[[Any], float | None]) -> list[float | None]:
    """raw(value) for each value, computed once per distinct value."""
    memo = {value: raw(value) for value in set(values)}
    return list(map(memo.__getitem__, values))


def _known_amount(value: float | None) -> float | None:
    return value if value is not None and value >= 0 else None


def _fmt_amount(wan: float, lang: str) -> str:
    """An amount in 万元 as a manager says it: "800万", "1.2亿" / "8.0M", "500k"."""
    if lang == "en":
        if wan >= 100:
            return f"{wan / 100:.1f}M"
        return f"{wan * 10:.0f}k"
    if wan >= 10000:
        return f"{wan / 10000:.1f}".rstrip("0").rstrip(".") + "亿"
    if wan >= 10 or wan == int(wan):
        return f"{wan:.0f}万"
    return f"{wan:.1f}万"


def _fmt_number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


@functools.lru_cache(maxsize=32)
def _keywords(needles: tuple[str, ...]) -> re.Pattern[str] | None:
    words = sorted({n.strip().casefold() for n in needles if n.strip()}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words))) if words else None


def _contains(haystack: str, needles: Sequence[str]) -> bool:
    """Whether any keyword occurs in the text, ignoring case."""
    pattern = _keywords(tuple(needles))
    return pattern is not None and pattern.search(haystack.casefold()) is not None


def _whole_years(start: date, today: date) -> int:
    """Completed years from start to today, as birthdays and anniversaries count."""
    return today.year - start.year - ((today.month, today.day) < (start.month, start.day))


def _amount_of(key: str) -> Callable[[_Clients, _Context], list[float | None]]:
    def raw(clients: _Clients, ctx: _Context) -> list[float | None]:
        return [v if v is not None and v >= 0 else None for v in clients.field(key)]

    return raw


def _aum(clients: _Clients, ctx: _Context) -> list[float | None]:
    return list(clients.aum)


def _age(clients: _Clients, ctx: _Context) -> list[float | None]:
    today = ctx.today

    def age(born: date | None) -> float | None:
        if born is None or born > today:
            return None
        years = _whole_years(born, today)
        return float(years) if years <= 150 else None

    return _per_value(clients.field("birth_date"), age)


def _growth(clients: _Clients, ctx: _Context) -> list[float | None]:
    """(AUM − last year's) / last year's, at most 10 (a new client's money: 10 too, or 0);
    unknown where last year's is unknown or negative. A column at a time in numpy: the
    same float operations as growth_of, one client at a time."""
    aum = np.array(clients.aum, dtype=np.float64)
    prev = np.array(clients.field("aum_prev"), dtype=np.float64)  # None becomes NaN
    with np.errstate(invalid="ignore"):
        base = prev >= 0  # unknown, negative (or NaN): not a base
    zero = base & (prev == 0)
    grown = base & (prev > 0)
    out = np.zeros(len(aum))
    out[zero] = np.where(aum[zero] > 0, 10.0, 0.0)
    out[grown] = np.minimum((aum[grown] - prev[grown]) / prev[grown], 10.0)
    values: list[float | None] = [*out.tolist()]
    for i in np.flatnonzero(~base).tolist():
        values[i] = None
    return values


def growth_of(aum: float, prev: float | None) -> float | None:
    """_growth for one client."""
    if prev is None or not prev >= 0:
        return None
    if prev == 0:
        return 10.0 if aum > 0 else 0.0
    return min((aum - prev) / prev, 10.0)


def _occupation(clients: _Clients, ctx: _Context) -> list[float | None]:
    settings = ctx.settings

    def points(value: str | None) -> float | None:
        job = (value or "").strip()
        if not job:
            return None
        if _contains(job, settings.owner_keywords):
            return 2.0
        if _contains(job, settings.professional_keywords):
            return 1.0
        return 0.0

    return _per_value(clients.field("occupation"), points)


_EDUCATION_LEVELS: tuple[tuple[float, tuple[str, ...]], ...] = (
    (3.0, ("博士", "phd", "ph.d", "doctorate", "doctor")),
    (2.0, ("硕士", "研究生", "master", "mba", "emba", "msc")),
    (1.0, ("本科", "学士", "大学", "bachelor", "undergraduate", "degree")),
)


def _education(clients: _Clients, ctx: _Context) -> list[float | None]:
    def points(value: str | None) -> float | None:
        level = (value or "").strip()
        if not level:
            return None
        return next((p for p, words in _EDUCATION_LEVELS if _contains(level, words)), 0.0)

    return _per_value(clients.field("education"), points)


def _product_gap(clients: _Clients, ctx: _Context) -> list[float | None]:
    needles = ctx.settings.high_margin_products

    def gap(products: tuple[str, ...]) -> float | None:
        held = len(products)
        if held == 0:  # an empty cell is an unfilled cell: a client with AUM holds something
            return None
        high_margin = sum(1 for p in products if _contains(p, needles))
        return (2.0 if high_margin == 0 else 0.0) + max(0, 3 - held) / 2

    return _per_value(clients.field("products"), gap)


def _recency(clients: _Clients, ctx: _Context) -> list[float | None]:
    today = ctx.today
    return _per_value(
        clients.latest_contact, lambda d: None if d is None else float((today - d).days)
    )


def _products(clients: _Clients, ctx: _Context) -> list[float | None]:
    return _per_value(clients.field("products"), lambda held: float(len(held)) if held else None)


def _tenure(clients: _Clients, ctx: _Context) -> list[float | None]:
    today = ctx.today

    def tenure(since: date | None) -> float | None:
        return None if since is None else _years_since(since, today)

    return _per_value(clients.field("onboarded_on"), tenure)


def _years_since(since: date, today: date) -> float | None:
    if since > today:
        return None
    # Completed years plus the part of the current one, so int() is what the client counts.
    years = _whole_years(since, today)
    try:
        anniversary = since.replace(year=since.year + years)
    except ValueError:  # 29 February
        anniversary = date(since.year + years, 3, 1)
    return math.floor((years + (today - anniversary).days / 366) * 100) / 100


def _has_window(window: str | None) -> bool:
    return bool((window or "").strip())


def _reachability(clients: _Clients, ctx: _Context) -> list[float | None]:
    # Always known: what is measured is whether the register records how to reach them.
    windows = clients.field("contact_window")
    known = {window: float(_has_window(window)) for window in set(windows)}
    return [
        float(channel is not None) + known[window]
        for channel, window in zip(clients.field("channel"), windows, strict=True)
    ]


@functools.lru_cache(maxsize=1 << 16, typed=True)
def _said(key: str, lang: str, name: str, value: object) -> str:
    return text(key, lang, **{name: value})


def _say(key: str, lang: str, **params: object) -> str:
    """A reason's sentence (at most one parameter), built once per distinct value."""
    if not params:
        return _fixed(key, lang)
    ((name, value),) = params.items()
    return _said(key, lang, name, value)


def _share(count: int, n: int) -> int:
    """The share of the book, in whole percent (half up, at least 1)."""
    return max(1, math.floor(100 * count / n + 0.5))


def _phrase_aum(record: ClientRecord, value: float, ranks: _Ranks, lang: str) -> str:
    pos = ranks.position(value)
    if pos.percentile >= 50:
        return _say("tier.reason.aum_top", lang, share=_share(pos.above + 1, pos.n))
    return _say("tier.reason.aum_bottom", lang, share=_share(pos.below + 1, pos.n))


def _phrase_elsewhere(record: ClientRecord, value: float, ranks: _Ranks, lang: str) -> str:
    if value == 0:
        return _say("tier.reason.assets_elsewhere_none", lang)
    return _say("tier.reason.assets_elsewhere", lang, amount=_fmt_amount(value, lang))


def _phrase_growth(record: ClientRecord, value: float, ranks: _Ranks, lang: str) -> str:
    if record.aum_prev == 0 and record.aum is not None and record.aum > 0:
        return _say("tier.reason.growth_new", lang)
    pct = round(abs(value) * 100)
    if pct == 0:
        return _say("tier.reason.growth_flat", lang)
    key = "tier.reason.growth_up" if value > 0 else "tier.reason.growth_down"
    return _say(key, lang, pct=pct)


def _phrase_gap(record: ClientRecord, value: float, ranks: _Ranks, lang: str) -> str:
    held = len(record.products)
    if value >= 2:
        return _say("tier.reason.gap_no_high_margin", lang)
    if held < 3:
        return _say("tier.reason.gap_few", lang, count=held)
    return _say("tier.reason.gap_none", lang)


def _phrase_recency(record: ClientRecord, value: float, ranks: _Ranks, lang: str) -> str:
    days = int(value)
    key = "tier.reason.recency" if ranks.percentile(value) >= 50 else "tier.reason.recency_recent"
    return _say(key, lang, days=days)


def _phrase_tenure(record: ClientRecord, value: float, ranks: _Ranks, lang: str) -> str:
    if value < 1:
        return _say("tier.reason.tenure_new", lang)
    return _say("tier.reason.tenure", lang, years=int(value))


def _phrase_reach(record: ClientRecord, value: float, ranks: _Ranks, lang: str) -> str:
    channel = record.channel is not None
    window = _has_window(record.contact_window)
    if channel and window:
        return _say("tier.reason.reach_both", lang)
    if channel:
        return _say("tier.reason.reach_channel", lang)
    if window:
        return _say("tier.reason.reach_window", lang)
    return _say("tier.reason.reach_none", lang)


def _short(value: str | None, limit: int = 12) -> str:
    value = (value or "").strip()
    return value if len(value) <= limit else value[: limit - 1] + "…"


INDICATORS: tuple[_Indicator, ...] = (
    _Indicator("aum", "potential", ("aum",), True, _aum, _phrase_aum),
    _Indicator(
        "assets_elsewhere",
        "potential",
        ("assets_elsewhere",),
        True,
        _amount_of("assets_elsewhere"),
        _phrase_elsewhere,
    ),
    _Indicator(
        "income",
        "potential",
        ("income",),
        True,
        _amount_of("income"),
        lambda r, v, ranks, lang: _say("tier.reason.income", lang, amount=_fmt_amount(v, lang)),
    ),
    _Indicator("growth", "potential", ("aum_prev",), True, _growth, _phrase_growth),
    _Indicator(
        "age",
        "potential",
        ("birth_date",),
        False,
        _age,
        lambda r, v, ranks, lang: _say("tier.reason.age", lang, age=int(v)),
    ),
    _Indicator(
        "occupation",
        "potential",
        ("occupation",),
        True,
        _occupation,
        lambda r, v, ranks, lang: _say("tier.reason.occupation", lang, text=_short(r.occupation)),
    ),
    _Indicator(
        "education",
        "potential",
        ("education",),
        True,
        _education,
        lambda r, v, ranks, lang: _say("tier.reason.education", lang, text=_short(r.education)),
    ),
    _Indicator("product_gap", "potential", ("products",), True, _product_gap, _phrase_gap),
    _Indicator("recency", "ease", ("last_contact",), False, _recency, _phrase_recency),
    _Indicator(
        "products",
        "ease",
        ("products",),
        True,
        _products,
        lambda r, v, ranks, lang: _say("tier.reason.products", lang, count=int(v)),
    ),
    _Indicator("tenure", "ease", ("onboarded_on",), True, _tenure, _phrase_tenure),
    _Indicator(
        "distance",
        "ease",
        ("branch_km",),
        False,
        _amount_of("branch_km"),
        lambda r, v, ranks, lang: _say("tier.reason.distance", lang, km=_fmt_number(v)),
    ),
    _Indicator("reachability", "ease", (), True, _reachability, _phrase_reach),
)


# --- scoring -------------------------------------------------------------------------


def tier_of(aum: float, settings: TierSettings) -> Tier:
    """A ≥ bands.A, B ≥ bands.B, C ≥ bands.C, else D (万元; a boundary goes to the upper tier)."""
    bands = settings.bands
    if aum >= bands.A:
        return Tier.A
    if aum >= bands.B:
        return Tier.B
    if aum >= bands.C:
        return Tier.C
    return Tier.D


def quadrant_of(potential: float, ease: float, threshold: float) -> Quadrant:
    high_potential, high_ease = potential >= threshold, ease >= threshold
    if high_potential:
        return Quadrant.quick_win if high_ease else Quadrant.cultivate
    return Quadrant.maintain if high_ease else Quadrant.deprioritize


def _normalised(weights: Mapping[str, float]) -> dict[str, float]:
    total = sum(weights.values())
    return {key: value / total for key, value in weights.items()}


def _sort_out(
    book: Book, today: date, last_contacts: Mapping[str, date]
) -> tuple[_Clients, list[_Skipped]]:
    """Split the client rows into scorable clients and rows that cannot be scored."""
    sheet = book.clients
    records = sheet.records
    every = _all_scorable(records, today, last_contacts)
    if every is not None:
        return every, []
    invalid_aum = {issue.row: issue.raw for issue in sheet.issues if issue.field == "aum"}
    ids = Counter(r.client_id for r in records if r.client_id)
    rows_of: dict[str, list[int]] = {}
    if len(ids) < len(records):  # some ID is missing or repeated
        for record in records:
            if record.client_id and ids[record.client_id] > 1:
                rows_of.setdefault(record.client_id, []).append(record.row)

    scorable: list[ClientRecord] = []
    aums: list[float] = []
    latest_contact: list[date | None] = []
    skipped: list[_Skipped] = []
    isnan = math.isnan
    for record in records:
        client_id = record.client_id
        aum = record.aum
        if not client_id:
            skipped.append(_Skipped(record, "missing_client_id"))
        elif client_id in rows_of:
            others = [r for r in rows_of[client_id] if r != record.row]
            skipped.append(
                _Skipped(record, "duplicate_client_id", others=", ".join(map(str, others)))
            )
        elif aum is None and record.row in invalid_aum:
            skipped.append(_Skipped(record, "invalid_aum", raw=invalid_aum[record.row]))
        elif aum is None:
            skipped.append(_Skipped(record, "missing_aum"))
        elif aum < 0 or isnan(aum):
            skipped.append(_Skipped(record, "negative_aum"))
        else:
            # A date in the future is a typo (validate reports it), not a contact.
            latest = record.last_contact
            if latest is not None and latest > today:
                latest = None
            other = last_contacts.get(client_id)
            if other is not None and other <= today and (latest is None or other > latest):
                latest = other
            scorable.append(record)
            aums.append(float(aum))
            latest_contact.append(latest)
    return _Clients(scorable, aums, latest_contact), skipped


def _all_scorable(
    records: list[ClientRecord], today: date, last_contacts: Mapping[str, date]
) -> _Clients | None:
    """_sort_out's clients when every row can be scored (the usual register), a column at a
    time; None when some cannot (_sort_out then goes row by row)."""
    ids = list(map(operator.attrgetter("client_id"), records))
    aums = list(map(operator.attrgetter("aum"), records))
    if not all(ids) or len(set(ids)) < len(ids) or set(map(type, aums)) != {float}:
        return None  # a missing or repeated ID, an AUM missing, invalid or not a float
    amounts = np.array(aums, dtype=np.float64)
    if not bool(np.all(amounts >= 0)):  # False for NaN too
        return None
    # A date in the future is a typo (validate reports it), not a contact.
    latest = [
        None if d is None or d > today else d
        for d in map(operator.attrgetter("last_contact"), records)
    ]
    if last_contacts:
        for i, other in enumerate(map(last_contacts.get, ids)):
            mine = latest[i]
            if other is not None and other <= today and (mine is None or other > mine):
                latest[i] = other
    return _Clients(list(records), aums, latest)


class _Skipped:
    """A row that cannot be scored, until its message is rendered in a language."""

    __slots__ = ("record", "why", "params")

    def __init__(self, record: ClientRecord, why: str, **params: str) -> None:
        self.record = record
        self.why = why
        self.params = params

    def render(self, lang: str) -> Unscored:
        record = self.record
        row = Unscored(
            row=record.row, client_id=record.client_id, why=self.why, message="", params=self.params
        )
        row.message = row.render(lang)
        return row


@functools.lru_cache(maxsize=256)
def _fixed(key: str, lang: str) -> str:
    """A sentence without parameters (labels, separators), looked up once."""
    return text(key, lang)


@dataclass(slots=True)
class _Column:
    """One indicator over all scorable clients (index i = i-th client)."""

    indicator: _Indicator
    raws: list[float | None]
    known: BoolArray  # raws[i] is not None
    scores: FloatArray  # 0–100, 50 when unknown
    ranks: _Ranks  # of the known raw values


def _score_column(indicator: _Indicator, clients: _Clients, ctx: _Context) -> _Column:
    raws = indicator.raw(clients, ctx)
    values = np.array(raws, dtype=np.float64)  # None becomes NaN (never a known value)
    known = ~np.isnan(values)
    ranks = _Ranks(values[known])
    percentiles = ranks.percentiles if indicator.higher_is_better else 100.0 - ranks.percentiles
    scores = np.full(len(raws), 50.0)  # unknown: neutral
    scores[known] = percentiles[ranks.inverse]
    return _Column(indicator, raws, known, scores, ranks)


def _round1_array(values: FloatArray) -> FloatArray:
    """round1 of each value: the same float operations, in numpy."""
    result: FloatArray = np.floor(values * 10 + 0.5 + 1e-9) / 10
    return result


@dataclass(slots=True)
class _Scored:
    """Every number of the scoring, column-wise, before anything is put into words."""

    book: Book
    settings: TierSettings
    today: date
    clients: _Clients
    skipped: list[_Skipped]
    columns: list[_Column]
    weights: dict[Group, dict[str, float]]
    group_share: dict[str, float]
    effective: dict[str, float]  # each indicator's weight in the priority (sum 1)
    potential: list[float]
    ease: list[float]
    priority: list[float]
    tiers: list[Tier]
    quadrants: list[Quadrant]
    order: list[int]  # client indices in rank order

    def result(
        self,
        lang: Lang,
        *,
        breakdown: bool = True,
        listed: bool = True,
        reasons: list[tuple[str, tuple[str, ...]]] | None = None,
    ) -> TierResult:
        """The TierResult in `lang`. Without `breakdown`, each client's inputs and scores
        are left empty; without `listed`, the clients are not listed at all (the summary
        and its top 10 are still there). `reasons` are _reasons(self, lang) if already made.
        """
        if reasons is None:
            reasons = _reasons(self, lang)
        unscored = [row.render(lang) for row in self.skipped]
        sheet = self.book.clients
        return TierResult(
            file=str(self.book.path),
            sheet=sheet.name,
            header_row=sheet.header_row,
            lang=lang,
            today=self.today,
            clients=self._listed(lang, reasons, breakdown) if listed else [],
            unscored=unscored,
            summary=self._summary(lang, reasons, len(unscored)),
            weights={**self.weights, "priority": self.group_share},
            settings=self.settings,
        )

    def _listed(
        self, lang: Lang, reasons: list[tuple[str, tuple[str, ...]]], breakdown: bool
    ) -> list[ClientScore]:
        return [c for part in self.listed_slices(lang, reasons, breakdown) for c in part]

    def listed_slices(
        self,
        lang: Lang,
        reasons: list[tuple[str, tuple[str, ...]]],
        breakdown: bool,
        size: int = 1000,
    ) -> Iterator[list[ClientScore]]:
        """The clients in rank order as ClientScores, `size` at a time (made as asked for,
        so that 100,000 of them are never all in memory; the cyclic collector is paused
        until the last one, as it is while scoring)."""
        with _gc_paused():
            yield from self._slices(lang, reasons, breakdown, size)

    def _slices(
        self,
        lang: Lang,
        reasons: list[tuple[str, tuple[str, ...]]],
        breakdown: bool,
        size: int,
    ) -> Iterator[list[ClientScore]]:
        records = self.clients.records
        aums = self.clients.aum
        columns = self.columns
        tier_labels = {tier: tier_label(tier, lang) for tier in Tier}
        quadrant_labels = {quadrant: quadrant_label(quadrant, lang) for quadrant in Quadrant}
        keys = [column.indicator.key for column in columns]
        potential, ease, priority = self.potential, self.ease, self.priority
        tiers, quadrants = self.tiers, self.quadrants
        order = self.order
        for start in range(0, len(order), size):
            chosen = order[start : start + size]
            if breakdown:
                inputs = list(
                    zip(
                        *(
                            [None if (v := column.raws[i]) is None else float(v) for i in chosen]
                            for column in columns
                        ),
                        strict=True,
                    )
                )
                rounded = list(
                    zip(
                        *(
                            [round(s, 2) for s in column.scores[chosen].tolist()]
                            for column in columns
                        ),
                        strict=True,
                    )
                )
            part: list[ClientScore] = []
            for k, i in enumerate(chosen):
                record = records[i]
                tier, quadrant = tiers[i], quadrants[i]
                reason, unknown = reasons[i]
                part.append(
                    _trusted(
                        ClientScore,
                        {
                            "row": record.row,
                            "client_id": record.client_id or "",
                            "name": record.name,
                            "aum": aums[i],
                            "tier": tier,
                            "tier_label": tier_labels[tier],
                            "potential": potential[i],
                            "ease": ease[i],
                            "priority": priority[i],
                            "quadrant": quadrant,
                            "quadrant_label": quadrant_labels[quadrant],
                            "rank": start + k + 1,
                            "reason": reason,
                            "inputs": dict(zip(keys, inputs[k], strict=True)) if breakdown else {},
                            "scores": dict(zip(keys, rounded[k], strict=True)) if breakdown else {},
                            "unknown": list(unknown),
                        },
                    )
                )
            yield part

    def _summary(
        self, lang: Lang, reasons: list[tuple[str, tuple[str, ...]]], unscored: int
    ) -> TierSummary:
        per_tier = {tier.value: 0 for tier in Tier}
        aum = {tier.value: 0.0 for tier in Tier}
        per_quadrant = {quadrant.value: 0 for quadrant in Quadrant}
        per_tier.update(Counter(self.tiers))
        per_quadrant.update(Counter(self.quadrants))
        tiers, aums = self.tiers, self.clients.aum
        for i in self.order:  # summed in rank order, as the listed clients add up
            aum[tiers[i]] += aums[i]
        records = self.clients.records
        top = [
            TopClient(
                rank=rank,
                client_id=records[i].client_id or "",
                name=records[i].name,
                tier=tiers[i],
                quadrant=self.quadrants[i],
                priority=self.priority[i],
                reason=reasons[i][0],
            )
            for rank, i in enumerate(self.order[:10], start=1)
        ]
        return TierSummary(
            scored=len(self.order),
            unscored=unscored,
            clients_per_tier=per_tier,
            aum_per_tier={key: round(value, 2) for key, value in aum.items()},
            clients_per_quadrant=per_quadrant,
            top=top,
        )

    def column_values(
        self, lang: Lang, reasons: list[tuple[str, tuple[str, ...]]]
    ) -> dict[str, dict[int, Any]]:
        """For each column of schema.TIER_COLUMNS: Excel row → value (None = blank), with
        labels and reasons in `lang` (`reasons` from _reasons(self, lang))."""
        rows = [record.row for record in self.clients.records]
        tier_labels = {tier: tier_label(tier, lang) for tier in Tier}
        quadrant_labels = {quadrant: quadrant_label(quadrant, lang) for quadrant in Quadrant}
        rank_of = [0] * len(rows)
        for rank, i in enumerate(self.order, start=1):
            rank_of[i] = rank
        by_key: dict[str, list[Any]] = {
            "tier": list(map(tier_labels.__getitem__, self.tiers)),
            "potential": self.potential,
            "ease": self.ease,
            "priority": self.priority,
            "quadrant": list(map(quadrant_labels.__getitem__, self.quadrants)),
            "rank": rank_of,
            "reason": [reason for reason, _ in reasons],
        }
        blank = dict.fromkeys(row.record.row for row in self.skipped)
        columns: dict[str, dict[int, Any]] = {}
        for key, _, _ in TIER_COLUMNS:
            values: dict[int, Any] = dict(zip(rows, by_key[key], strict=True))
            values.update(blank)
            columns[key] = values
        return columns


_ModelT = TypeVar("_ModelT", bound=BaseModel)


def _trusted(model: type[_ModelT], values: dict[str, Any]) -> _ModelT:
    """An instance from values already of the fields' types, without validation.

    What `model.model_construct(**values)` does for a model given every field, without
    private attributes or extras, at a tenth of its cost (100,000 clients per run). The
    instances share one fields-set: every field is set, so it never changes.
    """
    fields_set = _FIELDS_SET.get(model)
    if fields_set is None:
        fields_set = _FIELDS_SET[model] = set(model.model_fields)
    assert len(values) == len(fields_set)
    instance = model.__new__(model)
    object.__setattr__(instance, "__dict__", values)
    object.__setattr__(instance, "__pydantic_fields_set__", fields_set)
    object.__setattr__(instance, "__pydantic_extra__", None)
    object.__setattr__(instance, "__pydantic_private__", None)
    return instance


_FIELDS_SET: dict[type[BaseModel], set[str]] = {}


@functools.cache
def _client_list_adapter() -> TypeAdapter[list[ClientScore]]:
    return TypeAdapter(list[ClientScore])


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a few million acyclic objects are made.

    Each full collection walks every live object (the whole book): with the collector on,
    scoring 100,000 clients takes half as long again. Reference counting still frees.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# Indicators whose reason phrase depends on the value (and the book's ranks) only.
_VALUE_PHRASES = frozenset(
    ("aum", "assets_elsewhere", "income", "age", "recency", "products", "tenure", "distance")
)
# The others: what else their phrase depends on (so it is made once per distinct key).
_PHRASE_KEYS: dict[str, Callable[[ClientRecord, float], Hashable]] = {
    "occupation": lambda r, v: r.occupation,
    "education": lambda r, v: r.education,
    "product_gap": lambda r, v: (v, len(r.products)),
    "reachability": lambda r, v: (r.channel is not None, _has_window(r.contact_window)),
}


def _reasons(scored: _Scored, lang: str) -> list[tuple[str, tuple[str, ...]]]:
    """Per client: the reason, and the unknown register fields, weightiest first.

    The reason names the three factors that move the priority most, then the unknown
    inputs. A factor's pull is its effective weight times its distance from neutral
    (score − 50); ties keep the order of INDICATORS.
    """
    effective = scored.effective
    records = scored.clients.records
    n = len(records)
    # Pulls as −|pull| (0 when unknown or neutral), for the columns with a weight; the three
    # strongest per client by a stable sort (equal pulls stay in INDICATORS order, zeros last).
    pulling = [c for c in scored.columns if effective[c.indicator.key]]
    slots = min(3, len(pulling))
    parts = [np.full(n, None, dtype=object) for _ in range(slots)]  # the k-th strongest phrase
    if pulling:
        pulls = np.empty((n, len(pulling)))
        for k, column in enumerate(pulling):
            weight = effective[column.indicator.key]
            pulls[:, k] = np.where(column.known, -np.abs(weight * (column.scores - 50)), 0.0)
        strongest = np.argsort(pulls, axis=1, kind="stable")[:, :slots]
        pulls_something = np.take_along_axis(pulls, strongest, axis=1) != 0
        phrases = [_Phrases(column, records, lang) for column in pulling]
        for slot in range(slots):
            at_slot, counts = strongest[:, slot], pulls_something[:, slot]
            for k, phrases_k in enumerate(phrases):
                chosen = np.flatnonzero((at_slot == k) & counts)
                if len(chosen):
                    parts[slot][chosen] = phrases_k.of(chosen)
    # Unknown inputs: a bit per weighted column, weightiest first; one sentence per pattern.
    by_weight = sorted(
        (c for c in scored.columns if effective[c.indicator.key] > 0),
        key=lambda c: -effective[c.indicator.key],
    )
    mask_bits = np.zeros(n, dtype=np.int64)
    for bit, column in enumerate(by_weight):
        mask_bits |= (~column.known).astype(np.int64) << bit
    masks = mask_bits.tolist()
    unknown_of = {mask: _unknown_sentence(by_weight, mask, lang) for mask in set(masks)}
    fields_of = [unknown_of[mask][0] for mask in masks]
    sentences = [unknown_of[mask][1] for mask in masks]
    sep = _fixed("tier.reason.sep", lang)
    rows = zip(*(slot.tolist() for slot in parts), sentences, strict=True)
    texts = [sep.join(filter(None, row)) for row in rows]
    return list(zip(texts, fields_of, strict=True))


class _Phrases:
    """One indicator's reason phrases for chosen clients, each distinct phrase made once: by
    value (0.0 and -0.0 apart: one key to a dict but they may read differently), by what
    else the phrase depends on (_PHRASE_KEYS), or by what a column at a time works out
    (_COLUMN_KEYS)."""

    __slots__ = ("column", "raws", "phrase", "ranks", "records", "lang", "by_value", "by_key")

    def __init__(self, column: _Column, records: list[ClientRecord], lang: str) -> None:
        self.column = column
        self.raws = column.raws
        self.phrase = column.indicator.phrase
        self.ranks = column.ranks
        self.records = records
        self.lang = lang
        self.by_value = column.indicator.key in _VALUE_PHRASES
        self.by_key: dict[Hashable, str] = {}

    def of(self, chosen: IntArray) -> list[str]:
        raws, phrase, ranks, records, lang = (
            self.raws,
            self.phrase,
            self.ranks,
            self.records,
            self.lang,
        )
        at = chosen.tolist()
        indicator = self.column.indicator.key
        keys: list[Hashable]
        if indicator in _COLUMN_KEYS:
            keys = _COLUMN_KEYS[indicator](self.column, chosen, records)
        elif self.by_value:
            values: list[Hashable] = list(map(raws.__getitem__, at))
            keys = values if 0.0 not in values else [v if v else (v, str(v)) for v in values]
        elif indicator in _PHRASE_KEYS:
            key_of = _PHRASE_KEYS[indicator]
            keys = [key_of(records[i], raws[i]) for i in at]
        else:
            return [phrase(records[i], raws[i], ranks, lang) for i in at]
        by_key = self.by_key
        for key, i in dict(zip(keys, at, strict=True)).items():  # one client per key
            if key not in by_key:
                raw = raws[i]
                assert raw is not None  # only known values pull
                by_key[key] = phrase(records[i], raw, ranks, lang)
        return list(map(by_key.__getitem__, keys))


def _aum_phrase_keys(
    column: _Column, chosen: IntArray, records: list[ClientRecord]
) -> list[Hashable]:
    """What _phrase_aum's words depend on (top or bottom half, and the share in whole
    percent), for the chosen clients, a column at a time with the same arithmetic."""
    ranks = column.ranks
    k = ranks.inverse[np.cumsum(column.known)[chosen] - 1]  # index in ranks.distinct
    below = ranks.below[k]
    ends = below + ranks.counts[k]  # one past the last index of the value's ties
    top = ranks.percentiles[k] >= 50
    count = np.where(top, ranks.n - ends + 1, below + 1)  # above + 1, or below + 1
    share = np.maximum(1, np.floor(100 * count / ranks.n + 0.5)).astype(np.int64)
    return list(zip(top.tolist(), share.tolist(), strict=True))


def _growth_phrase_keys(
    column: _Column, chosen: IntArray, records: list[ClientRecord]
) -> list[Hashable]:
    """What _phrase_growth's words depend on: new money, and the rounded percent with its
    sign (round() and numpy's rint both round half to even)."""
    values = np.array(list(map(column.raws.__getitem__, chosen.tolist())), dtype=np.float64)
    percents = np.rint(np.abs(values) * 100).astype(np.int64).tolist()
    ups = (values > 0).tolist()
    new = [
        r.aum_prev == 0 and r.aum is not None and r.aum > 0
        for r in map(records.__getitem__, chosen.tolist())
    ]
    return list(zip(new, percents, ups, strict=True))


_COLUMN_KEYS: dict[str, Callable[[_Column, IntArray, list[ClientRecord]], list[Hashable]]] = {
    "aum": _aum_phrase_keys,
    "growth": _growth_phrase_keys,
}


def _unknown_sentence(
    by_weight: Sequence[_Column], mask: int, lang: str
) -> tuple[tuple[str, ...], str | None]:
    """The unknown register fields of the columns set in `mask`, and the sentence naming them."""
    fields: list[str] = []
    for bit, column in enumerate(by_weight):
        if mask >> bit & 1:
            for field_key in column.indicator.inputs:
                if field_key not in fields:
                    fields.append(field_key)
    if not fields:
        return (), None
    names = [_fixed(f"tier.input.{key}", lang) for key in fields]
    shown = _fixed("tier.reason.list_sep", lang).join(names[:3])
    more = len(names) - 3
    key = "tier.reason.unknown_more" if more > 0 else "tier.reason.unknown"
    return tuple(fields), text(key, lang, fields=shown, more=more, total=len(names))


def _score(
    book: Book, settings: TierSettings, today: date, last_contacts: Mapping[str, date]
) -> _Scored:
    """All the numbers: indicators, percentiles, potential, ease, priority, tier, rank."""
    sheet = book.clients
    for required in ("client_id", "aum"):
        if sheet.column_of(required) is None:
            header = f"{FIELDS_BY_KEY[required].zh} / {FIELDS_BY_KEY[required].en}"
            raise UnusableFile(
                "tier.missing_column", path=str(book.path), sheet=sheet.name, header=header
            )

    clients, skipped = _sort_out(book, today, last_contacts)
    weights: dict[Group, dict[str, float]] = {
        "potential": _normalised(settings.potential_weights.as_dict()),
        "ease": _normalised(settings.ease_weights.as_dict()),
    }
    group_share = _normalised(settings.priority_weights.as_dict())
    effective = {
        indicator.key: group_share[indicator.group] * weights[indicator.group][indicator.key]
        for indicator in INDICATORS
    }
    ctx = _Context(settings, today)
    columns = [_score_column(indicator, clients, ctx) for indicator in INDICATORS]

    # Weighted sums in INDICATORS order, as one client at a time would add them up.
    n = len(clients.records)
    totals: dict[Group, FloatArray] = {"potential": np.zeros(n), "ease": np.zeros(n)}
    for column in columns:
        group = column.indicator.group
        totals[group] = totals[group] + weights[group][column.indicator.key] * column.scores
    potential = _round1_array(totals["potential"])
    ease = _round1_array(totals["ease"])
    wp, we = group_share["potential"], group_share["ease"]
    priority = _round1_array(wp * potential + we * ease)
    # Tier and quadrant as tier_of and quadrant_of decide, a column at a time.
    bands = settings.bands
    aum = np.array(clients.aum, dtype=np.float64)
    tier_index = np.where(
        aum >= bands.A, 0, np.where(aum >= bands.B, 1, np.where(aum >= bands.C, 2, 3))
    )
    t = settings.quadrant_threshold
    high_ease = ease >= t
    # QUADRANT_ORDER's index: 速赢 0 (high, high), 培养 1 (high, low), 维持 2, 放弃 3.
    place = np.where(potential >= t, np.where(high_ease, 0, 1), np.where(high_ease, 2, 3))
    tiers = list(map(_TIERS.__getitem__, tier_index.tolist()))
    quadrants = list(map(QUADRANT_ORDER.__getitem__, place.tolist()))

    # Rank: quadrant, then priority descending, then client ID in natural order.
    ids = [record.client_id or "" for record in clients.records]
    natural = natural_order(ids)
    natural_rank = np.empty(n, dtype=np.int64)
    natural_rank[natural] = np.arange(n)
    order = np.lexsort((natural_rank, -priority, place)).tolist()
    return _Scored(
        book=book,
        settings=settings,
        today=today,
        clients=clients,
        skipped=skipped,
        columns=columns,
        weights=weights,
        group_share=group_share,
        effective=effective,
        potential=potential.tolist(),
        ease=ease.tolist(),
        priority=priority.tolist(),
        tiers=tiers,
        quadrants=quadrants,
        order=order,
    )


def score_book(
    book: Book,
    settings: TierSettings,
    today: date,
    last_contacts: Mapping[str, date] | None = None,
    *,
    lang: Lang | None = None,
    breakdown: bool = True,
) -> TierResult:
    """Tier, score, place and rank every client of the book (pure: no I/O, no clock).

    `last_contacts` (client ID → date, e.g. from the contacts sheet) wins over the
    register's 最近联系日期 when newer. Labels and reasons are in `lang`, by default the
    register's language. Without `breakdown`, ClientScore.inputs and .scores are empty.
    """
    with _gc_paused():
        scored = _score(book, settings, today, last_contacts or {})
        return scored.result(lang or book.lang, breakdown=breakdown)


# Column widths (Excel character units) for columns created in the register.
_WIDTHS = {
    "tier": 14,
    "potential": 9,
    "ease": 9,
    "priority": 12,
    "quadrant": 12,
    "rank": 9,
    "reason": 60,
}


def tier_columns(result: TierResult) -> list[NewColumn]:
    """The seven columns to write, from a result that lists its clients."""
    return _new_columns(result.column_values(), result.lang)


def _new_columns(values: Mapping[str, Mapping[int, Any]], lang: Lang) -> list[NewColumn]:
    """The seven columns: headers in `lang`, the other language's header as alias. Unscored
    rows are None (a blank cell), so a stale value from an earlier run goes away."""
    columns = []
    for key, zh, en in TIER_COLUMNS:
        header, alias = (en, zh) if lang == "en" else (zh, en)
        columns.append(NewColumn(header, (alias,), values[key], _WIDTHS[key]))
    return columns


# --- the command: read, score, write (the only I/O in this module) --------------------


def _file_stamp(path: Path) -> tuple[int, int, int]:
    st = path.stat()
    return (st.st_ino, st.st_size, st.st_mtime_ns)


class TierRun(BaseModel):
    result: TierResult
    write: WriteResult
    _slices: Callable[[], Iterator[list[ClientScore]]] | None = PrivateAttr(default=None)

    def client_slices(self) -> Iterator[list[ClientScore]] | None:
        """With tier_register(stream=True): the clients that result.clients leaves out, in
        rank order, a thousand at a time (for result.json_chunks)."""
        return None if self._slices is None else self._slices()


def tier_register(
    path: Path,
    settings: TierSettings,
    today: date,
    *,
    sheet: str | None = None,
    password: str | None = None,
    output: Path | None = None,
    dry_run: bool = False,
    force: bool = False,
    backup: Callable[[Path], object] | None = None,
    lang: Lang | None = None,
    progress: Callable[[str], object] | None = None,
    breakdown: bool = True,
    stream: bool = False,
    ahead: ReadAhead | None = None,
    retain: list[object] | None = None,
) -> TierRun:
    """Read the register, score it, and write the seven columns through safe_io.

    In place unless `output` or `dry_run`; `backup(path)` runs before the reading, and
    again just before the old file is replaced if it has changed since. Refuses early,
    before the reading, a format it cannot write back and a workbook open in Excel/WPS
    (unless `force`). The cells always follow the register's
    language; the returned result's labels and reasons are in `lang` (default: the same).
    `progress` is told each step as it starts: "reading", "scoring", "writing". Without
    `breakdown` the result lists no clients, only the summary and its top 10 (what the
    terminal shows; listing 100,000 clients costs as much as scoring them). With `stream`
    (and `breakdown`) the clients are not listed in the result either but made a thousand
    at a time by TierRun.client_slices(), for JSON output.
    `ahead` (fastcells.read_ahead, for the same `path` and `sheet`) is a worker process
    already reading part of the client sheet: it is used and closed here. With `retain`,
    the clients, their scores and the columns go there once they are no longer needed,
    instead of being freed on the way (the command line's process ends without freeing
    them: 0.05 s at 100,000 clients).
    """
    from clientbook.register.read import check_register, latest_contacts, open_book
    from clientbook.safe_io import check_not_open, check_writable, update_register

    check_writable(path)
    if not force and not dry_run and output is None and path.exists():
        check_not_open(path)  # fail before reading a big book; previews and --output may proceed
    step = progress or (lambda name: None)
    before_replace = backup
    if backup is not None and output is None and not dry_run and check_register(path):
        # Back up first, while little memory is in use (the vault's scrypt takes 256 MiB on
        # its own); just before the replace, again only if the file has changed since. Not
        # what is not a workbook (the reading says why), nor an encrypted one before its
        # password is known good: those are backed up just before the replace.
        backed_up = _file_stamp(path)
        backup(path)

        def before_replace(replaced: Path) -> None:
            if _file_stamp(replaced) != backed_up:
                backup(replaced)

    with contextlib.ExitStack() as stack:
        worker = None
        if ahead is not None:  # already reading (closed once the file is written)
            worker = stack.enter_context(ahead).worker
        elif _worth_a_worker(path):
            from clientbook.register.worker import tier_worker

            worker = stack.enter_context(tier_worker())  # closed once written
        first_pass = _HeadStart(path, worker)
        with _gc_paused():
            step("reading")
            try:
                book = open_book(
                    path,
                    sheet=sheet,
                    password=password,
                    holdings=False,
                    on_sheet=first_pass.start,
                    fields=TIER_FIELDS,
                    worker=worker,
                    ahead=ahead,
                )
            except BaseException:
                first_pass.join()
                raise
            # Without a contacts sheet each client's newest contact is its own 最近联系日期,
            # which the scoring reads anyway.
            contacts = latest_contacts(book) if book.contacts is not None else {}
            book.holdings = book.contacts = None  # not scored: free them before the scoring
            step("scoring")
            scored = _score(book, settings, today, contacts)
            del book, contacts  # the scored clients keep their records
            shown_lang = lang or scored.book.lang
            register_lang = scored.book.lang
            reasons = _reasons(scored, register_lang)
            columns = _new_columns(scored.column_values(register_lang, reasons), register_lang)
            shown_reasons = reasons if shown_lang == register_lang else _reasons(scored, shown_lang)
            listed = breakdown and not stream
            shown = scored.result(
                shown_lang, breakdown=breakdown, listed=listed, reasons=shown_reasons
            )
            slices = None
            if breakdown and stream:
                slices = functools.partial(scored.listed_slices, shown_lang, shown_reasons, True)
            if retain is not None:
                retain += (scored, reasons, shown_reasons)
            del scored, reasons, shown_reasons  # kept by `slices` only when streaming
            step("writing")
            prepared = first_pass.join()
            if worker is not None:
                worker.finish()  # its last job is done: it ends while the file is written
            written = update_register(
                path,
                columns,
                sheet_name=shown.sheet,
                header_row=shown.header_row,
                output=output,
                password=password,
                force=force,
                backup=before_replace,
                dry_run=dry_run,
                prepared=prepared,
            )
            if retain is not None:
                retain.append(columns)
            run = TierRun(result=shown, write=written)
            run._slices = slices
            return run


def _worth_a_worker(path: Path) -> bool:
    from clientbook.register.read import is_encrypted

    try:
        return path.stat().st_size >= WORKER_FROM and not is_encrypted(path)
    except OSError:
        return False


# A register this big (bytes) is read and prepared with a worker process beside this one
# (worker.py): the reading holds the GIL, so a thread would only take turns with it
# (100,000 clients: 22 MB). Below it, a process costs more to start than it saves.
WORKER_FROM = 8 << 20


class _HeadStart:
    """The writer's first pass over the client sheet (first_pass.prepare_guessed), started
    once the reader has chosen the sheet, so that it runs while the register is read: in a
    thread, or as a job of the worker process when there is one. write_columns uses the
    pass only when its guesses were right and the file is unchanged, and otherwise makes
    its own (any error of the guess is left for it to raise).
    """

    def __init__(self, path: Path, worker: Worker | None = None) -> None:
        self.path = path
        self.worker = worker
        self.thread: threading.Thread | None = None
        self.job: Future[Any] | None = None
        self.prepared: PreparedSheet | None = None

    def start(self, sheet_name: str, encrypted: bool) -> None:
        if encrypted or self.thread is not None or self.job is not None:
            return
        from clientbook.register.first_pass import prepare_guessed

        if self.worker is not None:
            self.job = self.worker.submit(prepare_guessed, self.path, sheet_name, TIER_COLUMNS)
            return
        self.thread = threading.Thread(
            target=self._run,
            args=(prepare_guessed, sheet_name),
            name="clientbook-prepare",
            daemon=True,
        )
        self.thread.start()

    def _run(self, prepare: Callable[..., PreparedSheet | None], sheet_name: str) -> None:
        try:
            self.prepared = prepare(self.path, sheet_name, TIER_COLUMNS)
        except Exception:  # a guess only: write_columns makes its own pass and says what is wrong
            self.prepared = None

    def join(self) -> PreparedSheet | None:
        if self.thread is not None:
            self.thread.join()
        if self.job is not None:
            try:
                prepared = self.job.result()
            except Exception:  # the worker failed: write_columns makes its own pass
                prepared = None
            self.prepared = prepared if isinstance(prepared, PreparedSheet) else None
            self.job = None
        return self.prepared
