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

import functools
import math
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from clientbook.config import TierSettings
from clientbook.errors import UnusableFile
from clientbook.messages import text
from clientbook.register.model import Book, ClientRecord
from clientbook.register.schema import FIELDS_BY_KEY, TIER_COLUMNS
from clientbook.register.write import NewColumn, WriteResult

Lang = Literal["zh", "en"]
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

    def column_values(self) -> dict[str, dict[int, Any]]:
        """For each column of schema.TIER_COLUMNS: Excel row → value (None = blank)."""
        columns: dict[str, dict[int, Any]] = {key: {} for key, _, _ in TIER_COLUMNS}
        for client in self.clients:
            values = {
                "tier": client.tier_label,
                "potential": client.potential,
                "ease": client.ease,
                "priority": client.priority,
                "quadrant": client.quadrant_label,
                "rank": client.rank,
                "reason": client.reason,
            }
            for key, value in values.items():
                columns[key][client.row] = value
        for row in self.unscored:
            for key in columns:
                columns[key][row.row] = None
        return columns


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
    n = len(values)
    positions: list[Position | None] = [None] * n
    order = sorted(range(n), key=lambda i: values[i])
    start = 0
    while start < n:
        end = start
        while end + 1 < n and values[order[end + 1]] == values[order[start]]:
            end += 1
        average_rank = (start + end) / 2 + 1
        percentile = 50.0 if n == 1 else 100.0 * (average_rank - 1) / (n - 1)
        position = Position(percentile, below=start, above=n - 1 - end, n=n)
        for k in range(start, end + 1):
            positions[order[k]] = position
        start = end + 1
    return [p for p in positions if p is not None]


def round1(value: float) -> float:
    """Round half up to one decimal (the tiny epsilon absorbs binary float noise)."""
    return math.floor(value * 10 + 0.5 + 1e-9) / 10


_DIGITS = re.compile(r"([0-9]+)")


def natural_key(client_id: str) -> tuple[tuple[tuple[int, int, str], ...], str]:
    """Digit runs compare as numbers ("9" < "10"), the rest as case-folded text."""
    parts = tuple(
        (0, int(part), part) if part.isdigit() else (1, 0, part.casefold())
        for part in _DIGITS.split(client_id)
        if part
    )
    return parts, client_id


# --- indicators ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Indicator:
    key: str
    group: Group
    inputs: tuple[str, ...]  # register fields it reads (named when unknown)
    higher_is_better: bool
    raw: Callable[[_Client, TierSettings, date], float | None]
    phrase: Callable[[_Client, float, Position, str], str]


@dataclass(slots=True)
class _Client:
    record: ClientRecord
    aum: float
    latest_contact: date | None


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


def _age(client: _Client, settings: TierSettings, today: date) -> float | None:
    born = client.record.birth_date
    if born is None or born > today:
        return None
    years = _whole_years(born, today)
    return float(years) if years <= 150 else None


def _growth(client: _Client, settings: TierSettings, today: date) -> float | None:
    prev = _known_amount(client.record.aum_prev)
    if prev is None:
        return None
    if prev == 0:
        return 10.0 if client.aum > 0 else 0.0
    return min((client.aum - prev) / prev, 10.0)


def _occupation(client: _Client, settings: TierSettings, today: date) -> float | None:
    job = (client.record.occupation or "").strip()
    if not job:
        return None
    if _contains(job, settings.owner_keywords):
        return 2.0
    if _contains(job, settings.professional_keywords):
        return 1.0
    return 0.0


_EDUCATION_LEVELS: tuple[tuple[float, tuple[str, ...]], ...] = (
    (3.0, ("博士", "phd", "ph.d", "doctorate", "doctor")),
    (2.0, ("硕士", "研究生", "master", "mba", "emba", "msc")),
    (1.0, ("本科", "学士", "大学", "bachelor", "undergraduate", "degree")),
)


def _education(client: _Client, settings: TierSettings, today: date) -> float | None:
    level = (client.record.education or "").strip()
    if not level:
        return None
    for points, words in _EDUCATION_LEVELS:
        if _contains(level, words):
            return points
    return 0.0


def _high_margin_count(client: _Client, settings: TierSettings) -> int:
    return sum(1 for p in client.record.products if _contains(p, settings.high_margin_products))


def _product_gap(client: _Client, settings: TierSettings, today: date) -> float | None:
    held = len(client.record.products)
    if held == 0:  # an empty cell is an unfilled cell: a client with AUM holds something
        return None
    no_high_margin = 2.0 if _high_margin_count(client, settings) == 0 else 0.0
    return no_high_margin + max(0, 3 - held) / 2


def _recency(client: _Client, settings: TierSettings, today: date) -> float | None:
    if client.latest_contact is None:
        return None
    return float((today - client.latest_contact).days)


def _products(client: _Client, settings: TierSettings, today: date) -> float | None:
    held = len(client.record.products)
    return float(held) if held else None


def _tenure(client: _Client, settings: TierSettings, today: date) -> float | None:
    since = client.record.onboarded_on
    if since is None or since > today:
        return None
    # Completed years plus the part of the current one, so int() is what the client counts.
    years = _whole_years(since, today)
    try:
        anniversary = since.replace(year=since.year + years)
    except ValueError:  # 29 February
        anniversary = date(since.year + years, 3, 1)
    return math.floor((years + (today - anniversary).days / 366) * 100) / 100


def _distance(client: _Client, settings: TierSettings, today: date) -> float | None:
    return _known_amount(client.record.branch_km)


def _reachability(client: _Client, settings: TierSettings, today: date) -> float | None:
    # Always known: what is measured is whether the register records how to reach them.
    window = (client.record.contact_window or "").strip()
    return float(client.record.channel is not None) + float(bool(window))


def _share(count: int, n: int) -> int:
    """The share of the book, in whole percent (half up, at least 1)."""
    return max(1, math.floor(100 * count / n + 0.5))


def _phrase_aum(client: _Client, value: float, pos: Position, lang: str) -> str:
    if pos.percentile >= 50:
        return text("tier.reason.aum_top", lang, share=_share(pos.above + 1, pos.n))
    return text("tier.reason.aum_bottom", lang, share=_share(pos.below + 1, pos.n))


def _phrase_elsewhere(client: _Client, value: float, pos: Position, lang: str) -> str:
    if value == 0:
        return text("tier.reason.assets_elsewhere_none", lang)
    return text("tier.reason.assets_elsewhere", lang, amount=_fmt_amount(value, lang))


def _phrase_growth(client: _Client, value: float, pos: Position, lang: str) -> str:
    if client.record.aum_prev == 0 and client.aum > 0:
        return text("tier.reason.growth_new", lang)
    pct = round(abs(value) * 100)
    if pct == 0:
        return text("tier.reason.growth_flat", lang)
    key = "tier.reason.growth_up" if value > 0 else "tier.reason.growth_down"
    return text(key, lang, pct=pct)


def _phrase_gap(client: _Client, value: float, pos: Position, lang: str) -> str:
    held = len(client.record.products)
    if value >= 2:
        return text("tier.reason.gap_no_high_margin", lang)
    if held < 3:
        return text("tier.reason.gap_few", lang, count=held)
    return text("tier.reason.gap_none", lang)


def _phrase_recency(client: _Client, value: float, pos: Position, lang: str) -> str:
    days = int(value)
    key = "tier.reason.recency" if pos.percentile >= 50 else "tier.reason.recency_recent"
    return text(key, lang, days=days)


def _phrase_tenure(client: _Client, value: float, pos: Position, lang: str) -> str:
    if value < 1:
        return text("tier.reason.tenure_new", lang)
    return text("tier.reason.tenure", lang, years=int(value))


def _phrase_reach(client: _Client, value: float, pos: Position, lang: str) -> str:
    channel = client.record.channel is not None
    window = bool((client.record.contact_window or "").strip())
    if channel and window:
        return text("tier.reason.reach_both", lang)
    if channel:
        return text("tier.reason.reach_channel", lang)
    if window:
        return text("tier.reason.reach_window", lang)
    return text("tier.reason.reach_none", lang)


def _short(value: str | None, limit: int = 12) -> str:
    value = (value or "").strip()
    return value if len(value) <= limit else value[: limit - 1] + "…"


INDICATORS: tuple[_Indicator, ...] = (
    _Indicator("aum", "potential", ("aum",), True, lambda c, s, t: c.aum, _phrase_aum),
    _Indicator(
        "assets_elsewhere",
        "potential",
        ("assets_elsewhere",),
        True,
        lambda c, s, t: _known_amount(c.record.assets_elsewhere),
        _phrase_elsewhere,
    ),
    _Indicator(
        "income",
        "potential",
        ("income",),
        True,
        lambda c, s, t: _known_amount(c.record.income),
        lambda c, v, p, lang: text("tier.reason.income", lang, amount=_fmt_amount(v, lang)),
    ),
    _Indicator("growth", "potential", ("aum_prev",), True, _growth, _phrase_growth),
    _Indicator(
        "age",
        "potential",
        ("birth_date",),
        False,
        _age,
        lambda c, v, p, lang: text("tier.reason.age", lang, age=int(v)),
    ),
    _Indicator(
        "occupation",
        "potential",
        ("occupation",),
        True,
        _occupation,
        lambda c, v, p, lang: text(
            "tier.reason.occupation", lang, text=_short(c.record.occupation)
        ),
    ),
    _Indicator(
        "education",
        "potential",
        ("education",),
        True,
        _education,
        lambda c, v, p, lang: text("tier.reason.education", lang, text=_short(c.record.education)),
    ),
    _Indicator("product_gap", "potential", ("products",), True, _product_gap, _phrase_gap),
    _Indicator("recency", "ease", ("last_contact",), False, _recency, _phrase_recency),
    _Indicator(
        "products",
        "ease",
        ("products",),
        True,
        _products,
        lambda c, v, p, lang: text("tier.reason.products", lang, count=int(v)),
    ),
    _Indicator("tenure", "ease", ("onboarded_on",), True, _tenure, _phrase_tenure),
    _Indicator(
        "distance",
        "ease",
        ("branch_km",),
        False,
        _distance,
        lambda c, v, p, lang: text("tier.reason.distance", lang, km=_fmt_number(v)),
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
    book: Book, lang: str, today: date, last_contacts: Mapping[str, date]
) -> tuple[list[_Client], list[Unscored]]:
    """Split the client rows into scorable clients and rows that cannot be scored."""
    sheet = book.clients
    records = sheet.records
    invalid_aum = {issue.row: issue.raw for issue in sheet.issues if issue.field == "aum"}
    ids = Counter(r.client_id for r in records if r.client_id)
    rows_of: dict[str, list[int]] = {}
    for record in records:
        if record.client_id and ids[record.client_id] > 1:
            rows_of.setdefault(record.client_id, []).append(record.row)

    clients: list[_Client] = []
    unscored: list[Unscored] = []

    def skip(record: ClientRecord, why: str, **params: str) -> None:
        row = Unscored(
            row=record.row, client_id=record.client_id, why=why, message="", params=params
        )
        row.message = row.render(lang)
        unscored.append(row)

    for record in records:
        if not record.client_id:
            skip(record, "missing_client_id")
        elif record.client_id in rows_of:
            others = [r for r in rows_of[record.client_id] if r != record.row]
            skip(record, "duplicate_client_id", others=", ".join(map(str, others)))
        elif record.aum is None and record.row in invalid_aum:
            skip(record, "invalid_aum", raw=invalid_aum[record.row])
        elif record.aum is None:
            skip(record, "missing_aum")
        elif record.aum < 0 or math.isnan(record.aum):
            skip(record, "negative_aum")
        else:
            # A date in the future is a typo (validate reports it), not a contact.
            dates = (record.last_contact, last_contacts.get(record.client_id))
            contacts = [d for d in dates if d is not None and d <= today]
            clients.append(_Client(record, float(record.aum), max(contacts, default=None)))
    return clients, unscored


def _reason(
    client: _Client,
    i: int,
    columns: Sequence[_Column],
    effective: Mapping[str, float],
    by_weight: Sequence[_Column],
    lang: str,
) -> tuple[str, list[str]]:
    """The three factors that move the priority most, then the unknown inputs, weightiest first.

    A factor's pull is its effective weight times its distance from neutral (score − 50);
    ties keep the order of INDICATORS. Returns the reason and the unknown register fields.
    """
    pulls: list[tuple[float, int, _Column]] = []
    for order, column in enumerate(columns):
        if column.raws[i] is not None and (
            pull := effective[column.indicator.key] * (column.scores[i] - 50)
        ):
            pulls.append((-abs(pull), order, column))
    pulls.sort(key=lambda item: item[:2])
    parts = []
    for _, _, column in pulls[:3]:
        raw = column.raws[i]
        assert raw is not None
        parts.append(column.indicator.phrase(client, raw, column.positions[i], lang))
    unknown_fields: list[str] = []
    for column in by_weight:
        if column.raws[i] is None:
            for field_key in column.indicator.inputs:
                if field_key not in unknown_fields:
                    unknown_fields.append(field_key)
    if unknown_fields:
        names = [_fixed(f"tier.input.{key}", lang) for key in unknown_fields]
        shown = _fixed("tier.reason.list_sep", lang).join(names[:3])
        more = len(names) - 3
        key = "tier.reason.unknown_more" if more > 0 else "tier.reason.unknown"
        parts.append(text(key, lang, fields=shown, more=more, total=len(names)))
    return _fixed("tier.reason.sep", lang).join(parts), unknown_fields


@functools.lru_cache(maxsize=256)
def _fixed(key: str, lang: str) -> str:
    """A sentence without parameters (labels, separators), looked up once."""
    return text(key, lang)


def _by_weight(columns: Sequence[_Column], effective: Mapping[str, float]) -> list[_Column]:
    """Columns with a weight, weightiest first (ties in INDICATORS order)."""
    weighted = [c for c in columns if effective[c.indicator.key] > 0]
    return sorted(weighted, key=lambda c: -effective[c.indicator.key])


@dataclass(slots=True)
class _Column:
    """One indicator over all scorable clients (index i = i-th client)."""

    indicator: _Indicator
    raws: list[float | None]
    scores: list[float]  # 0–100, 50 when unknown
    positions: dict[int, Position]


def _score_column(
    indicator: _Indicator, clients: Sequence[_Client], settings: TierSettings, today: date
) -> _Column:
    raws = [indicator.raw(client, settings, today) for client in clients]
    known = [(i, raw) for i, raw in enumerate(raws) if raw is not None]
    positions = dict(
        zip(
            (i for i, _ in known),
            percentile_positions([raw for _, raw in known]),
            strict=True,
        )
    )
    scores = [50.0] * len(clients)
    for i, position in positions.items():
        pct = position.percentile
        scores[i] = pct if indicator.higher_is_better else 100.0 - pct
    return _Column(indicator, raws, scores, positions)


def score_book(
    book: Book,
    settings: TierSettings,
    today: date,
    last_contacts: Mapping[str, date] | None = None,
    *,
    lang: Lang | None = None,
) -> TierResult:
    """Tier, score, place and rank every client of the book (pure: no I/O, no clock).

    `last_contacts` (client ID → date, e.g. from the contacts sheet) wins over the
    register's 最近联系日期 when newer. Labels and reasons are in `lang`, by default the
    register's language.
    """
    lang = lang or book.lang
    sheet = book.clients
    for required in ("client_id", "aum"):
        if sheet.column_of(required) is None:
            header = f"{FIELDS_BY_KEY[required].zh} / {FIELDS_BY_KEY[required].en}"
            raise UnusableFile(
                "tier.missing_column", path=str(book.path), sheet=sheet.name, header=header
            )

    clients, unscored = _sort_out(book, lang, today, last_contacts or {})
    weights: dict[Group, dict[str, float]] = {
        "potential": _normalised(settings.potential_weights.as_dict()),
        "ease": _normalised(settings.ease_weights.as_dict()),
    }
    group_share = _normalised(settings.priority_weights.as_dict())
    # Each indicator's weight in the priority score (all of them sum to 1).
    effective = {
        indicator.key: group_share[indicator.group] * weights[indicator.group][indicator.key]
        for indicator in INDICATORS
    }

    columns = [_score_column(indicator, clients, settings, today) for indicator in INDICATORS]
    by_weight = _by_weight(columns, effective)
    threshold = settings.quadrant_threshold
    scored: list[ClientScore] = []
    for i, client in enumerate(clients):
        totals = {"potential": 0.0, "ease": 0.0}
        for column in columns:
            indicator = column.indicator
            totals[indicator.group] += weights[indicator.group][indicator.key] * column.scores[i]
        potential, ease = round1(totals["potential"]), round1(totals["ease"])
        priority = round1(group_share["potential"] * potential + group_share["ease"] * ease)
        tier = tier_of(client.aum, settings)
        quadrant = quadrant_of(potential, ease, threshold)
        reason, unknown = _reason(client, i, columns, effective, by_weight, lang)
        record = client.record
        scored.append(
            ClientScore(
                row=record.row,
                client_id=record.client_id or "",
                name=record.name,
                aum=client.aum,
                tier=tier,
                tier_label=tier_label(tier, lang),
                potential=potential,
                ease=ease,
                priority=priority,
                quadrant=quadrant,
                quadrant_label=quadrant_label(quadrant, lang),
                rank=0,
                reason=reason,
                inputs={c.indicator.key: c.raws[i] for c in columns},
                scores={c.indicator.key: round(c.scores[i], 2) for c in columns},
                unknown=unknown,
            )
        )

    scored.sort(
        key=lambda c: (QUADRANT_ORDER.index(c.quadrant), -c.priority, natural_key(c.client_id))
    )
    for rank, client_score in enumerate(scored, start=1):
        client_score.rank = rank

    return TierResult(
        file=str(book.path),
        sheet=sheet.name,
        header_row=sheet.header_row,
        lang=lang,
        today=today,
        clients=scored,
        unscored=unscored,
        summary=_summarise(scored, unscored),
        weights={**weights, "priority": group_share},
        settings=settings,
    )


def _summarise(scored: list[ClientScore], unscored: list[Unscored]) -> TierSummary:
    per_tier = {tier.value: 0 for tier in Tier}
    aum = {tier.value: 0.0 for tier in Tier}
    per_quadrant = {quadrant.value: 0 for quadrant in Quadrant}
    for client in scored:
        per_tier[client.tier] += 1
        aum[client.tier] += client.aum
        per_quadrant[client.quadrant] += 1
    top = [
        TopClient(
            rank=c.rank,
            client_id=c.client_id,
            name=c.name,
            tier=c.tier,
            quadrant=c.quadrant,
            priority=c.priority,
            reason=c.reason,
        )
        for c in scored[:10]
    ]
    return TierSummary(
        scored=len(scored),
        unscored=len(unscored),
        clients_per_tier=per_tier,
        aum_per_tier={key: round(value, 2) for key, value in aum.items()},
        clients_per_quadrant=per_quadrant,
        top=top,
    )


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
    """The seven columns to write: headers in the result's language, the other as alias.

    Unscored rows get None (a blank cell), so a stale value from an earlier run goes away.
    """
    values = result.column_values()
    columns = []
    for key, zh, en in TIER_COLUMNS:
        header, alias = (en, zh) if result.lang == "en" else (zh, en)
        columns.append(NewColumn(header, (alias,), values[key], _WIDTHS[key]))
    return columns


# --- the command: read, score, write (the only I/O in this module) --------------------


class TierRun(BaseModel):
    result: TierResult
    write: WriteResult


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
) -> TierRun:
    """Read the register, score it, and write the seven columns through safe_io.

    In place unless `output` or `dry_run`; `backup(path)` runs before the old file is
    replaced. Refuses early, before the reading, a format it cannot write back and a
    workbook open in Excel/WPS (unless `force`). The cells always follow the register's
    language; the returned result's labels and reasons are in `lang` (default: the same).
    `progress` is told each step as it starts: "reading", "scoring", "writing".
    """
    from clientbook.register.read import latest_contacts, open_book
    from clientbook.safe_io import check_not_open, check_writable, update_register

    check_writable(path)
    if not force and path.exists():
        check_not_open(path)
    step = progress or (lambda name: None)
    step("reading")
    book = open_book(path, sheet=sheet, password=password)
    contacts = latest_contacts(book)
    step("scoring")
    result = score_book(book, settings, today, contacts)
    step("writing")
    written = update_register(
        path,
        tier_columns(result),
        sheet_name=result.sheet,
        header_row=result.header_row,
        output=output,
        password=password,
        force=force,
        backup=backup,
        dry_run=dry_run,
    )
    if lang is not None and lang != result.lang:
        result = score_book(book, settings, today, contacts, lang=lang)
    return TierRun(result=result, write=written)
