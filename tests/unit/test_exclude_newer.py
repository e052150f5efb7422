"""``--exclude-newer``: dates, timestamps and spans before now, as uv 0.13.9 reads them."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graft.errors import UsageError
from graft.resolve.exclude_newer import cutoff, is_span

NOW = dt.datetime(2026, 12, 5, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("text", "back"),
    [("7 days", dt.timedelta(days=7)), ("1 week", dt.timedelta(weeks=1)),
     ("24 hours", dt.timedelta(hours=24)), ("1w 2d", dt.timedelta(days=9)),
     ("1 week, 2 days", dt.timedelta(days=9)), ("90m", dt.timedelta(minutes=90)),
     ("1h30m", dt.timedelta(minutes=90)), ("30 Seconds", dt.timedelta(seconds=30)),
     ("P7D", dt.timedelta(days=7)), ("PT24H", dt.timedelta(hours=24)),
     ("P1W", dt.timedelta(weeks=1)), ("P1DT12H", dt.timedelta(hours=36)),
     ("pt90m", dt.timedelta(minutes=90))],
)  # fmt: skip
def test_a_span_is_counted_back_from_now(text: str, back: dt.timedelta) -> None:
    """Each was refused as "not a date or timestamp" (decision 327); uv takes them all."""
    assert cutoff(text, NOW) == NOW - back
    assert is_span(text)


@pytest.mark.parametrize(
    ("text", "when"),
    [("2026-01-01", dt.datetime(2026, 1, 1, 23, 59, 59, 999999, tzinfo=dt.UTC)),
     ("2026-01-01T12:00:00Z", dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)),
     ("2026-01-01T12:00:00", dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)),
     ("2026-01-01T12:00:00+02:00", dt.datetime(2026, 1, 1, 10, tzinfo=dt.UTC))],
)  # fmt: skip
def test_a_date_or_a_timestamp_is_as_before(text: str, when: dt.datetime) -> None:
    assert cutoff(text, NOW) == when
    assert not is_span(text)
    assert cutoff(None, NOW) is None


@pytest.mark.parametrize("text", ["6 months", "1 year", "P1Y", "P2M"])
def test_calendar_units_are_refused_as_uv_refuses_them(text: str) -> None:
    with pytest.raises(UsageError, match="--exclude-newer") as raised:
        cutoff(text, NOW)
    assert "months" in raised.value.what or "not a date" in raised.value.what
    assert not is_span(text)


@pytest.mark.parametrize("text", ["soon", "P", "PT", "3", "7 fortnights", "days 7", ""])
def test_anything_else_is_one_usage_error(text: str) -> None:
    with pytest.raises(UsageError, match="is not a date, a timestamp or a span of time"):
        cutoff(text, NOW)


@given(st.integers(min_value=0, max_value=10_000), st.sampled_from(["d", "day", "days", "D"]))
def test_friendly_and_iso_spans_agree(days: int, unit: str) -> None:
    friendly = cutoff(f"{days} {unit}", NOW)
    assert friendly == cutoff(f"P{days}D", NOW) == cutoff(f"{days * 24}h", NOW)
    assert friendly == NOW - dt.timedelta(days=days)
