"""Where graft keeps things, and which graft is running: stdlib ``os`` and ``sys`` only.

The no-op path of ``graft sync`` (:mod:`graft.cli.noop`) starts from these; every other
module reaches them through :mod:`graft._fs`, :mod:`graft.store.entries` and
:mod:`graft.store.plancache`.
"""

from __future__ import annotations

import os
import sys

_CODE_STAMP: list[int] = []  # computed once per process

# pip's and uv's variables that say where packages come from: graft reads none of them
# (decision 115; graft.sources.tool_sources); here so that the no-op stamp's context names
# them cheaply. pip reads PIP_<OPTION> for each option; UV_INDEX_URL and UV_EXTRA_INDEX_URL
# are uv's deprecated names of UV_DEFAULT_INDEX and UV_INDEX. Those that replace PyPI, or
# are asked before it (uv's first-index), refuse a request that would ask PyPI by default:
TOOL_INDEX_VARIABLES = (
    "PIP_INDEX_URL",
    "PIP_NO_INDEX",
    "UV_DEFAULT_INDEX",
    "UV_INDEX",
    "UV_INDEX_URL",
    "UV_EXTRA_INDEX_URL",
    "UV_NO_INDEX",
)
# those that add sources beside PyPI, whose best version wins (pip's rule), are warned about
TOOL_ADDED_VARIABLES = ("PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "UV_FIND_LINKS")
TOOL_SOURCE_VARIABLES = (*TOOL_INDEX_VARIABLES, *TOOL_ADDED_VARIABLES)
# and those that make pip and uv check a hash of every distribution: `graft sync` refuses them
# unless given --require-hashes itself
TOOL_HASH_VARIABLES = ("PIP_REQUIRE_HASHES", "UV_REQUIRE_HASHES")
# those that limit what pip or uv may install: builds (pip's --only-binary and --no-binary,
# uv's --no-build and --no-binary, which uv sync and uv lock read), constraints, overrides,
# excludes and an upload cutoff; `graft sync`, `graft lock` and `graft build` refuse them
# unless told graft's own option for the same (decision 341)
TOOL_LIMIT_VARIABLES = (
    "PIP_ONLY_BINARY",
    "PIP_NO_BINARY",
    "UV_NO_BUILD",
    "UV_NO_BUILD_PACKAGE",
    "UV_NO_BINARY",
    "UV_NO_BINARY_PACKAGE",
    "PIP_CONSTRAINT",
    "UV_CONSTRAINT",
    "PIP_BUILD_CONSTRAINT",
    "UV_BUILD_CONSTRAINT",
    "UV_OVERRIDE",
    "UV_EXCLUDE",
    "UV_EXCLUDE_NEWER",
    "PIP_UPLOADED_PRIOR_TO",
)
# and those that choose among what the sources offer: a warning where graft chose otherwise
TOOL_CHOICE_VARIABLES = ("PIP_PRE", "UV_PRERELEASE", "UV_RESOLUTION", "UV_PYTHON")
# every pip or uv variable a sync or lock stamp's context names (a stamp made before one was
# set never answers for a command line it refuses or warns about)
TOOL_VARIABLES = (
    *TOOL_SOURCE_VARIABLES,
    "UV_NO_SOURCES",  # [tool.uv.sources] left unread (decision 369)
    "UV_NO_SOURCES_PACKAGE",  # and the entries of the projects it names (decision 403)
    *TOOL_HASH_VARIABLES,
    *TOOL_LIMIT_VARIABLES,
    *TOOL_CHOICE_VARIABLES,
)


def user_cache_dir() -> str:
    """Graft's per-user cache directory, as ``platformdirs.user_cache_dir("graft")`` gives it.

    On Linux, for an absolute ``$XDG_CACHE_HOME`` or an unset one with an absolute ``$HOME``,
    the XDG rule is applied here, because importing platformdirs (pathlib, tempfile, urllib)
    costs a warm sync 10 ms; ``tests/unit/test_fs.py`` checks that both agree.
    """
    if sys.platform.startswith("linux"):  # the common cases; anything unusual: platformdirs
        xdg, home = os.environ.get("XDG_CACHE_HOME", ""), os.environ.get("HOME", "")
        if os.path.isabs(xdg):
            return os.path.join(xdg, "graft")
        if not xdg and os.path.isabs(home):
            return os.path.join(home, ".cache", "graft")
    from platformdirs import user_cache_dir as platform_cache_dir  # noqa: PLC0415

    return platform_cache_dir("graft")


def cache_root() -> str:
    """Where graft keeps caches other than the store: ``$GRAFT_CACHE_DIR`` or the user's."""
    return os.environ.get("GRAFT_CACHE_DIR") or user_cache_dir()


def default_store_path() -> str:
    """The store graft uses unless told: ``$GRAFT_STORE``, else ``store`` in the user cache."""
    return os.environ.get("GRAFT_STORE") or os.path.join(user_cache_dir(), "store")


def interpreter_at(spec: str) -> str | None:
    """The executable a ``--python`` that is a path names (None if *spec* is not a path).

    A directory is a venv (or an installation) whose ``bin/python`` is meant, as pip's and
    uv's ``--python .venv`` read it (decision 327). ``""`` when the path is no executable
    file.
    """
    if os.sep not in spec and not spec.startswith("."):
        return None
    if os.path.isdir(spec):
        spec = os.path.join(spec, "bin", "python")
    return os.path.abspath(spec) if os.path.isfile(spec) and os.access(spec, os.X_OK) else ""


#: pyenv's and uv's Python version files, in the order one directory's are read (decision 246)
PYTHON_VERSION_FILES = (".python-version", ".python-versions")
#: What ``GRAFT_NO_CONFIG`` may be set to and still mean "read them" (as uv's boolish values)
_FALSE = frozenset({"", "0", "false", "no", "off", "n", "f"})
_PYTHON_VERSION_FILE_BYTES = 1 << 16


def no_config(argv: list[str] | None = None) -> bool:
    """Whether ``GRAFT_NO_CONFIG`` or ``--no-config`` (in *argv*) rules out ``.python-version``."""
    if os.environ.get("GRAFT_NO_CONFIG", "").strip().lower() not in _FALSE:
        return True
    for arg in argv or ():
        if arg == "--":
            break
        if arg == "--no-config":
            return True
    return False


#: where an interpreter comes from that was told, not found: ``UV_PYTHON`` comes after these in
#: uv and before a ``.python-version`` file, so it is warned about unless one of these chose
PYTHON_TOLD = frozenset({"--python", "GRAFT_PYTHON"})


def graft_python() -> str | None:
    """``GRAFT_PYTHON``, which stands for ``--python`` where none is given; None if unset or empty.

    As ``UV_PYTHON`` stands for uv's (decision 119): read by the parser's path
    (:mod:`graft.cli.main`) and by the change stamp's (:mod:`graft.cli.changestamp`) alike.
    """
    return os.environ.get("GRAFT_PYTHON") or None


def python_told(python: object, python_from: str = "--python") -> bool:
    """Whether an interpreter was chosen by ``--python`` or ``GRAFT_PYTHON`` (:data:`PYTHON_TOLD`).

    *python*: the command's ``--python`` as it stands after ``GRAFT_PYTHON`` was read for it
    (None or ``[]``: none); *python_from*: where it came from (a ``.python-version`` file's
    path is not told).
    """
    return python not in (None, []) and python_from in PYTHON_TOLD


def graft_indexes(
    index_url: str | None, extra_index_urls: list[str]
) -> tuple[str | None, list[str]]:
    """The flags' indexes, else ``GRAFT_INDEX_URL``'s and ``GRAFT_EXTRA_INDEX_URL``'s.

    As ``UV_INDEX_URL`` and ``PIP_INDEX_URL`` stand for their tools' flags; the extra indexes
    are separated by spaces. *index_url* None and *extra_index_urls* empty: not given.
    """
    if index_url is None:
        index_url = os.environ.get("GRAFT_INDEX_URL") or None
    if not extra_index_urls:
        extra_index_urls = os.environ.get("GRAFT_EXTRA_INDEX_URL", "").split()
    return index_url, extra_index_urls


def python_version_file(directory: str, *, project_stops: bool = True) -> str | None:
    """The nearest Python version file from *directory* up, as ``uv venv`` finds it; None.

    In each directory ``.python-version``, then ``.python-versions`` (a directory of that name
    is none: uv's ``is_file``); no higher than the nearest directory holding a
    ``pyproject.toml`` (a project's root, where ``uv venv`` and ``uv sync`` stop, its own files
    read), else up to ``/`` (:mod:`graft._python_version_file` reads it). Without
    *project_stops*, up to ``/`` whatever is on the way, as ``uv build`` looks from the
    source's directory (decision 280).
    """
    while True:
        for name in PYTHON_VERSION_FILES:
            candidate = os.path.join(directory, name)
            if os.path.isfile(candidate):
                return candidate
        if project_stops and os.path.isfile(os.path.join(directory, "pyproject.toml")):
            return None  # a project's root: uv looks no further up
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def python_version_file_key() -> str:
    """The Python version file that applies in the working directory and its text, else ``""``.

    What the stamps' keys hold of it (:func:`graft.cli.noop.python_version_file`): read, never
    parsed (no ``re`` on the fast paths: decisions 185, 190).
    """
    try:
        path = python_version_file(os.getcwd())
    except OSError:  # (a working directory removed meanwhile)
        return ""
    if path is None:
        return ""
    try:
        with open(path, "rb") as fh:
            data = fh.read(_PYTHON_VERSION_FILE_BYTES)
    except OSError:
        data = b"\0unreadable"
    return f"{path}\0{data.decode('utf-8', 'replace')}"


def code_stamp() -> int:
    """A number that changes when graft's code does: installed again, or a module changed.

    Code being developed never reuses what older code kept; releases also key on the version.
    Read once per process.
    """
    if not _CODE_STAMP:
        _CODE_STAMP.append(_stamp_of(os.path.dirname(__file__)))
    return _CODE_STAMP[0]


def _stamp_of(here: str) -> int:
    """The identity of the installer's RECORD, or the package's modules' sizes and mtimes.

    A graft an installer put in ``site-packages`` has ``graft-<version>.dist-info/RECORD``
    beside the package, which every install writes anew (pip and uv write it after the
    files, with their hashes): its identity (device, inode, size, mtime, ctime) changes
    with every install, for one ``stat`` where the modules' own cost ~470 (decision 349).
    A source tree (``PYTHONPATH``, an editable install) has none there: its modules (and
    its subpackages', one level down, as graft is laid out) are read, so that an edit of
    any of them is seen.
    """
    from graft import __version__  # noqa: PLC0415 - (imported with the package)

    record = os.path.join(os.path.dirname(here), f"graft-{__version__}.dist-info", "RECORD")
    try:
        st = os.stat(record)
    except OSError:
        pass
    else:
        total = 0
        for number in (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns):
            total = (total * 1_000_003 + number) % (1 << 61)
        return total
    stats = []
    try:
        for directory in (here, *_subpackages(here)):
            with os.scandir(directory) as entries:
                for e in entries:
                    if e.name.endswith(".py"):
                        st = e.stat()
                        stats.append((directory, e.name, st.st_size, st.st_mtime_ns))
    except OSError:  # not installed as files (a zip): the version alone identifies the code
        return 0
    stats.sort()
    total = 0
    for _, _, size, mtime in stats:
        total = (total * 1_000_003 + size * 31 + mtime) % (1 << 61)
    return total


def _subpackages(here: str) -> list[str]:
    with os.scandir(here) as entries:
        return [e.path for e in entries if e.is_dir() and not e.name.startswith(("_", "."))]
