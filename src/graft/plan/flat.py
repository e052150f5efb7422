"""A plan's *flat form*: the venv as lists of primitive steps, read and checked by the stdlib.

A :class:`~graft.plan.types.Plan` is a tuple of typed actions; building those objects back
from a kept plan costs a warm sync more than carrying them out. The flat form holds the same
steps grouped by kind, as plain lists of strings: directories to make, directory links, file
links, configuration files to copy, generated files, launchers, ``.data/scripts`` files and
RECORDs (with the rows to hash once the launchers and scripts are rendered).
:func:`compile_plan` makes it from a plan (:func:`graft.plan.diff.part` a part of one, for an
incremental change);
:mod:`graft.venv.flat` carries it out, for every venv graft builds (one materializer), and a
new venv made from a kept plan's flat form (``graft.cli.replay``) needs nothing but it.

Like a kept plan, a flat form read back from the store is untrusted input: :func:`from_json`
accepts only what a planner can make (destinations inside the venv, links and scripts from
store entries that keep their names, only the planner's ``.dist-info`` files, launchers whose
body is the planner's for their entry point: :mod:`graft.plan.kept_checks`) and raises
ValueError on anything else.

This module imports nothing at run time (not even ``typing``) but
:mod:`graft.plan.kept_checks`, which imports nothing: the fast path loads it.
"""

from __future__ import annotations

from graft.plan.kept_checks import (
    checked_dest,
    checked_dests,
    checked_file,
    checked_launcher,
    checked_source,
    checked_text,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from graft.plan.types import Plan

#: 4: configuration files copied (``copies``); 5: kernel specs too; 6: a real ``__pycache__``'s
#: bytecode (symlink mode), and portions exposed for pip's uninstall (decisions 130, 131)
FORMAT = 6

Row = tuple[str, str, str, str]  # a RECORD row to hash: path, digest, size, destination
_SHA256_HEX = 64


class Flat:
    """The steps that make a venv's files, each list in plan order (parents before children).

    ``rendered_only`` names launchers and scripts that are rendered (their RECORD rows need
    their hash) but not written: a flat form of part of a plan (an incremental change).
    ``summary``: the whole plan's distributions, links, directories and files served (what a
    venv's ``graft-stats`` say), when known; ``collisions``: the plan's collisions, described
    (what a sync warns of).

    A RECORD's CSV text (most of a plan's bytes: a row per file) is named in ``records`` by
    its SHA-256 and held in ``texts``: a kept flat form stores each text once, beside it
    (``graft.store.paths.record_text_file``), and is read back without them, so that a
    diff reads only what it compares; :func:`graft.venv.kept_flat.load_texts` reads the texts
    of the RECORDs to be written.
    """

    __slots__ = (
        "collisions",
        "copies",
        "dir_links",
        "dirs",
        "file_links",
        "files",
        "launchers",
        "link_mode",
        "records",
        "rendered_only",
        "scripts",
        "summary",
        "texts",
        "unchecked",
    )

    def __init__(self, link_mode: str) -> None:
        """An empty flat form for *link_mode* (``symlink``, ``hardlink`` or ``copy``)."""
        self.link_mode = link_mode
        self.dirs: list[str] = []
        self.dir_links: list[tuple[str, str]] = []  # (dest, source)
        self.file_links: list[tuple[str, str]] = []  # (dest, source), as the link mode says
        self.copies: list[tuple[str, str]] = []  # (dest, source): configuration, always copied
        self.files: list[tuple[str, bytes, bool]] = []  # (dest, content, executable)
        self.launchers: list[tuple[str, str, bytes]] = []  # (dest, entry point value, body)
        self.scripts: list[tuple[str, str]] = []  # (dest, source): #!python rewritten
        self.records: list[tuple[str, str, list[Row]]] = []  # (dest, text's sha256, rows)
        self.rendered_only: set[str] = set()
        self.summary: tuple[int, int, int, int] | None = None
        self.collisions: tuple[str, ...] = ()
        self.texts: dict[str, bytes] = {}  # a RECORD's CSV text (UTF-8) by its sha256
        #: a kept form read without its checks (:func:`from_json_unchecked`): its JSON and
        #: the store's ``entries/``, so that :func:`checked_part` checks what a diff reads of it
        self.unchecked: tuple[dict[str, Any], str] | None = None

    def to_json(self) -> dict[str, object]:
        """The form as JSON values (bytes as latin-1 text), the RECORDs' texts left out."""
        return {
            "format": FORMAT,
            "link_mode": self.link_mode,
            "dirs": self.dirs,
            "dir_links": self.dir_links,
            "file_links": self.file_links,
            "copies": self.copies,
            "files": [[d, c.decode("latin-1"), x] for d, c, x in self.files],
            "launchers": [[d, v, b.decode("latin-1")] for d, v, b in self.launchers],
            "scripts": self.scripts,
            "records": self.records,
            "rendered_only": sorted(self.rendered_only),
            "summary": self.summary,
            "collisions": list(self.collisions),
        }


#: The last plan compiled and its flat form: a sync compiles its plan once, where the
#: materializer, the plan cache and the replay stamp each asked for it (each compile hashes
#: every RECORD text: 1 MB, ~4 ms for the medium set; decision 284). Nothing changes a
#: compiled form (:func:`graft.plan.diff.part` makes another; ``load_texts`` fills kept ones).
_LAST: list[tuple[Plan, Flat]] = []


def compile_plan(plan: Plan) -> Flat:
    """The flat form of *plan*: its actions as steps grouped by kind, in plan order.

    The same object for the same plan as the last call's (the caller must not change it).
    """
    if _LAST and _LAST[0][0] is plan:
        return _LAST[0][1]
    flat = _compiled(plan)
    _LAST[:] = [(plan, flat)]
    return flat


def _compiled(plan: Plan) -> Flat:
    from graft._sha256 import sha256_hex  # noqa: PLC0415
    from graft.plan.types import (  # noqa: PLC0415 - loaded with any Plan
        CopyFile,
        InstallScript,
        LinkDir,
        LinkFile,
        MakeDir,
        WriteFile,
        WriteLauncher,
    )

    flat = Flat(plan.link_mode)
    counts = (len(plan.distributions), plan.links, plan.directories, plan.files_served)
    flat.summary = counts
    flat.collisions = tuple(c.describe() for c in plan.collisions)
    for action in plan.actions:
        if isinstance(action, MakeDir):
            flat.dirs.append(action.dest)
        elif isinstance(action, LinkDir):
            flat.dir_links.append((action.dest, action.source))
        elif isinstance(action, LinkFile):
            flat.file_links.append((action.dest, action.source))
        elif isinstance(action, CopyFile):
            flat.copies.append((action.dest, action.source))
        elif isinstance(action, WriteFile):
            flat.files.append((action.dest, action.content, action.executable))
        elif isinstance(action, WriteLauncher):
            flat.launchers.append((action.dest, action.value, action.body))
        elif isinstance(action, InstallScript):
            flat.scripts.append((action.dest, action.source))
        else:
            text = action.text.encode("utf-8", "surrogateescape")  # (as a kept one is read)
            digest = sha256_hex(text)
            flat.texts[digest] = text
            rows = [(r.path, r.digest, r.size, r.dest) for r in action.pending]
            flat.records.append((action.dest, digest, rows))
    return flat


def text_digest(text: str) -> str:
    """The SHA-256 (hex) a RECORD's CSV text is named by."""
    from graft._sha256 import sha256_hex  # noqa: PLC0415

    return sha256_hex(text.encode("utf-8", "surrogateescape"))


def _empty_as(raw: object) -> tuple[dict[str, Any], Flat]:
    """*raw* as a kept form's JSON and an empty form of its link mode (ValueError otherwise)."""
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise ValueError("format")
    link_mode = raw["link_mode"]
    if link_mode not in {"symlink", "hardlink", "copy"}:
        raise ValueError(link_mode)
    return raw, Flat(link_mode)


def from_json(raw: object, entries: str) -> Flat:
    """A flat form read back (a kept one: untrusted); ValueError unless a planner could make it.

    *entries*: the store's ``entries/`` directory with a final slash; every link and script
    must come from below it; a file link, copy or script keeps its name. The destinations
    are checked first, as :func:`~graft.plan.kept_checks.checked_dest` checks each, all in one
    search (:func:`~graft.plan.kept_checks.checked_dests`: decision 359).
    """
    form, flat = _empty_as(raw)
    records = form["records"]
    checked_dests(
        [
            *form["dirs"],
            *(step[0] for kind in _LISTED for step in form[kind]),
            *(row[3] for _, _, rows in records for row in rows),
        ]
    )
    flat.dirs = list(form["dirs"])
    flat.dir_links = [(d, checked_source(s, entries)) for d, s in form["dir_links"]]
    flat.file_links = [(d, checked_source(s, entries)) for d, s in form["file_links"]]
    flat.copies = [(d, checked_source(s, entries)) for d, s in form["copies"]]
    flat.scripts = [(d, checked_source(s, entries)) for d, s in form["scripts"]]
    named = (*flat.file_links, *flat.copies, *flat.scripts)
    if [s.rpartition("/")[2] for _, s in named] != [d.rpartition("/")[2] for d, _ in named]:
        raise ValueError("a link, copy or script renamed")  # (a .pth, say)
    flat.files = [(d, checked_file(d, _latin1(c)), x is True) for d, c, x in form["files"]]
    flat.launchers = [(d, v, checked_launcher(v, _latin1(b))) for d, v, b in form["launchers"]]
    for dest, digest, rows in records:
        if (
            not isinstance(digest, str)
            or len(digest) != _SHA256_HEX
            or not dest.endswith(".dist-info/RECORD")
        ):
            raise ValueError(dest)
        checked = [(checked_text(p), checked_text(h), checked_text(n), d) for p, h, n, d in rows]
        flat.records.append((dest, digest, checked))
    _beside_steps(form, flat)
    return flat


def _beside_steps(form: dict[str, Any], flat: Flat) -> None:
    """What a form holds beside its steps, checked: ``rendered_only``, summary, collisions."""
    flat.rendered_only = {checked_text(d) for d in form["rendered_only"]}
    summary = form.get("summary")
    if summary is not None:
        if not isinstance(summary, list) or not all(type(n) is int and n >= 0 for n in summary):
            raise ValueError(summary)
        distributions, links, directories, files = summary  # (ValueError unless four)
        flat.summary = (distributions, links, directories, files)
    flat.collisions = tuple(checked_text(c) for c in form["collisions"])


def from_json_unchecked(raw: object, entries: str) -> Flat:
    """A kept flat form read for a diff, its steps as kept: checked where it differs.

    Either form of a change (:func:`graft.plan.diff.diff`): the one that built the venv,
    whose steps that differ from the new form's the change takes out, and the new one,
    whose steps that differ it carries out (decision 502). :func:`checked_part` checks
    those as :func:`from_json` would (decision 349: the checks of the ~500 steps a change
    keeps cost it ~4 M instructions a form); a step both forms hold unchanged is neither
    taken out nor carried out. Only what the diff compares is converted: generated files'
    and launchers' bytes. What the form holds beside its steps (summary, collisions,
    ``rendered_only``) is checked here.
    """
    form, flat = _empty_as(raw)
    flat.dirs = form["dirs"]
    flat.dir_links = form["dir_links"]
    flat.file_links = form["file_links"]
    flat.copies = form["copies"]
    flat.files = [(d, _latin1(c), x is True) for d, c, x in form["files"]]
    flat.launchers = [(d, v, _latin1(b)) for d, v, b in form["launchers"]]
    flat.scripts = form["scripts"]
    flat.records = form["records"]
    _beside_steps(form, flat)
    flat.unchecked = (form, entries)
    return flat


#: The lists of a flat form's JSON whose items are steps, the destination first
_LISTED = ("dir_links", "file_links", "copies", "files", "launchers", "scripts", "records")


def checked_part(flat: Flat, dests: set[str], stepped: int) -> Flat:
    """The steps of *flat* at *dests*, checked as :func:`from_json` checks them (ValueError).

    *flat* itself for a checked form. For one read by :func:`from_json_unchecked`: a form
    of its steps at *dests*, with everything beside its steps (format, summary,
    collisions), through :func:`from_json`; all of it when its lists hold other than
    *stepped* steps (a destination named twice, one hiding the other from the diff).
    """
    if flat.unchecked is None:
        return flat
    raw, entries = flat.unchecked
    if sum(len(raw[kind]) for kind in ("dirs", *_LISTED)) != stepped:
        return from_json(raw, entries)
    part = dict(raw)
    part["dirs"] = [d for d in raw["dirs"] if d in dests]
    for kind in _LISTED:
        part[kind] = [step for step in raw[kind] if step[0] in dests]
    return from_json(part, entries)


def sources_ending(raw: object, entries: str, suffix: str) -> dict[str, str]:
    """``{dest: store file}`` of a kept flat form's links and copies to a *suffix* destination.

    Each checked as :func:`from_json` checks it (ValueError otherwise): what a summary asks of
    the plan that built a venv (which wheel each ``.dist-info/METADATA`` came from, decision
    283) without checking the rest, ~1 ms of the ~18 ms :func:`from_json` takes for the 2.8 MB
    flat form of a 50-distribution hardlink venv (reading and parsing it take ~9 ms more).
    """
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise ValueError("format")
    return dict(
        _same_name(d, s, entries)
        for d, s in (*raw["file_links"], *raw["copies"])
        if isinstance(d, str) and d.endswith(suffix)
    )


def _latin1(value: object) -> bytes:
    return checked_text(value).encode("latin-1")


def _same_name(dest: object, source: object, entries: str) -> tuple[str, str]:
    """A file link or script: from a store entry, and keeping its name (never becomes a .pth)."""
    checked, src = checked_dest(dest), checked_source(source, entries)
    if src.rpartition("/")[2] != checked.rpartition("/")[2]:
        raise ValueError(checked)
    return checked, src
