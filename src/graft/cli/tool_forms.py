"""pip's and uv's command-line forms: those graft takes as meant, and what to use for the rest.

A user of pip or uv carries their options over (decision 342): ``--color``, ``--no-progress``,
uv's ``--compile-bytecode`` and the like are taken, since graft does what they ask anyway
(:func:`add_tool_forms`; ``--no-sources`` leaves ``[tool.uv.sources]`` unread, decision
369); an option graft has not is refused as unknown, as argparse refuses it, with a hint
saying what to use instead (:func:`tip`); and one argparse would take for an abbreviation
of another of graft's (uv's ``--system``) is refused so (:class:`Refused`). ``graft
install`` and the other commands pip and uv have are told their graft command (decision
232). uv's ``--cert`` and ``--allow-insecure-host`` (pip's ``--trusted-host``) are taken as
meant (:func:`trust`; decisions 405, 406).
"""

from __future__ import annotations

import argparse
from typing import Any

#: What pip's and uv's commands are in graft, for ``graft install`` and the like, as uv says
#: "a similar subcommand exists: 'uv pip install'" for ``uv install`` (decision 232).
_SIMILAR = {
    "install": "to install: graft sync VENV REQ..., which leaves the venv holding what it names",
    "add": "to install: graft sync VENV REQ..., which leaves the venv holding what it names",
    "pip": "to install: graft sync VENV REQ..., which leaves the venv holding what it names",
    "uninstall": "to remove: graft sync VENV with the requirements it keeps",
    "remove": "to remove: graft sync VENV with the requirements it keeps",
    "venv": "a venv of pip: graft sync VENV --seed",
    "compile": "a lock: graft lock REQ... -o pylock.toml",
    "check": "graft audit VENV checks a venv, as pip check does",
}


_VENV_ONLY = "graft installs into a venv it makes: graft sync VENV REQ... (pip or uv install"
_NO_CACHE = (
    "graft's venvs link into its store and cache, so it keeps them: for a venv that needs"
    " neither (an image), --link-mode copy, then graft cache clean and remove the store;"
    " --refresh asks the indexes again"
)
_PYLOCK = "graft lock writes a PEP 751 pylock.toml, which pip 26.1+, uv and graft sync install"
#: pip-compile's and ``uv pip compile``'s options for the requirements.txt they write: what a
#: pylock.toml has in their place (decision 357); each refused, naming the lock's format
_REQUIREMENTS_TXT = {
    **dict.fromkeys(
        ("--header", "--no-header", "--custom-compile-command"),
        "has no header comment (its created-by key names graft)",
    ),
    **dict.fromkeys(
        ("--annotate", "--no-annotate", "--annotation-style", "--emit-index-annotation"),
        "has no '# via' comments",
    ),
    **dict.fromkeys(
        (
            "--emit-index-url",
            "--no-emit-index-url",
            "--emit-find-links",
            "--no-emit-find-links",
            "--emit-trusted-host",
            "--no-emit-trusted-host",
            "--emit-options",
            "--no-emit-options",
            "--emit-build-options",
        ),
        "records each package's index and each file's URL, and no pip options",
    ),
    **dict.fromkeys(
        ("--strip-extras", "--no-strip-extras"), "lists each package once, without extras"
    ),
    **dict.fromkeys(
        ("--no-strip-markers", "--emit-marker-expression"),
        "keeps each package's marker (one lock for every environment it names)",
    ),
    **dict.fromkeys(
        ("--allow-unsafe", "--no-allow-unsafe", "--unsafe-package", "--no-emit-package"),
        "lists every package the resolution needs, pip and setuptools among them",
    ),
    **dict.fromkeys(
        ("--reuse-hashes", "--no-reuse-hashes"), "records each file's sha256 as its index gives it"
    ),
}
_NO_CONFIG = "graft reads no configuration file: give options on the command line"
#: pip 26.3's and uv 0.13.9's install and compile options graft has not, found by decision
#: 437's sweep: what graft does in their place
_OTHERWISE = {
    "--upgrade-strategy": "-U upgrades every package (pip's eager); -P NAME upgrades NAME"
    " alone, the rest kept where they fit (only-if-needed)",
    "--ignore-installed": "-U picks versions as if the venv held nothing, --reinstall"
    " installs every package again",
    "-I": "pip's --ignore-installed: -U picks versions as if the venv held nothing,"
    " --reinstall installs every package again",
    "--prefer-binary": "graft takes the newest version allowed, wheel or sdist, as pip without"
    " it; --only-binary NAME (or :all:) never builds NAME",
    "--torch-backend": "graft picks no PyTorch index by itself: name it, --extra-index-url"
    " https://download.pytorch.org/whl/cpu (or cu126...), which is asked before PyPI",
    "--fork-strategy": "graft lock resolves each environment (Python version, system) on its"
    " own, the newest versions each allows, as uv's requires-python strategy does",
    "--src": "graft builds a VCS requirement from a checkout in its cache; for an editable one,"
    " clone it, then -e DIR",
    "--allow-empty-requirements": "graft lock of a file listing nothing writes a lock of"
    " nothing, as uv pip compile writes an empty output; graft sync takes the option",
    "--no-allow-empty-requirements": "graft lock of a file listing nothing writes a lock of"
    " nothing, as uv pip compile writes an empty output",
    "--no-cache-dir": f"pip's --no-cache: {_NO_CACHE}",
    "--report": "--dry-run --json prints what a sync would install, as JSON",
    "--output-format": "--json prints the summary as JSON",
    "--check": "graft audit VENV checks a venv; --dry-run says what a sync would change",
    "--proxy": "HTTPS_PROXY=URL (graft reads the proxy variables)",
    "--no-proxy-env": "unset HTTPS_PROXY and the other proxy variables",
    "--timeout": "GRAFT_HTTP_TIMEOUT=SECONDS (default 30)",
    "--config-file": _NO_CONFIG,
    "--isolated": _NO_CONFIG,
    "--project": f"{_NO_CONFIG} (-r DIR/pyproject.toml reads a project's requirements)",
    "--no-editable": "name the directory without -e: graft sync VENV DIR",
    "--no-editable-package": "name the directory without -e: graft sync VENV DIR",
    "--ignore-requires-python": "graft installs only releases whose Requires-Python allows the"
    " venv's Python (a script's requires-python too), as pip without the option (uv has none):"
    " it takes the newest such release; for one that excludes it, --python an interpreter it"
    " allows",
    "--managed-python": "graft takes the interpreters on PATH and pyenv's: give another by its"
    " path (--python PATH)",
    "--no-managed-python": "graft takes the interpreters on PATH and pyenv's: give another by"
    " its path (--python PATH)",
    "--all-releases": "--prerelease-package NAME=allow (--pre for :all:)",
    "--only-final": "--prerelease-package NAME=disallow (--prerelease disallow for :all:)",
    "--upgrade-group": "-P NAME for each project of the group",
    "--hash": "--hash goes on its requirement's line of a -r file",
    "--log": "-v says timings and each choice on stderr: redirect it (2> FILE)",
    "--no-binary": "graft lock records each version's sdist and wheels, as the index has them:"
    " --no-binary NAME is graft sync's, which builds NAME from its sdist",
    "--link-mode": "graft lock installs nothing: --link-mode is graft sync's",
    # (pip's and uv's rare ones, decision 456)
    "--debug": "-v lets an internal error end in its traceback (graft's own errors stay one"
    " line), and says timings and each choice",
    "--no-clean": "a failed build's unpacked sdist stays for a week, its error naming it and"
    " the command that runs the hook again; a wheel built is kept in graft's cache",
    "--retries": "graft makes each request up to 3 times, 0.5 s then 1 s apart (not set by an"
    " option); GRAFT_HTTP_TIMEOUT=SECONDS sets each one's timeout",
    "--resume-retries": "graft continues a cut download from its last byte (Range) on each of"
    " its 3 tries, and a later run continues the part it kept (not set by an option)",
    "--client-cert": "graft sends no TLS client certificate: give the index a token"
    " (https://user:token@host/simple/, ~/.netrc or --keyring-provider subprocess), or copy"
    " its files into a directory (--find-links DIR --no-index)",
    "--use-deprecated": "graft has no deprecated behaviour to turn back on: it resolves by"
    " backtracking (resolvelib, pip's resolver since 20.3), and --cert FILE trusts a bundle"
    " such as certifi's (legacy-certs)",
    "--check-build-dependencies": "graft installs each build requirement into a build"
    " environment of its own; under --no-build-isolation it checks none, and the backend's"
    " hook fails where one is missing",
    "--no-require-hashes": "graft, as pip without the option, needs a --hash for every"
    " distribution once one is given; a URL's own #sha256=HEX checks its file alone (NAME @"
    " URL#sha256=HEX)",
    "--require-build-hashes": "graft checks no hash of a build environment (a"
    " --build-constraint line takes no --hash); --only-binary :all: with --require-hashes"
    " builds nothing and checks a hash for every distribution",
    "--no-break-system-packages": "graft sync's: graft installs into a venv only, never into a"
    " system interpreter",
}
#: pip 26.3's ``--use-feature`` choices (``cli/cmdoptions.py``), each what graft does anyway
_PIP_FEATURES = (
    "fast-deps",
    "inprocess-build-deps",
    "venv-isolation",
    "truststore",
    "no-binary-enable-wheel-cache",
    "build-constraint",
)
#: What to use instead of pip's and uv's options graft has not, as each refusal's hint
#: (decision 342); the options graft takes as they are meant are :func:`add_tool_forms`'s.
_INSTEAD = {
    "--system": f"{_VENV_ONLY} into the interpreter itself)",
    "--break-system-packages": f"{_VENV_ONLY} into the interpreter itself)",
    "--user": f"{_VENV_ONLY} into the user's site-packages)",
    "--target": f"{_VENV_ONLY} into a flat directory)",
    "-t": f"{_VENV_ONLY} into a flat directory)",
    "--prefix": f"{_VENV_ONLY} under another prefix; a venv is one)",
    "--root": f"{_VENV_ONLY} under another root)",
    "--no-cache": _NO_CACHE,
    "-n": f"uv's --no-cache: {_NO_CACHE}",
    "--no-verify-hashes": "graft checks every --hash it is given: remove the --hash values to"
    " install without them",
    "--uploaded-prior-to": "--exclude-newer DATE or a span (7 days, P7D) leaves out later files",
    "--python-platform": "graft sync installs for the venv's interpreter; --dry-run --platform"
    " TAG plans for another, and graft lock --python-platform locks for it",
    "--no-binary-package": "--no-binary NAME",
    "--no-build-package": "--only-binary NAME",
    "--no-compile": "graft compiles bytecode into the store once per interpreter, and the venv"
    " links to it",
    "--cache-dir": "GRAFT_CACHE_DIR=DIR (and GRAFT_STORE or --store for the store)",
    "--directory": "run graft from that directory (cd DIR)",
    **_OTHERWISE,
    **{option: f"{_PYLOCK}; it {has}: drop {option}" for option, has in _REQUIREMENTS_TXT.items()},
}
#: What an option graft has takes instead of pip's or uv's values it does not (invalid choice)
_CHOICES = {
    ("--link-mode", "clone"): "graft has no clone mode: copy gives the venv files of its own",
    ("--index-strategy", "unsafe-first-match"): "unsafe-best-match merges every index's files,"
    " first-index takes the first index that has the project",
    ("--format", "requirements.txt"): _PYLOCK,
    ("--prerelease", "explicit"): "if-necessary takes a prerelease a specifier names",
    ("--prerelease", "if-necessary-or-explicit"): "if-necessary is uv's default: a prerelease"
    " a specifier names, or where nothing else is left",
}


class Refused(argparse.Action):
    """An option of pip's or uv's that argparse would take for an abbreviation of graft's.

    uv's ``--system`` read as ``--system-site-packages`` made a venv that sees the system's
    site-packages, where uv installs into the system interpreter: refused as unknown, with
    :data:`_INSTEAD`'s hint (decision 342).
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


def tip(message: str) -> str | None:
    """What to use for an unknown command or option pip or uv has (``graft install``), if any."""
    prefix = "argument COMMAND: invalid choice: '"
    if message.startswith(prefix):
        return _SIMILAR.get(message[len(prefix) :].partition("'")[0])
    unknown = "unrecognized arguments: "
    if message.startswith(unknown):
        for word in message[len(unknown) :].split():
            hint = _INSTEAD.get(word.partition("=")[0])
            if hint is not None:
                return hint
        return None
    for (option, value), hint in _CHOICES.items():
        if message.startswith(f"argument {option}") and f"invalid choice: '{value}'" in message:
            return hint
    return None


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
