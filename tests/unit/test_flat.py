"""A plan's flat form: compiled from a plan, read back only as a planner could have made it."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from graft.cli import noop
from graft.plan.diff import diff, part
from graft.plan.flat import FORMAT, compile_plan, from_json, from_json_unchecked
from graft.plan.kept_checks import checked_dest, checked_dests, expected_launcher_body
from graft.plan.types import (
    InstallScript,
    LinkDir,
    LinkFile,
    MakeDir,
    Plan,
    PlannedDistribution,
    RecordRow,
    WriteFile,
    WriteLauncher,
    WriteRecord,
    record_digest,
)
from graft.venv import flat as venv_flat
from graft.venv import kept_flat, kept_forms
from graft.venv.materialize import apply

ENTRIES = "/store/entries/"
SITE = "lib/python3.11/site-packages"
WHEEL = "demo-1.0-py3-none-any.whl"
FIELDS = (
    "link_mode",
    "dirs",
    "dir_links",
    "file_links",
    "files",
    "launchers",
    "scripts",
    "records",
    "summary",
)


def a_plan(prefix: str = "/v", entries: str = ENTRIES) -> Plan:
    tree = f"{entries}abc/tree"
    dist = f"{SITE}/demo-1.0.dist-info"
    body = expected_launcher_body("demo:main")
    pending = (
        RecordRow("../../../bin/demo", "", "", "bin/demo"),
        RecordRow("../../../bin/tool", "", "", "bin/tool"),
    )
    actions = (
        MakeDir(SITE),
        LinkDir(f"{SITE}/demo", f"{tree}/demo", WHEEL),
        MakeDir(dist),
        LinkFile(f"{dist}/METADATA", f"{tree}/demo-1.0.dist-info/METADATA", WHEEL),
        WriteFile(f"{dist}/INSTALLER", b"graft\n", WHEEL),
        WriteRecord(f"{dist}/RECORD", "demo/__init__.py,sha256=x,1\n", pending, WHEEL),
        WriteLauncher("bin/demo", "demo", "demo:main", "console_scripts", body, WHEEL),
        InstallScript("bin/tool", f"{tree}/demo-1.0.data/scripts/tool", WHEEL),
    )
    return Plan(
        prefix=prefix,
        python=f"{prefix}/bin/python",
        link_mode="symlink",
        distributions=(PlannedDistribution("demo", "1.0", WHEEL, "abc", requested=True),),
        actions=actions,
        collisions=(),
        files_served=3,
    )


def round_trip(plan: Plan) -> dict[str, Any]:
    raw: dict[str, Any] = json.loads(json.dumps(compile_plan(plan).to_json()))
    return raw


def test_a_compiled_plan_reads_back_as_it_was() -> None:
    flat = compile_plan(a_plan())
    back = from_json(round_trip(a_plan()), ENTRIES)
    for name in FIELDS:
        assert getattr(back, name) == getattr(flat, name), name
    assert flat.dirs == [SITE, f"{SITE}/demo-1.0.dist-info"]
    assert [d for d, _, _ in flat.launchers] == ["bin/demo"]
    assert flat.rendered_only == set()


def test_a_records_text_is_kept_once_beside_the_form_and_checked_when_read(
    tmp_path: Path,
) -> None:
    """A kept form names each RECORD's text by its SHA-256; the text is read only when the
    RECORD is written, and one that does not hash to its name is not used."""
    from graft.plan.flat import text_digest
    from graft.store import plancache
    from graft.store.paths import record_text_file

    store = str(tmp_path)
    os.makedirs(os.path.join(store, "plans"))
    plan = a_plan(entries=os.path.join(store, "entries") + os.sep)
    plancache.save_flat(store, "k", plan)
    raw = json.loads(Path(plancache.flat_path(store, "k")).read_text())
    (text,) = [a.text for a in plan.actions if isinstance(a, WriteRecord)]
    assert text not in json.dumps(raw)  # (its name only)
    back = kept_flat.read_kept(plancache.flat_path(store, "k"), store)
    assert back is not None
    assert back.texts == {}
    assert kept_flat.load_texts(back, store)
    assert back.texts == {text_digest(text): text.encode()}
    kept = Path(record_text_file(store, text_digest(text)))
    os.chmod(kept, 0o644)
    kept.write_text(text + "evil.pth,,\n")
    again = kept_flat.read_kept(plancache.flat_path(store, "k"), store)
    assert again is not None
    assert not kept_flat.load_texts(again, store)
    kept.unlink()
    assert not kept_flat.load_texts(again, store)


def test_a_plan_is_compiled_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The materializer, the plan cache and the replay stamp share one compile of a sync's plan
    (each hashed every RECORD text: decision 284); another plan is compiled anew."""
    from graft import _sha256

    plan, other = a_plan(), a_plan(prefix="/w")
    flat = compile_plan(plan)
    hashed: list[bytes] = []
    real = _sha256.sha256_hex

    def counted(data: bytes) -> str:
        hashed.append(data)
        return real(data)

    monkeypatch.setattr(_sha256, "sha256_hex", counted)
    assert compile_plan(plan) is flat
    assert not hashed
    assert compile_plan(other) is not flat
    assert len(hashed) == 1
    again = compile_plan(plan)
    assert again is not flat
    assert again.records == flat.records


def test_a_full_sync_vouches_for_the_settled_texts_it_compiled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a full sync leaves in the replay stamp (decision 284): the identity of each kept
    text that holds the compiled bytes and settled; none just written, none of other bytes."""
    from graft.plan.flat import text_digest
    from graft.store import plancache
    from graft.store.paths import record_text_file

    store = str(tmp_path)
    os.makedirs(os.path.join(store, "plans"))
    plan = a_plan(entries=os.path.join(store, "entries") + os.sep)
    plancache.save_flat(store, "k", plan)
    flat = compile_plan(plan)
    (digest,) = flat.texts
    assert kept_forms.settled_texts(flat, store) == {}  # just written: the racy-file rule
    monkeypatch.setattr(kept_flat, "_SETTLED_NS", 0)
    (identity,) = kept_forms.settled_texts(flat, store).values()
    seen = {digest: identity}
    back = kept_flat.read_kept(plancache.flat_path(store, "k"), store)
    assert back is not None
    assert kept_flat.load_texts(back, store, seen)  # (the replay takes it: nothing learned)
    assert seen == {digest: identity}
    kept = Path(record_text_file(store, digest))
    (text,) = [a.text for a in plan.actions if isinstance(a, WriteRecord)]
    assert text_digest(text) == digest
    kept.write_text(text.replace("demo", "evil"))  # other bytes under its name
    assert kept_forms.settled_texts(flat, store) == {}
    kept.unlink()
    assert kept_forms.settled_texts(flat, store) == {}


def test_a_records_text_whose_identity_was_seen_hashing_to_its_name_is_not_hashed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A text read and hashed when its file had settled is vouched for by the file's identity
    (device, inode, size, mtime, ctime) the next time; one replaced, or not yet settled, is
    hashed (decision 218)."""
    from graft import _sha256
    from graft.plan.flat import text_digest
    from graft.store import plancache
    from graft.store.paths import record_text_file

    store = str(tmp_path)
    os.makedirs(os.path.join(store, "plans"))
    plan = a_plan(entries=os.path.join(store, "entries") + os.sep)
    plancache.save_flat(store, "k", plan)
    (text,) = [a.text for a in plan.actions if isinstance(a, WriteRecord)]
    digest = text_digest(text)

    def read(seen: dict[str, str]) -> bool:
        back = kept_flat.read_kept(plancache.flat_path(store, "k"), store)
        assert back is not None
        done = kept_flat.load_texts(back, store, seen)
        assert not done or back.texts == {digest: text.encode()}
        return done

    seen: dict[str, str] = {}
    assert read(seen)
    assert seen == {}  # just written: its identity does not vouch for it yet
    monkeypatch.setattr(kept_flat, "_SETTLED_NS", 0)
    assert read(seen)
    assert list(seen) == [digest]

    def no_hash(data: bytes) -> str:
        raise AssertionError("hashed")

    with monkeypatch.context() as m:
        m.setattr(_sha256, "sha256_hex", no_hash)
        assert read(seen)  # vouched for by its identity alone
    kept = Path(record_text_file(store, digest))
    other = tmp_path / "other"
    other.write_text(text.replace("demo", "evil"))  # (the same size)
    os.replace(other, kept)
    assert not read(seen)  # replaced: hashed again, and refused
    assert not read({})


def test_part_of_a_plan_renders_the_scripts_its_records_list() -> None:
    plan = a_plan()
    record = next(a for a in plan.actions if isinstance(a, WriteRecord))
    flat = part(compile_plan(plan), {record.dest})
    assert [dest for dest, _, _ in flat.records] == [record.dest]
    assert not flat.dirs
    assert not flat.dir_links
    assert flat.rendered_only == {"bin/demo", "bin/tool"}


FORGES = [
    lambda raw: raw.update(format=FORMAT + 1),
    lambda raw: raw.update(link_mode="move"),
    lambda raw: raw["dirs"].append("../out"),
    lambda raw: raw["dirs"].append("/abs"),
    lambda raw: raw["dir_links"].append(["escape", "/etc"]),
    lambda raw: raw["dir_links"].append(["up", ENTRIES + "abc/../../../etc"]),
    lambda raw: raw["file_links"].append([f"{SITE}/x.pth", ENTRIES + "abc/tree/x.py"]),
    lambda raw: raw["files"].append([f"{SITE}/evil.pth", "import os\n", False]),
    lambda raw: raw["files"].append([f"{SITE}/d.dist-info/INSTALLER", "pip\n", False]),
    lambda raw: raw["launchers"].append(["bin/x", "os:system", "import os\n"]),
    lambda raw: raw["launchers"].append(["bin/x", "m:f; import os", ""]),
    lambda raw: raw["scripts"].append(["bin/x", "/usr/bin/x"]),
    lambda raw: raw["records"].append([f"{SITE}/x.pth", "import os\n", []]),
    lambda raw: raw["records"][0][2].append(["p", "", "", "../escape"]),
    lambda raw: raw.pop("rendered_only"),
    # (decision 359: the destinations searched at once, newlines and all)
    lambda raw: raw["dirs"].append("a\n/../b"),
    lambda raw: raw["file_links"].append([7, ENTRIES + "abc/tree/7"]),
    lambda raw: raw["records"][0][2].append(["p", "", "", "a\n/../../x"]),
]


@pytest.mark.parametrize("forge", FORGES)
def test_what_no_planner_makes_is_refused(forge: Any) -> None:
    raw = round_trip(a_plan())
    forge(raw)
    with pytest.raises((ValueError, TypeError, KeyError)):
        from_json(raw, ENTRIES)


@pytest.mark.parametrize(
    "forge",
    [
        *FORGES,
        # a destination named twice, the forged step first (hidden from the diff by the second)
        lambda raw: raw["dir_links"].insert(0, [f"{SITE}/demo", "/etc"]),
        lambda raw: raw["files"].insert(0, [f"{SITE}/demo-1.0.dist-info/INSTALLER", "x", 1]),
    ],
)
def test_the_form_that_built_a_venv_read_for_a_diff_is_refused_as_the_checks_refuse_it(
    forge: Any,
) -> None:
    """Decision 349: read unchecked, then checked by the diff where it differs from the new
    form (a step both hold is checked as the new form's): every forged form is refused, as
    :func:`from_json` refuses it."""
    raw = round_trip(a_plan())
    forge(raw)
    with pytest.raises((ValueError, TypeError, KeyError)):
        from_json(raw, ENTRIES)  # (the control)
    with pytest.raises((ValueError, TypeError, KeyError, IndexError, AttributeError)):
        diff(from_json_unchecked(raw, ENTRIES), compile_plan(a_plan()))


def test_the_form_that_built_a_venv_read_for_a_diff_diffs_as_the_checked_one() -> None:
    raw = round_trip(a_plan())
    new = compile_plan(a_plan())
    for read in (from_json, from_json_unchecked):
        change = diff(read(raw, ENTRIES), new)
        assert change.empty
        assert change.touched == 0


@pytest.mark.parametrize(
    "forge",
    [
        *FORGES,
        # a destination named twice, the forged step first (hidden from the diff by the second)
        lambda raw: raw["dir_links"].insert(0, [f"{SITE}/demo", "/etc"]),
        lambda raw: raw["files"].insert(0, [f"{SITE}/demo-1.0.dist-info/INSTALLER", "x", 1]),
        lambda raw: raw.update(summary=[1, 2, 3]),
        lambda raw: raw.update(collisions=[7]),
    ],
)
def test_the_form_a_change_carries_out_read_for_the_diff_is_refused_as_the_checks_refuse_it(
    forge: Any,
) -> None:
    """Decision 502: the new form of a change is read unchecked too, and the diff checks the
    part of it that it carries out: every forged form is refused, as :func:`from_json`
    refuses it, when the form that built the venv is the planner's."""
    raw = round_trip(a_plan())
    forge(raw)
    with pytest.raises((ValueError, TypeError, KeyError)):
        from_json(raw, ENTRIES)  # (the control)
    built = from_json_unchecked(round_trip(a_plan("/v")), ENTRIES)
    with pytest.raises((ValueError, TypeError, KeyError, IndexError, AttributeError)):
        diff(built, from_json_unchecked(raw, ENTRIES))


def test_the_form_a_change_carries_out_read_unchecked_gives_the_checked_change() -> None:
    """Decision 502: the part carried out is the checked form's, step for step."""
    old = round_trip(a_plan())
    new = round_trip(a_plan())
    for kind in ("dir_links", "records"):  # demo 1.0 from another entry: links and RECORD
        new[kind] = [[step[0], step[1].replace("abc", "abd"), *step[2:]] for step in new[kind]]
    for new_read in (from_json, from_json_unchecked):
        change = diff(from_json_unchecked(old, ENTRIES), new_read(new, ENTRIES))
        checked = diff(from_json(old, ENTRIES), from_json(new, ENTRIES))
        assert (change.remove, change.roots, change.touched) == (
            checked.remove,
            checked.roots,
            checked.touched,
        )
        assert change.remove
        for name in FIELDS[:-1]:
            assert getattr(change.add, name) == getattr(checked.add, name), name
        assert change.add.rendered_only == checked.add.rendered_only
        assert change.add.unchecked is None  # (what is carried out went through from_json)


def test_record_digests_are_the_planners() -> None:
    for data in (b"", b"#!/v/bin/python\nprint(1)\n", bytes(range(256))):
        assert venv_flat.record_digest(data) == record_digest(data)


def demo_entry(entries: str) -> Path:
    """The tree of *entries*' entry ``abc`` that :func:`a_plan` links: demo 1.0 with a script."""
    tree = Path(entries, "abc", "tree")
    (tree / "demo").mkdir(parents=True)
    (tree / "demo-1.0.dist-info").mkdir()
    (tree / "demo-1.0.dist-info" / "METADATA").write_text("Name: demo\n")
    (tree / "demo-1.0.data" / "scripts").mkdir(parents=True)
    (tree / "demo-1.0.data" / "scripts" / "tool").write_text("#!python\nprint('tool')\n")
    return tree


def test_apply_writes_launchers_scripts_and_their_record_rows(tmp_path: Path) -> None:
    entries = f"{tmp_path}/store/entries/"
    tree = demo_entry(entries)
    prefix = tmp_path / "v"
    (prefix / "bin").mkdir(parents=True)
    plan = a_plan(str(prefix), entries)
    apply(plan, str(prefix), f"{tmp_path}/store")
    site = prefix / SITE
    assert os.readlink(site / "demo") == os.path.relpath(tree / "demo", site)
    tool = (prefix / "bin" / "tool").read_bytes()
    assert tool == f"#!{prefix}/bin/python\nprint('tool')\n".encode()
    launcher = (prefix / "bin" / "demo").read_bytes()
    assert launcher.startswith(f"#!{prefix}/bin/python\n".encode())
    record = (site / "demo-1.0.dist-info" / "RECORD").read_text().splitlines()
    assert record[0] == "demo/__init__.py,sha256=x,1"
    assert record[1] == f"../../../bin/demo,{record_digest(launcher)},{len(launcher)}"
    assert record[2] == f"../../../bin/tool,{record_digest(tool)},{len(tool)}"


def test_links_into_the_store_are_hard_links_of_links_kept_in_plans(tmp_path: Path) -> None:
    """Venvs at the same depth share each link's inode with ``plans/link-*`` (its name and
    target as before); a kept link that is not what its name says is not used (decision 219)."""
    entries = f"{tmp_path}/store/entries/"
    tree = demo_entry(entries)
    plans = tmp_path / "store" / "plans"
    plans.mkdir()

    def venv(name: str) -> Path:
        prefix = tmp_path / name
        (prefix / "bin").mkdir(parents=True)
        apply(a_plan(str(prefix), entries), str(prefix), f"{tmp_path}/store")
        return prefix / SITE

    first, second = venv("a"), venv("b")
    wanted = os.path.relpath(tree / "demo", first)
    kept = {os.readlink(p): p for p in plans.glob("link-*")}
    assert set(kept) == {
        wanted,
        os.path.relpath(tree / "demo-1.0.dist-info/METADATA", first / "demo-1.0.dist-info"),
    }
    for site in (first, second):
        assert os.readlink(site / "demo") == wanted
        assert os.lstat(site / "demo").st_ino == os.lstat(kept[wanted]).st_ino
    assert os.lstat(kept[wanted]).st_nlink == 3
    os.unlink(kept[wanted])
    kept[wanted].write_text("planted")  # a file under the kept link's name
    third = venv("c")
    assert os.readlink(third / "demo") == wanted
    assert os.lstat(third / "demo").st_nlink == 1
    os.unlink(kept[wanted])
    os.symlink("/etc", kept[wanted])  # a link to elsewhere under its name
    fourth = venv("d")
    assert os.readlink(fourth / "demo") == wanted
    assert (fourth / "demo").resolve() == tree / "demo"


def test_hard_links_the_filesystem_refuses_are_copies_and_the_summary_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stats = {"links": 2, "directories": 1, "files": 2}
    monkeypatch.setattr(venv_flat, "REFUSED", set())
    assert "2 links and" in noop.summary_line("synced", "/v", 1, stats, 0.1, copies=False)

    def refuse(*_: object, **__: object) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", refuse)
    source = tmp_path / "source.py"
    source.write_text("x = 1\n")
    venv_flat._copy_or_hardlink(str(source), str(tmp_path / "out.py"), "hardlink")
    assert (tmp_path / "out.py").read_text() == "x = 1\n"
    line = noop.summary_line("synced", "/v", 1, stats, 0.1, copies=False)
    assert "2 copies (hard links into the store refused: EXDEV, the store is on another" in line


@given(st.text(alphabet="/.a", max_size=12))
@example("...")
@example("a/.../b")
def test_a_destination_is_checked_part_by_part(dest: str) -> None:
    """Decision 211's three searches refuse what splitting the path into parts refused."""
    parts = dest.split("/")
    fine = bool(dest) and not dest.startswith("/") and not {"", ".", ".."} & set(parts)
    try:
        checked = checked_dest(dest)
    except ValueError:
        checked = None
    assert checked == (dest if fine else None)


def _refusal(check: Any) -> tuple[object, ...] | None:
    try:
        check()
    except ValueError as exc:
        return exc.args
    return None


@given(
    st.lists(st.one_of(st.text(alphabet="/.a\n", max_size=8), st.integers(), st.none()), max_size=6)
)
@example(["a", "b/c"])
@example(["a/", "b"])
@example(["a\n/..", "b"])
@example(["a", "\n"])
def test_destinations_checked_together_are_refused_as_each_one_is(dests: list[Any]) -> None:
    """Decision 359: one search of them all, framed and joined by newlines, refuses a list
    exactly when one of them is refused alone, with that one's error."""

    def each() -> None:
        for dest in dests:
            checked_dest(dest)

    assert _refusal(lambda: checked_dests(dests)) == _refusal(each)
