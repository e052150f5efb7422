"""``graft sync``: the pipeline from inputs to a materialized venv.

inputs -> target -> selection -> download -> store entries -> bytecode ->
completeness check -> plan (pure) -> materialize (atomic) -> GC root.
This module is the only one that knows every stage; each stage is its own module.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Protocol

from graft.errors import SourceError

# Resolution (packaging, the index client, thread pools) is imported where it is used:
# a warm sync whose inputs are unchanged never resolves, and must not pay for the imports.
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from graft.coremeta import CoreMetadata
    from graft.plan import CollisionPolicy, LinkMode, Plan, Policy, VenvLayout
    from graft.planner import PlannedWheel
    from graft.requirements import Inputs, Wanted
    from graft.sources import Candidate, FindLinks, Index
    from graft.store import Store, StoreEntry
    from graft.target import Target


class Reporter(Protocol):
    """Where progress goes. The library never prints; the CLI implements this."""

    def downloads(self, items: int) -> object: ...
    def waiting_for_venv(self, prefix: str) -> None: ...
    def stage(self, message: str) -> None: ...


class SilentReporter:
    def downloads(self, items: int) -> object:
        del items
        return None

    def waiting_for_venv(self, prefix: str) -> None:
        del prefix

    def stage(self, message: str) -> None:
        del message


@dataclass(frozen=True)
class SyncRequest:
    venv: str
    specs: tuple[str, ...] = ()
    requirement_files: tuple[str, ...] = ()
    python: str | None = None
    no_deps: bool = False
    index_url: str | None = None
    find_links: tuple[str, ...] = ()
    no_index: bool = False
    offline: bool = False
    store: str | None = None
    collisions: CollisionPolicy = "warn"
    link_mode: LinkMode = "symlink"
    dry_run: bool = False
    reporter: Reporter = field(default_factory=SilentReporter)
    # (python_version, platforms, implementation, abis): plan for a target not on this machine
    foreign: tuple[str, tuple[str, ...], str, tuple[str, ...]] | None = None
    extras: tuple[str, ...] = ()  # for pylock.toml: extras to install
    groups: tuple[str, ...] = ()  # for pylock.toml: dependency groups (default: its defaults)
    timings: dict[str, float] = field(default_factory=dict)  # stage -> seconds, filled by sync


def gather_inputs(request: SyncRequest) -> Inputs:
    from graft.requirements import Inputs, parse_spec, read_requirements  # noqa: PLC0415

    inputs = Inputs()
    from graft.lockfile import is_pylock  # noqa: PLC0415

    for spec in request.specs:
        if is_pylock(spec):
            inputs.pylocks.append(spec)
        else:
            inputs.wanted.append(parse_spec(spec, "command line"))
    for path in request.requirement_files:
        read_requirements(path, inputs)
    if request.index_url:
        inputs.index_urls = [request.index_url]
    inputs.find_links.extend(os.path.abspath(p) for p in request.find_links)
    inputs.no_index = inputs.no_index or request.no_index
    if not inputs.wanted and not inputs.pylocks:
        from graft.errors import UsageError  # noqa: PLC0415

        raise UsageError("nothing to install", hint="name wheels, name==version specs, or -r FILE")
    return inputs


def _cache_dir() -> str:
    from graft._fs import cache_root  # noqa: PLC0415

    return cache_root()


def choose(wanted: Wanted, find_links: FindLinks, target: Target, index: Index | None) -> Candidate:
    """The best wheel for one pin, from find-links and the index."""
    from graft.sources import Candidate, select  # noqa: PLC0415

    if wanted.path is not None:
        return Candidate(wanted.filename or os.path.basename(wanted.path), wanted.path, None, True)
    if wanted.url is not None:
        sha = next(iter(wanted.hashes)).removeprefix("sha256:") if wanted.hashes else None
        filename = wanted.filename or wanted.url.rsplit("/", 1)[-1]
        return Candidate(filename, wanted.url, sha, local=False, origin=wanted.where)
    candidates = find_links.candidates(wanted)
    if index is not None:
        candidates += [c for c in index.files(wanted.name) if _matches(c.filename, wanted)]
    if wanted.hashes:
        candidates = [c for c in candidates if _hash_allowed(c, wanted.hashes)]
    best = select(candidates, target)
    if best is None:
        seen = ", ".join(sorted(c.filename for c in candidates)[:6]) or "no wheels at all"
        raise SourceError(
            f"no wheel of {wanted.name}=={wanted.version} fits {target.implementation}"
            f" {target.version} ({target.tags[0]}); found: {seen}",
            where=wanted.where,
            hint="pin a version that ships a compatible wheel, or add --find-links",
        )
    return best


def _matches(filename: str, wanted: Wanted) -> bool:
    from graft.sources import _version_matches  # noqa: PLC0415

    return _version_matches(filename, wanted.name, wanted.version or "")[0]


def _hash_allowed(candidate: Candidate, hashes: frozenset[str]) -> bool:
    if candidate.sha256 is None and candidate.local:
        from graft.store import file_sha256  # noqa: PLC0415

        return f"sha256:{file_sha256(candidate.url)}" in hashes
    return candidate.sha256 is None or f"sha256:{candidate.sha256}" in hashes


def fetch(
    chosen: list[tuple[Wanted, Candidate]],
    cache_dir: str,
    reporter: Reporter,
    precheck: Callable[[list[tuple[Wanted, Candidate]]], Mapping[str, CoreMetadata]] | None = None,
) -> list[tuple[Wanted, str, str | None]]:
    """Local paths for every chosen wheel; remote ones are downloaded in parallel.

    When something must be downloaded, *precheck* runs first (the Requires-Dist check on the
    index's metadata files); each wheel whose metadata file it used must then agree with it.
    """
    from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415

    from graft.sources import local_sha256  # noqa: PLC0415

    remote = [(w, c) for w, c in chosen if not c.local]
    paths: dict[str, tuple[str, str | None]] = {}
    for _, c in chosen:
        if c.local:
            paths[c.url] = (c.url, local_sha256(c.url, cache_dir))
    cached = {
        c.url: os.path.join(cache_dir, "wheels", c.sha256, c.filename)
        for _, c in remote
        if c.sha256
    }
    todo = [(w, c) for w, c in remote if not (c.url in cached and os.path.isfile(cached[c.url]))]
    for _, c in remote:
        hit = cached.get(c.url)
        if hit is not None and os.path.isfile(hit):
            paths[c.url] = (hit, c.sha256)
    used = precheck(chosen) if todo and precheck is not None else {}
    if todo:
        from graft.fetch import download  # noqa: PLC0415

        progress = reporter.downloads(len(todo))
        advance = getattr(progress, "advance", None)
        with ThreadPoolExecutor(max_workers=min(8, len(todo))) as pool:
            for c, fetched in zip(
                [c for _, c in todo],
                pool.map(lambda wc: download(wc[1], cache_dir, advance), todo),
                strict=True,
            ):
                paths[c.url] = fetched
        close = getattr(progress, "close", None)
        if close is not None:
            close()
    if used:
        from graft.coremeta import check_wheels_agree  # noqa: PLC0415

        check_wheels_agree([(c, paths[c.url][0]) for _, c in remote], used)
    out: list[tuple[Wanted, str, str | None]] = []
    for w, c in chosen:
        local, sha = paths[c.url]
        if w.hashes and sha is not None and f"sha256:{sha}" not in w.hashes:
            raise SourceError(
                f"{c.filename} has sha256 {sha}, not the hash given here",
                where=w.where,
                hint="the file changed, or the hash is wrong; nothing was installed",
            )
        if w.size is not None and os.path.getsize(local) != w.size:
            raise SourceError(f"{c.filename} is not {w.size} bytes as given here", where=w.where)
        out.append((w, local, sha))
    return out


@dataclass(frozen=True)
class Located:
    """The target, and for each requested distribution the wheel file chosen and its sha256."""

    target: Target
    fetched: tuple[tuple[Wanted, str, str | None], ...]  # (wanted, local path, sha256)
    known_labels: tuple[str, ...] = ()  # "name==version" of each, when recalled
    # what the result depends on, for the memo: requirement and lock files read, find-links
    # directories listed, the interpreter found, whether an index was asked (answers age)
    files: tuple[str, ...] = ()
    dirs: tuple[str, ...] = ()
    interpreter: str | None = None
    index: bool = False

    def labels(self) -> tuple[str, ...]:
        if self.known_labels:
            return self.known_labels
        from packaging.utils import parse_wheel_filename  # noqa: PLC0415

        out = set()
        for _, path, _ in self.fetched:
            name, version, _, _ = parse_wheel_filename(os.path.basename(path))
            out.add(f"{name}=={version}")
        return tuple(sorted(out))

    def digest(self, layout: VenvLayout, policy: Policy, store_root: str) -> str:
        """Identifies the venv these inputs give, before any record is read.

        Store entries are immutable and named by sha256, so the chosen files (and how they
        were asked for) with the target, layout and policy determine the plan; the
        bytecode of an entry for one interpreter never changes once compiled.
        """
        import hashlib  # noqa: PLC0415
        import json  # noqa: PLC0415

        from graft import __version__  # noqa: PLC0415

        head = [__version__, self.target.real_executable, self.target.version, store_root]
        head += [repr(layout), repr(policy)]
        rows = sorted(f"{sha}|{w.path or ''}" for w, _, sha in self.fetched)
        return hashlib.sha256(json.dumps([head, rows]).encode()).hexdigest()


def locate(request: SyncRequest) -> Located:
    """Inputs, target, and the wheel file for each requirement (downloaded if need be)."""
    from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415

    from packaging.markers import Marker  # noqa: PLC0415

    from graft.sources import PYPI_SIMPLE, FindLinks, Index  # noqa: PLC0415
    from graft.target import find_interpreter, foreign_target, introspect  # noqa: PLC0415

    inputs = gather_inputs(request)
    interpreter = None
    if request.foreign is not None:
        version, platforms, implementation, abis = request.foreign
        target = foreign_target(version, list(platforms), implementation, list(abis) or None)
    else:
        interpreter = find_interpreter(request.python)
        target = introspect(interpreter)
    wanted = [
        w for w in inputs.wanted if w.marker is None or Marker(w.marker).evaluate(target.markers)
    ]
    if inputs.pylocks:
        from graft.lockfile import read_pylock  # noqa: PLC0415

        groups = request.groups or None
        for lock in inputs.pylocks:
            wanted += read_pylock(lock, target, request.extras, groups)
    cache_dir = _cache_dir()
    index = None
    if not inputs.no_index:
        index = Index(
            inputs.index_urls[0] if inputs.index_urls else PYPI_SIMPLE,
            cache_dir,
            offline=request.offline,
        )
    find_links = FindLinks(inputs.find_links)
    if index is None:  # everything is local: threads would only add overhead
        chosen = [(w, choose(w, find_links, target, None)) for w in wanted]
        fetched = tuple(fetch(chosen, cache_dir, request.reporter))
    else:
        with ThreadPoolExecutor(max_workers=8) as pool:
            found = pool.map(lambda w: choose(w, find_links, target, index), wanted)
            chosen = list(zip(wanted, found, strict=True))
        offline = index.offline

        def precheck(chosen: list[tuple[Wanted, Candidate]]) -> dict[str, CoreMetadata]:
            from graft.coremeta import check_before_download  # noqa: PLC0415

            return check_before_download(chosen, target, request.no_deps, cache_dir, offline)

        fetched = tuple(fetch(chosen, cache_dir, request.reporter, precheck))
    return Located(
        target,
        fetched,
        files=(*inputs.files_read, *inputs.pylocks),
        dirs=tuple(inputs.find_links),
        interpreter=interpreter,
        index=index is not None and not request.offline,
    )


def load_entries(
    located: Located, store: Store, reporter: Reporter
) -> list[tuple[Wanted, StoreEntry]]:
    """The store entry of every located wheel, ingesting (in parallel) what is new."""
    from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415

    fetched = located.fetched
    entries = [store.get(sha) if sha else None for _, _, sha in fetched]
    todo = [i for i, e in enumerate(entries) if e is None]
    if todo:
        # unzipping releases the GIL: ingest new wheels in parallel
        reporter.stage(f"unpacking and verifying {len(todo)} new wheels")
        with ThreadPoolExecutor(max_workers=4) as pool:
            new = pool.map(lambda i: store.ingest(fetched[i][1], fetched[i][2]), todo)
            for i, entry in zip(todo, new, strict=True):
                entries[i] = entry
    pairs = [(w, e) for (w, _, _), e in zip(fetched, entries, strict=True) if e is not None]
    for w, e in pairs:
        if w.path is None and w.hashes and f"sha256:{e.record.sha256}" not in w.hashes:
            raise SourceError(f"{e.record.filename} does not match any --hash", where=w.where)
    return pairs


def check_target(pairs: list[tuple[Wanted, StoreEntry]], target: Target, no_deps: bool) -> None:
    """Requires-Python and Requires-Dist of the ingested wheels (``deps.check_set``)."""
    from graft.deps import check_set  # noqa: PLC0415

    check_set([(w, e.record) for w, e in pairs], target, no_deps)


@dataclass(frozen=True)
class Prepared:
    """Everything the planner needs, gathered by the I/O stages of a sync."""

    target: Target
    store: Store
    wheels: tuple[PlannedWheel, ...]
    layout: VenvLayout
    policy: Policy


def venv_layout(request: SyncRequest, target: Target) -> VenvLayout:
    from graft.plan import VenvLayout  # noqa: PLC0415

    return VenvLayout(
        prefix=os.path.abspath(request.venv),
        purelib=target.scheme["purelib"],
        platlib=target.scheme["platlib"],
        scripts=target.scheme["scripts"],
        data=target.scheme.get("data", ""),
        include_site=target.include_site,
    )


def prepare(request: SyncRequest, located: Located, store: Store) -> Prepared:
    """Entries, checks and bytecode for the located wheels: everything the planner needs."""
    from graft.distinfo import direct_url_for_file  # noqa: PLC0415
    from graft.plan import Policy  # noqa: PLC0415
    from graft.planner import PlannedWheel  # noqa: PLC0415

    clock = time.perf_counter()
    target = located.target
    pairs = load_entries(located, store, request.reporter)
    check_target(pairs, target, request.no_deps)
    clock = _lap(request.timings, "entries", clock)
    tag = target.cache_tag
    uncompiled = [
        e for _, e in pairs if tag and not os.path.exists(f"{e.path}/bytecode/{tag}.json")
    ]
    if uncompiled:
        request.reporter.stage(f"compiling bytecode of {len(uncompiled)} wheels for {tag}")
    bytecode = store.bytecode([e for _, e in pairs], target)
    _lap(request.timings, "bytecode", clock)
    layout = venv_layout(request, target)
    wheels = tuple(
        PlannedWheel(
            record=e.record,
            tree=e.tree,
            bytecode=bytecode.get(e.record.sha256, frozenset()),
            requested=True,
            direct_url=direct_url_for_file(w.path, e.record.sha256) if w.path else None,
        )
        for w, e in sorted(pairs, key=lambda pair: pair[1].record.name)
    )
    return Prepared(target, store, wheels, layout, Policy(request.collisions, request.link_mode))


def _lap(timings: dict[str, float], stage: str, since: float) -> float:
    now = time.perf_counter()
    timings[stage] = now - since
    return now


@dataclass(frozen=True)
class SyncResult:
    prefix: str
    distributions: tuple[str, ...]  # "name==version"
    plan: Plan | None  # None when nothing needed doing (the venv was already in sync)
    stats: dict[str, int]  # links, directories, files


def _rooted(store: Store, prefix: str) -> list[str]:
    """The entries the GC root of *prefix* lists now (none if it has no root)."""
    import json  # noqa: PLC0415

    try:
        with open(store.root_path(prefix), encoding="utf-8") as fh:
            entries: list[str] = json.load(fh)["entries"]
    except (OSError, ValueError, KeyError):
        return []
    return entries


def _stats(plan: Plan) -> dict[str, int]:
    return {"links": plan.links, "directories": plan.directories, "files": plan.files_served}


def _recall(request: SyncRequest, store: Store) -> Located | None:
    """What the memo says *request* resolves to, when a kept plan for it exists too."""
    if request.dry_run or request.foreign is not None:
        return None
    from graft import memo  # noqa: PLC0415
    from graft.requirements import Wanted  # noqa: PLC0415

    recalled = memo.recall(request, store.root)
    if recalled is None:
        return None
    fetched = tuple(
        (Wanted("", None, frozenset(), frozenset(), "(recalled)", path=given), path, sha)
        for path, sha, given in recalled.rows
    )
    located = Located(recalled.target, fetched, recalled.labels)
    if not os.path.isfile(_plan_path(request, located, store)):
        return None  # planning needs the full requirements: resolve again
    return located


def _plan_key(request: SyncRequest, located: Located, store: Store) -> str:
    from graft import plancache  # noqa: PLC0415
    from graft.plan import Policy  # noqa: PLC0415

    layout = replace(venv_layout(request, located.target), prefix="")
    policy = Policy(request.collisions, request.link_mode)
    return plancache.plan_key([located.digest(layout, policy, store.root), request.no_deps])


def _plan_path(request: SyncRequest, located: Located, store: Store) -> str:
    from graft import plancache  # noqa: PLC0415

    return plancache.plan_path(store.root, _plan_key(request, located, store))


def sync(request: SyncRequest) -> SyncResult:
    """Make ``request.venv`` hold exactly the requested wheels (or only plan it, if dry_run)."""
    from graft.plan import Policy  # noqa: PLC0415
    from graft.store import Store, default_store_path  # noqa: PLC0415
    from graft.venvstate import sweep_staging, up_to_date  # noqa: PLC0415

    clock = time.perf_counter()
    store = Store(request.store or default_store_path())
    store.ensure()
    located = _recall(request, store)
    recalled = located is not None
    if located is not None:
        clock = _lap(request.timings, "recall", clock)
    else:
        located = locate(request)
        clock = _lap(request.timings, "resolve", clock)
    layout = venv_layout(request, located.target)
    prefix = layout.prefix
    inputs = located.digest(layout, Policy(request.collisions, request.link_mode), store.root)
    shas = [sha for _, _, sha in located.fetched if sha]
    if not request.dry_run and len(shas) == len(located.fetched):
        store.pin()  # from here gc keeps every entry until the root below is written
        if all(os.path.isdir(store.entry_path(sha)) for sha in shas):
            state = up_to_date(prefix, inputs)
            if state is not None:
                store.register_root(prefix, shas)  # a killed sync may have left none
                sweep_staging(prefix)
                links, directories, files = (int(x) for x in state["graft-stats"].split(",")[1:])
                stats = {"links": links, "directories": directories, "files": files}
                if not recalled:
                    _remember(request, store, located)
                return SyncResult(prefix, located.labels(), None, stats)
    from graft import plancache  # noqa: PLC0415
    from graft.materialize import materialize  # noqa: PLC0415

    key = _plan_key(request, located, store)
    the_plan = None
    new_plan = False
    if len(shas) == len(located.fetched):
        store.pin()  # before looking: gc must not take an entry between the check and the root
        if all(os.path.isdir(store.entry_path(sha)) for sha in shas):
            the_plan = plancache.load(store.root, key, prefix, layout.python)
            clock = _lap(request.timings, "plan (kept)", clock)
    if the_plan is None:
        from graft.planner import plan  # noqa: PLC0415

        prepared = prepare(request, located, store)
        clock = time.perf_counter()
        the_plan = plan(prepared.wheels, prepared.layout, prepared.policy)
        clock = _lap(request.timings, "plan", clock)
        new_plan = True
    names = tuple(f"{d.name}=={d.version}" for d in the_plan.distributions)
    shas = [d.sha256 for d in the_plan.distributions]
    if request.dry_run:
        if new_plan:
            plancache.save(store.root, key, the_plan)
        return SyncResult(prefix, names, the_plan, _stats(the_plan))
    # Root old and new entries while the swap is pending: a kill at any moment leaves
    # whichever venv is in place rooted. After the swap only the new entries stay rooted.
    store.register_root(prefix, [*shas, *_rooted(store, prefix)])
    materialize(
        the_plan,
        located.target,
        store.root,
        inputs,
        on_wait=lambda: request.reporter.waiting_for_venv(prefix),
    )
    store.register_root(prefix, shas)
    if new_plan:  # kept only once it built a venv: a failed sync leaves the store as it was
        plancache.save(store.root, key, the_plan)
    if not recalled:
        _remember(request, store, located)
    _lap(request.timings, "materialize", clock)
    return SyncResult(prefix, names, the_plan, _stats(the_plan))


def _remember(request: SyncRequest, store: Store, located: Located) -> None:
    """After a sync succeeded: keep what its inputs resolved to (never after a failure)."""
    from graft import memo  # noqa: PLC0415

    memo.remember_located(request, store.root, located)
