"""``[tool.uv.sources]`` index entries: one project from one index, as uv takes it (decision 372).

``lib = { index = "corp" }`` with ``[[tool.uv.index]] name = "corp"``: ``lib`` is asked of
corp alone, whatever ``--index-url``, ``--extra-index-url`` and the strategy say, and corp
is asked for nothing else. Three loopback indexes serve impostor releases of each project,
so the version installed says which index a file came from:

========  =====  =====  =====
index     lib    other  six
========  =====  =====  =====
main      9.0    1.0    1.0     (``--index-url``; also ``mid`` 1.0, needing lib, and flit_core)
corp      1.0    5.0    5.0
third     10.0   10.0   10.0    (and flit_core)
========  =====  =====  =====

Each case is compared with uv 0.13.9's install of the same input where uv is at hand.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from packaging.pylock import Pylock
from packaging.tags import Tag

from graft.resolve.environments import matrix
from tests.conftest import run_graft
from tests.integration.test_sync_uv_sources import (
    aged,
    installed,
    project,
    sync,
    uv_installed,
    uv_refusal,
)
from tests.support.pypifiles import FLIT_CORE, release_files
from tests.support.rangeserver import Served, serve
from tests.support.toml import tomllib
from tests.support.wheelmaker import make_wheel

if TYPE_CHECKING:
    from collections.abc import Iterator

THIS = f"{sys.version_info[0]}.{sys.version_info[1]}"
RELEASES = {
    "main": {"lib": "9.0", "other": "1.0", "six": "1.0", "mid": "1.0"},
    "corp": {"lib": "1.0", "other": "5.0", "six": "5.0"},
    "third": {"lib": "10.0", "other": "10.0", "six": "10.0"},
}


@pytest.fixture
def indexes(tmp_path: Path) -> Iterator[dict[str, Served]]:
    """The three loopback indexes of the table above, by name."""
    with serve() as main, serve() as corp, serve() as third:
        served = {"main": main, "corp": corp, "third": third}
        for name, each in served.items():
            each.pep658 = True  # (uv asks a wheel's METADATA so)
            folder = tmp_path / f"served-{name}"
            folder.mkdir()
            for project_name, version in RELEASES[name].items():
                requires = ("lib",) if project_name == "mid" else ()
                files: dict[str, bytes | str] = {f"{project_name}/__init__.py": f"AT = {name!r}\n"}
                each.add(make_wheel(folder, project_name, version, files=files, requires=requires))
        for each in (main, third):  # (third: asked first when extra; its empty pages
            each.add(release_files(FLIT_CORE) / FLIT_CORE[1])  # are no 404 to uv)
        yield served


def url(served: Served) -> str:
    return f"{served.url}/simple"


def declared(*names: str, urls: dict[str, str], explicit: bool = True, sources: str = "") -> str:
    """``[tool.uv.sources]`` *sources*, then a ``[[tool.uv.index]]`` for each of *names*."""
    tables = "".join(
        f'[[tool.uv.index]]\nname = "{name}"\nurl = "{urls[name]}"\n'
        + ("explicit = true\n" if explicit else "")
        for name in names
    )
    return f"[tool.uv.sources]\n{sources}{tables}"


def both_forms(app: Path) -> list[list[str | Path]]:
    """The project named by its directory (``-e``), and its pyproject.toml read (``-r``)."""
    return [["-e", app], ["-r", app / "pyproject.toml"]]


def versions(venv: Path) -> dict[str, str]:
    return {name: version for name, (version, _) in installed(venv).items()}


def test_a_pinned_project_comes_from_its_index_alone(
    tmp_path: Path, store_dir: Path, cache: Path, indexes: dict[str, Served]
) -> None:
    """lib from corp, whatever the other indexes hold; corp asked for lib alone.

    ``-e app`` and ``-r app/pyproject.toml``, with third as an extra index (asked first)
    under either strategy, and beside find-links that hold lib 10.0 (offered nothing for a
    pinned project, as uv offers it none); an explicit and a non-explicit corp alike (a
    pyproject read from another directory adds no index for the others, as uv reads it); a
    project only a dependency needs (``mid`` needs lib) is not kept to corp, as uv applies
    a source to the project's own requirements alone.
    """
    urls = {name: url(each) for name, each in indexes.items()}
    main, corp = indexes["main"], indexes["corp"]
    for explicit in (True, False):
        tail = declared("corp", urls=urls, explicit=explicit, sources='lib = { index = "corp" }\n')
        app = project(tmp_path / f"app{explicit}", "app", "lib", "other", tail=tail)
        for args in both_forms(app):
            venv = tmp_path / f"v{explicit}{len(list(tmp_path.glob('v*')))}"
            sync(venv, store_dir, main, *args)
            got = versions(venv)
            assert (got["lib"], got["other"]) == ("1.0", "1.0")
            assert installed(venv) == uv_installed(tmp_path, main, *args)
            for strategy in ("first-index", "unsafe-best-match"):
                more = ("--extra-index-url", urls["third"], "--index-strategy", strategy)
                sync(venv, store_dir, main, *args, *more)
                assert (versions(venv)["lib"], versions(venv)["other"]) == ("1.0", "10.0")
                assert installed(venv) == uv_installed(tmp_path, main, *args, *more)
    linked = tmp_path / "appFalse" / "pyproject.toml"  # (the last one: corp not explicit)
    links = ("-r", linked, "--find-links", tmp_path / "served-third")
    venv = tmp_path / "linked"
    sync(venv, store_dir, main, *links)  # (find-links offer a pinned project nothing)
    assert (versions(venv)["lib"], versions(venv)["other"]) == ("1.0", "10.0")
    assert installed(venv) == uv_installed(tmp_path, main, *links)
    assert set(corp.wheel_requests()) == {"/lib-1.0-py3-none-any.whl"}
    asked = {p.strip("/").split("/")[1] for p in corp.paths if p.startswith("/simple/")}
    assert asked == {"lib"}  # (graft's requests and uv's: never other's page)
    tail = declared("corp", urls=urls, sources='lib = { index = "corp" }\n')
    deep = project(tmp_path / "deep", "deep", "mid", tail=tail)
    venv = tmp_path / "deep-v"
    sync(venv, store_dir, main, "-r", deep / "pyproject.toml")
    assert versions(venv) == {"lib": "9.0", "mid": "1.0"}
    assert installed(venv) == uv_installed(tmp_path, main, "-r", deep / "pyproject.toml")
    # the request's own lib beside a project that keeps lib to corp: corp's (one index)
    both = project(tmp_path / "both", "both", "mid", "lib", tail=tail)
    sync(venv, store_dir, main, "-r", both / "pyproject.toml", "lib")
    assert versions(venv) == {"lib": "1.0", "mid": "1.0"}
    assert installed(venv) == uv_installed(tmp_path, main, "-r", both / "pyproject.toml", "lib")


def test_markers_and_a_workspace_roots_indexes(
    tmp_path: Path, store_dir: Path, cache: Path, indexes: dict[str, Served]
) -> None:
    """A marker's entry holds where it holds; a member takes its root's indexes and sources.

    ``lib`` from corp on Linux and third elsewhere, ``six`` from corp on Windows only (else
    the default index's); in a workspace the root's ``lib = { index = "corp" }`` holds for
    a member, whose own ``six = { index = "third" }`` names an index the root declares, and
    a member's ``[[tool.uv.index]]`` of the root's name is the member's.
    """
    urls = {name: url(each) for name, each in indexes.items()}
    main = indexes["main"]
    sources = textwrap.dedent(
        """\
        lib = [
            { index = "corp", marker = "sys_platform == 'linux'" },
            { index = "third", marker = "sys_platform != 'linux'" },
        ]
        six = [{ index = "corp", marker = "sys_platform == 'win32'" }]
        """
    )
    app = project(
        tmp_path / "app",
        "app",
        "lib",
        "six",
        tail=declared("corp", "third", urls=urls, sources=sources),
    )
    venv = tmp_path / "v"
    for args in both_forms(app):
        sync(venv, store_dir, main, *args)
        assert versions(venv)["lib"] == ("1.0" if sys.platform == "linux" else "10.0")
        assert versions(venv)["six"] == "1.0"
        assert installed(venv) == uv_installed(tmp_path, main, *args)
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "pyproject.toml").write_text(
        '[tool.uv.workspace]\nmembers = ["packages/*"]\n'
        + declared("corp", "third", urls=urls, sources='lib = { index = "corp" }\n')
    )
    member_tail = '[tool.uv.sources]\nsix = { index = "third" }\n'
    member = project(ws / "packages" / "m", "m", "lib", "six", "other", tail=member_tail)
    for args in both_forms(member):
        sync(venv, store_dir, main, *args)
        got = versions(venv)
        assert (got["lib"], got["six"], got["other"]) == ("1.0", "10.0", "1.0")
        assert installed(venv) == uv_installed(tmp_path, main, *args)
    text = (member / "pyproject.toml").read_text()
    (member / "pyproject.toml").write_text(
        text + f'[[tool.uv.index]]\nname = "corp"\nurl = "{urls["third"]}"\n'
    )
    sync(venv, store_dir, main, "-r", member / "pyproject.toml")
    assert versions(venv)["lib"] == "10.0"
    assert installed(venv) == uv_installed(tmp_path, main, "-r", member / "pyproject.toml")


def test_no_sources_and_what_is_refused(
    tmp_path: Path,
    store_dir: Path,
    cache: Path,
    indexes: dict[str, Served],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``--no-sources`` and ``UV_NO_SOURCES`` take lib from the indexes; an undeclared index,
    a flat one and a relative URL are refused in one line naming the entry, nothing made."""
    urls = {name: url(each) for name, each in indexes.items()}
    main = indexes["main"]
    tail = declared("corp", urls=urls, sources='lib = { index = "corp" }\n')
    app = project(tmp_path / "app", "app", "lib", tail=tail)
    venv = tmp_path / "v"
    sync(venv, store_dir, main, "-e", app)
    assert versions(venv)["lib"] == "1.0"
    assert "already in sync" in sync(venv, store_dir, main, "-e", app)
    assert "lib 1.0 -> 9.0" in sync(venv, store_dir, main, "-e", app, "--no-sources")
    assert "lib 9.0 -> 1.0" in sync(venv, store_dir, main, "-e", app)
    monkeypatch.setenv("UV_NO_SOURCES", "1")
    assert "lib 1.0 -> 9.0" in sync(venv, store_dir, main, "-e", app)
    assert installed(venv)["lib"] == uv_installed(tmp_path, main, "-e", app, "--no-sources")["lib"]
    monkeypatch.delenv("UV_NO_SOURCES")
    pyproject = app / "pyproject.toml"
    where = f"{pyproject}: [tool.uv.sources].lib: lib = {{ index ="
    cases = {
        'lib = { index = "nope" }\n': (
            f'{where} "nope" }}, but no [[tool.uv.index]] is named nope (declared: corp)'
            " (declare it, with its url, in [[tool.uv.index]], or pass --no-sources)"
        ),
        'lib = { index = "flat" }\n[[tool.uv.index]]\nname = "flat"\nurl = "/srv/wheels"\n'
        'format = "flat"\n': (
            f"{where} \"flat\" }}: [[tool.uv.index]] flat is a flat index (format = 'flat'),"
            " which graft reads only as --find-links (pass --no-sources with --find-links"
            " /srv/wheels)"
        ),
        'lib = { index = "near" }\n[[tool.uv.index]]\nname = "near"\nurl = "./simple"\n': (
            f"{where} \"near\" }}: [[tool.uv.index]] near's url './simple' is not an http://,"
            " https:// or file:// URL (uv reads a relative path from the current directory)"
            " (write it as an absolute URL)"
        ),
    }
    for number, (sources, expected) in enumerate(cases.items()):
        pyproject.write_text(
            pyproject.read_text().split("[tool.uv.sources]")[0]
            + "[tool.uv.sources]\n"
            + sources
            + (f'[[tool.uv.index]]\nname = "corp"\nurl = "{urls["corp"]}"\n')
        )
        fresh = tmp_path / "fresh"
        run = run_graft("sync", fresh, "-r", pyproject, "--index-url", url(main),
                        "--store", store_dir, check=False)  # fmt: skip
        lines = [line for line in run.stderr.splitlines() if line.startswith("graft: error")]
        assert (run.returncode, lines) == (1, [f"graft: error: {expected}"])
        assert not fresh.exists()
        if number == 0:  # (uv: "Package `lib` references an undeclared index: `nope`")
            said = uv_refusal(tmp_path, main, "-r", pyproject)
            assert said is None or "references an undeclared index: `nope`" in said, said


def test_the_lock_records_the_index_and_each_fast_path_follows_an_edit(
    tmp_path: Path, store_dir: Path, cache: Path, indexes: dict[str, Served]
) -> None:
    """The lock's ``index`` is corp's URL for lib (as ``uv export`` writes it, without the
    credentials corp needs), none for the others; its sync installs corp's file. The memo
    and the stamps watch the pyproject.toml: a changed ``[[tool.uv.index]]`` url or source
    is a changed request."""
    urls = {name: url(each) for name, each in indexes.items()}
    main, corp = indexes["main"], indexes["corp"]
    corp.credentials = "user:secret"
    said = {**urls, "corp": urls["corp"].replace("http://", "http://user:secret@")}
    tail = declared("corp", urls=said, sources='lib = { index = "corp" }\n')
    app = project(tmp_path / "app", "app", "lib", "other", tail=tail)
    aged(app / "pyproject.toml")
    lock = tmp_path / "pylock.toml"
    args = ("lock", "-r", app / "pyproject.toml", "-o", lock, "--index-url", url(main))
    run_graft(*args, "--python-version", THIS)
    parsed = Pylock.from_dict(tomllib.loads(lock.read_text()))
    parsed.validate()
    found = {str(p.name): (str(p.version), p.index) for p in parsed.packages}
    assert found == {"lib": ("1.0", urls["corp"]), "other": ("1.0", None)}
    before = len(corp.wheel_requests())
    corp.credentials = None  # (a lock holds none: netrc or the like gives them at a sync)
    venv = tmp_path / "from-lock"
    sync(venv, store_dir, main, lock)
    assert versions(venv) == {"lib": "1.0", "other": "1.0"}
    assert len(corp.wheel_requests()) == before + 1  # (corp's file: the store had none)
    assert "secret" not in lock.read_text()
    corp.credentials = "user:secret"  # (a sync: from the [[tool.uv.index]] url)
    # the no-op stamp and memo, a new venv's replay, the lock stamp: after each edit
    venv = tmp_path / "v"
    sync(venv, store_dir, main, "-e", app)
    assert "already in sync" in sync(venv, store_dir, main, "-e", app)
    text = (app / "pyproject.toml").read_text()
    (app / "pyproject.toml").write_text(text.replace(said["corp"], urls["third"]))
    aged(app / "pyproject.toml")
    assert "lib 1.0 -> 10.0" in sync(venv, store_dir, main, "-e", app)
    assert "already in sync" in sync(venv, store_dir, main, "-e", app)
    (app / "pyproject.toml").write_text(text.replace('lib = { index = "corp" }\n', ""))
    aged(app / "pyproject.toml")
    assert "lib 10.0 -> 9.0" in sync(venv, store_dir, main, "-e", app)
    (app / "pyproject.toml").write_text(text)
    aged(app / "pyproject.toml")
    sync(tmp_path / "new", store_dir, main, "-e", app)
    assert versions(tmp_path / "new")["lib"] == "1.0"
    run_graft(*args, "--python-version", THIS)
    (app / "pyproject.toml").write_text(text.replace(said["corp"], urls["third"]))
    aged(app / "pyproject.toml")
    run_graft(*args, "--python-version", THIS)
    lib = [p for p in Pylock.from_dict(tomllib.loads(lock.read_text())).packages if p.name == "lib"]
    assert [(str(p.version), p.index) for p in lib] == [("10.0", urls["third"])]


SYSTEMS = ("linux", "windows", "macos")
#: what a lock gives one system for a project: version, index, wheel URL
Picked = tuple[str, str | None, str]


def locked(lock: Path) -> dict[str, dict[str, Picked]]:
    """What ``Pylock.select()`` picks on each system (CPython THIS): version, index, wheel URL."""
    parsed = Pylock.from_dict(tomllib.loads(lock.read_text()))
    parsed.validate()
    out = {}
    for env in matrix([THIS], list(SYSTEMS)):
        tags = [Tag(*t.split("-", 2)) for t in env.target.tags]
        picked = parsed.select(environment=env.target.markers, tags=tags)  # type: ignore[arg-type]
        out[env.target.markers["sys_platform"]] = {
            str(p.name): (str(p.version), p.index, str(getattr(f, "url", None))) for p, f in picked
        }
    return out


def test_a_lock_forks_where_an_index_entry_holds_in_some_environments(
    tmp_path: Path, store_dir: Path, cache: Path, indexes: dict[str, Served]
) -> None:
    """Where an entry's marker holds in some of the lock's environments only, the lock has one
    entry per index, each with its index's file and ``index``, as ``uv lock`` 0.13.9 forks
    (decision 377): ``lib`` from corp on Linux and third elsewhere; one entry with a marker
    leaves the default index's release elsewhere. A requirement's own marker narrows no pin:
    ``lib ; sys_platform == 'linux'`` kept to corp beside ``mid`` (which needs lib) is corp's
    everywhere, as ``uv lock`` keeps it (decision 376). ``Pylock.select()`` picks each
    system's own; the lock's sync here equals ``uv pip install -r pylock.toml``.
    """
    urls = {name: url(each) for name, each in indexes.items()}
    main = indexes["main"]
    corp_lib = f"{indexes['corp'].url}/lib-1.0-py3-none-any.whl"
    main_lib = f"{main.url}/lib-9.0-py3-none-any.whl"
    third_lib = f"{indexes['third'].url}/lib-10.0-py3-none-any.whl"
    corp = ("1.0", urls["corp"], corp_lib)
    cases: dict[str, tuple[tuple[str, ...], str, dict[str, Picked]]] = {
        "split": (
            ("lib",),
            """lib = [
                { index = "corp", marker = "sys_platform == 'linux'" },
                { index = "third", marker = "sys_platform != 'linux'" },
            ]
            """,
            {"linux": corp, "win32": ("10.0", urls["third"], third_lib)},
        ),
        "half": (
            ("lib",),
            """lib = [{ index = "corp", marker = "sys_platform == 'linux'" }]\n""",
            {"linux": corp, "win32": ("9.0", None, main_lib)},
        ),
        "own": (
            ("lib ; sys_platform == 'linux'", "mid"),
            'lib = { index = "corp" }\n',
            {"linux": corp, "win32": corp},
        ),
    }
    for name, (deps, sources, expected) in cases.items():
        tail = declared("corp", "third", urls=urls, sources=textwrap.dedent(sources))
        app = project(tmp_path / name, name, *deps, tail=tail)
        for args in both_forms(app):
            lock = tmp_path / name / "pylock.toml"
            run_graft("lock", *args, "-o", lock, "--index-url", url(main),
                      "--python-version", THIS, *(f"--platform={s}" for s in SYSTEMS))  # fmt: skip
            got = locked(lock)
            assert got["linux"]["lib"] == expected["linux"], (name, args)
            assert got["win32"]["lib"] == got["darwin"]["lib"] == expected["win32"], (name, args)
            libs = [p for p in Pylock.from_dict(tomllib.loads(lock.read_text())).packages
                    if p.name == "lib"]  # fmt: skip
            assert all(len(p.wheels or ()) == 1 for p in libs)  # (its own index's file alone)
            venv = tmp_path / f"v-{name}{len(list(tmp_path.glob('v-*')))}"
            sync(venv, store_dir, main, lock)
            assert (
                versions(venv)["lib"]
                == expected["linux" if sys.platform == "linux" else "win32"][0]
            )
            assert installed(venv) == uv_installed(tmp_path, main, "-r", lock)


def test_a_fork_reads_its_own_index_for_micro_releases_and_missing_projects(
    tmp_path: Path, store_dir: Path, cache: Path, indexes: dict[str, Served]
) -> None:
    """Decision 385: where an entry keeps lib to corp, corp's releases decide the micro bounds
    (lib 2.0 there needs a later Python micro release: the series forks at it, as ``uv lock``
    0.13.9 forks at ``python_full_version >= 'X.Y.5'``), and a project corp lacks is said
    missing on corp, not on "the index" (whose close names are not asked)."""
    urls = {name: url(each) for name, each in indexes.items()}
    later = f">={THIS}.5"
    folder = tmp_path / "corp-later"
    folder.mkdir()
    wheel = make_wheel(folder, "lib", "2.0", {"lib/__init__.py": ""}, requires_python=later)
    indexes["corp"].add(wheel)
    indexes["corp"].attributes[wheel.name] = {"requires-python": later}
    sources = """lib = [
        { index = "corp", marker = "sys_platform == 'linux'" },
        { index = "third", marker = "sys_platform != 'linux'" },
    ]
    """
    tail = declared("corp", "third", urls=urls, sources=textwrap.dedent(sources))
    app = project(tmp_path / "micro", "micro", "lib", tail=tail)
    lock = tmp_path / "micro" / "pylock.toml"
    args = ("--index-url", url(indexes["main"]), "--python-version", THIS)
    run_graft("lock", "-r", app / "pyproject.toml", "-o", lock, *args,
              "--platform=linux", "--platform=windows")  # fmt: skip
    libs = {
        str(p.version): str(p.marker)
        for p in Pylock.from_dict(tomllib.loads(lock.read_text())).packages
        if p.name == "lib"
    }
    assert sorted(libs) == ["1.0", "10.0", "2.0"], libs
    assert f'python_full_version >= "{THIS}.5"' in libs["2.0"], libs
    assert f'python_full_version < "{THIS}.5"' in libs["1.0"], libs

    tail = declared(
        "corp",
        urls=urls,
        sources='mid = { index = "corp", marker = "sys_platform == \'linux\'" }\n',
    )
    gone = project(tmp_path / "gone", "gone", "mid", tail=tail)
    run = run_graft("lock", "-r", gone / "pyproject.toml", "-o", gone / "pylock.toml", *args,
                    "--platform=linux", "--platform=windows")  # fmt: skip
    assert f"no project named 'mid' on the index {urls['corp']}" in run.stderr, run.stderr
