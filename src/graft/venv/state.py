"""What a venv records about how graft built it, read without loading the materializer.

The no-op path of ``graft sync`` lives here: it must cost next to nothing.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

#: The ``graft-inputs`` of a venv ``graft store repair`` marked: its next sync rebuilds it.
STALE = "stale"


#: A venv's real directories as :func:`tree_walk` read them, in the order it visited them:
#: each one's line of the digest and its subdirectories in the order they were listed.
Walk = dict[str, tuple[str, list[str]]]


#: pyvenv.cfg's record of a user's files graft carried into the venv (:mod:`graft.venv.keep`).
KEPT = "graft-kept"


#: The configuration directories of a venv (``graft.plan.types.CONFIG_DIRS`` below the data
#: directory, which is the prefix in a venv): their files are copies that tools rewrite.
CONFIG_DIRS = ("etc", "share/jupyter/kernels")


_CONFIGS = tuple(f"{c}/" for c in CONFIG_DIRS)


def tree_digest(prefix: str, kept: Iterable[str] = (), like: str | None = None) -> str:
    """Every real directory of a venv: its names, each link's target, each file's size and mtime.

    Links are listed, never entered (what lies behind them is the immutable store). The
    *kept* paths (a user's, :func:`kept_paths`) are left out, with all below them: a user may
    change their own files without making the venv differ from what graft left. So are the
    sizes and times of the files below :data:`CONFIG_DIRS` (copied configuration files, which
    a tool such as ``jupyter ... --sys-prefix`` rewrites, as in a flat install): only that
    they are there counts. *like*: a recorded ``graft-tree``, whose form the digest takes
    (:func:`walk_digest`).
    """
    return walk_digest(tree_walk(prefix, kept=kept), like)


def tree_walk(
    prefix: str,
    known: Walk | None = None,
    changed: Iterable[str] = (),
    kept: Iterable[str] = (),
) -> Walk:
    """What :func:`tree_digest` hashes, directory by directory (*kept* paths left out).

    With *known* (an earlier walk of the venv) and *changed* (the venv-relative paths that
    were taken out or put in since), only the parents of *changed* and the directories at or
    below them are read again; the others keep the lines *known* has. Reading a directory
    that someone else changed in between as it was can only make a later check of the
    recorded digest fail, never pass: the venv then takes the full path.
    """
    changed = tuple(changed)
    skipped = frozenset(kept)
    dirty = {os.path.dirname(path) for path in changed}
    below = tuple(f"{path}/" for path in changed)
    walk: Walk = {}
    pending = [""]
    while pending:
        rel = pending.pop()
        listed = None if known is None or rel in dirty else known.get(rel)
        if listed is None or rel in changed or rel.startswith(below):
            listed = _listed(prefix, rel, skipped)
        walk[rel] = listed
        pending.extend(f"{rel}/{name}" if rel else name for name in listed[1])
    return walk


#: ``graft-tree``'s tag: the BLAKE2b (256 bits) of the walk's lines (decision 502)
TREE_TAG = "b2:"


def walk_digest(walk: Walk, like: str | None = None) -> str:
    """The digest of a :func:`tree_walk`: its lines in the order it visited the directories.

    ``b2:`` and their BLAKE2b, which CPython's own module hashes ~3 times faster than its
    own SHA-256 (every CPython and PyPy has it: ``hashlib.algorithms_guaranteed``). *like*:
    a recorded ``graft-tree`` that is a bare hex digest (graft before decision 502) is
    checked by the SHA-256 it was made with, so that such a venv does not count as changed.
    """
    data = "".join([line for line, _ in walk.values()]).encode()
    if like is not None and not like.startswith(TREE_TAG):
        from graft._sha256 import sha256_hex  # noqa: PLC0415

        return sha256_hex(data)
    try:
        from _blake2 import blake2b  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415
    except ImportError:  # pragma: no cover - depends on the interpreter
        from hashlib import blake2b  # noqa: PLC0415 - (OpenSSL's or its own)
    hexdigest: str = blake2b(data, digest_size=32).hexdigest()
    return TREE_TAG + hexdigest


def _listed(prefix: str, rel: str, skipped: frozenset[str]) -> tuple[str, list[str]]:
    """One real directory's line of the digest, and its subdirectories as listed."""
    rows = []
    subdirectories = []
    config = f"{rel}/".startswith(_CONFIGS)
    # (an f-string, not os.path.join: ~9,000 instructions a directory on CPython 3.11, and
    # *rel* is names joined by "/": decision 466)
    with os.scandir(f"{prefix}/{rel}" if rel else prefix) as it:
        for entry in it:
            if skipped and (f"{rel}/{entry.name}" if rel else entry.name) in skipped:
                continue
            if entry.is_symlink():
                rows.append(f"{entry.name}>{os.readlink(entry.path)}")
            elif entry.is_dir(follow_symlinks=False):
                rows.append(f"{entry.name}/")
                subdirectories.append(entry.name)
            elif entry.name == "pyvenv.cfg" and not rel:
                rows.append(entry.name)  # graft appends its state to it after hashing
            elif config and entry.is_file(follow_symlinks=False):
                rows.append(f"{entry.name}:config")  # (rewritten by tools: see tree_digest)
            else:
                st = entry.stat(follow_symlinks=False)
                rows.append(f"{entry.name}:{st.st_size}:{st.st_mtime_ns}:{st.st_mode:o}")
    rows.sort()
    return f"{rel}\0{chr(0).join(rows)}\n", subdirectories


def state_lines(
    store_root: str, inputs: str, stats: str, plan_key: str | None, where: str | None
) -> str:
    """The ``graft-*`` lines of a venv's pyvenv.cfg, all but ``graft-tree`` (hashed last).

    *stats*: ``distributions,links,directories,files``. ``graft-plan`` names the kept plan
    that built the venv and where the venv really is (*where*, :func:`real_prefix`), so that
    the next sync can change only what differs (:mod:`graft.venv.incremental`).
    """
    from graft import __version__  # noqa: PLC0415

    text = (
        f"graft = {__version__}\ngraft-store = {store_root}\n"
        f"graft-inputs = {inputs}\ngraft-stats = {stats}\n"
    )
    if plan_key is not None and where is not None:
        text += f"graft-plan = {plan_key} {where}\n"
    return text


def followed(venv: str) -> str:
    """The venv *venv* names: the directory it leads to, when it is a symbolic link to one.

    As uv and pip install into the venv a link leads to (decision 112): graft builds beside
    that directory and swaps it by rename, never the link, which so keeps leading to the
    venv. A link to nothing or to a file is left as it is (the sync refuses it).
    """
    if not os.path.islink(venv):
        return venv
    real = os.path.realpath(venv)
    return real if os.path.isdir(real) else venv


def real_prefix(prefix: str) -> str:
    """Where the venv at *prefix* really is: its parent with links resolved, then its name."""
    parent, name = os.path.split(prefix.rstrip("/"))
    return os.path.join(os.path.realpath(parent), name)


def read_config(prefix: str) -> dict[str, str]:
    """The ``key = value`` lines of the venv's pyvenv.cfg (the last of a key counts).

    The one reader of the file: graft's ``graft-*`` lines (:func:`recorded_state`), the venv
    tool's options a rebuild keeps (:func:`options_of`), the interpreter (``home``,
    ``executable``). Raises OSError or ValueError (not UTF-8) when it cannot be read.
    """
    with open(os.path.join(prefix, "pyvenv.cfg"), encoding="utf-8") as fh:
        return parse_config(fh.read())


def parse_config(text: str) -> dict[str, str]:
    """pyvenv.cfg's ``key = value`` lines in *text*, as :func:`read_config` reads them."""
    out: dict[str, str] = {}
    for line in text.split("\n"):
        key, sep, value = line.partition("=")
        if sep:
            out[key.strip()] = value.strip()
    return out


def recorded_state(prefix: str) -> dict[str, str]:
    """The ``graft-*`` lines graft wrote into a venv's pyvenv.cfg (none if it is unreadable)."""
    try:
        config = read_config(prefix)
    except (OSError, ValueError):
        return {}
    return {key: value for key, value in config.items() if key.startswith("graft")}


#: The venv tool's options a venv keeps in its pyvenv.cfg through every sync (decision 111):
#: ``python -m venv``/``uv venv`` ``--system-site-packages`` and ``--prompt``, and ``uv venv
#: --seed``'s ``seed = true`` (decision 122: the sync keeps the seed packages it holds).
SYSTEM_SITE = "include-system-site-packages"
PROMPT = "prompt"
SEED = "seed"

#: Options: ``(key, value)`` lines of pyvenv.cfg, the value as written, sorted by key.
Options = tuple[tuple[str, str], ...]


def options_of(config: dict[str, str]) -> Options:
    """What of the venv tool's options the venv whose pyvenv.cfg is *config* has.

    ``include-system-site-packages = true`` (its key and value in any case, as ``site``
    reads them; ``false`` is every venv's default, so not an option), and ``prompt`` as
    written (``python -m venv`` quotes it, ``uv venv`` does not); ``seed = true`` (uv's, in any
    case, decision 122).
    """
    found: dict[str, str] = {}
    for key, value in config.items():
        name = key.lower()
        if name in {SYSTEM_SITE, SEED} and value.lower() == "true":
            found[name] = "true"
        elif name == PROMPT and value:
            found[PROMPT] = value
    return tuple(sorted(found.items()))


def venv_options(prefix: str) -> Options:
    """The options of the venv at *prefix* (none if there is no readable pyvenv.cfg)."""
    try:
        return options_of(read_config(prefix))
    except (OSError, ValueError):
        return ()


def with_options(own: Options, wanted: Options) -> Options:
    """The venv's *own* options with those a sync asks for (*wanted*) set over them."""
    return tuple(sorted({**dict(own), **dict(wanted)}.items()))


def kept_paths(state: dict[str, str]) -> tuple[str, ...]:
    """The venv-relative paths of a user's files that ``graft-kept`` in *state* records.

    Nothing when the line is missing or not a JSON list of relative paths inside the venv:
    ``graft-tree`` was hashed without them, so the venv then no longer counts as graft left
    it and is read whole again (:mod:`graft.venv.replaceable`).
    """
    text = state.get(KEPT)
    if not text:
        return ()
    from graft import _jsonc  # noqa: PLC0415

    try:
        paths = _jsonc.loads(text)
    except ValueError:
        return ()
    if not isinstance(paths, list) or not all(_inside(path) for path in paths):
        return ()
    return tuple(paths)


def kept_line(kept: tuple[str, ...]) -> str:
    """pyvenv.cfg's ``graft-kept`` line for a user's files at *kept* (none without any)."""
    if not kept:
        return ""
    from graft import _jsonc  # noqa: PLC0415

    return f"{KEPT} = {_jsonc.dumps(sorted(kept))}\n"


def _inside(path: object) -> bool:
    """Whether *path* is a venv-relative path that stays inside the venv."""
    return (
        isinstance(path, str)
        and bool(path)
        and not path.startswith("/")
        and all(part not in {"", ".", ".."} for part in path.split("/"))
    )


def up_to_date(prefix: str, inputs: str, wanted: Options = ()) -> dict[str, str] | None:
    """The recorded state if *prefix* was built from *inputs* and no real directory changed.

    A package pip added or removed since (anywhere outside the store) changes the
    listing of some real directory, and so makes the venv stale. So does an option the sync
    asks for (*wanted*, ``--system-site-packages``) that its pyvenv.cfg does not say.
    """
    try:
        config = read_config(prefix)
    except (OSError, ValueError):
        return None
    state = {key: value for key, value in config.items() if key.startswith("graft")}
    if state.get("graft-inputs") != inputs or "graft-pending" in state:
        return None  # (a venv in the middle of an incremental change is never complete)
    if wanted and with_options(options_of(config), wanted) != options_of(config):
        return None
    tree = state.get("graft-tree")
    if tree != tree_digest(prefix, kept_paths(state), tree):
        return None
    return state


def dist_infos(prefix: str, site_dirs: tuple[str, ...]) -> Iterator[tuple[str, str, str]]:
    """Each ``name-version.dist-info`` in *site_dirs* (relative to *prefix*).

    As ``importlib.metadata`` finds them: its path, canonical name and version.
    """
    for site in dict.fromkeys(site_dirs):
        try:
            names = os.listdir(os.path.join(prefix, site))
        except OSError:
            continue
        for name in names:
            stem = name.removesuffix(".dist-info")
            if stem != name and stem.count("-") == 1:
                project, version = stem.split("-")
                key = project.replace("_", "-").replace(".", "-").lower()
                yield os.path.join(prefix, site, name), key, version


def installed(prefix: str, site_dirs: tuple[str, ...]) -> dict[str, str]:
    """``{canonical name: version}`` of the distributions in the venv at *prefix*.

    Read from the ``name-version.dist-info`` directory names in *site_dirs* (relative to
    *prefix*), as ``importlib.metadata`` finds them; nothing when there is no venv.
    """
    return {key: version for _, key, version in dist_infos(prefix, site_dirs)}


def changes(
    before: Iterable[str] = (), after: Iterable[str] = (), reinstalled: Iterable[str] = ()
) -> dict[str, list[str]]:
    """What going from the ``name==version`` labels *before* to *after* adds, removes, ...

    ... upgrades and downgrades. Upgrades and downgrades read ``name old -> new``; the others
    ``name==version``. The canonical names *reinstalled* (of another wheel, or all again)
    that keep their version are ``reinstalled``, as uv's ``~ name==version``.
    """
    out: dict[str, list[str]] = {
        "added": [], "removed": [], "upgraded": [], "downgraded": [], "reinstalled": []
    }  # fmt: skip
    again = set(reinstalled)
    old = dict(label.split("==", 1) for label in before)
    new = dict(label.split("==", 1) for label in after)
    for name in sorted(old.keys() | new.keys()):
        was, now = old.get(name), new.get(name)
        if was is None:
            out["added"].append(f"{name}=={now}")
        elif now is None:
            out["removed"].append(f"{name}=={was}")
        elif was != now:
            from packaging.version import InvalidVersion, Version  # noqa: PLC0415

            try:
                up = Version(now) > Version(was)
            except InvalidVersion:
                up = now > was
            out["upgraded" if up else "downgraded"].append(f"{name} {was} -> {now}")
        elif name in again:
            out["reinstalled"].append(f"{name}=={now}")
    return out
