"""The numbers of DOMAIN.md "Community" and policy-rules.md section 9, one test each,
and hypothesis properties of the arithmetic."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civil_affairs.rules import age_on
from community import rules

D = dt.date


# ---------------------------------------------------------------- turnout and winners


def box(**kw):
    base = dict(name="一号票箱", registered=100, issued=60, returned=60, valid=58, invalid=2, votes={})
    base.update(kw)
    return rules.BoxCount(**base)


def test_turnout_exactly_half_is_not_valid():
    outcome = rules.election_outcome(
        registered=100, boxes=[box(issued=50, returned=50, valid=50, invalid=0, votes={"甲": 50})], seats=3
    )
    assert outcome.voted == 50
    assert outcome.valid is False
    assert outcome.runoff_required
    assert outcome.elected == ()


def test_turnout_half_plus_one_is_valid():
    outcome = rules.election_outcome(
        registered=100, boxes=[box(issued=51, returned=51, valid=51, invalid=0, votes={"甲": 51})], seats=3
    )
    assert outcome.valid is True
    assert outcome.turnout == rules.percent(51, 100) == rules.Decimal("51.00")
    assert outcome.elected == ("甲",)


def test_winner_with_exactly_half_of_votes_cast_is_not_elected():
    # 60 voted: 30 is exactly half (not elected), 31 is more than half (elected)
    outcome = rules.election_outcome(
        registered=100, boxes=[box(votes={"甲": 31, "乙": 30, "丙": 29, "丁": 20})], seats=3
    )
    assert outcome.valid
    assert outcome.elected == ("甲",)
    assert outcome.seats_unfilled == 2
    assert "乙" in outcome.runoff and "丙" in outcome.runoff
    assert outcome.runoff_required


def test_votes_cast_counts_invalid_ballots_too():
    # 60 ballots returned, 2 invalid: 30 of 58 valid is over half of valid but not of the 60 cast
    outcome = rules.election_outcome(registered=100, boxes=[box(votes={"甲": 30})], seats=3)
    assert outcome.elected == ()


def test_more_over_half_than_seats_takes_the_most_votes_and_a_tie_goes_to_runoff():
    outcome = rules.election_outcome(
        registered=10,
        boxes=[
            box(registered=10, issued=10, returned=10, valid=10, invalid=0, votes={"甲": 9, "乙": 8, "丙": 8, "丁": 7})
        ],
        seats=3,
    )
    # every seat could be filled by over-half candidates: 甲 and the tie 乙/丙 fit 3 seats exactly
    assert set(outcome.elected) == {"甲", "乙", "丙"}
    tied = rules.election_outcome(
        registered=10,
        boxes=[
            box(registered=10, issued=10, returned=10, valid=10, invalid=0, votes={"甲": 9, "乙": 8, "丙": 7, "丁": 7})
        ],
        seats=3,
    )
    assert tied.elected == ("甲", "乙")
    assert set(tied.runoff) >= {"丙", "丁"}


# ---------------------------------------------------------------- ballot boxes add up


def test_box_that_does_not_add_up_is_refused_with_its_numbers():
    problems = rules.box_problems(box(valid=50, invalid=2, returned=60), seats=3)
    assert problems == ["一号票箱：有效票 50 + 无效票 2 = 52，与收回选票 60 不符。"]


def test_box_more_returned_than_issued_and_issued_than_registered():
    problems = rules.box_problems(box(registered=50, issued=55, returned=56, valid=56, invalid=0), seats=3)
    assert "一号票箱：收回选票 56 多于发出选票 55。" in problems
    assert "一号票箱：发出选票 55 多于该票箱登记选民 50。" in problems


def test_candidate_votes_bounded_by_valid_ballots_and_seats():
    problems = rules.box_problems(box(valid=58, votes={"甲": 59, "乙": 58, "丙": 58}), seats=3)
    assert "一号票箱：甲 得票 59 多于有效票 58。" in problems
    assert "一号票箱：候选人得票合计 175 多于有效票 58 × 应选 3 名 = 174。" in problems


def test_boxes_registered_must_equal_roll():
    problems = rules.boxes_problems(
        [box(registered=40, issued=40, returned=40, valid=40, invalid=0)], seats=3, roll_size=41
    )
    assert problems == ["各票箱登记选民合计 40，与选民名单人数 41 不符。"]


# ---------------------------------------------------------------- voters and dates


def test_voter_turning_18_the_day_after_election_is_not_on_the_roll():
    day = D(2026, 5, 10)
    assert rules.is_voting_age(D(2008, 5, 10), day)  # 18 on the day
    assert not rules.is_voting_age(D(2008, 5, 11), day)  # 18 the day after


def test_born_29_february():
    assert not rules.is_voting_age(D(2008, 2, 29), D(2026, 2, 28))
    assert rules.is_voting_age(D(2008, 2, 29), D(2026, 3, 1))


def test_publication_20_days_at_its_edge():
    published = D(2026, 4, 1)
    assert rules.publication_problem(published, D(2026, 4, 21)) is None  # exactly 20 days
    problem = rules.publication_problem(published, D(2026, 4, 20))  # 19 days
    assert problem and "2026-04-21" in problem and "19" in problem
    assert rules.earliest_election_day(published) == D(2026, 4, 21)


def test_handover_within_10_days():
    announced = D(2026, 5, 12)
    assert rules.handover_due(announced) == D(2026, 5, 22)
    assert not rules.handover_late(announced, D(2026, 5, 22))
    assert rules.handover_late(announced, D(2026, 5, 23))


def test_term_of_5_years():
    assert rules.term_end(D(2021, 5, 20)) == D(2026, 5, 20)


def test_two_full_years_counted_to_the_day():
    assert rules.full_years(D(2024, 3, 1), D(2026, 2, 28)) == 1
    assert rules.full_years(D(2024, 3, 1), D(2026, 3, 1)) == 2
    assert rules.full_years(D(2024, 2, 29), D(2026, 2, 27)) == 1
    assert rules.full_years(D(2024, 2, 29), D(2026, 2, 28)) == 2


def test_annual_report_due_31_march_and_objection_15_days_and_validity():
    assert rules.annual_report_due(2025) == D(2026, 3, 31)
    assert rules.objection_answer_due(D(2026, 6, 1)) == D(2026, 6, 16)
    assert rules.rating_valid_until(D(2026, 6, 1)) == D(2031, 5, 31)


# ---------------------------------------------------------------- grades


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        (1000, "5A"),
        (951, "5A"),
        (950, "4A"),
        (901, "4A"),
        (900, "3A"),
        (851, "3A"),
        (850, "2A"),
        (801, "2A"),
        (800, "1A"),
        (751, "1A"),
        (750, ""),
        (0, ""),
    ],
)
def test_score_bands(score, grade):
    assert rules.grade_for_score(score) == grade


def test_dated_bands_are_parameters():
    stricter = {**rules.DEFAULT_BANDS, "5A": 961}
    assert rules.grade_for_score(955, stricter) == "4A"
    assert rules.bands_problem(stricter) is None
    assert rules.bands_problem({**rules.DEFAULT_BANDS, "4A": 960}) is not None


def test_score_out_of_range_is_refused():
    with pytest.raises(ValueError, match="0 至 1000"):
        rules.grade_for_score(1001)


# ---------------------------------------------------------------- rating eligibility


def org(**kw):
    base = dict(registered_on=D(2020, 1, 1), inspection_results={2024: "pass", 2025: "pass"})
    base.update(kw)
    return rules.OrgRecord(**base)


def test_eligible_organisation():
    assert rules.rating_refusals(org(), D(2026, 6, 1)) == []


def test_two_full_years_registered_for_rating():
    young = org(registered_on=D(2024, 6, 2), inspection_results={2025: "pass"})
    refusals = rules.rating_refusals(young, D(2026, 6, 1))
    assert any("满 2 周年" in r and "2026-06-02" in r for r in refusals)
    assert rules.rating_refusals(young, D(2026, 6, 2)) == []


def test_failed_inspection_last_year():
    assert rules.rating_refusals(org(inspection_results={2024: "pass", 2025: "fail"}), D(2026, 6, 1)) == [
        "2025 年度检查不合格。"
    ]


def test_basic_two_years_running():
    assert rules.rating_refusals(org(inspection_results={2024: "basic", 2025: "basic"}), D(2026, 6, 1)) == [
        "连续两年（2024、2025 年度）年检基本合格。"
    ]
    assert rules.rating_refusals(org(inspection_results={2024: "pass", 2025: "basic"}), D(2026, 6, 1)) == []


def test_penalty_lists_and_missing_report():
    refusals = rules.rating_refusals(
        org(inspection_results={2024: "pass"}, penalised_last_year=True, abnormal_listed=True, violation_listed=True),
        D(2026, 6, 1),
    )
    assert "未参加 2025 年度检查（年报）。" in refusals
    assert "上一年度受到行政处罚。" in refusals
    assert "已列入活动异常名录。" in refusals
    assert "已列入严重违法失信名单。" in refusals


def test_grade_in_force_blocks_a_new_application():
    assert rules.rating_refusals(org(current_grade_until=D(2026, 6, 1)), D(2026, 6, 1))
    assert rules.rating_refusals(org(current_grade_until=D(2026, 5, 31)), D(2026, 6, 1)) == []


def test_execution_rate():
    assert rules.execution_rate(189, 200) == rules.Decimal("94.50")
    assert rules.execution_rate(0, 0) is None


# ---------------------------------------------------------------- properties

dates = st.dates(min_value=D(1930, 1, 1), max_value=D(2090, 12, 31))


@given(birth=dates, day=dates)
def test_voting_age_agrees_with_age_on(birth, day):
    assert rules.is_voting_age(birth, day) == (age_on(birth, day) >= 18)


@given(start=dates, on=dates)
def test_full_years_is_the_largest_anniversary_not_after(start, on):
    n = rules.full_years(start, on)
    if on < start:
        assert n == 0
    else:
        assert rules.add_years(start, n) <= on
        assert rules.add_years(start, n + 1) > on


@given(registered=st.integers(1, 10_000), data=st.data())
def test_validity_is_strictly_more_than_half(registered, data):
    voted = data.draw(st.integers(0, registered))
    outcome = rules.election_outcome(
        registered=registered,
        boxes=[rules.BoxCount("箱", registered, voted, voted, voted, 0, {})],
        seats=3,
    )
    assert outcome.valid == (voted * 2 > registered)
    assert outcome.valid == (voted > registered / 2)


@given(
    votes=st.lists(st.integers(0, 500), min_size=4, max_size=9),
    invalid=st.integers(0, 50),
    seats=st.integers(3, 7),
)
def test_elected_always_over_half_and_never_more_than_seats(votes, invalid, seats):
    valid = max(votes) if votes else 0
    cast = valid + invalid
    named = {f"候选{i}": min(v, valid) for i, v in enumerate(votes)}
    outcome = rules.election_outcome(
        registered=cast, boxes=[rules.BoxCount("箱", cast, cast, cast, valid, invalid, named)], seats=seats
    )
    assert outcome.valid == (cast > 0)
    assert len(outcome.elected) <= seats
    for name in outcome.elected:
        assert named[name] * 2 > cast
    assert not set(outcome.elected) & set(outcome.runoff)
    assert outcome.seats_unfilled == (seats - len(outcome.elected) if outcome.valid else seats)


@given(score=st.integers(0, 1000))
def test_grade_is_the_highest_band_reached(score):
    grade = rules.grade_for_score(score)
    if grade:
        assert score >= rules.DEFAULT_BANDS[grade]
        higher = rules.GRADES[: rules.GRADES.index(grade)]
        assert all(score < rules.DEFAULT_BANDS[g] for g in higher)
    else:
        assert score < rules.DEFAULT_BANDS["1A"]


@given(
    registered=st.integers(0, 500),
    issued=st.integers(0, 500),
    returned=st.integers(0, 500),
    valid=st.integers(0, 500),
    invalid=st.integers(0, 500),
)
def test_a_box_passes_only_when_it_adds_up(registered, issued, returned, valid, invalid):
    problems = rules.box_problems(rules.BoxCount("箱", registered, issued, returned, valid, invalid, {}), seats=3)
    adds_up = valid + invalid == returned and returned <= issued <= registered
    assert (problems == []) == adds_up
