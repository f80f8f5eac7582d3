"""score_book on books built in code, checked value by value against hand arithmetic."""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from clientbook.config import TierSettings
from clientbook.errors import UnusableFile
from clientbook.register.model import Book, ClientRecord, Column, Sheet, ValueIssue
from clientbook.register.schema import CLIENT_FIELDS
from clientbook.tier import (
    Quadrant,
    Tier,
    natural_key,
    natural_order,
    percentile_positions,
    quadrant_of,
    score_book,
    tier_columns,
    tier_of,
)

TODAY = date(2026, 11, 27)


def make_book(
    records: list[ClientRecord],
    *,
    lang: str = "zh",
    issues: list[ValueIssue] | None = None,
    without: tuple[str, ...] = (),
) -> Book:
    letters = [chr(ord("A") + i) for i in range(26)] + [f"A{chr(ord('A') + i)}" for i in range(26)]
    fields = [f for f in CLIENT_FIELDS if f.key not in without]
    columns = [
        Column(i, letters[i], f.zh if lang == "zh" else f.en, f.key) for i, f in enumerate(fields)
    ]
    sheet = Sheet("客户", "clients", 1, columns, records, issues or [])
    return Book(Path("book.xlsx"), "xlsx", lang, ["客户"], sheet)  # type: ignore[arg-type]


def simple_settings(**overrides: Any) -> TierSettings:
    """Potential = AUM percentile only, ease = contact recency only: easy to check by hand."""
    zero_potential = dict.fromkeys(TierSettings().potential_weights.as_dict(), 0.0)
    zero_ease = dict.fromkeys(TierSettings().ease_weights.as_dict(), 0.0)
    data: dict[str, Any] = {
        "potential_weights": {**zero_potential, "aum": 1.0},
        "ease_weights": {**zero_ease, "recency": 1.0},
    }
    data.update(overrides)
    return TierSettings.model_validate(data)


def ago(days: int) -> date:
    return date.fromordinal(TODAY.toordinal() - days)


def eight_clients() -> list[ClientRecord]:
    return [
        ClientRecord(row=2, client_id="10023", name="甲", aum=1000, last_contact=ago(10)),
        ClientRecord(row=3, client_id="100230", name="乙", aum=500, last_contact=ago(10)),
        ClientRecord(row=4, client_id="9", name="丙", aum=500, last_contact=ago(10)),
        ClientRecord(row=5, client_id="10", name="丁", aum=100, last_contact=ago(30)),
        ClientRecord(row=6, client_id="11", name="戊", aum=99.99, last_contact=ago(60)),
        ClientRecord(row=7, client_id="12", name="己", aum=0),
        ClientRecord(row=8, client_id="13", name="庚", aum=2000, last_contact=ago(200)),
        ClientRecord(row=9, client_id="14", name="辛", aum=300, last_contact=ago(30)),
        # rows that cannot be scored
        ClientRecord(row=10, client_id=None, name="无号", aum=50),
        ClientRecord(row=11, client_id="15", name="空资产", aum=None),
        ClientRecord(row=12, client_id="16", name="重复一", aum=800),
        ClientRecord(row=13, client_id="16", name="重复二", aum=20),
        ClientRecord(row=14, client_id="17", name="负资产", aum=-5),
        ClientRecord(row=15, client_id="18", name="乱填", aum=None),
    ]


def eight_book(lang: str = "zh") -> Book:
    issues = [ValueIssue("invalid_number", "aum", 15, "很多")]
    return make_book(eight_clients(), lang=lang, issues=issues)


# --- building blocks ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("aum", "tier"),
    [
        (5000, Tier.A),
        (1000, Tier.A),
        (999.99, Tier.B),
        (500, Tier.B),
        (499.99, Tier.C),
        (100, Tier.C),
        (99.99, Tier.D),
        (0, Tier.D),
    ],
)
def test_bands_and_their_exact_boundaries(aum: float, tier: Tier) -> None:
    assert tier_of(aum, TierSettings()) == tier


def test_percentile_is_average_rank_scaled_to_0_100() -> None:
    got = [p.percentile for p in percentile_positions([40, 20, 10, 20])]
    assert got == [100.0, 50.0, 0.0, 50.0]  # ranks 4, 2.5, 1, 2.5 → 100·(r−1)/3
    assert [p.percentile for p in percentile_positions([7.0])] == [50.0]
    assert [p.percentile for p in percentile_positions([3, 3, 3])] == [50.0, 50.0, 50.0]
    tied = percentile_positions([1, 2, 2, 3])[1]
    assert (tied.below, tied.above, tied.n) == (1, 1, 4)


@pytest.mark.parametrize(
    ("potential", "ease", "quadrant"),
    [
        (50.0, 50.0, Quadrant.quick_win),
        (50.0, 49.9, Quadrant.cultivate),
        (49.9, 50.0, Quadrant.maintain),
        (49.9, 49.9, Quadrant.deprioritize),
    ],
)
def test_quadrant_border_is_high(potential: float, ease: float, quadrant: Quadrant) -> None:
    assert quadrant_of(potential, ease, 50) == quadrant


def test_client_ids_sort_naturally() -> None:
    ids = ["100230", "10023", "9", "10", "A2", "A10", "007", "7"]
    assert sorted(ids, key=natural_key) == ["007", "7", "9", "10", "10023", "100230", "A2", "A10"]


@pytest.mark.parametrize(
    "ids",
    [
        ["C000123", "C000045", "C100000", "C000045"],  # one shape: the order of the text
        ["6228480012", "6228480003", "0000000001"],
        ["K+01", "K+10", "K+02"],  # a prefix with a regex character
        ["C123", "c045", "C100"],  # prefixes differing in case: natural_key's casefold
        ["C123", "C45", "C100"],  # numbers of different lengths
        ["C123", "D045", "C100"],
        ["A1B2", "A1B1", "A0B9"],  # more than one number
        ["C01\nC02", "C01\nC01"],  # a line break inside an ID
        ["５123", "５045"],  # a full-width digit in the prefix
        ["x"],
    ],
)
def test_natural_order_is_the_order_of_natural_keys(ids: list[str]) -> None:
    expected = sorted(range(len(ids)), key=lambda i: natural_key(ids[i]))
    assert natural_order(ids) == expected


def test_natural_order_of_many_generated_ids() -> None:
    rng = random.Random(7)
    for _ in range(200):
        prefix = rng.choice(["", "C", "VIP-", "c"])
        width = rng.choice([3, 4])
        ids = [
            rng.choice([prefix, prefix.upper(), "D"]) + str(rng.randrange(10**width)).zfill(width)
            for _ in range(rng.randrange(1, 12))
        ]
        expected = sorted(range(len(ids)), key=lambda i: natural_key(ids[i]))
        assert natural_order(ids) == expected, ids


# --- a hand-checked book ----------------------------------------------------------------


def test_eight_clients_hand_checked() -> None:
    result = score_book(eight_book(), simple_settings(), TODAY)
    got = {
        c.client_id: (c.row, c.tier, c.potential, c.ease, c.priority, c.quadrant, c.rank)
        for c in result.clients
    }
    # AUM ascending: 0, 99.99, 100, 300, 500, 500 (ranks 5 and 6 → 5.5), 1000, 2000;
    # potential = 100·(rank−1)/7. Days since contact (7 known): 10 ×3 (rank 2), 30 ×2 (4.5),
    # 60 (6), 200 (7); ease = 100 − 100·(rank−1)/6; client 12 never contacted → 50.
    # Priority = 0.6·potential + 0.4·ease.
    assert got == {
        "10023": (2, Tier.A, 85.7, 83.3, 84.7, Quadrant.quick_win, 1),
        "9": (4, Tier.B, 64.3, 83.3, 71.9, Quadrant.quick_win, 2),
        "100230": (3, Tier.B, 64.3, 83.3, 71.9, Quadrant.quick_win, 3),
        "13": (8, Tier.A, 100.0, 0.0, 60.0, Quadrant.cultivate, 4),
        "12": (7, Tier.D, 0.0, 50.0, 20.0, Quadrant.maintain, 5),
        "14": (9, Tier.C, 42.9, 41.7, 42.4, Quadrant.deprioritize, 6),
        "10": (5, Tier.C, 28.6, 41.7, 33.8, Quadrant.deprioritize, 7),
        "11": (6, Tier.D, 14.3, 16.7, 15.3, Quadrant.deprioritize, 8),
    }
    assert [c.rank for c in result.clients] == list(range(1, 9))  # listed in rank order
    labels = {c.client_id: (c.tier_label, c.quadrant_label) for c in result.clients}
    assert labels["10023"] == ("A 超高净值", "速赢")
    assert labels["13"] == ("A 超高净值", "培养")
    assert labels["12"] == ("D 普通", "维持")
    assert labels["14"] == ("C 中端", "放弃")


def test_eight_clients_reasons() -> None:
    reasons = {
        c.client_id: c.reason for c in score_book(eight_book(), simple_settings(), TODAY).clients
    }
    # Pull = weight × (score − 50): 10023's AUM 0.6·35.7 = 21.4 beats recency 0.4·33.3 = 13.3;
    # 9's recency 13.3 beats AUM 0.6·14.3 = 8.6. AUM share: (clients above + 1) / 8.
    assert reasons["10023"] == "AUM 前25%；10天前联系过"
    assert reasons["9"] == "10天前联系过；AUM 前38%"
    assert reasons["13"] == "AUM 前13%；200天未联系"
    assert reasons["12"] == "AUM 后13%；联系记录未知"
    assert reasons["10"] == "AUM 后38%；30天未联系"


def test_unscorable_rows_are_listed_and_left_blank() -> None:
    result = score_book(eight_book(), simple_settings(), TODAY)
    assert [(u.row, u.client_id, u.why) for u in result.unscored] == [
        (10, None, "missing_client_id"),
        (11, "15", "missing_aum"),
        (12, "16", "duplicate_client_id"),
        (13, "16", "duplicate_client_id"),
        (14, "17", "negative_aum"),
        (15, "18", "invalid_aum"),
    ]
    assert "13" in result.unscored[2].message and "很多" in result.unscored[5].message
    columns = result.column_values()
    for key in ("tier", "potential", "ease", "priority", "quadrant", "rank", "reason"):
        assert all(columns[key][row] is None for row in range(10, 16))
    assert columns["tier"][2] == "A 超高净值"
    assert columns["potential"][2] == 85.7
    assert columns["rank"][4] == 2
    assert columns["quadrant"][8] == "培养"
    assert result.summary.scored == 8 and result.summary.unscored == 6


def test_summary_counts_and_top() -> None:
    summary = score_book(eight_book(), simple_settings(), TODAY).summary
    assert summary.clients_per_tier == {"A": 2, "B": 2, "C": 2, "D": 2}
    assert summary.aum_per_tier == {"A": 3000.0, "B": 1000.0, "C": 400.0, "D": 99.99}
    assert summary.clients_per_quadrant == {
        "quick_win": 3,
        "cultivate": 1,
        "maintain": 1,
        "deprioritize": 3,
    }
    assert [t.client_id for t in summary.top] == [
        "10023",
        "9",
        "100230",
        "13",
        "12",
        "14",
        "10",
        "11",
    ]


def test_english_register_gets_english_labels_and_reasons() -> None:
    result = score_book(eight_book("en"), simple_settings(), TODAY)
    by_id = {c.client_id: c for c in result.clients}
    assert result.lang == "en"
    assert (by_id["10023"].tier_label, by_id["10023"].quadrant_label) == ("A UHNW", "Quick win")
    assert by_id["13"].reason == "AUM top 13%; not contacted for 200 days"
    assert by_id["12"].reason == "AUM bottom 13%; last contact unknown"
    assert result.unscored[0].message.startswith("Row 10 has no client ID")


def test_potential_exactly_at_threshold_is_high() -> None:
    records = [
        ClientRecord(row=2, client_id="1", aum=1, last_contact=ago(5)),
        ClientRecord(row=3, client_id="2", aum=2, last_contact=ago(5)),
        ClientRecord(row=4, client_id="3", aum=3, last_contact=ago(5)),
    ]
    result = score_book(make_book(records), simple_settings(), TODAY)
    middle = next(c for c in result.clients if c.client_id == "2")
    assert (middle.potential, middle.ease, middle.quadrant) == (50.0, 50.0, Quadrant.quick_win)


# --- every indicator, default weights -------------------------------------------------


def three_clients() -> list[ClientRecord]:
    return [
        ClientRecord(
            row=2,
            client_id="1",
            name="张伟",
            aum=1000,
            assets_elsewhere=800,
            income=120,
            aum_prev=500,
            birth_date=date(1986, 11, 27),
            occupation="企业主",
            education="硕士",
            products=("定期存款",),
            last_contact=ago(90),
            onboarded_on=date(2016, 11, 27),
            branch_km=5,
            channel="phone",
        ),
        ClientRecord(
            row=3,
            client_id="2",
            name="王芳",
            aum=200,
            assets_elsewhere=0,
            income=30,
            aum_prev=250,
            birth_date=date(1966, 1, 1),
            occupation="医生",
            education="本科",
            products=("基金", "理财", "保险"),
            last_contact=ago(10),
            onboarded_on=date(2006, 1, 1),
            branch_km=1,
            channel="wechat",
            contact_window="晚上",
        ),
        ClientRecord(
            row=4,
            client_id="3",
            name="李强",
            aum=50,
            occupation="退休",
            products=("基金", "定期存款"),
            onboarded_on=date(2025, 6, 1),
            branch_km=20,
        ),
    ]


def test_all_indicators_with_default_weights() -> None:
    result = score_book(make_book(three_clients()), TierSettings(), TODAY)
    by_id = {c.client_id: c for c in result.clients}
    scores = {cid: c.scores for cid, c in by_id.items()}
    # n = 3 known → 0 / 50 / 100; n = 2 → 0 / 100; unknown → 50. Lower is better for
    # age, recency and distance.
    assert scores["1"] == {
        "aum": 100, "assets_elsewhere": 100, "income": 100, "growth": 100, "age": 100,
        "occupation": 100, "education": 100, "product_gap": 100,
        "recency": 0, "products": 0, "tenure": 50, "distance": 50, "reachability": 50,
    }  # fmt: skip
    assert scores["2"] == {
        "aum": 50, "assets_elsewhere": 0, "income": 0, "growth": 0, "age": 0,
        "occupation": 50, "education": 0, "product_gap": 0,
        "recency": 100, "products": 100, "tenure": 100, "distance": 100, "reachability": 100,
    }  # fmt: skip
    assert scores["3"] == {
        "aum": 0, "assets_elsewhere": 50, "income": 50, "growth": 50, "age": 50,
        "occupation": 0, "education": 50, "product_gap": 50,
        "recency": 50, "products": 50, "tenure": 0, "distance": 0, "reachability": 0,
    }  # fmt: skip
    unknown = {cid: [k for k, v in c.inputs.items() if v is None] for cid, c in by_id.items()}
    assert unknown == {
        "1": [],
        "2": [],
        "3": ["assets_elsewhere", "income", "growth", "age", "education", "recency"],
    }
    # Register fields that were missing, by effective weight: recency .35·.4 = .14, then
    # assets elsewhere, income, growth (.15·.6 = .09), age .06, education .03.
    assert by_id["3"].unknown == [
        "last_contact", "assets_elsewhere", "income", "aum_prev", "birth_date", "education"
    ]  # fmt: skip
    raw = by_id["1"].inputs
    assert raw["growth"] == 1.0 and raw["age"] == 40 and raw["product_gap"] == 3.0
    assert raw["recency"] == 90 and raw["reachability"] == 1
    # Potential: weights .20 .15 .15 .15 .10 .10 .05 .10; ease: .35 .15 .20 .15 .15.
    summary = {
        cid: (c.tier, c.potential, c.ease, c.priority, c.quadrant, c.rank)
        for cid, c in by_id.items()
    }
    assert summary == {
        "1": (Tier.A, 100.0, 25.0, 70.0, Quadrant.cultivate, 1),
        "2": (Tier.C, 15.0, 100.0, 49.0, Quadrant.maintain, 2),
        "3": (Tier.D, 35.0, 25.0, 31.0, Quadrant.deprioritize, 3),
    }
    # Strongest pulls on the priority (effective weight × (score − 50)), then unknowns.
    assert by_id["1"].reason == "90天未联系；AUM 前33%；他行资产 800万"
    assert by_id["2"].reason == "10天前联系过；无他行资产；年收入 30万"
    assert by_id["3"].reason == "AUM 后33%；开户1年；职业 退休；联系记录、他行资产、收入等6项未知"


def test_all_indicators_reasons_in_english() -> None:
    result = score_book(make_book(three_clients(), lang="en"), TierSettings(), TODAY)
    by_id = {c.client_id: c.reason for c in result.clients}
    assert by_id["1"] == "not contacted for 90 days; AUM top 33%; assets elsewhere 8.0M"
    assert by_id["3"] == (
        "AUM bottom 33%; client for 1 year(s); occupation: 退休; "
        "last contact, assets elsewhere, income and 3 more unknown"
    )


def test_missing_input_is_neutral_not_zero() -> None:
    records = three_clients()
    records[1].income = None
    result = score_book(make_book(records), TierSettings(), TODAY)
    wang = next(c for c in result.clients if c.client_id == "2")
    assert (wang.inputs["income"], wang.scores["income"], wang.unknown) == (None, 50.0, ["income"])
    # 15.0 before, when income (weight .15) scored 0; now it is neutral: + .15 × 50.
    assert wang.potential == 22.5
    assert wang.reason.endswith("收入未知")


def test_contacts_sheet_date_wins_when_newer() -> None:
    newer = {"3": ago(1), "2": ago(40)}  # client 2's register date (10 days) is newer
    result = score_book(make_book(three_clients()), TierSettings(), TODAY, newer)
    recency = {c.client_id: c.inputs["recency"] for c in result.clients}
    assert recency == {"1": 90, "2": 10, "3": 1}


def test_dates_in_the_future_are_unknown() -> None:
    records = three_clients()
    records[0].last_contact = date(2027, 1, 1)  # typo: in the future
    records[1].onboarded_on = date(2030, 1, 1)
    records[2].birth_date = date(2030, 1, 1)
    later = {"1": ago(30)}  # the contacts sheet still knows a real contact
    result = score_book(make_book(records), TierSettings(), TODAY, later)
    inputs = {c.client_id: c.inputs for c in result.clients}
    assert inputs["1"]["recency"] == 30
    assert inputs["2"]["tenure"] is None and inputs["3"]["age"] is None
    alone = score_book(make_book(records), TierSettings(), TODAY)
    assert next(c for c in alone.clients if c.client_id == "1").inputs["recency"] is None


def test_config_overrides_change_the_result() -> None:
    base = score_book(eight_book(), simple_settings(), TODAY)
    changed = score_book(
        eight_book(),
        simple_settings(
            bands={"A": 2000, "B": 1000, "C": 500},
            quadrant_threshold=90,
            priority_weights={"potential": 1, "ease": 0},
        ),
        TODAY,
    )
    before = {c.client_id: (c.tier, c.quadrant, c.priority) for c in base.clients}
    after = {c.client_id: (c.tier, c.quadrant, c.priority) for c in changed.clients}
    assert before["10023"] == (Tier.A, Quadrant.quick_win, 84.7)
    assert after["10023"] == (Tier.B, Quadrant.deprioritize, 85.7)  # 85.7 < 90 on both axes
    assert after["13"] == (Tier.A, Quadrant.cultivate, 100.0)
    assert after["9"] == (Tier.C, Quadrant.deprioritize, 64.3)
    assert after["14"] == (Tier.D, Quadrant.deprioritize, 42.9)
    # Nobody reaches ease 90: 13 is the only cultivate, the rest deprioritize by potential.
    assert [c.client_id for c in changed.clients][:4] == ["13", "10023", "9", "100230"]


def test_same_input_same_result_whatever_the_row_order() -> None:
    first = score_book(make_book(three_clients()), TierSettings(), TODAY)
    again = score_book(make_book(three_clients()), TierSettings(), TODAY)
    assert first.model_dump(mode="json") == again.model_dump(mode="json")
    records = eight_clients()
    random.Random(7).shuffle(records)
    shuffled = score_book(make_book(records), simple_settings(), TODAY)
    original = score_book(make_book(eight_clients()), simple_settings(), TODAY)
    assert [c.model_dump() for c in shuffled.clients] == [c.model_dump() for c in original.clients]


def test_a_register_without_an_aum_column_is_refused() -> None:
    book = make_book(three_clients(), without=("aum",))
    with pytest.raises(UnusableFile) as caught:
        score_book(book, TierSettings(), TODAY)
    assert "资产规模" in caught.value.render("zh")
    assert "no '资产规模 / AUM' column" in caught.value.render("en")


def test_json_is_the_model_dump() -> None:
    result = score_book(eight_book(), simple_settings(), TODAY)
    data = result.model_dump(mode="json")
    assert data["today"] == "2026-11-27"
    assert data["clients"][0]["quadrant"] == "quick_win"
    assert data["summary"]["top"][0]["client_id"] == "10023"
    assert data["settings"]["quadrant_threshold"] == 50
    assert data["weights"]["potential"] == {
        "aum": 1.0, "assets_elsewhere": 0.0, "income": 0.0, "growth": 0.0, "age": 0.0,
        "occupation": 0.0, "education": 0.0, "product_gap": 0.0,
    }  # fmt: skip
    assert data["weights"]["priority"] == {"potential": 0.6, "ease": 0.4}
    assert data["clients"][0]["inputs"]["recency"] == 10
    assert data["clients"][0]["scores"]["aum"] == 85.71
    assert data["unscored"][0] == {
        "row": 10,
        "client_id": None,
        "why": "missing_client_id",
        "message": "第 10 行没有客户号，未评分。请填写客户号",
        "params": {},
    }
    assert data["unscored"][2]["params"] == {"others": "13"}


def test_columns_to_write_follow_the_register_language() -> None:
    zh = tier_columns(score_book(eight_book(), simple_settings(), TODAY))
    assert [(c.header, c.aliases) for c in zh] == [
        ("客户层级", ("Tier",)),
        ("潜力分", ("Potential",)),
        ("易达分", ("Ease",)),
        ("优先级得分", ("Priority score",)),
        ("优先级象限", ("Quadrant",)),
        ("优先排名", ("Rank",)),
        ("优先级说明", ("Reason",)),
    ]
    assert [zh[i].values[2] for i in range(7)] == [
        "A 超高净值", 85.7, 83.3, 84.7, "速赢", 1, "AUM 前25%；10天前联系过"
    ]  # fmt: skip
    assert all(c.values[12] is None for c in zh)  # duplicate ID: blank
    en = tier_columns(score_book(eight_book("en"), simple_settings(), TODAY))
    assert [c.header for c in en][:3] == ["Tier", "Potential", "Ease"]
    assert en[0].aliases == ("客户层级",)
    assert [en[i].values[8] for i in (0, 4, 5)] == ["A UHNW", "Cultivate", 4]


def test_json_matches_the_reviewed_golden_file() -> None:
    """Field names and values of the hand-checked book, as reviewed in tests/golden/."""
    golden = Path(__file__).parent / "golden" / "tier_three_clients.json"
    result = score_book(make_book(three_clients()), TierSettings(), TODAY)
    assert json.loads(result.model_dump_json()) == json.loads(golden.read_text(encoding="utf-8"))


def test_tenure_counts_anniversaries() -> None:
    result = score_book(make_book(three_clients()), TierSettings(), TODAY)
    tenure = {c.client_id: c.inputs["tenure"] for c in result.clients}
    # 2016-11-27 → 10 years today exactly; 2006-01-01 → 20 years and 330/366; 2025-06-01
    # → 1 year and 179/366 (floored to 2 decimals).
    assert tenure == {"1": 10.0, "2": 20.9, "3": 1.48}


def test_json_in_pieces_is_the_same_text() -> None:
    result = score_book(eight_book(), simple_settings(), TODAY)
    whole = result.model_dump_json(indent=2)
    for chunk in (1, 3, 8, 1000):
        assert "".join(result.json_chunks(chunk)) == whole
    empty = score_book(make_book([]), simple_settings(), TODAY)
    assert empty.clients == []
    assert "".join(empty.json_chunks()) == empty.model_dump_json(indent=2)


def test_without_breakdown_only_inputs_and_scores_are_left_out() -> None:
    full = score_book(eight_book(), simple_settings(), TODAY).model_dump()
    lean = score_book(eight_book(), simple_settings(), TODAY, breakdown=False).model_dump()
    assert all(c["inputs"] and c["scores"] for c in full["clients"])
    for client in full["clients"]:
        client["inputs"], client["scores"] = {}, {}
    assert lean == full


# --- the column-at-a-time shortcuts give what the general paths give --------------------


def generated_clients(seed: int, *, all_scorable: bool) -> list[ClientRecord]:
    """Clients with values that exercise every phrase: ties, zeros and -0.0, new money,
    flat and falling assets, and (unless all_scorable) rows that cannot be scored."""
    rng = random.Random(seed)
    amounts = [0.0, -0.0, 5.0, 100.0, 100.0, 250.5, 999.99, 1000.0, 3000.0]
    records = []
    for i in range(300):
        aum = rng.choice(amounts) if rng.random() < 0.3 else round(rng.uniform(0, 5000), 2)
        prev = rng.choice([None, 0.0, -0.0, aum, aum * 1.005, aum * 0.5, rng.uniform(0, 5000)])
        records.append(
            ClientRecord(
                row=i + 2,
                client_id=f"C{rng.randrange(10**5):05d}" if i % 3 else f"K{i}",
                aum=aum,
                aum_prev=prev,
                assets_elsewhere=rng.choice([None, 0.0, -0.0, 12.5, 800.0]),
                income=rng.choice([None, 0.0, 30.0, 120.0]),
                birth_date=rng.choice([None, date(1960, 5, 1), date(1990, 2, 28)]),
                occupation=rng.choice([None, "企业主", "医生", "退休"]),
                products=rng.choice([(), ("基金",), ("基金", "理财", "保险")]),
                last_contact=rng.choice([None, ago(3), ago(40), ago(400), ago(-5)]),
                onboarded_on=rng.choice([None, date(2010, 1, 1), date(2026, 6, 1)]),
                branch_km=rng.choice([None, 0.0, 2.5, 30.0]),
                channel=rng.choice([None, "phone"]),
            )
        )
    ids = [r.client_id for r in records]
    if all_scorable:  # unique IDs, every AUM known
        for i, r in enumerate(records):
            if ids.count(r.client_id) > 1:
                r.client_id = f"U{i}"
    else:
        records[5].client_id = None
        records[6].aum = None
        records[7].aum = -1.0
        records[8].aum = float("nan")
        records[9].client_id = records[10].client_id
    return records


@pytest.mark.parametrize("all_scorable", [True, False])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_shortcuts_give_the_general_result(
    monkeypatch: pytest.MonkeyPatch, all_scorable: bool, lang: str
) -> None:
    from clientbook import tier

    for seed in range(3):
        book = make_book(generated_clients(seed, all_scorable=all_scorable), lang=lang)
        fast = score_book(book, TierSettings(), TODAY).model_dump_json()
        with monkeypatch.context() as patched:
            patched.setattr(tier, "_COLUMN_KEYS", {})
            patched.setattr(tier, "_all_scorable", lambda *args: None)
            patched.setattr(tier, "_one_shape", lambda ids: False)
            general = score_book(book, TierSettings(), TODAY).model_dump_json()
        assert fast == general
        unscored = json.loads(fast)["unscored"]
        assert len(unscored) == 0 if all_scorable else len(unscored) >= 6


def test_growth_a_column_at_a_time_is_growth_one_client_at_a_time() -> None:
    """tier._growth (numpy) gives what tier.growth_of gives for each client: the same
    floats, and None where last year's AUM is unknown, negative or not a number."""
    from clientbook import tier

    rng = random.Random(11)
    specials: list[float | None] = [None, 0.0, -0.0, -1.0, float("nan"), 1e-300, 1e300, 3.0]
    aums, prevs = [], []
    for _ in range(5000):
        aum = rng.choice([0.0, 1e-9, 2.5, 3.0, 1e6, rng.uniform(0, 5000)])
        prev = rng.choice(specials) if rng.random() < 0.4 else rng.uniform(0, 5000)
        aums.append(aum)
        prevs.append(prev)
    records = [
        ClientRecord(row=i + 2, aum=a, aum_prev=p)
        for i, (a, p) in enumerate(zip(aums, prevs, strict=True))
    ]
    clients = tier._Clients(records, aums, [None] * len(records))
    got = tier._growth(clients, tier._Context(TierSettings(), date(2026, 11, 27)))
    want = [tier.growth_of(a, p) for a, p in zip(aums, prevs, strict=True)]
    assert got == want
    assert [type(v) for v in got] == [type(v) for v in want]
    assert None in got and 10.0 in got and 0.0 in got  # every branch taken
