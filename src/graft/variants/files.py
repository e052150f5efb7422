"""Variant metadata from files: a wheel's ``variant.json``, a ``-variants.json`` file, a release.

PEP 825 makes ``{name}-{version}-variants.json`` a cache of the release's wheels'
``variant.json`` files: a find-links directory may lack it, and the metadata is then merged
from one wheel per label. Inconsistent metadata (a label with two property sets,
incompatible namespace priorities) leaves the release without variants, with a warning.
"""

from __future__ import annotations

import os
import zipfile
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name

from graft.errors import VariantError
from graft.model.variants import VariantMetadata, load_variant_metadata, merge
from graft.model.wheelname import InvalidWheelFilename, parse_wheel_filename

if TYPE_CHECKING:
    from collections.abc import Iterable

    from packaging.version import Version


def variants_json_name(name: str, version: Version | str) -> str:
    """``{name}-{version}-variants.json``, both normalized as in wheel filenames."""
    return f"{canonicalize_name(name).replace('-', '_')}-{version}-variants.json"


def metadata_file(path: str) -> VariantMetadata:
    """The variant metadata in the file at *path* (an installed ``variant.json``)."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise VariantError(f"cannot read ({exc.strerror})", where=path) from None
    return load_variant_metadata(data, path)


def wheel_variant_metadata(path: str) -> VariantMetadata | None:
    """The ``*.dist-info/variant.json`` of the wheel at *path*, None when it has none."""
    where = os.path.basename(path)
    try:
        with zipfile.ZipFile(path) as zf:
            names = [
                n
                for n in zf.namelist()
                if n.count("/") == 1 and n.endswith(".dist-info/variant.json")
            ]
            if not names:
                return None
            return load_variant_metadata(zf.read(names[0]), f"{where}/{names[0]}")
    except (zipfile.BadZipFile, OSError) as exc:
        raise VariantError(f"cannot read variant.json ({exc})", where=where) from None


def release_metadata(
    wheels: Iterable[str], variants_json: str | None = None
) -> tuple[VariantMetadata | None, str | None]:
    """The combined variant metadata of one release, and a warning when it had to be dropped.

    *variants_json* is the path of the release's ``-variants.json`` file when there is
    one (it then answers alone); otherwise the metadata is merged from the ``variant.json``
    of one local wheel per label. A schema graft cannot read raises :class:`VariantError`.
    """
    if variants_json is not None:
        with open(variants_json, "rb") as fh:
            return load_variant_metadata(fh.read(), variants_json), None
    seen: dict[str, str] = {}
    for path in sorted(wheels):
        try:
            label = parse_wheel_filename(os.path.basename(path)).variant
        except InvalidWheelFilename:
            continue
        if label is not None:
            seen.setdefault(label, path)
    parts = [m for m in (wheel_variant_metadata(p) for p in seen.values()) if m is not None]
    if not parts:
        return None, None
    try:
        return merge(parts, os.path.dirname(next(iter(seen.values())))), None
    except VariantError as exc:
        return None, f"{exc}; the release's variant wheels are ignored (PEP 825)"


def find_links_releases(directory: str) -> dict[tuple[str, str], tuple[list[str], str | None]]:
    """The releases in a find-links *directory*: wheel paths and ``-variants.json`` path each."""
    out: dict[tuple[str, str], tuple[list[str], str | None]] = {}
    try:
        names = sorted(os.listdir(directory))
    except OSError as exc:
        raise VariantError(f"cannot list ({exc.strerror})", where=directory) from None
    for entry in names:
        if not entry.endswith(".whl"):
            continue
        try:
            parsed = parse_wheel_filename(entry)
        except InvalidWheelFilename:
            continue
        key = (str(parsed.name), str(parsed.version))
        out.setdefault(key, ([], None))[0].append(os.path.join(directory, entry))
    for (name, version), (wheels, _) in list(out.items()):
        path = os.path.join(directory, variants_json_name(name, version))
        out[name, version] = (wheels, path if os.path.isfile(path) else None)
    return out
