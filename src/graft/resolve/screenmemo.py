"""Screenings shared by the resolutions of one lock, where the targets cannot tell them apart.

:func:`graft.resolve.screen.screen` depends on the target only through two things about the
project's listing: which of its distinct tag sets the target accepts, in what order, and
which of its distinct ``requires-python`` values admit the target's Python. Everything else
it reads (the files, the specifiers, the policy) is the same for every environment of a
lock. So the screening of one listing is kept under its **target signature**: the dense
rank of each distinct tag set (None where no tag fits) and the verdict on each distinct
``requires-python``. Environments with equal signatures get the very same :class:`Screen`.

For a pure-Python project that is one screening per Python version (or one in all); for a
project with a wheel per interpreter and platform, one per environment, as before. Both are
of the files the specifiers admit (:mod:`graft.resolve.admit`), the only ones the screening
reads: the signature costs one pass over their distinct tag sets, a screening one pass over
them (a release's wheels for a pinned project, rather than every release's).
"""

from __future__ import annotations

import dataclasses
import functools
import threading
from typing import TYPE_CHECKING, Any, TypeVar

from graft.resolve.admit import by_version
from graft.resolve.artifacts import parse_wheel
from graft.resolve.first_offered import first_offered
from graft.resolve.listing import digested, filenames, stated
from graft.resolve.screen import Screen, beyond_versions, screen
from graft.resolve.surface import python_allows
from graft.resolve.tag_groups import tag_groups

if TYPE_CHECKING:
    from collections.abc import Callable, Hashable, Mapping, Sequence

    from packaging.specifiers import SpecifierSet
    from packaging.utils import NormalizedName
    from packaging.version import Version

    from graft.model.target import Target
    from graft.resolve.artifacts import ArtifactFile
    from graft.resolve.policy import Policy

C = TypeVar("C")
V = TypeVar("V")

#: Policy fields the key spells out; any other field is keyed by identity (one per lock).
_KNOWN = frozenset(
    {
        *("prereleases", "exclude_newer", "preferred", "upgrade", "same_version_fallback"),
        "installed_prereleases",
        *("exclude_newer_packages", "prerelease_packages"),
        *("hashes", "sdists", "no_binary", "only_binary", "lowest", "newest"),
    }
)
#: The screening of a listing no file of which fits the target (:func:`_fits_none`).
_NOTHING = Screen((), ())
#: Read by the provider, not the screening: constraints reach it as specifiers, and the
#: names whose URL requirements are followed (decision 169) and the requirements a
#: project's sources lowered (decision 373) decide a candidate's needs.
#: (Keyed by identity, ``direct``, a new set per environment, kept every screening apart.)
#: (``hashes_where`` only says where the hashes were given, for a failure: decision 430.)
_NOT_SCREENED = frozenset({"constraints", "direct", "lowered", "overrides", "hashes_where"})


@dataclasses.dataclass(frozen=True, slots=True)
class _Listing:
    """What a signature is computed from: the distinct tag sets and requires-python values."""

    tag_sets: tuple[tuple[str, ...], ...]
    pythons: tuple[str, ...]
    wheels_only: bool  # every file a wheel whose tags are among tag_sets (no sdist, no other)


def _listing(files: Sequence[ArtifactFile]) -> _Listing:
    by_tags, others = digested(files, "tags") or tag_groups(filenames(files))  # (no file made)
    tag_sets = dict.fromkeys(tuple(tags) for tags, _ in by_tags)
    names = filenames(files) if others else []
    wheels_only = True
    for i in others:
        parsed = parse_wheel(names[i]) if names[i].endswith(".whl") else None
        if parsed is not None:  # a variant wheel
            tag_sets[parsed.tags] = None
        else:  # an sdist, a release's variant metadata, no wheel name
            wheels_only = False
    pythons = digested(files, "pythons")
    if pythons is None:
        pythons = list(dict.fromkeys(p for _, p in stated(files) if p))
    return _Listing(tuple(tag_sets), tuple(pythons), wheels_only)


def signature(
    listing: _Listing, tag_rank: Mapping[str, int], python_version: str
) -> tuple[tuple[int | None, ...], tuple[bool, ...]]:
    """The target as a screening of *listing* sees it (equal signatures, equal screenings)."""
    ranked = tag_rank.keys()  # (a set intersection per tag set: a lock asks 36 times each)
    best = [
        min(map(tag_rank.__getitem__, fits)) if (fits := ranked & tags) else None
        for tags in listing.tag_sets
    ]
    dense = {rank: i for i, rank in enumerate(sorted({r for r in best if r is not None}))}
    ranks = tuple(None if r is None else dense[r] for r in best)
    return ranks, tuple(python_allows(spec, python_version) for spec in listing.pythons)


def _fits_none(listing: _Listing, signature: tuple[tuple[int | None, ...], Any]) -> bool:
    """Whether the target fits no file of *listing*: every one a wheel, none of whose tags fit.

    Then no screening of it offers anything, whatever the specifiers and the policy (a project
    with no wheel for Windows arm64: a lock proves each of its environments there unlockable
    by asking for each release in turn).
    """
    return listing.wheels_only and all(rank is None for rank in signature[0])


def policy_key(policy: Policy, name: NormalizedName) -> tuple[Hashable, ...]:
    """What of *policy* the screening of *name* reads (fields it does not know: by identity)."""
    allowed = policy.hashes.get(name)
    key: list[Any] = [
        policy.prereleases_for(name),  # (--prerelease, or the project's own)
        policy.cutoff(name),  # (--exclude-newer, or the project's own)
        policy.prefers(name),
        policy.installed_prereleases.get(name),  # (what -U leaves admissible: decision 426)
        policy.oldest_first(name),
        policy.same_version_fallback,
        None if allowed is None else frozenset(allowed),
        policy.builds(name),  # sdists, only_binary
        policy.wheels(name),  # no_binary
    ]
    key += [(name, id(value)) for name, value in _by_identity(policy)]
    return tuple(key)


def _by_identity(policy: Policy) -> list[tuple[str, object]]:
    """The fields of *policy* the key does not spell out, with their values."""
    names = _UNKNOWN.get(type(policy))
    if names is None:  # (per class, once: a lock asks for every screening's key)
        skipped = _KNOWN | _NOT_SCREENED
        names = tuple(f.name for f in dataclasses.fields(policy) if f.name not in skipped)
        _UNKNOWN[type(policy)] = names
    return [(name, getattr(policy, name)) for name in names]


#: Per policy class, the fields :func:`policy_key` keys by identity.
_UNKNOWN: dict[type, tuple[str, ...]] = {}


class ScreenMemo:
    """:func:`~graft.resolve.screen.screen`, remembered by target signature across resolutions.

    Listings are told apart by identity (a lock's :class:`~graft.resolve.shared.SharedSource`
    hands every resolution the same tuple per project), and so are the policy fields the key
    does not spell out (a variant fork's chooser): the memo keeps each alive, so an identity
    is never reused while it is a key. (It was not so for the choosers: a fork made after
    another was dropped could get its address, and its screening.) Safe for concurrent use
    (a race costs a repeated screening).
    """

    def __init__(self) -> None:
        self._listings: dict[int, tuple[Sequence[ArtifactFile], _Listing]] = {}
        self._alive: dict[int, object] = {}  # the objects policy keys name by identity
        self._screens: dict[tuple[Hashable, ...], Screen] = {}
        self._explained: dict[tuple[Hashable, ...], Screen] = {}  # screenings with reasons
        self._firsts: dict[tuple[Hashable, ...], tuple[Version, ArtifactFile] | None] = {}
        self._policy_keys: dict[tuple[int, str], tuple[Policy, tuple[Hashable, ...]]] = {}
        # signature() per (listing, tag ranks, Python): asked on every screening (a
        # resolution that backtracks asks thousands of times), the same each time
        self._signatures: dict[tuple[int, int, str], tuple[Any, Mapping[str, int], Any]] = {}
        # each screening's files as one extra's candidates, for the named files (or all)
        self._offered: dict[tuple[int, str | None, frozenset[str]], tuple[Screen, list[Any]]] = {}
        # proofs that a root has no resolution, by what they read (resolve.proof_memo), with
        # their candidates' requirements: each proof's ends, then its candidates' answers
        self._proofs: dict[tuple[Hashable, ...], tuple[dict[Any, Any], dict[Any, Any]]] = {}
        self._lock = threading.Lock()
        self.screened = 0  # screenings computed
        self.shared = 0  # screenings answered from the memo
        self.fit_none = 0  # questions answered by a listing no file of which fits the target
        self.proofs_shared = 0  # proofs of no resolution taken from another environment

    def _listing_of(self, files: Sequence[ArtifactFile]) -> _Listing:
        with self._lock:
            hit = self._listings.get(id(files))
        if hit is not None and hit[0] is files:
            return hit[1]
        listing = _listing(files)
        with self._lock:
            self._listings[id(files)] = (files, listing)
        return listing

    def _policy_key(self, policy: Policy, name: NormalizedName) -> tuple[Hashable, ...]:
        """:func:`policy_key`, remembered per policy and project (the policy kept alive)."""
        at = (id(policy), name)
        with self._lock:
            hit = self._policy_keys.get(at)
        if hit is not None and hit[0] is policy:
            return hit[1]
        key = policy_key(policy, name)
        with self._lock:
            self._alive.update((id(value), value) for _, value in _by_identity(policy))
            self._policy_keys[at] = (policy, key)
        return key

    def _signature(
        self, listing: _Listing, tag_rank: Mapping[str, int], python_version: str
    ) -> tuple[tuple[int | None, ...], tuple[bool, ...]]:
        """:func:`signature`, remembered (the listing and the ranks kept alive beside it)."""
        at = (id(listing), id(tag_rank), python_version)
        with self._lock:
            hit = self._signatures.get(at)
        if hit is not None and hit[0] is listing and hit[1] is tag_rank:
            found: tuple[tuple[int | None, ...], tuple[bool, ...]] = hit[2]
            return found
        found = signature(listing, tag_rank, python_version)
        with self._lock:
            self._signatures[at] = (listing, tag_rank, found)
        return found

    def fits_none(
        self, files: Sequence[ArtifactFile], target: Target, tag_rank: Mapping[str, int]
    ) -> bool:
        """Whether the target fits no file of *files*: every one a wheel, none of whose tags fit."""
        listing = self._listing_of(files)
        return _fits_none(listing, self._signature(listing, tag_rank, target.version))

    def seen(
        self, files: Sequence[ArtifactFile], target: Target, tag_rank: Mapping[str, int]
    ) -> Hashable:
        """What every screening of *files* sees of the target: the whole listing's signature.

        A listing's subset's signature is the whole one's restricted (ranks kept in their
        order, verdicts kept), so two targets that see one listing alike screen it alike,
        whatever the specifiers. ``None`` where no file fits (every screening offers nothing).
        """
        listing = self._listing_of(files)
        found = self._signature(listing, tag_rank, target.version)
        return None if _fits_none(listing, found) else found

    def policy_word(self, policy: Policy, name: NormalizedName) -> tuple[Hashable, ...]:
        """What of *policy* a screening of *name* reads (:func:`policy_key`, remembered)."""
        return self._policy_key(policy, name)

    def proof(self, key: tuple[Hashable, ...]) -> tuple[dict[Any, Any], dict[Any, Any]] | None:
        """A proof kept under *key* (:func:`graft.resolve.proof_memo.proof_key`), or None."""
        with self._lock:
            found = self._proofs.get(key)
            self.proofs_shared += found is not None
            return found

    def keep_proof(
        self, key: tuple[Hashable, ...], ends: dict[Any, Any], known: dict[Any, Any]
    ) -> None:
        """Keep a proof's *ends* and its candidates' *known* requirements under *key*."""
        with self._lock:
            self._proofs[key] = (dict(ends), dict(known))

    def offered(
        self,
        found: Screen,
        extra: str | None,
        only: frozenset[str],
        offer: Callable[[], list[C]],
    ) -> list[C]:
        """``offer()``, the candidates of *found* for *extra* and the files *only* named.

        They depend on nothing else (the policy's word is in the screening's key), so every
        resolution of the lock shares them. The caller copies the list before changing it.
        """
        at = (id(found), extra, only)
        with self._lock:
            kept = self._offered.get(at)
        if kept is None or kept[0] is not found:
            kept = (found, offer())
            with self._lock:
                self._offered[at] = kept
        made: list[C] = kept[1]
        return made

    def _key(
        self,
        name: NormalizedName,
        files: Sequence[ArtifactFile],
        specs: Sequence[SpecifierSet],
        listing: _Listing,
        policy: Policy,
        *,
        signature: tuple[Hashable, ...],
    ) -> tuple[Hashable, ...]:
        """What a screening depends on: project, specifiers, policy's word, target's signature."""
        specified = tuple((spec, spec.prereleases) for spec in specs)
        return (name, id(files), id(listing), specified, self._policy_key(policy, name), signature)

    def first(
        self,
        name: NormalizedName,
        files: Sequence[ArtifactFile],
        specs: Sequence[SpecifierSet],
        target: Target,
        policy: Policy,
        *,
        tag_rank: Mapping[str, int],
    ) -> tuple[Version, ArtifactFile] | None:
        """``screen(...).offered[0]`` (:func:`~graft.resolve.first_offered.first_offered`), shared.

        Shared where the target's signature of the whole listing agrees: one signature per
        project and environment, where a screening's is of the files its specifiers admit.
        """
        listing = self._listing_of(files)
        seen = self._signature(listing, tag_rank, target.version)
        if _fits_none(listing, seen):
            self.fit_none += 1
            return None
        key = self._key(name, files, specs, listing, policy, signature=seen)
        first = functools.partial(first_offered, tag_rank=tag_rank)
        return self._remembered(self._firsts, key, first, name, files, specs, target, policy)

    def screen(
        self,
        name: NormalizedName,
        files: Sequence[ArtifactFile],
        specs: Sequence[SpecifierSet],
        target: Target,
        policy: Policy,
        *,
        tag_rank: Mapping[str, int],
    ) -> Screen:
        """``screen(..., reasons=False)``, shared where signatures agree.

        The signature is of the files the specifiers admit (:mod:`graft.resolve.admit`): the
        only ones that screening reads. Keyed by the versions they admit, not their list: a
        project's requirements arrive in their parents' order, often one stated by several
        (``autogluon==1.1.1``'s lock asked 3,869 screenings, 1,398 of them different).
        """
        if self.fits_none(files, target, tag_rank):
            self.fit_none += 1
            return _NOTHING
        grouped, asked = by_version(files), frozenset(specs)  # (hashed once: both keep by it)
        listing = self._listing_of(grouped.admitted(asked))
        seen = self._signature(listing, tag_rank, target.version)
        versions = grouped.admitting(asked)  # (kept by admitted: None only under ===)
        if versions is None:
            key = self._key(name, files, specs, listing, policy, signature=seen)
        else:  # by what it reads of the specifiers: their order, repeats, spelling aside
            read = (versions, beyond_versions(specs), self._policy_key(policy, name), seen)
            key = (name, id(files), *read)
        whole = functools.partial(screen, tag_rank=tag_rank, reasons=False)
        return self._remembered(self._screens, key, whole, name, files, specs, target, policy)

    def explained(
        self,
        name: NormalizedName,
        files: Sequence[ArtifactFile],
        specs: Sequence[SpecifierSet],
        target: Target,
        policy: Policy,
        *,
        tag_rank: Mapping[str, int],
    ) -> Screen:
        """``screen(...)`` with its reasons (an explanation's question), shared likewise.

        It reads every file of the listing, so the signature is of the whole listing. A lock
        whose environments fail alike (a root with no wheel for Windows arm64, on each
        Python) explains each from the same screenings.
        """
        listing = self._listing_of(files)
        seen = self._signature(listing, tag_rank, target.version)
        key = self._key(name, files, specs, listing, policy, signature=seen)
        whole = functools.partial(screen, tag_rank=tag_rank, reasons=True)
        return self._remembered(self._explained, key, whole, name, files, specs, target, policy)

    def _remembered(
        self,
        kept: dict[tuple[Hashable, ...], V],
        key: tuple[Hashable, ...],
        work: Callable[..., V],
        *args: Any,
    ) -> V:
        """``kept[key]``, or ``work(*args)`` kept there (counted as shared or screened)."""
        with self._lock:
            if key in kept:
                self.shared += 1
                return kept[key]
        found = work(*args)
        with self._lock:
            kept[key] = found
        self.screened += 1
        return found
