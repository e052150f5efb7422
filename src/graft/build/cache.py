"""The built-wheel cache: what was built from which source, with which inputs, by whom.

A built wheel lives in the download cache like any wheel (``<cache>/wheels/<sha256>/<file>``,
so ``graft store repair`` finds it) and is ingested into the store like any wheel. This
module keeps the record that ties it to its source:

- the **source key** (:mod:`graft.build.source_key`): ``sdist-<sha256>`` of an sdist file,
  or ``tree-<digest>`` of a project directory (every file's path, executable bit and content,
  outside VCS and build output directories), so any change to the tree is a new key;
- the **build-input key**: the backend and its declared requirements, the config settings,
  the values of the environment variables the build is known to read, and build isolation.
  The resolved build environment and the building interpreter are recorded in the record
  (``build_env``, ``built_by``), not keyed: they differ by construction between the
  interpreters a wheel may be reused for; the reuse rule (:mod:`graft.build.reuse`) decides.

Records are ``<cache>/builds/<source key>/<input key>/<wheel sha256>.json``. They are
untrusted input: a record is used only if its wheel file still has its sha256.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from graft._atomic import write_atomic
from graft._fs import file_sha256
from graft._sha256 import sha256_hex
from graft.build.assessment import RULES, Assessment
from graft.build.project import BuildSystem
from graft.build.reuse import Builder

if TYPE_CHECKING:
    from graft.build.prepared import Prepared

_FORMAT = 1
#: How long a build's work directory may outlive its build: a failed build's tree, kept for a
#: rerun by hand, or one a killed graft left (each under ``<cache>/builds/work-*``).
WORK_KEPT_S = 7 * 24 * 3600.0


def settings_in_key(settings: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """Config settings as a build-input key holds them: by key, each key's values as given.

    A key given twice reaches the backend as a list in that order
    (:func:`graft.build.hooks.config_dict`; a project's ``--config-settings-package`` values
    before ``-C``'s, decision 402), so another order is another build.
    """
    return tuple(sorted(settings, key=lambda pair: pair[0]))


@dataclass(frozen=True, slots=True)
class BuildInputs:
    """Everything besides the source and the interpreter that a built wheel is a function of."""

    backend: str
    requires: tuple[str, ...]
    backend_path: tuple[str, ...]
    config_settings: tuple[tuple[str, str], ...]  # by key (settings_in_key)
    variables: tuple[tuple[str, str | None], ...]  # (name, value or None when unset), sorted
    isolated: bool

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return {
            "backend": self.backend,
            "requires": list(self.requires),
            "backend_path": list(self.backend_path),
            "config_settings": [list(kv) for kv in self.config_settings],
            "variables": [list(kv) for kv in self.variables],
            "isolated": self.isolated,
        }

    def key(self) -> str:
        """The build-input key: a digest of :meth:`to_dict`."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return sha256_hex(text.encode())[:32]


def read_variables(
    names: tuple[str, ...], environ: dict[str, str]
) -> tuple[tuple[str, str | None], ...]:
    """The values (None when unset) of the variables *names* in *environ*, sorted by name."""
    return tuple((name, environ.get(name)) for name in sorted(set(names)))


@dataclass(frozen=True, slots=True)
class BuiltRecord:
    """One wheel built from one source with one set of inputs."""

    source_key: str
    input_key: str
    filename: str
    sha256: str
    built_by: Builder
    assessment: Assessment
    inputs: BuildInputs
    build_env: tuple[str, ...]  # the build environment's wheels, "name==version" sorted
    requires_python: str | None = None  # the built wheel's own Requires-Python
    # an editable build of a project that may build differently per interpreter: the files
    # it left in the project tree (:mod:`graft.build.intree`), relative to it; else None
    left_in_tree: tuple[str, ...] | None = None
    # an editable wheel that maps the modules its build found by name: ``(kind, directory
    # relative to the tree, digest)`` of the names it was built with (decision 288); () for
    # one whose ``.pth`` names source directories (:mod:`graft.build.editable_wheel`)
    mapped: tuple[tuple[str, str, str], ...] = ()

    def to_json(self) -> str:
        """The record as kept in the cache."""
        data = {
            "format": _FORMAT,
            "source_key": self.source_key,
            "input_key": self.input_key,
            "filename": self.filename,
            "sha256": self.sha256,
            "built_by": {
                "implementation": self.built_by.implementation,
                "version": self.built_by.version,
                "gil_disabled": self.built_by.gil_disabled,
            },
            "assessment": self.assessment.to_dict(),
            "inputs": self.inputs.to_dict(),
            "build_env": list(self.build_env),
            "requires_python": self.requires_python,
        }
        if self.left_in_tree is not None:
            data["left_in_tree"] = list(self.left_in_tree)
        if self.mapped:
            data["mapped"] = [list(entry) for entry in self.mapped]
        return json.dumps(data, indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> BuiltRecord:
        """The inverse of :meth:`to_json`; ``ValueError``/``KeyError``/``TypeError`` if bad."""
        data = json.loads(text)
        if data.get("format") != _FORMAT:
            raise ValueError("another format")
        who = data["built_by"]
        raw = data["inputs"]
        inputs = BuildInputs(
            str(raw["backend"]),
            tuple(raw["requires"]),
            tuple(raw["backend_path"]),
            tuple((str(k), str(v)) for k, v in raw["config_settings"]),
            tuple((str(k), None if v is None else str(v)) for k, v in raw["variables"]),
            bool(raw["isolated"]),
        )
        return cls(
            str(data["source_key"]),
            str(data["input_key"]),
            str(data["filename"]),
            str(data["sha256"]),
            Builder(str(who["implementation"]), str(who["version"]), bool(who["gil_disabled"])),
            Assessment.from_dict(data["assessment"]),
            inputs,
            tuple(str(x) for x in data["build_env"]),
            None if data.get("requires_python") is None else str(data["requires_python"]),
            None if data.get("left_in_tree") is None else tuple(map(str, data["left_in_tree"])),
            tuple((str(k), str(r), str(d)) for k, r, d in data.get("mapped", ())),
        )


@dataclass(frozen=True, slots=True)
class KnownSource:
    """What an sdist's unpacked tree said, kept by its source key (its content's sha256).

    The same bytes always give the same build system, assessment, name and version, so a
    later sync or build need not unpack the sdist to find a recorded wheel.
    """

    system: BuildSystem
    assessment: Assessment
    name: str | None
    version: str | None
    # the digest of what it unpacks to (:mod:`graft.build.sdist_contents`); None: kept before
    contents: str | None = None

    def to_json(self) -> str:
        """The facts as kept beside the records."""
        data = {
            "format": _FORMAT,
            "system": self.system.to_dict(),
            "assessment": self.assessment.to_dict(),
            "name": self.name,
            "version": self.version,
        }
        if self.contents is not None:
            data["contents"] = self.contents
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> KnownSource:
        """The inverse of :meth:`to_json`; ``ValueError``/``KeyError``/``TypeError`` if bad."""
        data = json.loads(text)
        if data.get("format") != _FORMAT:
            raise ValueError("another format")
        raw = data["system"]
        system = BuildSystem(
            tuple(str(r) for r in raw["requires"]),
            str(raw["backend"]),
            tuple(str(p) for p in raw["backend_path"]),
            legacy=bool(raw["legacy"]),
        )
        name, version, contents = data["name"], data["version"], data.get("contents")
        assessment = Assessment.from_dict(data["assessment"])
        if assessment.rules != RULES:  # decided by other evidence rules: scanned again (258)
            raise ValueError("assessed by other evidence rules")
        return cls(
            system,
            assessment,
            None if name is None else str(name),
            None if version is None else str(version),
            None if contents is None else str(contents),
        )


class BuiltWheels:
    """The built-wheel cache under one cache directory."""

    def __init__(self, cache_dir: str) -> None:
        self.cache_dir = cache_dir
        self.root = os.path.join(cache_dir, "builds")

    def sweep_work(self, now: float) -> None:
        """Remove the work directories untouched for :data:`WORK_KEPT_S` (best effort).

        A build under way touches its own often (each step makes a directory in it).
        """
        import shutil  # noqa: PLC0415
        import stat  # noqa: PLC0415

        try:
            names = os.listdir(self.root)
        except OSError:
            return
        for name in names:
            path = os.path.join(self.root, name)
            try:
                info = os.lstat(path)
            except OSError:
                continue
            old = now - info.st_mtime > WORK_KEPT_S
            if name.startswith("work-") and stat.S_ISDIR(info.st_mode) and old:
                shutil.rmtree(path, ignore_errors=True)

    def wheel_path(self, sha256: str, filename: str) -> str:
        """Where the wheel lives: the download cache's layout."""
        return os.path.join(self.cache_dir, "wheels", sha256, filename)

    def lookup(self, source_key: str, input_key: str) -> list[BuiltRecord]:
        """The records for this source and these inputs whose wheel file is intact, oldest first."""
        folder = self.inputs_dir(source_key, input_key)
        try:
            names = os.listdir(folder)
        except OSError:
            return []
        found: list[tuple[float, BuiltRecord]] = []
        for name in sorted(names):
            if not name.endswith(".json"):
                continue
            path = os.path.join(folder, name)
            try:
                with open(path, encoding="utf-8") as fh:
                    record = BuiltRecord.from_json(fh.read())
                stamp = os.stat(path).st_mtime
            except (OSError, ValueError, KeyError, TypeError):
                continue
            if record.source_key != source_key or record.input_key != input_key:
                continue
            wheel = self.wheel_path(record.sha256, record.filename)
            try:
                if file_sha256(wheel) != record.sha256:
                    continue
            except OSError:
                continue
            found.append((stamp, record))
        found.sort(key=lambda pair: pair[0])
        return [record for _, record in found]

    def find(self, sha256: str) -> BuiltRecord | None:
        """The record of the built wheel with this sha256, if graft built it here."""
        import glob  # noqa: PLC0415

        if not all(c in "0123456789abcdef" for c in sha256):
            return None
        for path in sorted(glob.glob(os.path.join(self.root, "*", "*", f"{sha256}.json"))):
            try:
                with open(path, encoding="utf-8") as fh:
                    record = BuiltRecord.from_json(fh.read())
            except (OSError, ValueError, KeyError, TypeError):
                continue
            if record.sha256 == sha256:
                return record
        return None

    def keep_wheel(self, wheel: str, sha256: str) -> str:
        """Copy the built *wheel* into the cache (once); the cached wheel's path."""
        import shutil  # noqa: PLC0415

        target = self.wheel_path(sha256, os.path.basename(wheel))
        if not os.path.isfile(target):
            os.makedirs(os.path.dirname(target), exist_ok=True)
            tmp = f"{target}.tmp.{os.getpid()}"
            shutil.copyfile(wheel, tmp)
            os.replace(tmp, target)
        return target

    def forget_wheel(self, sha256: str, filename: str) -> None:
        """Remove a wheel :meth:`keep_wheel` copied (the store refused it)."""
        path = self.wheel_path(sha256, filename)
        with contextlib.suppress(OSError):
            os.unlink(path)
        with contextlib.suppress(OSError):
            os.rmdir(os.path.dirname(path))

    def source_dir(self, source_key: str) -> str:
        """The folder of everything kept for the source with this key (records by input key)."""
        return os.path.join(self.root, _safe(source_key))

    def inputs_dir(self, source_key: str, input_key: str) -> str:
        """The folder of what is kept for the source with this key built with these inputs."""
        return os.path.join(self.source_dir(source_key), _safe(input_key))

    def known_source(self, source_key: str) -> KnownSource | None:
        """What the sdist with this key said when it was first unpacked, if that is kept."""
        path = os.path.join(self.source_dir(source_key), "source.json")
        try:
            with open(path, encoding="utf-8") as fh:
                return KnownSource.from_json(fh.read())
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def keep_source(self, source_key: str, known: KnownSource) -> None:
        """Keep what the sdist with this key says (its build system, evidence, name)."""
        folder = self.source_dir(source_key)
        os.makedirs(folder, exist_ok=True)
        write_atomic(os.path.join(folder, "source.json"), known.to_json())

    def prepared(self, source_key: str, input_key: str, builder: str) -> list[Prepared]:
        """METADATA earlier ``prepare_metadata_for_build_wheel`` runs gave, oldest first.

        *builder* is the interpreter (``cpython 3.12``) for a source that may build
        differently per interpreter, else ``any``; one is kept per build environment
        (:mod:`graft.build.prepared`).
        """
        from graft.build.prepared import SUFFIX, Prepared  # noqa: PLC0415 - (once prepared)

        folder = self.inputs_dir(source_key, input_key)
        start = f"prepared-{_safe(builder)}-"
        try:
            names = sorted(n for n in os.listdir(folder) if n.startswith(start))
        except OSError:
            return []
        found: list[tuple[float, Prepared]] = []
        for name in names:
            if "-" in name[len(start) :] or not name.endswith(SUFFIX):  # (another builder's)
                continue
            path = os.path.join(folder, name)
            try:
                with open(path, encoding="utf-8") as fh:
                    kept = Prepared.from_json(fh.read())
                found.append((os.stat(path).st_mtime, kept))
            except (OSError, ValueError, KeyError, TypeError):
                continue
        found.sort(key=lambda pair: pair[0])
        return [kept for _, kept in found]

    def keep_prepared(self, source_key: str, input_key: str, builder: str, kept: Prepared) -> None:
        """Keep prepared METADATA and its build environment (see :meth:`prepared`)."""
        folder = self.inputs_dir(source_key, input_key)
        os.makedirs(folder, exist_ok=True)
        write_atomic(os.path.join(folder, kept.file_name(_safe(builder))), kept.to_json())

    def keep_record(self, record: BuiltRecord) -> None:
        """Write *record*: its wheel is now a build of its source with its inputs."""
        folder = self.inputs_dir(record.source_key, record.input_key)
        os.makedirs(folder, exist_ok=True)
        write_atomic(os.path.join(folder, f"{record.sha256}.json"), record.to_json())


def _safe(key: str) -> str:
    """A key as one path component (keys are made here; never trust them blindly)."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in key).lstrip(".") or "_"
