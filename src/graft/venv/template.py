"""The venv template: a ``python -m venv --without-pip`` made once per interpreter, in the cache.

Made by one process at a time, under a lock beside it (decision 293), in a staging directory
renamed in (decision 292); one damaged in the cache (:func:`graft.venv.skeleton.intact`) is
put aside and made again (decision 268). Each venv copies it (:mod:`graft.venv.skeleton`);
the fast paths copy the template a full sync recorded and never make one, so they leave
this module out.
"""

from __future__ import annotations

import os

from graft import __version__
from graft._home import cache_root
from graft.venv.skeleton import _SUMS, _TEMPLATE_NAME, _listing, intact

TYPE_CHECKING = False
if TYPE_CHECKING:
    from graft.model.target import Target


_TEMPLATE_FORMAT = 2  # 2: a .gitignore in every template


def _template_home(target: Target) -> str:
    """Where *target*'s template lives in the cache (its directory holds the template)."""
    from graft._sha256 import sha256_hex  # noqa: PLC0415

    key = sha256_hex(
        f"{__version__}|{_TEMPLATE_FORMAT}|{target.real_executable}|{target.version}".encode()
    )
    return os.path.join(cache_root(), "venv-templates", key[:24])


def made_template(target: Target) -> str | None:
    """*target*'s template if it is made already (None: :func:`venv_template` would make it)."""
    path = os.path.join(_template_home(target), _TEMPLATE_NAME)
    return path if os.path.isfile(os.path.join(path, "pyvenv.cfg")) else None


def venv_template(target: Target) -> str:
    """A ``python -m venv --without-pip`` made once per interpreter, copied for each venv.

    One that is not as it was made (:func:`intact`: a file of it garbled, cut short or
    removed in the cache) is put aside and made again (decision 268). One process at a time
    makes it, under a lock beside it (decision 293): two syncs that found it damaged at once
    made it in turn, and the second put aside the one the first had just made while the first
    copied it (``cannot write the venv``); now the second finds it made and intact.
    """
    made = made_template(target)
    if made is not None and intact(made):
        return made
    home = _template_home(target)
    from graft._fs import flock  # noqa: PLC0415

    try:
        os.makedirs(os.path.dirname(home), exist_ok=True)
        with flock(_scratch(home, "lock"), removed=True):
            made = made_template(target)  # (another process may have made it meanwhile)
            if made is not None and intact(made):
                return made
            _sweep(home)
            if os.path.lexists(home):  # damaged, or cut short
                _discard(home)
            return _make(target, home)
    except OSError as exc:
        from graft.errors import cache_unwritable  # noqa: PLC0415

        raise cache_unwritable(exc, cache_root()) from None


def _scratch(home: str, what: str) -> str:
    """A path beside *home* of its own: ``.tmp-<home's name>-<what>``.

    Only the holder of *home*'s lock (``-lock``) makes such paths, so each it finds is one a
    killed maker left (:func:`_sweep`).
    """
    return os.path.join(os.path.dirname(home), f".tmp-{os.path.basename(home)}-{what}")


def _sweep(home: str) -> None:
    """Remove what a killed maker of *home*'s template left beside it (its lock held)."""
    import shutil  # noqa: PLC0415

    stem = os.path.basename(_scratch(home, ""))
    for name in os.listdir(os.path.dirname(home)):
        if name.startswith(stem) and not name.endswith("-lock"):
            shutil.rmtree(os.path.join(os.path.dirname(home), name), ignore_errors=True)


def _make(target: Target, home: str) -> str:
    """Make *target*'s template in a staging directory, then rename it in as *home*.

    The staging is named before it is made and removed if anything fails from its mkdir on,
    a signal included (decision 292); a killed maker's is swept by the next one.
    """
    import shutil  # noqa: PLC0415
    import subprocess  # noqa: PLC0415

    staging = _scratch(home, os.urandom(6).hex())
    built = os.path.join(staging, _TEMPLATE_NAME)
    try:
        os.mkdir(staging, 0o700)
        try:
            result = subprocess.run(
                [target.executable, "-m", "venv", "--without-pip", "--symlinks", built],
                capture_output=True,
                text=True,
                check=False,
            )
            last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        except OSError as exc:  # (the interpreter gone since it was asked: not the cache's)
            result, last = None, exc.strerror or str(exc)
        if result is None or result.returncode != 0:
            from graft.errors import MaterializeError  # noqa: PLC0415 - (not on the daily paths)

            raise MaterializeError(  # noqa: TRY301 - (the staging goes on any failure)
                f"`python -m venv` failed for this interpreter: {last}",
                where=target.executable,
                hint="install the interpreter's venv module (Debian: python3-venv)",
            )
        with open(os.path.join(built, ".graft-template-path"), "w", encoding="utf-8") as fh:
            fh.write(built)
        if not os.path.lexists(ignore := os.path.join(built, ".gitignore")):  # (3.13 writes
            with open(ignore, "w", encoding="utf-8") as fh:  # one)
                fh.write("*\n")
        with open(os.path.join(built, _SUMS), "wb") as fh:
            fh.write(_listing(built))
        os.rename(staging, home)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return os.path.join(home, _TEMPLATE_NAME)


def _discard(home: str) -> None:
    """Put a template's directory aside (one rename) and remove it, to be made again.

    Under *home*'s lock: a rename first, so that a kill while it is removed leaves no half
    template at *home* (the next maker sweeps what is aside).
    """
    import shutil  # noqa: PLC0415

    aside = _scratch(home, "discarded")
    os.rename(home, aside)
    shutil.rmtree(aside, ignore_errors=True)
