"""An in-memory index for resolver tests: files, their METADATA, and a count of reads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from packaging.utils import NormalizedName, canonicalize_name

from graft.errors import BuildError
from graft.resolve.artifacts import ArtifactFile

LINUX_TAG = "cp311-cp311-manylinux_2_17_x86_64"
WINDOWS_TAG = "cp311-cp311-win_amd64"
JAN_2025 = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)


def metadata(
    name: str,
    version: str,
    requires: Sequence[str] = (),
    python: str | None = None,
    extras: Sequence[str] = (),
) -> bytes:
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    lines += [f"Requires-Dist: {r}" for r in requires]
    lines += [f"Provides-Extra: {e}" for e in extras]
    if python:
        lines.append(f"Requires-Python: {python}")
    return ("\n".join(lines) + "\n").encode()


class FakeIndex:
    """Projects by canonical name; ``reads`` lists every METADATA handed out."""

    def __init__(self) -> None:
        self.projects: dict[str, list[ArtifactFile]] = {}
        self.meta: dict[str, bytes] = {}
        self.reads: list[str] = []
        self.listed: list[str] = []

    def add(
        self,
        name: str,
        version: str,
        requires: Sequence[str] = (),
        *,
        tag: str = "py3-none-any",
        python: str | None = None,
        extras: Sequence[str] = (),
        index_python: str | None = None,
        yanked: str | None = None,
        uploaded: dt.datetime = JAN_2025,
        meta: bytes | None = None,
        direct: bool = False,
    ) -> ArtifactFile:
        """One wheel of *name* *version* whose own METADATA says *requires* etc.

        *direct*: as if the user named it by path or URL (their own project's wheel).
        """
        filename = f"{name.replace('-', '_')}-{version}-{tag}.whl"
        file = ArtifactFile(
            filename,
            f"https://files.invalid/{filename}",
            requires_python=index_python,
            yanked=yanked,
            upload_time=uploaded,
            direct=direct,
        )
        self.projects.setdefault(canonicalize_name(name), []).append(file)
        self.meta[filename] = meta or metadata(name, version, requires, python, extras)
        return file

    def add_sdist(self, name: str, version: str, *, index_python: str | None = None) -> None:
        filename = f"{name.replace('-', '_')}-{version}.tar.gz"
        self.projects.setdefault(canonicalize_name(name), []).append(
            ArtifactFile(
                filename, f"https://files.invalid/{filename}", requires_python=index_python
            )
        )

    def files(self, name: NormalizedName) -> Sequence[ArtifactFile]:
        self.listed.append(name)
        return list(self.projects.get(name, []))

    def metadata(self, file: ArtifactFile) -> bytes:
        self.reads.append(file.filename)
        return self.meta[file.filename]

    def project_names(self) -> Sequence[str]:
        return sorted(self.projects)

    def which_exist(self, names: Sequence[NormalizedName]) -> Sequence[NormalizedName]:
        return [name for name in names if name in self.projects]


class FailingBuilds(FakeIndex):
    """An index whose sdists' metadata builds fail, as a backend that breaks there would."""

    def metadata(self, file: ArtifactFile) -> bytes:
        if not file.is_wheel:
            self.reads.append(file.filename)
            raise BuildError(
                "get_requires_for_build_wheel of setuptools.build_meta failed (exit status 1)",
                where=file.filename,
                log="Traceback (most recent call last): ...",
                rerun="python -m pyproject_hooks ...",
            )
        return super().metadata(file)
