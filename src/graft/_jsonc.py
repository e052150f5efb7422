"""JSON read and written without importing :mod:`json`, for the paths that build a new venv.

``import json`` brings ``re`` (whose import makes ``enum`` classes) and compiles json's
regular expressions: on CPython 3.11 ~4 ms of a new venv's ~60 ms (decision 190), for a flat
form, a GC root and an inputs digest. CPython's accelerator module ``_json``, which
:mod:`json` itself runs on, parses and writes the same JSON without them: :func:`loads` is
``json.loads`` of a ``str`` and :func:`dumps` is ``json.dumps`` with its defaults (the same
bytes, which the inputs digest depends on). Where ``_json`` is missing or differs (another
interpreter), :mod:`json` is used.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

_SPACE = " \t\n\r"  # JSON's whitespace (json.decoder.WHITESPACE)
_NON_FINITE = {"-Infinity": float("-inf"), "Infinity": float("inf"), "NaN": float("nan")}
_made: dict[str, Any] = {}


class _Context:
    """What ``_json.make_scanner`` reads of a ``json.JSONDecoder()``: its defaults."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = _NON_FINITE.__getitem__


def _scanner() -> Callable[[str, int], tuple[Any, int]] | None:
    if "scan" not in _made:
        try:
            from _json import make_scanner  # noqa: PLC0415

            _made["scan"] = make_scanner(_Context())  # type: ignore[arg-type]  # (duck-typed)
        except (ImportError, TypeError, AttributeError):  # (not CPython's: json it is)
            _made["scan"] = None
    scan: Callable[[str, int], tuple[Any, int]] | None = _made["scan"]
    return scan


def _encoder(
    sort_keys: bool, default: Callable[[object], object] | None
) -> Callable[[object, int], Any] | None:
    key = f"encode {sort_keys} {id(default)}"
    if key not in _made:
        try:
            from _json import encode_basestring_ascii, make_encoder  # noqa: PLC0415

            _made[key] = make_encoder(
                {},
                default or _unserializable,
                encode_basestring_ascii,
                None,
                ": ",
                ", ",
                sort_keys,
                False,
                True,
            )
        except (ImportError, TypeError, AttributeError):
            _made[key] = None
    encode: Callable[[object, int], Any] | None = _made[key]
    return encode


def _unserializable(value: object) -> object:
    message = f"Object of type {value.__class__.__name__} is not JSON serializable"
    raise TypeError(message)


def loads(text: str) -> Any:
    """``json.loads(text)``; what is not JSON is json's own ``JSONDecodeError`` (a ValueError).

    Text the accelerator does not read whole goes to :mod:`json` itself, which says why: the
    accelerator raises json's errors only once ``json.decoder`` is imported (CPython 3.11
    otherwise gives a ``SystemError``).
    """
    scan = _scanner()
    if scan is not None:
        start = len(text) - len(text.lstrip(_SPACE))
        try:
            value, end = scan(text, start)
        except (StopIteration, ValueError, SystemError):
            pass
        else:
            if not text[end:].strip(_SPACE):
                return value
    import json  # noqa: PLC0415

    return json.loads(text)


def dumps(
    value: object,
    *,
    sort_keys: bool = False,
    default: Callable[[object], object] | None = None,
) -> str:
    """``json.dumps(value, sort_keys=..., default=...)``, byte for byte.

    ASCII, ``", "`` and ``": "``; *default* a function the process keeps (``repr``, say): an
    encoder is made once per (*sort_keys*, *default*).
    """
    encode = _encoder(sort_keys, default)
    if encode is None:
        import json  # noqa: PLC0415

        return json.dumps(value, sort_keys=sort_keys, default=default)
    return "".join(encode(value, 0))


__all__ = ["dumps", "loads"]
