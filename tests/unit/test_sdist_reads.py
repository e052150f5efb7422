"""What a lock's metadata reads of an sdist cost once its answer is known (decision 256)."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, NoReturn

import pytest

from graft import _fs, builds
from graft.build import run
from graft.build.run import BuildRequest
from graft.build.sdist_unpack import unpack_sdist
from graft.errors import BuildError
from graft.resolve.artifacts import ArtifactFile
from graft.resolve.sdist_static import static_path
from graft.resolve.sdists import SdistBuilds
from graft.venv.foreign import foreign_target
from tests.support.sdistmaker import write_sdist

if TYPE_CHECKING:
    from pathlib import Path

    from graft.build.sdist_contents import ContentsDigest

TARGET = foreign_target("3.12", ["linux_x86_64"], "cp")


def _no_hash(path: str, *args: object) -> NoReturn:
    raise AssertionError(f"{path} hashed")


def test_an_sdist_of_the_download_cache_is_not_hashed_on_each_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every environment of a lock reads every release's metadata: each read hashed the
    sdist (2.0 s of a warm ``graft lock PyQt5``); its directory in the download cache names
    its sha256, by which its static metadata is kept."""
    cache = tmp_path / "cache"
    sha = "ab" * 32  # (not the file's own: a read that hashes it finds nothing kept)
    folder = cache / "wheels" / sha
    folder.mkdir(parents=True)
    sdist = write_sdist(folder / "x-1.0.tar.gz", {"x-1.0/PKG-INFO": "Metadata-Version: 2.1\n"})
    kept = b"Metadata-Version: 2.2\nName: x\nVersion: 1.0\n"
    static = static_path(str(cache), sha)
    (tmp_path / "cache" / "metadata").mkdir()
    with open(static, "wb") as fh:
        fh.write(kept)
    reads = SdistBuilds(None, TARGET, str(cache), offline=True)  # type: ignore[arg-type]
    monkeypatch.setattr(_fs, "file_sha256", _no_hash)
    for _ in range(3):
        assert reads.metadata(ArtifactFile("x-1.0.tar.gz", f"file://{sdist}")) == kept


def test_a_build_requirement_that_is_no_requirement_is_refused_before_unpacking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PyQt5 5.14.0 requires ``sip >=5.0.1 <6``: the error came once its 17 MB sdist was
    unpacked again, in each lock; the facts kept of it say it first."""
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(tmp_path / "cache"))
    project = """
        [build-system]
        requires = ["sip >=5.0.1 <6"]
        build-backend = "sipbuild.api"
    """
    files = {"x-1.0/PKG-INFO": "Metadata-Version: 2.1\nName: x\nVersion: 1.0\n"}
    files["x-1.0/pyproject.toml"] = textwrap.dedent(project)
    sdist = write_sdist(tmp_path / "x-1.0.tar.gz", files)
    unpacked: list[str] = []

    def counted(path: str, into: str, contents: ContentsDigest | None = None) -> str:
        unpacked.append(path)
        return unpack_sdist(path, into, contents)

    monkeypatch.setattr(run, "unpack_sdist", counted)

    def no_env(*_: object) -> NoReturn:
        raise AssertionError("no environment is made for it")

    request = BuildRequest(source=str(sdist))
    for _ in range(2):
        with pytest.raises(BuildError) as raised:
            builds.prepare_metadata(request, TARGET, no_env)
        assert raised.value.what.startswith("invalid build requirement 'sip >=5.0.1 <6'")
    assert unpacked == [str(sdist)]  # once, to learn its facts; never to build
