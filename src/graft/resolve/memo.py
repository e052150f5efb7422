"""The resolution memo: what an unchanged request resolved to last time.

Resolving (parsing requirement files, listing find-links directories, ranking
wheels by the target's tags, hashing new files) is where a warm sync spends
most of its own time, mostly on importing ``packaging`` and the index client.
When the request is the same, the working directory and the environment are the
same, and every file and directory the last resolution read is unchanged (same
bytes for requirement and lock files, same names in find-links directories,
same size, mtime and inode for wheel files and the interpreter), the result is
the same: the wheel files, their sha256 and the interpreter (a wheel taken from the store,
never downloaded, has no file: its row stands while the store vouches for its entry, which
:func:`graft.sync_recall.recall` confirms; decision 154). As git does with
its index, anything modified in the last two seconds is "racy" (a rewrite within
the timestamp's granularity would go unseen) and no memo is written (a wheel of the
download cache excepted: its directory names its sha256); fingerprints
are taken right after resolving, not when the sync ends. A requirement, lock or pyproject
file is fingerprinted by the sha256 of the bytes its reader read (decision 464), so one
written just before the sync still leaves a memo. An index's
answers age: a memo that consulted one builds venvs as long as a cached index page
lives (``sources.index._PAGE_TTL``); after that it is renewed when every page its answers came
from is unchanged (asked again with its validators, decision 85), and otherwise only
confirms a venv that already holds its result (a no-op, as pip's and uv's "already
satisfied"), unless ``--upgrade`` asks for the index's newest answers.

The memo is only a shortcut to the same answer: anything missing, unreadable or
changed sends the sync through full resolution, which then writes a new memo. It is
also untrusted input (a file in the store): the interpreter it names is used only if
it is the one the request itself names or finds, so a changed memo cannot make graft
run a program the user did not name.
"""

from __future__ import annotations

import json
import os
import time
from typing import TYPE_CHECKING, Any

from graft import __version__
from graft._atomic import remember
from graft._reads import MIXED
from graft._sha256 import sha256_hex
from graft.resolve.fingerprints import fingerprint, racy, unchanged

if TYPE_CHECKING:
    from graft.model.request import ResolveRequest
    from graft.model.target import Target
    from graft.resolve.located import Located
    from graft.resolve.recalled import Recalled

# 3: the resolution's warnings are kept (a recalled yanked pin warns too); 4: each row's
# direct_url.json (a built source's, a wheel's URL), which the plan's key reads; 5: and
# whether its wheel is a lock's index file (``Wanted.indexed``: no direct_url.json); 6: a
# row's wheel file may be null, for a wheel the store held, not downloaded (decision 154)
FORMAT = 6
INDEX_TTL = 600.0  # seconds; the same freshness as a cached index page
_ENVIRONMENT = ("PATH", "PYENV_VERSION", "PYENV_ROOT", "GRAFT_CACHE_DIR", "HOME", "XDG_CACHE_HOME")


def _request_key(request: ResolveRequest, also: tuple[str, ...]) -> str | None:
    """Everything about the request that resolution reads, and *also* (what the plan reads).

    None without a working directory (relative paths would then mean nothing stable: no memo).
    """
    import dataclasses  # noqa: PLC0415

    # not the venv: a memo serves every venv of the same inputs (see _prefers_the_same), nor
    # --refresh: a memo written after asking the indexes again serves the next plain sync
    plain = dataclasses.replace(request, venv=None, refresh=False)
    fields = [repr(dataclasses.astuple(plain)), *also]
    from graft._home import TOOL_SOURCE_VARIABLES, code_stamp  # noqa: PLC0415

    # pip's and uv's sources too (decision 115): a request that would refuse them resolves
    environment = [os.environ.get(name) for name in (*_ENVIRONMENT, *TOOL_SOURCE_VARIABLES)]
    try:
        cwd = os.getcwd()
    except OSError:  # the working directory was removed
        return None
    return json.dumps([FORMAT, __version__, code_stamp(), cwd, fields, environment])


def _path(store_root: str, key: str) -> str:
    name = sha256_hex(key.encode())[:32]
    return os.path.join(store_root, "plans", f"memo-{name}.json")


Observed = list[list[str | None]]  # [kind, path, fingerprint]


def observe(
    located: Located,
    also: tuple[tuple[str, str], ...] = (),
    also_read: tuple[tuple[str, str], ...] = (),
) -> Observed | None:
    """Fingerprints of everything *located* was resolved from, taken right after resolving.

    *also*: what the request's builder read its options from (``("content", path)``: the
    ``--build-constraint`` files; ``("env", NAME)``: the ``${NAME}``s they expanded),
    watched as the requirement files are, by the digests of the bytes read (*also_read*:
    decision 476). None when there is
    nothing to memoize (a foreign target, a wheel without sha256) or when anything was
    modified in the last two seconds: a change racing the resolution could then hide behind
    an unchanged fingerprint. A file whose reader hashed what it read (``Located.digests``:
    requirement, lock and pyproject files) is fingerprinted by that hash instead, however
    recently it was written: a rewrite after the read then differs from it (decision 464).
    """
    if located.interpreter is None or any(f.sha256 is None for f in located.fetched):
        return None
    from graft._home import cache_root  # noqa: PLC0415
    from graft.sources.cachenames import stored_sha256  # noqa: PLC0415

    watched = [("content", p) for p in located.files] + [("listing", p) for p in located.dirs]
    # (a wheel the store held has no file: its entry is its sha256's, confirmed on recall)
    files = [f.path for f in located.fetched if f.path is not None]
    watched += [("stat", path) for path in files] + [("stat", located.interpreter)]
    watched += also
    now = time.time_ns()
    # A file of the download cache is named by its content (one rename after hashing): one
    # just downloaded cannot change unseen, so a sync that downloaded still leaves its memo.
    cache = cache_root()
    sha = {f.path: f.sha256 for f in located.fetched}
    named = {path for path in files if stored_sha256(path, cache) == sha[path]}
    # A file whose reader hashed the bytes it read is watched by that hash: a rewrite after
    # the read is a change the next sync sees, however new the file (decision 464).
    read = {p: d for p, d in located.digests if p in located.files}
    for path, digest in also_read:  # (a file both read: one hash only if the same bytes)
        read[path] = digest if read.get(path, digest) == digest else MIXED
    if MIXED in read.values():  # (read twice, with other bytes: nothing one hash can name)
        return None
    if any(racy(p, now) for k, p in watched if p not in named and p not in read and k != "env"):
        return None
    # a named source's: an editable's metadata files (racy if there) and what its build left
    reads = located.source_reads
    if any(kind == "optional" and os.path.isfile(p) and racy(p, now) for kind, p in reads):
        return None
    watched += reads
    if located.machine:  # what built-in variant detection read (never racy: not a file's age)
        watched.append(("machine", ""))
    watched += [("env", name) for name in located.variables]  # ${NAME}s the files expanded
    return [
        [kind, p, read[p] if kind == "content" and p in read else fingerprint(kind, p)]
        for kind, p in watched
    ]


def remember_located(
    request: ResolveRequest,
    also: tuple[str, ...],
    store_root: str,
    located: Located,
    observed: Observed,
) -> str | None:
    """Keep what *request* resolved to, with the fingerprints :func:`observe` took; its file."""
    key = _request_key(request, also)
    if key is None:
        return None
    record: dict[str, Any] = {
        "key": sha256_hex(key.encode()),  # not the key: it may hold an index's credentials
        "created": time.time(),
        "index": located.index,
        "interpreter": located.interpreter,
        "watched": observed,
        "rows": [
            [
                f.path,
                f.sha256,
                f.wanted.path,
                f.wanted.requested,
                f.wanted.direct_url,
                f.wanted.indexed,
            ]
            for f in located.fetched
        ],
        "labels": list(located.labels()),
        "preferred": list(located.preferred),
        "pages": None if located.pages is None else [list(page) for page in located.pages],
        # what resolution warned about (a yanked pin, an extra no wheel provides): a recalled
        # result says it again, as pip and uv do on every install
        "warnings": list(located.warnings),
        # --only-deps: the projects resolved and left out, which the set check excludes (445)
        **({"left_out": list(located.left_out)} if located.left_out else {}),
        # --overrides and --excludes as read: a recall's set check and venv record (477)
        **({"overrides": located.overrides.lines()} if located.overrides is not None else {}),
    }
    path = _path(store_root, key)
    remember(path, json.dumps(record))
    return path


def _valid(record: dict[str, Any], key: str) -> bool:
    """The memo is for this request and nothing it read has changed."""
    return bool(record["key"] == sha256_hex(key.encode())) and unchanged(
        [
            (str(kind), str(path), None if fp is None else str(fp))
            for kind, path, fp in record["watched"]
        ]
    )


def aged(record: dict[str, Any]) -> bool:
    """Whether the index answers the memo rests on are older than a cached index page."""
    return bool(record["index"]) and time.time() - float(record["created"]) > INDEX_TTL


def _renewed(record: dict[str, Any], path: str) -> bool:
    """Whether every index page the aged memo's answers came from is unchanged; then renewed.

    Each page is asked for once, with its validators (:func:`graft.sources.revalidate.unchanged`):
    the question a resolution would ask of it, whose unchanged answers give the same result.
    A renewed memo is kept as made now (decision 85).
    """
    pages = record.get("pages")
    if not isinstance(pages, list) or not pages:
        return False
    from graft.sources.revalidate import unchanged  # noqa: PLC0415

    if not unchanged([(str(url), dict(validators)) for url, validators in pages]):
        return False
    record["created"] = time.time()
    remember(path, json.dumps(record))
    return True


def memo_path(request: ResolveRequest, also: tuple[str, ...], store_root: str) -> str | None:
    """The file that holds (or would hold) the memo of *request*; None without a cwd."""
    key = _request_key(request, also)
    return None if key is None else _path(store_root, key)


def recall(request: ResolveRequest, also: tuple[str, ...], store_root: str) -> Recalled | None:
    """What *request* resolved to last time, if nothing it read has changed since.

    A memo whose index answers have aged is still recalled (``Recalled.aged``): the caller
    may use it only to confirm a venv that already holds its result, as pip's and uv's
    "already satisfied" do, never to build one. With ``--upgrade`` it is not recalled.
    """
    key = _request_key(request, also)
    try:
        if key is None:
            return None
        with open(_path(store_root, key), encoding="utf-8") as fh:
            record = json.load(fh)
        if not _valid(record, key):
            return None
        old = aged(record) and not _renewed(record, _path(store_root, key))
        if old and _renewing(request):
            return None
        rows = tuple(
            (
                None if p is None else str(p),
                str(s),
                None if w is None else str(w),
                bool(r),
                None if u is None else str(u),
                bool(i),
            )
            for p, s, w, r, u, i in record["rows"]
        )
        interpreter = str(record["interpreter"])
        labels = tuple(str(label) for label in record["labels"])
        preferred = {str(label) for label in record["preferred"]}
        warnings = tuple(str(warning) for warning in record["warnings"])
        left_out = tuple(str(label) for label in record.get("left_out", ()))
        given = record.get("overrides")
        overrides = None if given is None else _lines(given)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    target = _target(request, interpreter)
    installs = frozenset(u for _, _, _, _, u, _ in rows if u is not None)
    if target is None or not _prefers_the_same(request, target, preferred, labels, installs):
        return None
    from graft.resolve.recalled import Recalled  # noqa: PLC0415 - a memo hit only

    return Recalled(
        target,
        rows,
        labels,
        aged=old,
        warnings=warnings,
        left_out=left_out,
        overrides=overrides,
    )


def _lines(given: Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A memo's ``overrides``: the override lines and the excluded names (TypeError if not)."""
    lines, excludes = given
    if not isinstance(lines, list) or not isinstance(excludes, list):
        raise TypeError(given)
    return tuple(map(str, lines)), tuple(map(str, excludes))


def _target(request: ResolveRequest, interpreter: str) -> Target | None:
    """The target, if the memo's interpreter is the one the request names or finds.

    The memo is a file in the store, not the user's word: only the interpreter the request
    names (or finds, as resolving would) is ever run, never one a memo names.
    """
    from graft.errors import GraftError  # noqa: PLC0415
    from graft.venv.interpreter import find_interpreter, introspect  # noqa: PLC0415

    try:
        if interpreter != find_interpreter(request.python):
            return None
        return introspect(interpreter)
    except GraftError:
        return None


def _renewing(request: ResolveRequest) -> bool:
    """Whether *request* resolves some project without the venv's version preferred."""
    from graft.resolve.request_policy import renewed  # noqa: PLC0415

    return bool(renewed(request))


def _prefers_the_same(
    request: ResolveRequest,
    target: Target,
    preferred: set[str],
    labels: tuple[str, ...],
    installs: frozenset[str] = frozenset(),
) -> bool:
    """Whether resolving now would prefer what it preferred when the memo was written.

    Resolution keeps the versions the venv holds (:func:`graft.resolve.request_policy.preferences`).
    The memo stands when the venv holds what it held then (its URL distributions too), or
    exactly the memo's own result (whose versions resolution would keep again) where the memo
    kept no URL, where what it holds by URL is the memo's own install (*installs*, its
    ``direct_url.json`` texts: ``-e .`` synced again: decision 450); otherwise the sync
    resolves anew.
    """
    from graft.resolve.request_policy import held_by_url, preferences, url_labels  # noqa: PLC0415
    from graft.venv.holdings import held_as  # noqa: PLC0415

    now = {f"{name}=={version}" for name, version in preferences(request, target).items()}
    by_url = held_by_url(request, target)
    if now | set(url_labels(by_url)) == preferred:  # (kept by URL: decisions 439, 450)
        return True
    own = {held_as(json.loads(text)) for text in installs}
    # a memo that kept a URL the venv held is not the result of versions alone: it stands
    # only for a venv holding by URL what the memo installs so (an editable project rebuilt
    # at a new tag is held as the memo installed it), not the index's release of another
    if any("@" in p for p in preferred) and not own <= {url for _, url in by_url.values()}:
        return False
    return now | {f"{n} @ {url}" for n, (_, url) in by_url.items() if url not in own} == set(labels)


__all__ = ["Observed", "aged", "memo_path", "observe", "recall", "remember_located"]
