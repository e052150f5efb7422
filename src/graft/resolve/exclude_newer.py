"""``--exclude-newer``: a date, a timestamp, or a span of time before now, as uv reads them.

A date (``2026-11-30``) means the end of that day, UTC (files uploaded on it count); an RFC
3339 timestamp is that instant (UTC where it names no offset). As uv 0.13.9 takes them, a
*friendly* span (``24 hours``, ``1 week``, ``30 days``, ``1w 2d``, ``90m``) or an ISO 8601
duration (``P7D``, ``PT24H``, ``P1W``) means that long before the command runs, a day
being 24 hours; calendar units (months, years) are refused, as uv refuses them
(decision 327). A span's cutoff moves with the clock, so nothing is stamped for it
(:func:`is_span`).
"""

from __future__ import annotations

import datetime as dt
import re

from graft.errors import UsageError

#: seconds per unit of a friendly span, by every spelling uv's (jiff's) friendly format takes
_UNITS = {
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), 7 * 86400),
    **dict.fromkeys(("d", "day", "days"), 86400),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), 3600),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), 60),
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), 1),
}
_CALENDAR = ("y", "yr", "yrs", "year", "years", "mo", "mos", "month", "months")
_FRIENDLY = re.compile(r"\s*(\d+)\s*([a-z]+)\s*,?", re.IGNORECASE)
_ISO = re.compile(
    r"P(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+)S)?)?",
    re.IGNORECASE,
)
#: a second's fraction in a timestamp (after the seconds, before any offset)
_FRACTION = re.compile(r"(?<=:\d\d)\.(\d+)")
_HINT = "write 2026-11-30, 2026-11-30T12:00:00Z, or a span before now: 7 days, 24 hours, P7D"


def cutoff(text: str | None, now: dt.datetime) -> dt.datetime | None:
    """The instant after which files are left out (aware), for *now*; None without one."""
    if text is None:
        return None
    span = _span(text)
    if span is not None:
        return now - span
    try:
        if len(text) == len("YYYY-MM-DD"):
            day = dt.date.fromisoformat(text)
            return dt.datetime.combine(day, dt.time.max, tzinfo=dt.timezone.utc)
        when = instant(text)
    except ValueError:
        raise UsageError(
            f"--exclude-newer {text!r} is not a date, a timestamp or a span of time", hint=_HINT
        ) from None
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.timezone.utc)


def instant(text: str) -> dt.datetime:
    """An RFC 3339 timestamp (PEP 700's ``upload-time``, ``--exclude-newer``'s) as a datetime.

    Python 3.10's ``fromisoformat`` reads only what ``isoformat`` writes: no ``Z`` and 3 or 6
    digits of a second's fraction, so PyPI's ``2023-05-22T15:12:42.313790Z`` was unreadable
    there and every file counted as uploaded after any ``--exclude-newer`` (decision 336).
    Both are put in that form first. Raises ``ValueError`` for anything else unreadable.
    """
    text = text.strip()
    if text[-1:] in {"Z", "z"}:
        text = text[:-1] + "+00:00"
    fraction = _FRACTION.search(text)
    if fraction is not None:
        digits = (fraction.group(1) + "000000")[:6]
        text = f"{text[: fraction.start()]}.{digits}{text[fraction.end() :]}"
    return dt.datetime.fromisoformat(text)


def moving(text: str | None, packages: tuple[str, ...] = ()) -> bool:
    """Whether ``--exclude-newer`` or a ``--exclude-newer-package`` value is a span before now.

    Its cutoff moves, so no stamp of the command line may answer for it later (decision 327).
    """
    return is_span(text) or any(is_span(p.partition("=")[2].strip()) for p in packages)


def is_span(text: str | None) -> bool:
    """Whether *text* is a span before now (its cutoff moves with the clock)."""
    try:
        return text is not None and _span(text) is not None
    except UsageError:
        return False


def _span(text: str) -> dt.timedelta | None:
    """The span *text* names, friendly or ISO 8601; None when it names none."""
    stripped = text.strip()
    iso = _ISO.fullmatch(stripped)
    if iso is not None and stripped.upper() not in {"P", "PT"} and not stripped.endswith("T"):
        parts = {k: int(v) for k, v in iso.groupdict().items() if v is not None}
        return dt.timedelta(
            weeks=parts.get("w", 0),
            days=parts.get("d", 0),
            hours=parts.get("h", 0),
            minutes=parts.get("m", 0),
            seconds=parts.get("s", 0),
        )
    pairs, at = [], 0
    while at < len(stripped):
        found = _FRIENDLY.match(stripped, at)
        if found is None or found.end() == at:
            return None
        pairs.append((int(found.group(1)), found.group(2).lower()))
        at = found.end()
    if not pairs:
        return None
    for _, unit in pairs:
        if unit in _CALENDAR:
            raise UsageError(
                f"--exclude-newer {text!r}: months and years are calendar units, whose length"
                " varies (uv refuses them too)",
                hint="give days or weeks: 30 days, 52 weeks",
            )
        if unit not in _UNITS:
            return None
    return dt.timedelta(seconds=sum(count * _UNITS[unit] for count, unit in pairs))


__all__ = ["cutoff", "is_span"]
