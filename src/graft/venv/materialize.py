"""The materializer: apply a Plan to the filesystem, atomically.

The venv is built in a hidden sibling directory (same parent, so relative links
are the same) and then swapped in with one ``renameat2(RENAME_EXCHANGE)``: an
observer sees either the old complete venv or the new complete one. Syncs into
one venv are serialised by a lock file beside it.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import os
from typing import TYPE_CHECKING

from graft import __version__
from graft.errors import MaterializeError
from graft.plan.scripts import render, rewrite_shebang
from graft.plan.types import (
    Action,
    InstallScript,
    LinkDir,
    LinkFile,
    MakeDir,
    WriteFile,
    WriteLauncher,
    WriteRecord,
)
from graft.store import seal
from graft.venv import skeleton
from graft.venv.state import sweep_leftovers, tree_digest

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Iterator

    from graft.model.target import Target
    from graft.plan.types import Plan

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def make_staging(parent: str, name: str) -> str:
    """A fresh sibling directory ``.<name>.graft-<random>`` (the spelling the sweeps look for)."""
    while True:
        staging = os.path.join(parent, f".{name}.graft-{os.urandom(6).hex()}")
        try:
            os.mkdir(staging)  # mkdir's permissions, as for any venv
        except FileExistsError:
            continue
        return staging


def state_text(store_root: str, inputs: str, plan: Plan, plan_key: str | None) -> str:
    """The ``graft-*`` lines of a venv's pyvenv.cfg, all but ``graft-tree`` (hashed last).

    ``graft-plan`` names the kept plan that built the venv and where the venv really is, so
    that the next sync can change only what differs (:mod:`graft.venv.incremental`).
    """
    stats = f"{len(plan.distributions)},{plan.links},{plan.directories},{plan.files_served}"
    text = (
        f"graft = {__version__}\ngraft-store = {store_root}\n"
        f"graft-inputs = {inputs}\ngraft-stats = {stats}\n"
    )
    if plan_key is not None:
        text += f"graft-plan = {plan_key} {real_prefix(plan.prefix)}\n"
    return text


def real_prefix(prefix: str) -> str:
    """Where the venv at *prefix* really is: its parent with links resolved, then its name."""
    parent, name = os.path.split(prefix.rstrip("/"))
    return os.path.join(os.path.realpath(parent), name)


def _write_state(
    staging: str, store_root: str, inputs: str, plan: Plan, plan_key: str | None = None
) -> None:
    with open(os.path.join(staging, "pyvenv.cfg"), "a", encoding="utf-8") as fh:
        fh.write(state_text(store_root, inputs, plan, plan_key))
    tree = tree_digest(staging)  # pyvenv.cfg's name is listed, its content is not hashed
    with open(os.path.join(staging, "pyvenv.cfg"), "a", encoding="utf-8") as fh:
        fh.write(f"graft-tree = {tree}\n")


def venv_lock(
    prefix: str, on_wait: Callable[[], None] | None = None
) -> contextlib.AbstractContextManager[bool]:
    """Serialise syncs into one venv: a lock file beside it (waits as long as it takes)."""
    from graft._fs import flock  # noqa: PLC0415

    parent, name = os.path.split(prefix)
    return flock(os.path.join(parent, f".{name}.graft-lock"), on_wait)


def check_parent(prefix: str) -> None:
    """The venv's parent directory must exist (its lock and staging live there)."""
    if not os.path.isdir(os.path.dirname(prefix)):
        raise MaterializeError(
            "the parent directory does not exist", where=prefix, hint="create it first"
        )


def check_destination(prefix: str) -> None:
    """Refuse to replace anything but an empty directory or a venv holding nothing else.

    A venv is replaced only when everything in it is graft's, a venv tool's or an installed
    distribution's (:mod:`graft.venv.replaceable`); a user's file anywhere in it stops the sync.
    Called under the venv lock, so that no other sync changes it meanwhile.
    """
    check_parent(prefix)
    if not os.path.lexists(prefix):
        return
    if os.path.islink(prefix) or not os.path.isdir(prefix):
        raise MaterializeError(
            "exists and is not a directory", where=prefix, hint="choose another path"
        )
    if not os.listdir(prefix):
        return
    if not os.path.isfile(os.path.join(prefix, "pyvenv.cfg")):
        raise MaterializeError(
            "exists and is not a virtual environment (no pyvenv.cfg)",
            where=prefix,
            hint="choose another path or remove it",
        )
    refuse_if_in_the_way(prefix, prefix)


def refuse_if_in_the_way(path: str, prefix: str) -> None:
    """A one-line error if replacing the venv now at *path* (of *prefix*) would lose a file."""
    from graft.venv.replaceable import describe, in_the_way  # noqa: PLC0415

    try:
        found = in_the_way(path)
    except OSError as exc:
        raise MaterializeError(
            f"cannot read what the venv holds ({exc.strerror or exc})",
            where=exc.filename or prefix,
            hint="graft replaces a venv only after checking that nothing in it would be lost",
        ) from None
    if found:
        raise MaterializeError(
            f"holds files that are neither the venv's nor an installed distribution's,"
            f" which replacing it would delete: {describe(found)}",
            where=prefix,
            hint="move them out of the venv, or choose another path; nothing was changed",
        )


def materialize(
    plan: Plan,
    target: Target,
    store_root: str,
    inputs: str,
    on_wait: Callable[[], None] | None = None,
) -> None:
    """Build the venv described by *plan* and swap it in place of ``plan.prefix``.

    *inputs* identifies what the plan was made from; it is recorded in pyvenv.cfg so
    that the next sync with the same inputs can see that nothing needs doing.
    """
    prefix = plan.prefix
    check_parent(prefix)
    template = skeleton.venv_template(target)
    with venv_lock(prefix, on_wait):
        check_destination(prefix)
        rebuild(plan, template, store_root, inputs)


def rebuild(
    plan: Plan, template: str, store_root: str, inputs: str, plan_key: str | None = None
) -> None:
    """Build the whole venv beside ``plan.prefix`` and swap it in (the venv lock held)."""
    prefix = plan.prefix
    parent, name = os.path.split(prefix)
    sweep_leftovers(parent, name)
    staging = make_staging(parent, name)
    with discarded_on_failure(staging, prefix, "the previous venv, if any, is untouched"):
        skeleton.copy_template(template, staging, prefix)
        apply(plan, staging, store_root)
        _write_state(staging, store_root, inputs, plan, plan_key)
        _swap(staging, prefix)


@contextlib.contextmanager
def discarded_on_failure(staging: str, prefix: str, hint: str) -> Iterator[None]:
    """Remove *staging* if the block fails; an OSError becomes one MaterializeError line."""
    try:
        yield
    except OSError as exc:
        seal.remove_tree(staging, sealed=False)
        raise MaterializeError(
            f"cannot write the venv ({exc.strerror or exc})", where=prefix, hint=hint
        ) from None
    except BaseException:
        seal.remove_tree(staging, sealed=False)
        raise


def _swap(staging: str, prefix: str) -> None:
    if not os.path.lexists(prefix):
        os.rename(staging, prefix)
        return
    # The previous venv was checked before building; whatever was written into it since
    # is checked once it is out of the way, and it is put back if that would be lost.
    if _exchange(staging, prefix):
        try:
            refuse_if_in_the_way(staging, prefix)  # staging now holds the previous venv
        except MaterializeError:
            _exchange(staging, prefix)
            raise
        seal.remove_tree(staging, sealed=False)
        return
    old = staging + "-old"
    os.rename(prefix, old)
    try:
        refuse_if_in_the_way(old, prefix)
    except MaterializeError:
        os.rename(old, prefix)
        raise
    os.rename(staging, prefix)
    seal.remove_tree(old, sealed=False)


def _exchange(a: str, b: str) -> bool:
    import ctypes  # noqa: PLC0415

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    rc = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in {errno.ENOSYS, errno.EINVAL, errno.ENOTSUP}:
        return False
    raise OSError(err, os.strerror(err), b)


class _Relative:
    """Relative link targets from venv directories into the store, one relpath per directory.

    Computed from where the venv and the store really are: the kernel resolves a relative
    link's ``..`` physically, so a venv reached through a symlinked parent at another depth
    would otherwise get targets that climb out of the wrong directory.
    """

    def __init__(self, prefix: str, store_root: str) -> None:
        parent, name = os.path.split(prefix.rstrip("/"))
        self.prefix = os.path.join(os.path.realpath(parent), name)
        self.store_root = store_root.rstrip("/") + "/"
        self._real_store = os.path.realpath(store_root)
        self._up: dict[str, str] = {}

    def __call__(self, source: str, dest: str) -> str:
        final_dir = os.path.dirname(f"{self.prefix}/{dest}")
        if not source.startswith(self.store_root):
            head, tail = os.path.split(source)
            return os.path.relpath(os.path.join(os.path.realpath(head), tail), final_dir)
        up = self._up.get(final_dir)
        if up is None:
            up = self._up[final_dir] = os.path.relpath(self._real_store, final_dir)
        return f"{up}/{source[len(self.store_root) :]}"


def apply(
    plan: Plan, root: str, store_root: str = "/", only: Collection[Action] | None = None
) -> None:
    """Carry out every action of *plan* below *root* (links are relative to ``plan.prefix``).

    Directories level by level (a parent always exists before its children), then links,
    files and RECORDs, each step from a few threads: they are system calls that release the
    GIL, and the filesystem overlaps them (a new directory may wait on a bitmap read).
    Launchers and scripts are rendered first, so every RECORD can be written at once.
    With *only* (some of the plan's actions, in plan order), just those are carried out;
    their RECORDs still hash the plan's launchers and scripts they list.
    """
    relative = _Relative(plan.prefix, store_root)
    levels: dict[int, list[Action]] = {}
    rest: list[Action] = []
    scripts: dict[str, bytes] = {}
    for action in plan.actions if only is None else only:
        if isinstance(action, MakeDir):
            levels.setdefault(action.dest.count("/"), []).append(action)
        else:
            if isinstance(action, InstallScript | WriteLauncher):
                scripts[action.dest] = _script_content(action, plan.python)
            rest.append(action)
    if only is not None:
        _render_listed(plan, rest, scripts)
    from graft.plan.types import record_digest  # noqa: PLC0415 - plan is loaded

    digests = {dest: (record_digest(data), len(data)) for dest, data in scripts.items()}

    def run(chunk: list[Action]) -> None:
        for action in chunk:
            out = os.path.join(root, action.dest)
            if isinstance(action, MakeDir):
                os.makedirs(out, exist_ok=True)
            elif isinstance(action, LinkDir):
                os.symlink(relative(action.source, action.dest), out)
            elif isinstance(action, LinkFile):
                if plan.link_mode == "symlink":
                    os.symlink(relative(action.source, action.dest), out)
                else:
                    _copy_or_hardlink(action.source, out, plan.link_mode)
            elif isinstance(action, WriteFile):
                _write(out, action.content, executable=action.executable)
            elif isinstance(action, InstallScript | WriteLauncher):
                _write(out, scripts[action.dest], executable=True)
            else:
                _write_record(out, action, digests)

    for depth in sorted(levels):
        _spread(run, levels[depth])
    _spread(run, rest)


def _render_listed(plan: Plan, actions: list[Action], scripts: dict[str, bytes]) -> None:
    """Render the plan's launchers and scripts that RECORDs among *actions* list, unwritten."""
    wanted = {
        row.dest
        for action in actions
        if isinstance(action, WriteRecord)
        for row in action.pending
        if row.dest not in scripts
    }
    for action in plan.actions if wanted else ():
        if action.dest in wanted and isinstance(action, InstallScript | WriteLauncher):
            scripts[action.dest] = _script_content(action, plan.python)


def _spread(work: Callable[[list[Action]], None], actions: list[Action]) -> None:
    """*work* on *actions*, over ``GRAFT_LINK_THREADS`` threads (4) when there are enough."""
    workers = int(os.environ.get("GRAFT_LINK_THREADS", "4"))
    if workers <= 1 or len(actions) < 32:  # noqa: PLR2004 - a thread costs about 100 µs
        work(actions)
    else:
        _in_threads(work, [actions[i::workers] for i in range(workers)])


def _script_content(action: InstallScript | WriteLauncher, python: str) -> bytes:
    if isinstance(action, WriteLauncher):
        return render(action.body, python)
    with open(action.source, "rb") as fh:
        return rewrite_shebang(fh.read(), python)


def _in_threads(work: Callable[[list[Action]], None], chunks: list[list[Action]]) -> None:
    """Run *work* on each chunk in its own thread; re-raise the first failure."""
    import threading  # noqa: PLC0415 - (concurrent.futures costs a warm sync 3 ms to import)

    errors: list[BaseException] = []

    def guarded(chunk: list[Action]) -> None:
        try:
            work(chunk)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller below
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(chunk,)) for chunk in chunks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def _copy_or_hardlink(source: str, out: str, mode: str) -> None:
    if mode == "hardlink":
        try:
            os.link(source, out)
        except OSError as exc:
            if exc.errno not in {errno.EXDEV, errno.EPERM, errno.EMLINK}:
                raise
        else:
            return
    import shutil  # noqa: PLC0415

    shutil.copyfile(source, out)
    shutil.copystat(source, out)
    os.chmod(out, os.stat(out).st_mode | 0o200)


def _write(path: str, content: bytes, *, executable: bool) -> None:
    """A new file, 0755 or 0644 less the umask (as pip installs them); never through a link."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
    fd = os.open(path, flags, 0o755 if executable else 0o644)
    try:
        view = memoryview(content)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _write_record(path: str, action: WriteRecord, scripts: dict[str, tuple[str, int]]) -> None:
    buffer = io.StringIO()
    buffer.write(action.text)
    writer = csv.writer(buffer, lineterminator="\n")
    for row in action.pending:
        digest, size = scripts.get(row.dest, (row.digest, row.size))  # unwritten: lost a clash
        writer.writerow((row.path, digest, size))
    _write(path, buffer.getvalue().encode(), executable=False)
