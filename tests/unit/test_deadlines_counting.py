"""Counting periods as the Criminal Procedure Law counts them (art. 105; months as practice counts them):
properties of the arithmetic, and the edges written by hand (month ends, 29 February, holiday weeks, custody)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casebot.deadlines.calendar import Calendar, load_year
from casebot.deadlines.counting import Length, add_days, add_months, holiday_shift, last_day
from casebot.errors import ConfigError

LIB = Calendar.load()
WEEKENDS = Calendar(use_library=False)
days = st.dates(min_value=date(2004, 1, 1), max_value=date(2040, 12, 31))


# -- properties ------------------------------------------------------------------
@given(days, st.integers(0, 400))
def test_a_period_of_days_does_not_count_its_start_day(start, n):
    assert add_days(start, n) - start == timedelta(days=n)


@given(days, st.integers(1, 36))
def test_a_month_reaches_the_same_day_or_the_month_end(start, months):
    end = add_months(start, months)
    assert (end.year * 12 + end.month) - (start.year * 12 + start.month) == months
    if start.day == last_day(start.year, start.month):
        assert end.day == last_day(end.year, end.month), "from a month's last day to the last day"
    else:
        assert end.day == min(start.day, last_day(end.year, end.month))


@given(days, days, st.integers(1, 12))
def test_months_keep_order(a, b, months):
    a, b = min(a, b), max(a, b)
    assert add_months(a, months) <= add_months(b, months)


@given(days, st.booleans())
def test_the_holiday_shift_lands_on_the_first_working_day_unless_in_custody(last, held):
    cal = LIB if last.year <= 2026 else WEEKENDS
    shift = holiday_shift(last, cal, in_custody=held)
    if held:
        assert shift.due == last
        return
    assert shift.due >= last and cal.is_workday(shift.due)
    d = last
    while d < shift.due:
        assert not cal.is_workday(d), "no working day is skipped"
        d += timedelta(days=1)


@given(days, st.integers(0, 3), st.integers(0, 20))
def test_months_then_days(start, months, n):
    if months == n == 0:
        return
    assert Length(months, n).after(start) == add_days(add_months(start, months), n)


# -- month ends and 29 February ---------------------------------------------------------------
@pytest.mark.parametrize(("start", "months", "end"), [
    (date(2026, 1, 31), 1, date(2026, 2, 28)),   # 2 月 31 日不存在：至 2 月最后一日
    (date(2026, 1, 30), 1, date(2026, 2, 28)),
    (date(2026, 1, 28), 1, date(2026, 2, 28)),   # same day
    (date(2026, 2, 28), 1, date(2026, 3, 31)),   # 起算日为月末：至下月最后一日
    (date(2026, 4, 30), 1, date(2026, 5, 31)),
    (date(2026, 3, 30), 1, date(2026, 4, 30)),   # 30 March is not a month end: same day
    (date(2026, 3, 31), 1, date(2026, 4, 30)),
    (date(2026, 11, 30), 2, date(2027, 1, 31)),  # across the year, from a month end
    (date(2026, 12, 15), 1, date(2027, 1, 15)),
    (date(2028, 1, 29), 1, date(2028, 2, 29)),   # leap year: 29 February exists
    (date(2027, 1, 29), 1, date(2027, 2, 28)),   # common year: it does not
    (date(2028, 1, 31), 1, date(2028, 2, 29)),
    (date(2028, 2, 29), 1, date(2028, 3, 31)),   # 29 February is February's last day
    (date(2028, 2, 29), 2, date(2028, 4, 30)),
    (date(2027, 2, 28), 12, date(2028, 2, 29)),  # 28 February 2027 is a month end
    (date(2028, 2, 28), 1, date(2028, 3, 28)),   # 28 February 2028 is not
])
def test_month_edges(start, months, end):
    assert add_months(start, months) == end


def test_seven_days_and_fifteen_days():
    assert Length(days=7).after(date(2026, 11, 20)) == date(2026, 11, 27)
    assert Length(months=1, days=15).after(date(2026, 1, 31)) == date(2026, 3, 15)


# -- holidays (pins: each fails when its rule is removed) ---------------------------------
def test_a_period_ending_in_the_national_day_week_ends_on_the_first_working_day_after_it():
    shift = holiday_shift(date(2026, 10, 1), LIB, in_custody=False)
    assert shift.due == date(2026, 10, 8) and shift.moved and shift.verified


def test_a_period_ending_in_the_spring_festival_ends_after_it():
    assert holiday_shift(date(2026, 2, 16), LIB, in_custody=False).due == date(2026, 2, 24)


def test_a_swapped_working_saturday_is_a_working_day():
    # 10 October 2026 is a Saturday worked in exchange for the National Day week (调休上班)
    assert holiday_shift(date(2026, 10, 10), LIB, in_custody=False).due == date(2026, 10, 10)
    assert holiday_shift(date(2026, 10, 10), WEEKENDS, in_custody=False).due == date(2026, 10, 12)


def test_a_period_ending_on_a_weekend_ends_on_monday():
    assert holiday_shift(date(2026, 11, 21), LIB, in_custody=False).due == date(2026, 11, 23)


def test_in_custody_a_period_ending_on_a_holiday_is_not_extended():
    shift = holiday_shift(date(2026, 10, 1), LIB, in_custody=True)
    assert shift.due == date(2026, 10, 1) and shift.custody_kept and not shift.moved
    assert holiday_shift(date(2026, 11, 21), LIB, in_custody=True).due == date(2026, 11, 21)


# -- years no installed calendar covers ------------------------------------------------------------
def test_a_year_the_library_does_not_know_counts_weekends_only_and_is_unverified():
    shift = holiday_shift(date(2040, 10, 1), LIB, in_custody=False)  # a Monday: weekends only
    assert shift.due == date(2040, 10, 1) and not shift.verified
    assert holiday_shift(date(2040, 9, 29), LIB, in_custody=False).due == date(2040, 10, 1)
    assert "未核实" in LIB.source(2040)


def test_a_site_adds_a_years_schedule_as_a_data_file(tmp_path: Path):
    f = tmp_path / "2040.yaml"
    f.write_text("year: 2040\nsource: 国务院办公厅关于2040年部分节假日安排的通知\n"
                 "holidays: [2040-10-01, 2040-10-02, 2040-10-03, 2040-10-04, 2040-10-05]\n"
                 "workdays: [2040-09-29]\n", encoding="utf-8")
    cal = Calendar.load([f])
    shift = holiday_shift(date(2040, 10, 1), cal, in_custody=False)
    assert shift.due == date(2040, 10, 8) and shift.verified  # 6-7 October are a weekend
    assert cal.is_workday(date(2040, 9, 29)), "a swapped Saturday from the file"
    assert "2040" in cal.source(2040) and "通知" in cal.source(2040)


def test_a_broken_year_file_is_a_config_error_naming_it(tmp_path: Path):
    f = tmp_path / "bad.yaml"
    f.write_text("year: 2040\nholidays: [2041-01-01]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad.yaml.*2041-01-01"):
        load_year(f)
    f.write_text("year: 2040\nholidays: [2040-01-01]\nworkdays: [2040-01-01]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="both"):
        load_year(f)


# -- the rule table --------------------------------------------------------------------------------
def test_the_shipped_rules_name_their_articles_and_lengths():
    from casebot.deadlines.rules import shipped

    rules = shipped()
    assert rules.version == "2026.1"
    got = {r.id: (r.article, r.length, r.limit) for r in rules.rules}
    assert got == {
        "arrest_review": ("刑事诉讼法第九十一条第三款", Length(days=7), None),
        "investigation_custody": ("刑事诉讼法第一百五十六条", Length(months=2), None),
        "prosecution_review": ("刑事诉讼法第一百七十二条第一款", Length(months=1), None),
        "supplementary_investigation": ("刑事诉讼法第一百七十五条第三款", Length(months=1), None),
        "first_instance": ("刑事诉讼法第二百零八条第一款", Length(months=2), Length(months=3)),
    }
    assert [e.article for e in rules["investigation_custody"].extensions] == [
        "刑事诉讼法第一百五十六条", "刑事诉讼法第一百五十八条", "刑事诉讼法第一百五十九条"]
    assert rules["supplementary_investigation"].max_times == 2
    assert rules["prosecution_review"].fast_track.length == Length(days=10)


def test_a_wrong_rule_table_is_refused_naming_the_rule():
    from casebot.deadlines.rules import parse

    rule = {"id": "x", "name": "x", "article": "a", "unit": "court", "scope": "case",
            "start": {"event": "acceptance"}, "ends": {"event": "judgment"}, "length": {"weeks": 2}}
    with pytest.raises(ValueError, match="rule x: length"):
        parse({"schema": "casebot.deadline-rules/1", "version": "t", "rules": [rule]})
    with pytest.raises(ValueError, match=r"rule x: start.event"):
        parse({"schema": "casebot.deadline-rules/1", "version": "t",
               "rules": [{**rule, "length": {"days": 1}, "start": {"event": "lunch"}}]})


def test_fast_track_counts_ten_days_at_most_fifteen():
    from casebot.deadlines.compute import period
    from casebot.deadlines.rules import shipped

    d = period(shipped()["prosecution_review"], date(2026, 11, 20), cal=LIB, in_custody=False,
               today=date(2026, 11, 25), fast_track=True)
    assert (d.last_day, d.due, d.limit, d.state, d.possible) == (
        date(2026, 11, 30), date(2026, 11, 30), date(2026, 12, 7), "running", [])  # 5 Dec is a Saturday
