"""What to use instead of pip's and uv's command-line forms graft has not (decision 342).

An option graft has not is refused as unknown, as argparse refuses it, with a hint saying
what graft does in its place (:func:`tip`, from :data:`_INSTEAD`); ``graft install`` and the
other commands pip and uv have are told their graft command (decision 232); a value graft's
option does not take is told the choice that does (:data:`_CHOICES`). The forms graft takes
as meant are :mod:`graft.cli.tool_forms`'. Imported only once argparse refuses a command line.
"""

from __future__ import annotations

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
#: What to use instead of pip's and uv's options graft has not, as each refusal's hint
#: (decision 342); the options graft takes as they are meant are
#: :func:`graft.cli.tool_forms.add_tool_forms`'s.
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


__all__ = ["tip"]
