"""The variant chooser for a request, and what it reads: each release's variant metadata files.

:func:`chooser_for` makes a request's :class:`~graft.resolve.variants.VariantChooser` from
its variant flags, with the two reads it is handed: a release's listed ``-variants.json``
(a local file, or an HTTP(S) URL kept in ``<cache>/variants/`` when the index announced its
sha256) and a remote wheel's ``variant.json`` by HTTP range reads (kept there by the
wheel's sha256). Nothing is read until a release with variant wheels shows up; hashlib,
the HTTP client and the range reader are imported only for a remote file.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from graft.resolve.artifacts import parse_wheel
from graft.resolve.variants import VariantChooser, VariantOptions

if TYPE_CHECKING:
    from graft.model.request import ResolveRequest
    from graft.model.variants import ProviderPlugins
    from graft.resolve.artifacts import ArtifactFile


def read_listed(file: ArtifactFile, cache_dir: str, *, offline: bool = False) -> bytes:
    """The bytes of a listed ``-variants.json``: a local file, or an HTTP(S) URL.

    A remote file whose sha256 the index announced is kept in ``<cache>/variants/`` and
    read from there again (also ``--offline``).
    """
    from graft.errors import SourceError  # noqa: PLC0415

    if not file.url.startswith(("http://", "https://")):
        try:
            with open(file.url.removeprefix("file://"), "rb") as fh:
                return fh.read()
        except OSError as exc:
            raise SourceError(f"cannot read ({exc.strerror})", where=file.url) from None
    import hashlib  # noqa: PLC0415

    kept = os.path.join(cache_dir, "variants", f"{file.sha256}.json") if file.sha256 else None
    if kept is not None:
        try:
            with open(kept, "rb") as fh:
                data = fh.read()
            if hashlib.sha256(data).hexdigest() == file.sha256:
                return data
        except OSError:
            pass
    if offline:
        raise SourceError(
            "not in the cache and --offline was given", where=file.url, hint="run once online"
        )
    from graft._atomic import remember  # noqa: PLC0415
    from graft.sources.http import http_get  # noqa: PLC0415

    got = http_get(file.url)
    if got is None:
        raise SourceError("the index lists it but answers 404", where=file.url)
    if file.sha256 is not None and hashlib.sha256(got.body).hexdigest() != file.sha256:
        raise SourceError("it does not match the sha256 the index announced", where=file.url)
    if kept is not None:
        remember(kept, got.body)
    return got.body


def read_wheel_variant_json(file: ArtifactFile, cache_dir: str, *, offline: bool = False) -> bytes:
    """The ``*.dist-info/variant.json`` of a remote wheel, by HTTP range reads.

    Kept in ``<cache>/variants/wheel-<sha256>.json`` when the index gives the wheel's
    sha256 (the wheel's bytes fix the file's), and read from there again (also
    ``--offline``).
    """
    from graft.errors import SourceError  # noqa: PLC0415

    kept = os.path.join(cache_dir, "variants", f"wheel-{file.sha256}.json") if file.sha256 else None
    if kept is not None:
        try:
            with open(kept, "rb") as fh:
                return fh.read()
        except OSError:
            pass
    if offline:
        raise SourceError(
            "its variant.json is not in the cache and --offline was given", where=file.url
        )
    from graft._atomic import remember  # noqa: PLC0415
    from graft.sources.lazywheel import read_metadata  # noqa: PLC0415

    parsed = parse_wheel(file.filename)
    project = str(parsed.name) if parsed is not None else None
    data = read_metadata(file.url, project, leaf="variant.json").metadata
    if kept is not None:
        remember(kept, data)
    return data


def chooser_for(
    request: ResolveRequest,
    cache_dir: str,
    plugins: ProviderPlugins | None = None,
    *,
    inclusive: bool = False,
) -> VariantChooser:
    """The variant chooser for *request* (nothing is detected or read until a variant shows).

    *plugins* runs the provider plugins the user allowed (None: none is run). *inclusive*
    (``graft lock``): variant markers see every property a label declares.
    """
    options = VariantOptions(
        properties=request.variant_properties,
        config=request.variants_config,
        providers=request.variant_providers,
        detect=request.variant_detect,
        enabled=not request.no_variants,
    )
    offline = request.offline
    chooser = VariantChooser(
        options,
        lambda f: read_listed(f, cache_dir, offline=offline),
        plugins,
        lambda f: read_wheel_variant_json(f, cache_dir, offline=offline),
    )
    chooser.inclusive = inclusive
    return chooser
