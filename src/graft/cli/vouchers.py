"""Vouchers: what lets the change stamp read the step of an sdist (decision 81).

A set pinned with ``==`` may name a release that has only an sdist: the full path reads its
METADATA (static, or from a recorded build or kept hook) and installs the wheel a recorded
build gives, both found in the built-wheel cache by the sdist's sha256, the build inputs
(the environment variables the source is known to read among them) and the target. The pin
record keeps such a step but never lets a resolution recall it
(:func:`graft.resolve.pinned.pinned_resolution`): the record does not vouch for those inputs.

The change stamp does, per sdist: after a full sync, :func:`make` names the wheel the sync
installed for it (its sha256 and its row of ``graft-inputs``' preimage) and fingerprints
everything the lookup reads (:func:`graft.build.recorded.lookup_reads`, and the static
METADATA kept by the sdist's sha256). :func:`vouched` checks them with the standard library:
while none has changed, the full path would read the same METADATA and install the same
wheel for the stamp's target and options (the change stamp's command line has no
``--config-settings``, ``--no-build-isolation`` or ``--reuse-builds``). Anything changed,
missing, or modified too recently to tell (:func:`graft.resolve.fingerprints.racy`) leaves
the set to the full path.
"""

from __future__ import annotations

import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from graft.plan.types import Plan
    from graft.sync_result import SyncResult

Row = dict[str, object]
Rows = list[list[str]]
KEPT = 64  # sdists a stamp keeps vouchers for (their steps may be read again)


def sdist_of(row: Row) -> str | None:
    """The sha256 of the sdist a pin record's step chose; None for a wheel's step."""
    file = row["file"]
    if str(file[0]).endswith(".whl"):  # type: ignore[index]
        return None
    return str(dict(file[2])["sha256"])  # type: ignore[index]


def built(rows: dict[str, Rows]) -> dict[str, tuple[str, str]]:
    """``{sdist sha256: (wheel sha256, its row of the inputs' preimage)}`` of a stamp."""
    return {sdist: (wheel, form_row) for sdist, wheel, form_row in rows.get("built", [])}


def vouched(rows: dict[str, Rows], sdists: set[str]) -> bool:
    """Whether the stamp vouches for every one of *sdists*, and nothing it watched changed."""
    from graft.resolve.fingerprints import unchanged  # noqa: PLC0415

    watched: dict[str, list[tuple[str, str, str | None]]] = {}
    for sdist, kind, path, fingerprint in rows.get("vouch", []):
        watched.setdefault(sdist, []).append((kind, path, fingerprint))
    known = built(rows)
    return all(s in known and watched.get(s) and unchanged(watched[s]) for s in sdists)


def make(result: SyncResult, chosen: dict[str, Row], cache_dir: str) -> Rows | None:
    """``built`` and ``vouch`` rows for the sdists among *chosen*; None if one cannot be.

    *chosen*: the pin record's steps the stamp reads the sync's files to; *result*: the full
    sync that just installed them (its plan names the wheel each sdist gave).
    """
    from graft.build.cache import BuiltWheels  # noqa: PLC0415
    from graft.build.recorded import lookup_reads  # noqa: PLC0415
    from graft.resolve.fingerprints import fingerprint, racy  # noqa: PLC0415
    from graft.resolve.sdist_static import static_path  # noqa: PLC0415

    if result.plan is None or result.inputs_form is None:
        return None
    import json  # noqa: PLC0415 - (the full path's)

    installed = json.loads(result.inputs_form)[1]
    cache = BuiltWheels(cache_dir)
    now = time.time_ns()
    out: Rows = []
    for row in chosen.values():
        sdist = sdist_of(row)
        if sdist is None:
            continue
        form_row = _installed_wheel(result.plan, installed, str(row["name"]), str(row["version"]))
        reads = lookup_reads(cache, sdist)
        if form_row is None or reads is None:
            return None
        reads.append(("content", static_path(cache_dir, sdist)))
        if any(kind != "env" and racy(path, now) for kind, path in reads):
            return None  # (changed a moment ago: a fingerprint might not see the next change)
        out.append(["built", sdist, form_row.partition("|")[0], form_row])
        for kind, path in reads:
            seen = fingerprint(kind, path)
            if seen is None:
                return None
            out.append(["vouch", sdist, kind, path, seen])
    return out


def _installed_wheel(plan: Plan, installed: list[str], name: str, version: str) -> str | None:
    """*name*'s row (``sha256|path|requested``) of the inputs' preimage rows *installed*.

    Found by the sha256 of the wheel *plan* installs for that release.
    """
    from packaging.utils import canonicalize_name  # noqa: PLC0415
    from packaging.version import Version  # noqa: PLC0415

    shas = {
        d.sha256
        for d in plan.distributions
        if canonicalize_name(d.name) == name and Version(d.version) == Version(version)
    }
    found = [form_row for form_row in installed if form_row.partition("|")[0] in shas]
    return found[0] if len(found) == 1 else None


def merged(before: dict[str, Rows], now: Rows) -> Rows:
    """A stamp's ``built`` and ``vouch`` rows: *now*'s, then *before*'s for other sdists."""
    fresh = {row[1] for row in now if row[0] == "built"}
    older = [s for s, *_ in before.get("built", []) if s not in fresh][: KEPT - len(fresh)]
    keep = set(older)
    rows = [["built", *r] for r in before.get("built", []) if r[0] in keep]
    rows += [["vouch", *r] for r in before.get("vouch", []) if r[0] in keep]
    return [*now, *rows]


__all__ = ["KEPT", "built", "make", "merged", "sdist_of", "vouched"]
