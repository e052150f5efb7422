"""The store entries a graft venv uses: present, and what their wheels' RECORDs say.

An entry is used when a link of the venv resolves into it, or when the venv's GC root lists
it. Entries are checked as ``graft store verify`` checks them (sizes only, unless --deep),
without its lock: the audit writes nothing into the store.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import replace
from typing import TYPE_CHECKING

from graft.audit.findings import Finding, Kind, finding
from graft.audit.layout import hash_algorithm
from graft.model.record import record_from_json

if TYPE_CHECKING:
    from graft.audit.layout import Venv


def check_store(venv: Venv) -> list[Finding]:
    """Missing and modified entries of the venv's store (none when it names no store)."""
    if venv.store is None:
        return []
    out = []
    for sha, links in sorted(_store_entries(venv, venv.store).items()):
        entry = os.path.join(venv.store, "entries", sha)
        dists = {d for link in links for d in venv.owners(link)}
        if os.path.isdir(entry):
            out.extend(_check_entry(venv, entry, dists))
        else:
            detail = f"the venv uses it ({len(links)} links into it)"
            out.append(finding(Kind.STORE_ENTRY_MISSING, entry, dists, detail))
    return out


def check_rooted(venv: Venv) -> list[Finding]:
    """A graft venv that no GC root of its store knows: ``graft store gc`` may take its entries.

    A copy (``cp -a``, a restored backup) links into the store like the venv it copies, but
    gc keeps only what live roots use (``docs/reliability.md``). A venv linked into its store
    only: a copied or hard-linked one loses nothing to gc.
    """
    if venv.store is None or not os.path.isdir(os.path.join(venv.store, "roots")):
        return []
    entries_dir = os.path.join(os.path.realpath(venv.store), "entries") + "/"
    used = {
        t[len(entries_dir) :].split("/")[0]
        for t in venv.links.values()
        if t.startswith(entries_dir)
    }
    if not used or _rooted(venv, venv.store):
        return []
    detail = (
        f"no GC root in {venv.store} names this venv (a copy, or restored from a backup?):"
        f" `graft store gc` may remove the {len(used)} store entries it links to"
    )
    return [finding(Kind.STORE_UNROOTED, "pyvenv.cfg", [], detail)]


def as_shipped(venv: Venv, findings: list[Finding]) -> list[Finding]:
    """*findings*, a file that differs from a RECORD row its wheel got wrong only noted.

    A graft venv's file is a link into its store entry, whose ``record.json`` keeps the rows
    of the wheel's RECORD that do not vouch for their files (decision 383): the venv's RECORD
    copies them, as pip's and uv's do, and ``check_store`` checks the entry's bytes.
    """
    if venv.store is None:
        return findings
    entries_dir = os.path.join(os.path.realpath(venv.store), "entries") + "/"
    stated: dict[str, frozenset[str]] = {}  # entry -> its stated paths
    out = []
    for f in findings:
        real = os.path.realpath(venv.abs(f.path)) if f.kind is Kind.MODIFIED_FILE else ""
        sha, _, rel = real.removeprefix(entries_dir).partition("/tree/")
        if real.startswith(entries_dir) and rel in _stated(entries_dir + sha, stated):
            detail = f"{f.detail}: the row its wheel's RECORD gives (pip and uv copy it too)"
            f = replace(f, severity="info", detail=detail, hint=_AS_SHIPPED)  # noqa: PLW2901
        out.append(f)
    return out


_AS_SHIPPED = "nothing to do: the file is as its wheel shipped it (graft store verify checks it)"


def _stated(entry: str, known: dict[str, frozenset[str]]) -> frozenset[str]:
    """The paths of *entry* whose RECORD row did not vouch for the file unpacked."""
    if entry not in known:
        try:
            with open(os.path.join(entry, "record.json"), encoding="utf-8") as fh:
                record = record_from_json(fh.read())
        except (OSError, ValueError, KeyError, TypeError):
            known[entry] = frozenset()  # (check_store reports it)
        else:
            known[entry] = frozenset(r.path for r in record.stated if r.digest is not None)
    return known[entry]


def _rooted(venv: Venv, store: str) -> bool:
    """A root for the venv's path, or one that records its directory (found where it moved)."""
    from graft.store.paths import root_file  # noqa: PLC0415

    if any(os.path.isfile(root_file(store, path)) for path in (venv.prefix, venv.real)):
        return True
    roots = os.path.join(store, "roots")
    try:
        st = os.stat(venv.prefix)
        names = [n for n in os.listdir(roots) if n.endswith(".json")]
    except OSError:
        return True  # (nothing to judge by: say nothing)
    for name in names:
        path = os.path.join(roots, name)
        with contextlib.suppress(OSError, ValueError), open(path, encoding="utf-8") as fh:
            payload = json.load(fh)
            if isinstance(payload, dict) and payload.get("directory") == [st.st_dev, st.st_ino]:
                return True
    return False


def _store_entries(venv: Venv, store: str) -> dict[str, set[str]]:
    """Entries the venv uses (sha -> links into it), from its links and its GC root."""
    entries_dir = os.path.join(os.path.realpath(store), "entries") + "/"
    used: dict[str, set[str]] = {}
    for rel, target in venv.links.items():
        if target.startswith(entries_dir):
            used.setdefault(target[len(entries_dir) :].split("/")[0], set()).add(rel)
    for venv_path in {venv.prefix, venv.real}:
        from graft.store.paths import root_file  # noqa: PLC0415

        try:
            with open(root_file(store, venv_path), encoding="utf-8") as fh:
                payload = json.load(fh)
        except (OSError, ValueError):
            continue
        if isinstance(payload, dict) and isinstance(payload.get("entries"), list):
            for sha in payload["entries"]:
                used.setdefault(str(sha), set())
    return used


def _check_entry(venv: Venv, entry: str, dists: set[str]) -> list[Finding]:
    """What ``graft store verify`` checks for one entry (sizes only, unless --deep).

    ``record.json`` is read directly: ``Store.get`` takes the store's GC lock, and the
    audit writes nothing into the store.
    """
    try:
        with open(os.path.join(entry, "record.json"), encoding="utf-8") as fh:
            record = record_from_json(fh.read())
    except (OSError, ValueError, KeyError, TypeError) as exc:
        path = os.path.join(entry, "record.json")
        return [finding(Kind.STORE_ENTRY_MODIFIED, path, dists, f"unreadable record ({exc})")]
    out = []
    tree = os.path.join(entry, "tree")
    for f in record.files:
        path = os.path.join(tree, f.path)
        try:
            size = os.lstat(path).st_size
        except FileNotFoundError:
            problem = "missing"
        else:
            if size != f.size:
                problem = f"size {size}, the wheel's RECORD says {f.size}"
            elif venv.deep and venv.digest(path, hash_algorithm(f.digest)) != f.digest:
                problem = "bytes differ from the wheel's RECORD hash"
            else:
                continue
        out.append(finding(Kind.STORE_ENTRY_MODIFIED, path, [record.label], problem))
    return out
