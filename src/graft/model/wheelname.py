"""Wheel filenames with an optional variant label (PEP 825), parsed by one helper.

PEP 825 appends a *variant label* after the platform tag::

    {distribution}-{version}(-{build tag})?-{python tag}-{abi tag}-{platform tag}(-{label})?.whl

A label is ``[0-9a-z_.]+`` (no length limit; ``null`` names the variant without
properties). Python tags never start with a digit and build tags always do, so six parts
are told apart by the third: a digit makes it a build tag (no label), anything else a
python tag followed by a label. Seven parts are a build tag and a label.

Everything but the label is parsed by :func:`packaging.utils.parse_wheel_filename`, which
rejects variant filenames ("Invalid build number"); it is never reimplemented here.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple

from packaging.utils import InvalidWheelFilename
from packaging.utils import parse_wheel_filename as _packaging_parse

if TYPE_CHECKING:
    from packaging.tags import Tag
    from packaging.utils import BuildTag, NormalizedName
    from packaging.version import Version

__all__ = [
    "NULL_LABEL",
    "InvalidWheelFilename",
    "WheelFilename",
    "is_variant_label",
    "parse_wheel_filename",
    "split_variant_label",
]

#: The label of the null variant: a variant wheel with no properties.
NULL_LABEL = "null"
_LABEL = re.compile(r"[0-9a-z_.]+")
_PLAIN_PARTS, _BUILD_OR_LABEL_PARTS, _BUILD_AND_LABEL_PARTS = 5, 6, 7


class WheelFilename(NamedTuple):
    """The parts of a wheel filename; ``variant`` is the label, None for a non-variant wheel."""

    name: NormalizedName
    version: Version
    build: BuildTag
    tags: frozenset[Tag]
    variant: str | None


def is_variant_label(text: str) -> bool:
    """Whether *text* is a valid variant label (PEP 825: ``[0-9a-z_.]+``)."""
    return _LABEL.fullmatch(text) is not None


def split_variant_label(filename: str) -> tuple[str, str | None]:
    """*filename* without its variant label, and the label (None when there is none).

    Only the shape is judged here; :func:`parse_wheel_filename` validates the rest.
    Raises :class:`InvalidWheelFilename` for a label that breaks PEP 825's rules.
    """
    if not filename.endswith(".whl"):
        return filename, None
    parts = filename[:-4].split("-")
    has_label = len(parts) == _BUILD_AND_LABEL_PARTS or (
        len(parts) == _BUILD_OR_LABEL_PARTS and not parts[2][:1].isdigit()
    )
    if not has_label:
        return filename, None
    label = parts[-1]
    if not is_variant_label(label):
        msg = f"Invalid variant label: {label!r} (PEP 825: lowercase letters, digits, _ and .)"
        raise InvalidWheelFilename(msg)
    return "-".join(parts[:-1]) + ".whl", label


def parse_wheel_filename(filename: str) -> WheelFilename:
    """Name, version, build tag, tags and variant label of a wheel filename.

    Raises :class:`InvalidWheelFilename` (packaging's) for anything that is not a wheel
    filename under PEP 427 and PEP 825.
    """
    base, label = split_variant_label(filename)
    name, version, build, tags = _packaging_parse(base)
    return WheelFilename(name, version, build, tags, label)
