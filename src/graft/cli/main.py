"""The command line: parse arguments, call the library, render the result.

Exit status: 0 success (warnings allowed), 1 error, 2 usage error.
A :class:`~graft.errors.GraftError` is printed as one line, never a traceback.
The arguments are :mod:`graft.cli.parser`'s, ``graft sync`` is :mod:`graft.cli.sync_cmd`, and
an error is told by :mod:`graft.cli.error_output`.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from graft.cli.error_output import report
from graft.cli.exits import stdout_gone
from graft.cli.parser import parse
from graft.errors import GraftError, UsageError

if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence


def _run_inspect(args: argparse.Namespace) -> int:
    import tempfile  # noqa: PLC0415

    from graft._fs import file_sha256  # noqa: PLC0415
    from graft.model.record import record_to_dict  # noqa: PLC0415
    from graft.wheel.archive import unpack_wheel  # noqa: PLC0415

    if not os.path.isfile(args.wheel):
        raise UsageError("no such file", where=args.wheel)
    with tempfile.TemporaryDirectory(prefix="graft-inspect-") as tmp:
        record = unpack_wheel(args.wheel, tmp, file_sha256(args.wheel))
    if args.json:
        print(record.to_json())
        return 0
    data = record_to_dict(record)
    for key in ("filename", "sha256", "name", "version", "tags", "requires_python"):
        print(f"{key:16} {data[key]}")
    if record.variant_label is not None:
        print(f"{'variant_label':16} {record.variant_label}")
        props = ", ".join(record.variant_properties) or "- (the null variant)"
        print(f"{'variant':16} {props}")
    for key in ("top_level", "packages", "namespace_dirs", "native", "data_categories"):
        print(f"{key:16} {', '.join(data[key]) or '-'}")
    for ep in record.entry_points:
        print(f"{ep.group:16} {ep.name} = {ep.value}")
    for req in record.requires_dist:
        print(f"{'requires_dist':16} {req}")
    print(f"{'files':16} {len(record.files)}")
    for row in record.stated:  # RECORD's rows that do not vouch for their files (decision 383)
        said = "no row" if row.digest is None else f"{row.digest or '(no hash)'},{row.size}"
        print(f"{'record_disagrees':16} {row.path}: {said}")
    for row in record.repeated:  # a path's later rows, dropped (decision 384)
        print(f"{'record_disagrees':16} {row.path}: {row.digest},{row.size} (again; dropped)")
    from graft.cli.build_cmd import print_built_from  # noqa: PLC0415

    print_built_from(record.sha256)
    return 0


def _keyring_provider(args: argparse.Namespace) -> None:
    """``--keyring-provider``, else ``GRAFT_KEYRING_PROVIDER`` (as ``UV_KEYRING_PROVIDER``)."""
    if not hasattr(args, "keyring_provider"):
        return
    provider = args.keyring_provider or os.environ.get("GRAFT_KEYRING_PROVIDER") or "disabled"
    if provider not in {"disabled", "subprocess"}:
        raise UsageError(
            f"GRAFT_KEYRING_PROVIDER={provider} is not a keyring provider",
            hint="use disabled or subprocess",
        )
    if provider == "subprocess":
        from graft.sources.auth import use_keyring  # noqa: PLC0415

        use_keyring()
    args.keyring_provider = provider


def _python_from_environment(args: argparse.Namespace) -> None:
    """``GRAFT_PYTHON`` for ``sync``'s and ``build``'s ``--python`` where none is given.

    As ``UV_PYTHON`` stands for uv's ``--python`` (decision 119); not with ``sync``'s
    foreign-target flags, which name a target of their own. An interpreter it does not find
    is said as its own: ``GRAFT_PYTHON: no interpreter found for ...`` (by ``sync`` once
    the venv's own interpreter did not meet it, as ``--python``'s: decision 123). Without
    it, ``sync`` reads a ``.python-version`` file as ``uv venv`` does (decision 246), and
    ``build`` one as ``uv build`` does (decision 280).
    """
    if args.command not in {"sync", "build"} or args.python not in (None, []):
        return
    foreign = ("python_version", "platform", "implementation", "abi")
    if any(getattr(args, name, None) for name in foreign):
        return
    from graft._home import graft_python  # noqa: PLC0415

    spec = graft_python()
    if args.command == "sync":  # (graft.cli.venv_python.keep_venv_python looks it up)
        if spec is not None:
            args.python, args.python_from = spec, "GRAFT_PYTHON"
        else:
            _python_from_version_file(args)
        return
    if spec is not None:
        from graft.venv.interpreter import find_interpreter  # noqa: PLC0415

        find_interpreter(spec, where="GRAFT_PYTHON")
        args.python, args.python_from = [spec], "GRAFT_PYTHON"
        return
    _build_python_from_version_file(args)


def _python_from_version_file(args: argparse.Namespace) -> None:
    """``sync``'s ``--python`` from a ``.python-version`` file, as ``uv venv`` reads one.

    Where neither ``--python`` nor ``GRAFT_PYTHON`` is given and ``--no-config`` (or
    ``GRAFT_NO_CONFIG``) is not: the file's first request, said as the file's own where it
    is looked up (decision 246). The names uv ignores in it are said in a warning.
    """
    from graft._home import python_version_file  # noqa: PLC0415

    if _no_config(args):
        return
    try:
        path = python_version_file(os.getcwd())
    except OSError:  # (a working directory removed: the sync says so itself)
        return
    if path is None:  # (most syncs: graft._python_version_file is not imported)
        return
    request = _version_file_request(args, path)
    if request is not None:
        args.python, args.python_from = request, path


def _build_python_from_version_file(args: argparse.Namespace) -> None:
    """``build``'s ``--python`` from the version file of the source's directory, as ``uv build``.

    uv 0.13.9 looks from the source's directory (an sdist's: the one it is in) up to ``/``,
    a project's root no stop, and takes the file's first request alone (a
    ``.python-versions`` of ``3.9`` then ``3.12`` builds for 3.9 only); ``--no-config`` or
    ``GRAFT_NO_CONFIG`` reads none (decision 280). Its interpreter is looked up here, an
    error naming the file, as a sync's (decision 246).
    """
    from graft._home import python_version_file  # noqa: PLC0415

    source = os.path.abspath(args.source)
    if _no_config(args) or not os.path.exists(source):  # (a missing source: the build says so)
        return
    path = python_version_file(
        source if os.path.isdir(source) else os.path.dirname(source), project_stops=False
    )
    if path is None:
        return
    request = _version_file_request(args, path)
    if request is not None:
        from graft.cli.venv_python import look_up  # noqa: PLC0415

        look_up(request, path)
        args.python, args.python_from = [request], path


def _no_config(args: argparse.Namespace) -> bool:
    from graft._home import no_config  # noqa: PLC0415

    return bool(args.no_config) or no_config()


def _version_file_request(args: argparse.Namespace, path: str) -> str | None:
    """The first request of the version file at *path*; the names uv ignores said once."""
    from graft._python_version_file import read  # noqa: PLC0415

    found = read(path)
    if found.ignored and not args.quiet and not args.json:
        names = ", ".join(repr(name) for name in found.ignored)
        print(
            f"graft: warning: {found.path}: ignoring {names}: not a Python version or"
            " interpreter path (as uv ignores it)",
            file=sys.stderr,
        )
    return found.request


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``graft`` with *argv* (default ``sys.argv[1:]``); the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse(argv)
    from graft import _interrupted  # noqa: PLC0415
    from graft.cli.interrupt import installed  # noqa: PLC0415

    _interrupted.CHANGED.clear()  # (what an earlier command in this process changed is done)
    _interrupted.SIGNALLED.clear()
    with installed():  # Ctrl-C never inside the import machinery (decision 116)
        return _run(args, argv)


def _run(args: argparse.Namespace, argv: list[str]) -> int:  # noqa: PLR0911 - one exit per outcome
    """The command *args* names, its errors reported; the exit status."""
    try:
        _keyring_provider(args)
        if args.command in {"sync", "lock", "build"}:
            from graft.cli.tool_forms import trust  # noqa: PLC0415

            trust(args)
        if getattr(args, "only_deps", False):  # (pip's, decision 438)
            from graft.cli.only_deps import dependencies_only  # noqa: PLC0415

            dependencies_only(args)
        _python_from_environment(args)
        if args.command == "sync":
            from graft.cli.sync_cmd import run_sync  # noqa: PLC0415

            return run_sync(args, argv)
        if args.command == "lock":
            from graft.cli.lock_cmd import run_lock  # noqa: PLC0415

            return run_lock(args, argv)
        if args.command == "audit":
            from graft.cli.audit_cmd import run_audit  # noqa: PLC0415

            return run_audit(args)
        if args.command == "bench":
            from graft.cli.bench_cmd import run_bench  # noqa: PLC0415

            return run_bench(args)
        if args.command == "store":
            from graft.cli.store_cmd import run_store  # noqa: PLC0415

            return run_store(args)
        if args.command == "cache":
            from graft.cli.cache_cmd import run_cache  # noqa: PLC0415

            return run_cache(args)
        if args.command == "variants":
            from graft.cli.variants_cmd import run_variants  # noqa: PLC0415

            return run_variants(args)
        if args.command == "build":
            from graft.cli.build_cmd import run_build  # noqa: PLC0415

            return run_build(args)
        return _run_inspect(args)
    except UsageError as exc:
        report(args, exc)
        return 2
    except GraftError as exc:
        report(args, exc)
        return 1
    except KeyboardInterrupt:
        from graft import _interrupted  # noqa: PLC0415

        report(args, None, _interrupted.message())
        return _interrupted.status()  # 130, or 143 for SIGTERM (decision 269)
    except BrokenPipeError:  # the reader went away (`graft inspect W | head`): leave quietly
        return stdout_gone()
    except Exception as exc:
        if getattr(args, "verbose", False) and not getattr(args, "json", False):
            raise
        report(
            args, None, f"internal error: {exc.__class__.__name__}: {exc} ({_report(args, exc)})"
        )
        return 1


def _report(args: argparse.Namespace, exc: BaseException) -> str:
    """What to do about an internal error: rerun with ``-v``, where the command takes it.

    Elsewhere (``graft store gc`` has no ``-v``) the innermost line of graft's own where it
    was raised.
    """
    if hasattr(args, "verbose"):
        return "rerun with -v for the traceback, and please report it"
    import traceback  # noqa: PLC0415

    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # .../graft
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if f.filename.startswith(package + os.sep)] or frames
    if not ours:
        return "please report it"
    at = ours[-1]
    where = os.path.relpath(at.filename, os.path.dirname(package))
    return f"at {where}:{at.lineno}; please report it"
