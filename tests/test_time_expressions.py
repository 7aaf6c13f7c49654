"""The time-expression resolver on its own: values, granularity, and what it refuses to invent."""

import datetime as dt

import pytest

from casus.data_files import load_yaml
from casus.temporal.expressions import resolve

FRI = dt.date(2025, 9, 5)   # the seed story's publication day, a Friday
SAT = dt.date(2025, 9, 6)
MON = dt.date(2025, 9, 1)


@pytest.mark.parametrize(("expr", "published", "value", "granularity"), [
    ("on Friday", FRI, "2025-09-05", "day"),            # the publication day itself
    ("on Friday", SAT, "2025-09-05", "day"),            # a Saturday paper: the day before
    ("on Thursday", FRI, "2025-09-04", "day"),
    ("on Sunday", MON, "2025-08-31", "day"),
    ("last Friday", FRI, "2025-08-29", "day"),          # "last Friday" in a Friday paper is a week back
    ("Tuesday night", FRI, "2025-09-02", "day"),
    ("in August", FRI, "2025-08", "month"),
    ("in October", FRI, "2024-10", "month"),            # a month still ahead is last year's, in past tense
    ("December", dt.date(2026, 1, 10), "2025-12", "month"),
    ("earlier this week", FRI, "2025-W36", "week"),
    ("last week", FRI, "2025-W35", "week"),
    ("next week", FRI, "2025-W37", "week"),
    ("two weeks ago", FRI, "2025-W34", "week"),
    ("last month", dt.date(2025, 1, 15), "2024-12", "month"),
    ("in recent months", FRI, "2025-03-05/2025-09-05", "range"),
    ("the past three years", FRI, "2022-09-05/2025-09-05", "range"),
    ("the 1994", FRI, "1994", "year"),
    ("in 1994", None, "1994", "year"),                  # absolute: needs no publication date
    ("last year", FRI, "2024", "year"),
    ("earlier this year", FRI, "2025", "year"),
    ("the 1990s", FRI, "1990s", "decade"),
    ("mid-2024", FRI, "2024", "year"),
    ("the first quarter", FRI, "2025-Q1", "quarter"),
    ("Q4 2023", None, "2023-Q4", "quarter"),
    ("last summer", FRI, "2024-06-01/2024-08-31", "season"),
    ("yesterday", FRI, "2025-09-04", "day"),
    ("5 September 2025", None, "2025-09-05", "day"),
    ("Sept. 4", FRI, "2025-09-04", "day"),
    ("Sept. 4, 2024", None, "2024-09-04", "day"),
    ("March 3rd, 2024", None, "2024-03-03", "day"),
    ("the 3rd of March 2024", None, "2024-03-03", "day"),
    ("Friday, Sept. 5", FRI, "2025-09-05", "day"),
    ("2024-03-03", None, "2024-03-03", "day"),
    ("between 2014 and 2022", None, "2014-01-01/2022-12-31", "range"),
    ("2014-2022", None, "2014-01-01/2022-12-31", "range"),
    ("three years ago", FRI, "2022", "year"),
])
def test_resolves_value_and_granularity(expr, published, value, granularity):
    out = resolve(expr, published)
    assert out is not None, expr
    assert (out["value"], out["granularity"]) == (value, granularity)
    assert out["earliest"] <= out["latest"]


def test_earlier_this_week_is_bounded_by_the_publication_day():
    out = resolve("earlier this week", FRI)
    assert (out["earliest"], out["latest"]) == ("2025-09-01", "2025-09-04")


def test_future_clauses_look_forward():
    assert resolve("on Monday", FRI, future=True)["value"] == "2025-09-08"
    assert resolve("in October", FRI, future=True)["value"] == "2025-10"
    assert resolve("on Monday", FRI)["value"] == "2025-09-01"


@pytest.mark.parametrize("expr", ["on Friday", "in August", "earlier this week", "last year", "Sept. 4",
                                  "in recent months", "two weeks ago"])
def test_relative_expressions_without_a_publication_date_stay_unresolved(expr):
    out = resolve(expr, None)
    assert out is not None and out["value"] is None and out["earliest"] is None
    assert "publication date" in out["unresolved"]


@pytest.mark.parametrize("expr", ["for three years", "decades", "the same day", "years", "a long time"])
def test_durations_and_vague_words_are_not_dates(expr):
    assert resolve(expr, FRI) is None


def test_dateparser_handles_the_long_tail():
    out = resolve("Sept 5th, 2025 at 10am", None)
    assert out is not None and out["value"] == "2025-09-05"


def test_conventions_file():
    data = load_yaml("temporal.yaml")
    assert set(data["vague"]["recent"]) == {"days", "weeks", "months", "years"}
    assert all(1 <= a <= 12 and 1 <= b <= 12 for a, b in data["seasons"].values())


def test_no_fragment_of_real_text_makes_the_resolver_raise():
    from tests.conftest import SEED

    words = SEED.read_text(encoding="utf-8").split()[:250] + ["Feb.", "30,", "2024", "Q5", "the", "1990s", "May"]
    for n in range(1, 5):
        for i in range(len(words) - n):
            expr = " ".join(words[i : i + n])
            for published in (FRI, None):
                out = resolve(expr, published)
                assert out is None or set(out) >= {"value", "granularity", "earliest", "latest"}


def test_an_unparseable_publication_date_counts_as_none():
    from casus.temporal import published_date

    assert published_date({"published": "last Tuesday-ish"}) is None
    assert published_date({"published": "2025-09-05T10:00:00Z"}) == FRI
