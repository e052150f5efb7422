"""pip's and uv's command-line forms: those graft takes as meant, and what to use for the rest.

A user of pip or uv carries their options over (decision 342): ``--color``, ``--no-progress``,
uv's ``--compile-bytecode`` and the like are taken, since graft does what they ask anyway
(:func:`add_tool_forms`; ``--no-sources`` leaves ``[tool.uv.sources]`` unread, decision
369); an option graft has not is refused as unknown, as argparse refuses it, with a hint
saying what to use instead (:func:`graft.cli.tool_hints.tip`); and one argparse would take
for an abbreviation of another of graft's (uv's ``--system``) is refused so
(:class:`Refused`). ``graft install`` and the other commands pip and uv have are told their
graft command (decision 232). uv's ``--cert`` and ``--allow-insecure-host`` (pip's
``--trusted-host``) are taken as meant (:func:`trust`; decisions 405, 406).
"""

from __future__ import annotations

import argparse
from typing import Any

#: pip 26.3's ``--use-feature`` choices (``cli/cmdoptions.py``), each what graft does anyway
_PIP_FEATURES = (
    "fast-deps",
    "inprocess-build-deps",
    "venv-isolation",
    "truststore",
    "no-binary-enable-wheel-cache",
    "build-constraint",
)


class Refused(argparse.Action):
    """An option of pip's or uv's that argparse would take for an abbreviation of graft's.

    uv's ``--system`` read as ``--system-site-packages`` made a venv that sees the system's
    site-packages, where uv installs into the system interpreter: refused as unknown, with
    :mod:`graft.cli.tool_hints`' hint (decision 342).
    """

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,  # noqa: ARG002
        values: Any,  # noqa: ARG002
        option_string: str | None = None,
    ) -> None:
        """Refuse it as argparse refuses an option it does not know."""
        parser.error(f"unrecognized arguments: {option_string}")


def add_tool_forms(parser: argparse.ArgumentParser) -> argparse._ArgumentGroup:
    """The options of pip's and uv's that graft takes as they are meant (decision 342).

    Shared by ``graft sync``, ``lock`` and ``build``; the group, for each command's own. With
    them, uv's and pip's TLS options (:func:`trust`).
    """
    # (else argparse reads uv's --system as an abbreviation of --system-site-packages or
    # --system-certs, and pip's --root of --root-user-action)
    parser.add_argument("--system", action=Refused, nargs=0, help=argparse.SUPPRESS)
    parser.add_argument("--root", action=Refused, nargs="?", help=argparse.SUPPRESS)
    alike = parser.add_argument_group("as pip and uv take them (graft does so anyway)")
    alike.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        help="graft writes no colour, so any choice is taken",
    )
    alike.add_argument(
        "--no-progress",
        action="store_true",
        help="no progress bar and no line naming a build (as uv's)",
    )
    alike.add_argument("--no-color", action="store_true", help="pip's --color never")
    alike.add_argument(
        "--progress-bar",
        choices=("auto", "on", "off", "raw"),
        help="pip's: off is --no-progress; the others leave graft's bar as it is",
    )
    alike.add_argument(
        "--root-user-action",
        choices=("warn", "ignore"),
        help="pip's: graft has no warning for a run as root",
    )
    alike.add_argument(
        "--disable-pip-version-check",
        action="store_true",
        help="graft asks for no newer version of itself",
    )
    alike.add_argument(  # (pip's general options, decision 456)
        "--no-input",
        action="store_true",
        help="pip's: graft asks nothing on the terminal (credentials come from the URL,"
        " ~/.netrc or the keyring command; git runs with GIT_TERMINAL_PROMPT=0)",
    )
    alike.add_argument(
        "--exists-action",
        choices=("s", "i", "w", "b", "a"),
        action="append",
        help="pip's: graft asks nothing about a path that exists (a repository's checkout is"
        " one per commit, in graft's cache), so any action is taken",
    )
    alike.add_argument(
        "--use-feature",
        choices=_PIP_FEATURES,
        action="append",
        metavar="FEATURE",
        help="pip 26.3's, each one graft does anyway: fast-deps (METADATA by range requests),"
        " inprocess-build-deps and venv-isolation (a build environment is a venv graft syncs"
        " itself), truststore (the system's certificates), no-binary-enable-wheel-cache"
        " (built wheels kept), build-constraint (-b FILE)",
    )
    alike.add_argument(
        "--no-python-downloads",
        action="store_true",
        help="graft never downloads an interpreter: it takes those on this machine",
    )
    alike.add_argument(
        "--no-sources",
        action="store_true",
        help="leave [tool.uv.sources] unread, as uv's --no-sources (also UV_NO_SOURCES)",
    )
    alike.add_argument(
        "--no-sources-package",
        action="append",
        default=[],
        metavar="NAME",
        help="leave the [tool.uv.sources] entries of NAME unread, as uv's (repeatable; also"
        " UV_NO_SOURCES_PACKAGE, names apart by spaces)",
    )
    tls = parser.add_argument_group("HTTPS certificates (as uv's and pip's options)")
    tls.add_argument(
        "--cert",
        metavar="FILE",
        help="trust the CA certificates of this PEM bundle instead of the system's and"
        " SSL_CERT_FILE's (as uv's)",
    )
    tls.add_argument(
        "--system-certs",
        "--native-tls",
        action="store_true",
        help="graft trusts the system's CA certificates anyway, where Python's ssl finds them"
        " (OpenSSL's default paths, SSL_CERT_FILE, SSL_CERT_DIR; the Windows store), as uv's"
        " flags ask",
    )
    tls.add_argument(
        "--allow-insecure-host",
        action="append",
        default=[],
        metavar="HOST",
        help="connect to HOST (HOST:PORT, https://HOST[:PORT], or *) without checking its"
        " certificate; every other host is still checked (repeatable; also"
        " GRAFT_INSECURE_HOST, space-separated)",
    )
    tls.add_argument(
        "--trusted-host",
        action="append",
        default=[],
        metavar="HOST",
        help="pip's name of --allow-insecure-host",
    )
    return alike


def trust(args: argparse.Namespace) -> None:
    """The run's ``--cert`` and ``--allow-insecure-host`` (and ``GRAFT_INSECURE_HOST``), taken.

    Read before the command makes any request; nothing is imported where none is given, and
    an earlier command's choices in the same process are dropped.
    """
    import os  # noqa: PLC0415
    import sys  # noqa: PLC0415

    cert, hosts, trusted = args.cert, args.allow_insecure_host, args.trusted_host
    # (graft.sources.tls.INSECURE_VARIABLE: that module is not imported where none is given)
    if cert is None and not hosts and not trusted and not os.environ.get("GRAFT_INSECURE_HOST"):
        earlier = sys.modules.get("graft.sources.urlimport")
        if earlier is not None:
            earlier.trust(None)
        return
    from graft.sources import tls, urlimport  # noqa: PLC0415

    urlimport.trust(tls.trust(cert, hosts, trusted))


def script_files(args: argparse.Namespace) -> tuple[str, ...]:
    """``--requirements-from-script FILE``, pip 26.3's, given once as pip takes it (decision 432).

    It joins the other requirements (``-r``, names) as pip's does; a second is refused as pip
    refuses it ("can only be given once"), pointing at ``-r``, which takes several scripts.
    """
    scripts = tuple(getattr(args, "requirements_from_script", ()))
    if len(scripts) > 1:
        from graft.errors import UsageError  # noqa: PLC0415

        raise UsageError(
            "--requirements-from-script is given once (as pip takes it)",
            where=f"--requirements-from-script {scripts[1]}",
            hint=f"for several scripts named *.py, give each with -r: -r {scripts[0]}"
            f" -r {scripts[1]}",
        )
    return scripts


def no_sources(args: argparse.Namespace) -> bool:
    """Whether ``--no-sources`` or ``UV_NO_SOURCES`` leaves ``[tool.uv.sources]`` unread.

    ``UV_NO_SOURCES`` is true unless unset, empty, ``0``, ``false``, ``no`` or ``off``, as uv
    reads a boolean variable (read here: ``sources.uv_sources`` defines classes a sync that
    reads no source must not make; ``tests/integration/test_daily_classes.py``).
    """
    import os  # noqa: PLC0415

    told = os.environ.get("UV_NO_SOURCES", "").strip().lower()
    return bool(getattr(args, "no_sources", False)) or told not in ("", "0", "false", "no", "off")


def no_sources_packages(args: argparse.Namespace) -> tuple[str, ...]:
    """The projects whose ``[tool.uv.sources]`` entries are left unread, normalized and sorted.

    ``--no-sources-package NAME`` (a value may name several apart by spaces, as uv 0.13.9
    splits it), or, only when it is not given, ``UV_NO_SOURCES_PACKAGE`` (names apart by
    spaces), as uv reads them. A value that is not a project's name (an empty one too) is one
    line (decision 403).
    """
    import os  # noqa: PLC0415

    given = tuple(getattr(args, "no_sources_package", None) or ())
    if given:  # (an empty value stays, to be refused)
        option = "--no-sources-package"
        names = tuple(name for value in given for name in value.split() or [value])
    else:
        option = "UV_NO_SOURCES_PACKAGE"
        names = tuple(os.environ.get(option, "").split())
    if not names:
        return ()
    from graft.resolve.request_policy import project_names  # noqa: PLC0415

    return tuple(sorted(project_names(names, option, "--no-sources-package")))
