"""The change stamp: how ``graft.cli.change`` reads an edited pin set without ``packaging``.

``graft sync VENV -r FILE...`` with nothing but ``--index-url``, ``--extra-index-url``,
``--store``, ``--python``, ``--link-mode`` and ``-q`` besides (:func:`command`). After a
successful full sync of such a command whose resolution was pinned exactly and kept in the pin
record (:mod:`graft.resolve.pinrecord`), :func:`graft.cli.changestamp_keep.keep` leaves a
stamp keyed by the command line with the requirement files' paths left out
(``<store>/plans/change-<key>``), and another with the venv's path left out too, for new venvs
(:func:`for_new_venvs`). It names the pin record and its context, the policy's word on every
project, the inputs' preimage (``graft.sync_result.inputs_form``), the plan key's other parts,
the venv template, the interpreter ``--python`` found, and the store's ownership as the full
path checked it.

:func:`read` reads files of plain ``name==version`` lines (:func:`pins`) through it: each
project's step is the pin record's under the key the resolver asks by
(:func:`graft.resolve.pinned.asked_key`), younger than a cached page, or older and renewed
(the pages its files came from are unchanged, decision 85); every dependency of a
chosen wheel is a project of the files (:func:`choose`), and its version meets the
specifier: the conditions under which :func:`graft.resolve.pinned.pinned_resolution` answers,
and its answer. Pairs of specifier and version met before are kept in the stamp; any other
is checked with ``packaging.specifiers`` (:func:`meets`), and :func:`remember` keeps the pairs
met since. The chosen wheels give the venv's ``graft-inputs`` and the kept plan's key as the
full path computes them.

The stamp is untrusted input: it names a record in graft's cache (trusted as far as its
cached index pages are) and files in the store, each checked as the full path checks them.
"""

from __future__ import annotations

import os
import time

from graft import _jsonc
from graft.cli import flat_build, noop, vouchers
from graft.cli.pin_lines import pin_line, pins

FORMAT = "graft-change-stamp 2"
_MARK = "\0file"  # stands for a requirements file's path in the stamp's key
_VENV = "\0venv"  # stands for the venv's path in the key of the stamp for new venvs
_VALUED = ("--index-url", "--extra-index-url", "--store", "--python", "--link-mode")
_QUIET = ("-q", "--quiet")
_REQUIREMENT = ("-r", "--requirement")
PYTHON = "<python>"  # graft.resolve.provider.PYTHON (a unit test checks they agree)
TTL = 600.0  # graft.resolve.pinrecord.TTL (a unit test checks they agree)
RECORD_FORMAT = 3  # graft.resolve.pinrecord.FORMAT (a unit test checks they agree)
PAIRS_KEPT = 4096  # specifier and version pairs a stamp remembers as met

Row = dict[str, object]


def command(argv: list[str]) -> tuple[str, list[str], list[str]] | None:
    """The venv, the requirement files and the stamp's command line; None: not this path."""
    if len(argv) < 4 or argv[0] != "sync" or argv[1].startswith("-"):  # noqa: PLR2004
        return None
    masked, files = ["sync", argv[1]], []
    rest = iter(argv[2:])
    for arg in rest:
        name, eq, value = arg.partition("=")
        if arg in _REQUIREMENT or (name == "--requirement" and eq):
            path = value if eq else next(rest, None)
            masked += [name, _MARK]
        elif arg.startswith("-r") and len(arg) > len("-r"):
            path = arg[2:]
            masked += ["-r", _MARK]
        elif name in _VALUED:
            given = value if eq else next(rest, None)
            if given is None:
                return None
            masked += [name, given]
            continue
        elif arg in _QUIET:
            masked.append(arg)
            continue
        else:
            return None
        if not path or path == "-":  # (standard input: nothing to read again; decision 325)
            return None
        if path.endswith((".py", ".pyw")):  # a PEP 723 script: its code may read as pins (434)
            return None
        files.append(path)
    return (argv[1], files, masked) if files else None


def for_new_venvs(masked: list[str]) -> list[str]:
    """The command line of :func:`command` with the venv's path left out too.

    The key of the stamp a venv that does not exist yet is built by: the set a file names
    is the same for every venv, and a new venv's interpreter is ``--python``'s or graft's
    own (an existing venv keeps its own, so its stamp is keyed by its path).
    """
    return [masked[0], _VENV, *masked[2:]]


def asked_key(name: str, version: str, word: list[str | None]) -> str:
    """:func:`graft.resolve.pinned.asked_key` of one ``name==version`` line."""
    return repr((name, [f"None|=={version}|None"], word))


def choose(
    wanted: dict[str, str], record: dict[str, Row], word: list[str | None], python: str
) -> tuple[dict[str, Row], set[tuple[str, str]]] | None:
    """The step of each project and the specifier and version pairs that must hold; or None.

    *record*: the pin record's steps by ``asked`` key; *python*: the target's
    version (what Requires-Python is checked against).
    """
    chosen: dict[str, Row] = {}
    for name, version in wanted.items():
        row = record.get(asked_key(name, version, word))
        if row is None or row.get("ident") != name or row.get("extra") is not None:
            return None
        chosen[name] = row
    pairs: set[tuple[str, str]] = set()
    for row in chosen.values():
        if row["warnings"]:
            return None  # (printed by the full path)
        for dep, extra, specifier, filename, _text in row["deps"]:  # type: ignore[attr-defined]
            if extra is not None or filename is not None:
                return None
            if dep == PYTHON:
                pairs.add((str(specifier), python))
            elif dep in chosen:
                pairs.add((str(specifier), str(chosen[dep]["version"])))
            else:
                return None  # not pinned by the file: resolvelib chooses
    return chosen, pairs


def unread(masked: list[str]) -> list[str]:
    """The warnings the full path gives of pip's and uv's variables for *masked* (decision 355).

    Its interpreter is named by ``--python`` alone and its sources by ``--index-url`` and
    ``--extra-index-url`` alone (the files are plain pins); graft's variables stand for them
    by the parser's own helpers (:func:`graft._home.graft_python`, ``graft_indexes``).
    Each of those warnings names a variable set to more than whitespace: with none of them
    set (the interpreter's left out when ``--python`` chose it, the added sources' when an
    index was named), there is none, and :mod:`graft.sources.tool_sources` is not imported
    (decision 502).
    """
    from graft._home import (  # noqa: PLC0415
        TOOL_ADDED_VARIABLES,
        TOOL_CHOICE_VARIABLES,
        graft_indexes,
        graft_python,
        python_told,
    )

    given: dict[str, list[str]] = {}
    rest = iter(masked[2:])
    for arg in rest:  # (as :func:`command` masked it: each option but -q then its value)
        given.setdefault(arg, []).extend([] if arg in _QUIET else [next(rest, "")])
    python = given["--python"][-1] if "--python" in given else graft_python()
    index_urls = given.get("--index-url", [])
    index_url, extra_index_urls = graft_indexes(
        index_urls[-1] if index_urls else None, given.get("--extra-index-url", [])
    )
    told = python_told(python, "--python" if "--python" in given else "GRAFT_PYTHON")
    alone = not (index_url or extra_index_urls)
    named = [name for name in TOOL_CHOICE_VARIABLES if not told or name != "UV_PYTHON"]
    if alone:
        named += TOOL_ADDED_VARIABLES
    if not any(os.environ.get(name, "").strip() for name in named):
        return []
    from graft.sources.tool_sources import pin_set_warnings  # noqa: PLC0415

    return pin_set_warnings(python_told=told, defaults_alone=alone)


def meets(pairs: set[tuple[str, str]]) -> bool:
    """Whether every version meets its specifier, as the resolver's provider checks it."""
    from packaging.specifiers import SpecifierSet  # noqa: PLC0415 - only for pairs not seen
    from packaging.version import Version  # noqa: PLC0415

    return all(SpecifierSet(s).contains(Version(v), prereleases=True) for s, v in pairs)


def key_of(masked: list[str]) -> str | None:
    """The key of *masked*'s stamp; None without a working directory."""
    context = noop._context(masked)  # noqa: SLF001
    return None if context is None else noop._key(context)  # noqa: SLF001


def stamp(masked: list[str]) -> tuple[str, dict[str, list[list[str]]]] | None:
    """The key of *masked*'s stamp and its rows by name (none if absent); None without a cwd."""
    key = key_of(masked)
    if key is None:
        return None
    try:
        with open(noop._stamp_file(masked, key, "change"), encoding="utf-8") as fh:  # noqa: SLF001
            lines = fh.read().split("\n")
    except (OSError, UnicodeDecodeError):
        return key, {}
    fields = [line.split("\0") for line in lines[1:] if line]
    if lines[0] != FORMAT or fields[:1] != [["key", key]]:
        return key, {}
    rows: dict[str, list[list[str]]] = {}
    for row in fields:
        rows.setdefault(row[0], []).append(row[1:])
    return key, rows


def _record(path: str, context: str) -> tuple[dict[str, Row], dict[str, Row]] | None:
    """The pin record's steps by ``asked`` key, and the record as read (its JSON)."""
    try:
        with open(path, encoding="utf-8") as fh:
            record = _jsonc.loads(fh.read())
        if record["format"] != RECORD_FORMAT or record["context"] != context:
            return None
        steps = {str(a): row for a, row in record["steps"].items() if row["asked"] == a}
        for row in steps.values():
            float(row["created"])  # (a record unlike this module's: ValueError, TypeError)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return steps, record


def _young(row: Row, now: float) -> bool:
    """Whether the step *row* is younger than a cached page (the resolver's rule)."""
    return 0 <= now - float(row["created"]) < TTL  # type: ignore[arg-type]


def _renew(path: str, record: dict[str, Row], aged: list[Row], argv: list[str]) -> bool:
    """Whether the index still holds the pages every *aged* step came from; if so, renewed.

    A step rests on its project's pages (:meth:`graft.sources.indexes.Indexes.pages`): while
    each is as its validators say (:func:`graft.sources.revalidate.unchanged`), the full path
    would read the same files and answer the same step. The pages are asked side by side,
    once each; the renewed steps are kept as made now. *argv*: the command line, whose index
    URLs' credentials are their hosts'.
    """
    pages: dict[tuple[str, str], tuple[str, dict[str, str]]] = {}
    for row in aged:
        if not isinstance(row.get("pages"), list):
            return False  # (from a find-links directory, a local index, or none validated)
        for url, validators in row["pages"]:  # type: ignore[attr-defined]
            pages[url, _jsonc.dumps(validators, sort_keys=True)] = (str(url), dict(validators))
    from graft.sources import revalidate  # noqa: PLC0415 - only for aged steps

    if not revalidate.unchanged(list(pages.values()), argv):
        return False
    now = time.time()
    for row in aged:
        row["created"] = now
    from graft._atomic import remember  # noqa: PLC0415

    remember(path, _jsonc.dumps(record))
    return True


class Reading:
    """What the files resolve to by the stamp: the venv's inputs, its plan, the entries."""

    def __init__(
        self, rows: dict[str, list[list[str]]], chosen: dict[str, Row], prefix: str
    ) -> None:
        """Raises KeyError, IndexError, ValueError or TypeError on a damaged stamp.

        An sdist's step gives the wheel its voucher names (:mod:`graft.cli.vouchers`).
        """
        shas, labels, installed = [], [], []
        built = vouchers.built(rows)
        for row in chosen.values():
            sdist = vouchers.sdist_of(row)
            if sdist is None:
                sha = str(dict(row["file"][2])["sha256"])  # type: ignore[index]
                installed.append(f"{sha}||1")
            else:
                sha, form_row = built[sdist]
                installed.append(form_row)
            shas.append(sha)
            labels.append(f"{row['name']}=={row['version']}")
        self.prefix = prefix
        self.read: dict[str, str] = {}  # the sha256 of each file's bytes the pins came from
        self.shas = sorted(shas)
        self.labels = sorted(labels)
        head, held = _jsonc.loads(rows["head"][0][0]), sorted(installed)
        if not isinstance(head, list):
            raise TypeError(head)
        # the inputs' preimage (graft.sync_result.inputs_form), the venv's path masked; its
        # digests made from the lists it is written from, not its text read back (466)
        self.form = _jsonc.dumps([head, held])
        self.inputs = flat_build.inputs_digest_of(head, held, prefix)
        from graft.store.paths import plan_key  # noqa: PLC0415

        parts = _jsonc.loads(rows["parts"][0][0])
        self.plan = plan_key([flat_build.inputs_digest_of(head, held, ""), *parts])


def read(
    rows: dict[str, list[list[str]]], files: list[str], prefix: str, masked: list[str]
) -> tuple[Reading, set[tuple[str, str]]] | None:
    """The files read by the stamp, and the pairs the stamp has not seen met; or None.

    *masked*: the command line (:func:`command`), whose index URLs may hold credentials for
    the pages an aged step is renewed by.
    """
    digests: dict[str, str] = {}
    found = steps_for(rows, files, masked, digests)
    reading = None if found is None else reading_of(rows, *found, prefix)
    if reading is not None:
        reading[0].read = digests
    return reading


Chosen = tuple[dict[str, Row], set[tuple[str, str]]]


def steps_for(
    rows: dict[str, list[list[str]]],
    files: list[str],
    renew: list[str] | None,
    digests: dict[str, str] | None = None,
) -> Chosen | None:
    """Each project's step for the files' pins, and the pairs that must hold; or None.

    A step older than a cached page is renewed (:func:`_renew`, with the command line
    *renew*) or, with *renew* None, taken as missing. *digests*: as :func:`pins`'.
    """
    wanted = pins(files, digests)
    (path, context), (word,), (python,) = rows["record"][0], rows["word"][0], rows["python"][0]
    record = None if wanted is None else _record(path, context)
    if wanted is None or record is None:
        return None
    steps, raw = record
    now = time.time()
    if renew is None:
        steps = {asked: row for asked, row in steps.items() if _young(row, now)}
    found = choose(wanted, steps, _jsonc.loads(word), python)
    if found is None:
        return None
    aged = [row for row in found[0].values() if not _young(row, now)]
    if aged and (renew is None or not _renew(path, raw, aged, renew)):
        return None
    return found


def reading_of(
    rows: dict[str, list[list[str]]],
    chosen: dict[str, Row],
    pairs: set[tuple[str, str]],
    prefix: str,
) -> tuple[Reading, set[tuple[str, str]]] | None:
    """The steps *chosen* read by the stamp *rows* (its vouchers checked), the pairs unseen."""
    sdists = {s for row in chosen.values() if (s := vouchers.sdist_of(row)) is not None}
    if sdists and not vouchers.vouched(rows, sdists):
        return None
    seen = {(s, v) for s, v in rows.get("met", [])}
    return Reading(rows, chosen, prefix), pairs - seen


def remember(
    masked: list[str], key: str, rows: dict[str, list[list[str]]], met: set[tuple[str, str]]
) -> None:
    """The stamp *rows* (*key*'s) again, with the pairs *met* kept as met (best effort).

    *key* may be another command line's: a new venv built through the stamp for new venvs
    gets its own stamp with the same rows (its interpreter is the one they were made for).
    """
    kept = [
        [name, *row] for name, table in rows.items() if name not in {"key", "met"} for row in table
    ]
    pairs = [*rows.get("met", []), *map(list, sorted(met))][-PAIRS_KEPT:]
    write(masked, [["key", key], *kept, *(["met", *pair] for pair in pairs)])


def write(masked: list[str], rows: list[list[str]]) -> None:
    """The change stamp of the command line *masked*, with *rows*."""
    noop.write_stamp(masked, rows, "change", header=FORMAT)


__all__ = [
    "FORMAT",
    "PAIRS_KEPT",
    "Reading",
    "choose",
    "command",
    "for_new_venvs",
    "key_of",
    "meets",
    "pin_line",
    "pins",
    "read",
    "reading_of",
    "remember",
    "stamp",
    "steps_for",
    "write",
]
