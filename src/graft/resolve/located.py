"""``Located``: the resolution stage's result, as :func:`graft.resolve.locate.locate` gives it.

The target and, per distribution, the wheel file chosen (``Fetched``), with what the result
depends on for the resolution memo, which recalls one without resolving (its recall imports
this module, not the stages), and the digest that names the venv those inputs give.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from graft.model.requirements import Wanted
    from graft.model.target import Target
    from graft.plan.types import Policy as PlanPolicy
    from graft.plan.types import VenvLayout
    from graft.resolve.fetched import Fetched
    from graft.resolve.overrides import Overrides
    from graft.resolve.resolve_wanted import Recorded
    from graft.sources.candidates import Candidate


@dataclass(frozen=True)
class Located:
    """The target, and for each requested distribution the wheel file chosen and its sha256."""

    target: Target
    fetched: tuple[Fetched, ...]
    known_labels: tuple[str, ...] = ()  # "name==version" of each, when recalled
    # what the result depends on, for the memo: requirement and lock files read, find-links
    # directories listed, the interpreter found, whether an index was asked (answers age)
    files: tuple[str, ...] = ()
    # the sha256 of the bytes each of those files was read from, by path, where its reader
    # took it (``Inputs.digests``): the memo names these bytes, however new the file (464)
    digests: tuple[tuple[str, str], ...] = ()
    dirs: tuple[str, ...] = ()
    interpreter: str | None = None
    index: bool = False
    machine: bool = False  # built-in variant detection was asked: a hardware change counts
    notes: tuple[str, ...] = ()  # what resolution did (rounds, METADATA read), for -v
    warnings: tuple[str, ...] = ()  # what resolution noticed
    said: tuple[str, ...] = ()  # of this sync alone (the venv's seeds left out): no memo keeps it
    preferred: tuple[str, ...] = ()  # "name==version" the venv held, kept where allowed
    # PEP 825: the variant choice per release, for --json (empty without variant wheels)
    variants: tuple[dict[str, Any], ...] = ()
    # per chosen variant wheel: its properties the machine supports (variant markers' sets)
    variant_support: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # per chosen variant wheel: the properties the release's metadata gives its label, which
    # its own variant.json must give too (PEP 825's consistency rule, checked after ingest)
    variant_declared: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # a named source no memo can watch was built, or a requirements file read by URL
    from_sources: bool = False
    # what a memo watches for the named sources it can (a pure project's editable build)
    source_reads: tuple[tuple[str, str], ...] = ()
    variables: tuple[str, ...] = ()  # environment variables the requirements files expanded
    pin_record: Recorded | None = None  # what a pinned resolution kept (graft.cli.change)
    # the index pages the answers came from, with their validators (Indexes.answered_from):
    # an aged memo is renewed while each is unchanged; None when one cannot be asked again
    pages: tuple[tuple[str, dict[str, str]], ...] | None = None
    # without download (a dry run, decision 149): the file chosen for each, none fetched or
    # built (``fetched`` is then empty)
    chosen: tuple[tuple[Wanted, Candidate], ...] = ()
    # a dry run's lock sources, each with the METADATA its backend says it would build
    unbuilt: tuple[tuple[str, bytes], ...] = ()
    # --only-deps: "name==version" of each project the command line named, resolved and left
    # out of the set (decision 445); its requirements on them are not the set's to meet
    left_out: tuple[str, ...] = ()
    # --overrides and --excludes as the resolution read them (None: none given, or recalled),
    # for the set check and the venv's record, which read no file again (decision 471)
    overrides: Overrides | None = None

    def left_out_names(self) -> frozenset[str]:
        """The canonical names of :attr:`left_out`."""
        return frozenset(label.partition("==")[0] for label in self.left_out)

    def labels(self) -> tuple[str, ...]:
        """``name==version`` of each distribution located, sorted."""
        if self.known_labels:
            return self.known_labels
        from graft.model.wheelname import parse_wheel_filename  # noqa: PLC0415

        out = set()
        for item in self.fetched:
            name, version = parse_wheel_filename(item.name)[:2]
            out.add(f"{name}=={version}")
        return tuple(sorted(out))

    def digest(self, layout: VenvLayout, policy: PlanPolicy, store_root: str) -> str:
        """Identifies the venv these inputs give, before any record is read.

        Store entries are immutable and named by sha256, so the chosen files (and how they
        were asked for) with the target, layout and policy determine the plan; the
        bytecode of an entry for one interpreter never changes once compiled.
        """
        import json  # noqa: PLC0415

        from graft import __version__  # noqa: PLC0415
        from graft._sha256 import sha256_hex  # noqa: PLC0415 - not hashlib (OpenSSL's load)

        head = [__version__, self.target.real_executable, self.target.version, store_root]
        head += [repr(layout), repr(policy)]
        rows = sorted(
            f"{f.sha256}|{f.wanted.path or ''}|{int(f.wanted.requested)}"
            + (f"|{f.wanted.direct_url}" if f.wanted.direct_url else "")
            + ("|indexed" if f.wanted.indexed else "")
            for f in self.fetched
        )
        return sha256_hex(json.dumps([head, rows]).encode())


__all__ = ["Located"]
