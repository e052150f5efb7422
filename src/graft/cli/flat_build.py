"""A new venv built from a kept plan's flat form with the standard library alone.

The builder of :mod:`graft.cli.replay` (a new venv from its replay stamp) and of
:mod:`graft.cli.change` (a new venv from an edited pin set's kept plan), as the full path
builds one: :func:`build` takes the venv lock and a store pin (never waiting for either),
checks that nothing is in the way (no venv, no staging or GC root of an earlier venv at that
path, every entry verified), writes the GC root *before* anything is visible, copies the
template into a staging directory beside the venv, applies the flat form
(:func:`graft.venv.flat.apply_flat`), appends pyvenv.cfg's ``graft-*`` lines with the tree
hashed, renames it into place, and writes the root again with its anchor. A kill leaves at
most a hidden staging directory (swept by the next sync) and a root for a venv that does not
exist (gc's to remove).

With it, what both fast paths check and hold the same way: the store's ownership as the full
path's check saw it (:func:`trusted`, :func:`facts_of`, :func:`trust_paths`), the venv outside
the store (:func:`outside`), the venv lock and the store pin (:func:`hold_lock`,
:func:`let_go`), the GC root (:func:`write_root`), the kept flat form (:func:`kept_flat`) and
the venv's ``graft-inputs`` (:func:`inputs_digest`).
"""

from __future__ import annotations

import os

from graft import _interrupted

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from graft.plan.flat import Flat

_PREFIX_MARK = "\0graft-venv\0"  # graft.sync_result.PREFIX_MARK (a unit test checks they agree)
_PARTS = ("entries", "tmp", "locks", "roots", "plans", "verified")  # graft._fs.PARTS


def build(
    rows: dict[str, list[list[str]]],
    prefix: str,
    flat: Flat | None = None,
    seen: dict[str, str] | None = None,
) -> bool:
    """Build the venv at *prefix* (the venv lock and a store pin held); False: full path.

    *flat*: the flat form the rows name, when the caller has read it already. *seen*: the
    identities of RECORD texts known to hash to their names (:func:`kept_flat`).
    """
    store = rows["store"][0][0]
    held = [hold_lock(venv_lock_path(prefix), shared=False, removed=True)]
    held.append(
        hold_lock(os.path.join(store, "locks", "gc.lock"), shared=True) if held[0] else None
    )
    try:
        return None not in held and _build_locked(rows, prefix, store, flat, seen)
    finally:
        let_go(held, prefix)


def _build_locked(
    rows: dict[str, list[list[str]]],
    prefix: str,
    store: str,
    flat: Flat | None,
    seen: dict[str, str] | None,
) -> bool:
    from graft.store.paths import anchor_path, root_file  # noqa: PLC0415

    if _in_the_way(rows, prefix, store):
        return False
    parent, name = os.path.split(prefix)
    shas = [sha for (sha,) in rows.get("entry", [])]
    root = root_file(store, prefix)
    flat = flat or kept_flat(rows["flat"][0][0], store, seen)
    if flat is None:
        return False
    inputs = inputs_digest(rows["form"][0][0], prefix)
    real = os.path.join(os.path.realpath(parent), name)
    try:  # noqa: SIM105 - (contextlib's import costs ~1 ms) a removed venv's, see _root_free
        os.unlink(anchor_path(root))
    except FileNotFoundError:
        pass
    write_root(root, {"venv": prefix, "real": real, "entries": sorted(set(shas))})
    from graft.venv.staging import staging_path  # noqa: PLC0415

    staging = staging_path(parent, name)
    try:
        os.mkdir(staging)  # (inside the block: a signal from here on removes it)
        _materialize(rows, flat, staging, prefix, inputs)
        if os.path.lexists(prefix):
            return _undo(staging, root)
        os.rename(staging, prefix)
        _interrupted.changed(prefix)
    except OSError:
        return _undo(staging, root)
    except BaseException:
        _undo(staging, root)
        raise
    try:  # the root again, with the venv directory's identity and the anchor, as gc expects
        st = os.stat(prefix)
        payload = {"venv": prefix, "real": real, "directory": [st.st_dev, st.st_ino]}
        write_root(root, {**payload, "entries": sorted(set(shas))})
        if st.st_dev == os.lstat(os.path.dirname(root)).st_dev:
            os.link(os.path.join(prefix, "pyvenv.cfg"), anchor_path(root), follow_symlinks=False)
    except OSError:
        pass  # found by its paths (graft.store.gcroots), as when hard links cannot be made
    rows["inputs"] = [[inputs]]
    return True


def _in_the_way(rows: dict[str, list[list[str]]], prefix: str, store: str) -> bool:
    """Whether anything but a free path stands where the venv goes, or an entry is not fit."""
    from graft.store.paths import all_verified, root_file, venv_record  # noqa: PLC0415

    parent, name = os.path.split(prefix)
    lock = f".{name}.graft-lock"
    if os.path.lexists(prefix) or any(
        e.startswith(f".{name}.graft-") and e != lock for e in os.listdir(parent)
    ):
        return True  # a killed sync's staging: the full path sweeps it
    if not all_verified(store, [sha for (sha,) in rows.get("entry", [])]):
        return True
    real = os.path.join(os.path.realpath(parent), name)
    # an earlier venv's root, provider or overrides record: the full path knows what to keep
    return not _root_free(root_file(store, prefix), real) or any(
        os.path.lexists(venv_record(store, prefix, kind)) for kind in ("providers", "overrides")
    )


def _root_free(root: str, real: str) -> bool:
    """No GC root for the venv's path, or only one of a venv that is gone (removed, not moved).

    As ``graft.store.gcroots.keep_previous`` decides: a root for the same real path whose
    anchor is the only link left to that venv's pyvenv.cfg is replaced (its anchor removed).
    """
    from graft._jsonc import loads  # noqa: PLC0415
    from graft.store.paths import anchor_path  # noqa: PLC0415

    anchor = anchor_path(root)
    if not os.path.lexists(root):
        return not os.path.lexists(anchor)
    try:
        with open(root, encoding="utf-8") as fh:
            previous = loads(fh.read())
        held = os.lstat(anchor)
    except (OSError, ValueError):
        return False
    return isinstance(previous, dict) and previous.get("real") == real and held.st_nlink == 1


def _materialize(
    rows: dict[str, list[list[str]]], flat: Flat, staging: str, prefix: str, inputs: str
) -> None:
    from graft.venv import skeleton  # noqa: PLC0415
    from graft.venv.flat import apply_flat  # noqa: PLC0415
    from graft.venv.state import real_prefix, state_lines, tree_digest  # noqa: PLC0415

    store = rows["store"][0][0]
    options = tuple((key, value) for key, value in rows.get("option", []))
    skeleton.copy_template(rows["template"][0][0], staging, prefix, options)
    python = os.path.join(prefix, rows["python"][0][0])
    apply_flat(flat, staging, prefix, python, store)
    (stats,), (plan_key,) = rows["state"][0], rows["plan"][0]
    text = state_lines(store, inputs, stats, plan_key, real_prefix(prefix))
    with open(os.path.join(staging, "pyvenv.cfg"), "a", encoding="utf-8") as fh:
        fh.write(text)
    tree = tree_digest(staging)  # pyvenv.cfg's name is listed, its content is not hashed
    with open(os.path.join(staging, "pyvenv.cfg"), "a", encoding="utf-8") as fh:
        fh.write(f"graft-tree = {tree}\n")


def _undo(staging: str, root: str) -> bool:
    """After a failed build: no staging, and no root (there was none before)."""
    from graft.store import seal  # noqa: PLC0415

    try:
        seal.remove_tree(staging, sealed=False)
    finally:
        try:  # noqa: SIM105 - (as above)
            os.unlink(root)
        except OSError:
            pass
    return False


def kept_flat(path: str, store: str, seen: dict[str, str] | None = None) -> Flat | None:
    """The kept flat form at *path* with its RECORDs' texts, checked as a kept plan is.

    None if it is missing or not fit, or is a part of a plan (``rendered_only``). *seen*:
    the identities of RECORD texts that hashed to their names when last read, which spare
    them the hash, and gain those hashed now (:func:`graft.venv.kept_flat.load_texts`).
    """
    from graft.venv.kept_flat import load_texts, read_kept  # noqa: PLC0415

    flat = read_kept(path, store)
    if flat is None or flat.rendered_only:
        return None
    return flat if load_texts(flat, store, seen) else None


def write_root(path: str, payload: dict[str, object]) -> None:
    """The venv's GC root, as ``Store.register_root`` writes it (read-only, renamed in).

    On one line, where ``Store.register_root`` indents it: every reader parses it as JSON.
    """
    from graft._atomic import write_atomic  # noqa: PLC0415
    from graft._jsonc import dumps  # noqa: PLC0415

    write_atomic(path, dumps(payload), mode=0o444)


def inputs_digest(form: str, prefix: str) -> str:
    """A venv's ``graft-inputs`` at *prefix*, from :func:`graft.sync_result.inputs_form`'s text."""
    from graft._jsonc import loads  # noqa: PLC0415

    head, rows = loads(form)
    return inputs_digest_of(head, rows, prefix)


def inputs_digest_of(head: Sequence[object], rows: Sequence[object], prefix: str) -> str:
    """:func:`inputs_digest` of the form ``[head, rows]`` as read (*head* left as it is).

    For a caller that made the form itself: the same digest without reading its text back
    (decision 466).
    """
    from graft._jsonc import dumps  # noqa: PLC0415
    from graft._sha256 import sha256_hex  # noqa: PLC0415

    layout = head[4]
    if not isinstance(layout, str):  # (a damaged stamp or form: the callers' TypeError)
        raise TypeError(layout)
    placed = [*head[:4], layout.replace(repr(_PREFIX_MARK), repr(prefix)), *head[5:]]
    return sha256_hex(dumps([placed, rows]).encode())


def hold_lock(path: str, *, shared: bool, removed: bool = False) -> int | None:
    """A descriptor holding a ``flock`` on the lock file *path*, or None (held, or not one).

    As ``graft._fs.open_lock_file``: created if need be, a link never followed, a regular
    file only; never waits (whoever holds it, the full path waits for it). *removed*: a lock
    file its holders remove (:mod:`graft._lockfile`; let go with :func:`let_go`).
    """
    import fcntl  # noqa: PLC0415
    import stat  # noqa: PLC0415

    from graft._lockfile import still_named  # noqa: PLC0415

    flags = os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK
    try:
        fd = os.open(path, flags, 0o644)
    except OSError:
        return None
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
            if not removed or still_named(path, fd):
                return fd
    except OSError:
        pass
    os.close(fd)
    return None


def venv_lock_path(prefix: str) -> str:
    """The venv lock's file: ``.<name>.graft-lock`` beside the venv."""
    parent, name = os.path.split(prefix)
    return os.path.join(parent, f".{name}.graft-lock")


def let_go(held: list[int | None], prefix: str) -> None:
    """Let the venv lock (first in *held*, removing its file) and the other locks go."""
    from graft._lockfile import remove_held  # noqa: PLC0415

    for number, fd in enumerate(held):
        if fd is not None:
            if number == 0:
                remove_held(venv_lock_path(prefix), fd)
            os.close(fd)


def outside(prefix: str, store: str) -> bool:
    """Neither inside the other (links resolved), as ``graft.sync`` requires."""
    real_venv, real_store = os.path.realpath(prefix), os.path.realpath(store)
    return os.path.commonpath([real_venv, real_store]) not in {real_store, real_venv}


def trusted(rows: dict[str, list[list[str]]], store: str) -> bool:
    """The store's directories as the full path's ownership check (graft._fs) accepted them."""
    if rows["euid"][0] != [str(os.geteuid()), os.path.realpath(store)]:
        return False
    return all(facts_of(path) == facts for path, *facts in rows["trust"])


def facts_of(path: str) -> list[str]:
    """A store directory's mode and owner (``-``: none), as the ownership check reads them."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return ["-"]
    return [f"{st.st_mode:o}", str(st.st_uid)]


def trust_paths(store: str) -> list[str]:
    """What the store's ownership check reads: ``/`` down to the store, and its parts."""
    paths = ["/"]
    for part in os.path.realpath(store).strip("/").split("/"):
        if part:
            paths.append(os.path.join(paths[-1], part))
    return [*paths, *(os.path.join(store, part) for part in _PARTS)]
