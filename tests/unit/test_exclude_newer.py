"""``--exclude-newer``: dates, timestamps and spans before now, as uv 0.13.9 reads them."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graft.errors import UsageError
from graft.resolve.exclude_newer import cutoff, instant, is_span

NOW = dt.datetime(2026, 12, 5, 12, 0, tzinfo=dt.timezone.utc)


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
    [("2026-01-01", dt.datetime(2026, 1, 1, 23, 59, 59, 999999, tzinfo=dt.timezone.utc)),
     ("2026-01-01T12:00:00Z", dt.datetime(2026, 1, 1, 12, tzinfo=dt.timezone.utc)),
     ("2026-01-01T12:00:00", dt.datetime(2026, 1, 1, 12, tzinfo=dt.timezone.utc)),
     ("2026-01-01T12:00:00+02:00", dt.datetime(2026, 1, 1, 10, tzinfo=dt.timezone.utc))],
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


#: CPython 3.10, the oldest graft runs on (requires-python), as pyenv installs it here
PY310 = Path("/root/.pyenv/versions/3.10.13/bin/python")
PYPI_TIMES = [
    "2023-05-22T15:12:42.313790Z", "2023-05-22T15:12:42Z", "2023-05-22T15:12:42.3Z",
    "2023-05-22T15:12:42.123456789+01:00", "2023-05-22T15:12:42.31379+00:00",
]  # fmt: skip


@given(
    st.datetimes(min_value=dt.datetime(1970, 1, 1), timezones=st.just(dt.timezone.utc)),  # noqa: DTZ001 - hypothesis takes naive bounds
    st.integers(min_value=0, max_value=9),
    st.sampled_from(["Z", "z", "+00:00"]),
)
def test_an_rfc_3339_timestamp_is_read_whatever_its_fraction_and_zone(
    when: dt.datetime, digits: int, zone: str
) -> None:
    """Decision 336: PyPI's upload times end in ``Z``; a second's fraction may have any
    number of digits (kept to microseconds, as datetime holds them)."""
    fraction = f"{when.microsecond:06d}{'7' * 3}"[:digits]
    text = when.strftime("%Y-%m-%dT%H:%M:%S") + (f".{fraction}" if digits else "") + zone
    kept = int((fraction + "000000")[:6]) if digits else 0
    assert instant(text) == when.replace(microsecond=kept)


@pytest.mark.skipif(not PY310.exists(), reason=f"no CPython 3.10 at {PY310}")
def test_upload_times_and_cutoffs_are_read_on_python_3_10() -> None:
    """Decision 336: on 3.10 (graft's oldest), ``datetime.UTC`` did not exist (an internal
    error for every ``--exclude-newer``) and ``fromisoformat`` read no ``Z``, so every file
    of a PEP 700 page counted as uploaded after the cutoff. The module is standard library
    only: run as 3.10 runs it, it must say what 3.11 says here."""
    code = (
        "import datetime as dt\n"
        "from graft.resolve.exclude_newer import cutoff, instant\n"
        f"for text in {PYPI_TIMES!r}: print(instant(text).isoformat())\n"
        "now = dt.datetime(2026, 12, 5, tzinfo=dt.timezone.utc)\n"
        "for text in ('2024-01-01', '2024-01-01T00:00:00Z', '7 days'):\n"
        "    print(cutoff(text, now).isoformat())\n"
    )
    src = str(Path(__file__).resolve().parents[2] / "src")
    env = {**os.environ, "PYTHONPATH": src}
    run = subprocess.run([PY310, "-c", code], capture_output=True, text=True, env=env, check=False)
    assert run.returncode == 0, run.stderr
    now = dt.datetime(2026, 12, 5, tzinfo=dt.timezone.utc)
    here = [instant(text).isoformat() for text in PYPI_TIMES]
    cutoffs = [cutoff(t, now) for t in ("2024-01-01", "2024-01-01T00:00:00Z", "7 days")]
    here += [when.isoformat() for when in cutoffs if when is not None]
    assert run.stdout.split() == here
