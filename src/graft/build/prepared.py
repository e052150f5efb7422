"""METADATA kept from ``prepare_metadata_for_build_wheel``, with the build environment it came from.

A backend's metadata hook runs in a build environment, as a build does, and what it says may
depend on what that environment held (a setuptools plugin, a version helper). So what is
kept records that environment (``name==version``, sorted), as a built wheel's record does
(:class:`graft.build.cache.BuiltRecord`), and one is kept per environment: the rule of
decision 140 (:func:`graft.build.recorded.prepared_for`) refuses one whose environment held
a version a build constraint pins otherwise, and another may agree. Files are
``<cache>/builds/<source key>/<input key>/prepared-<builder>-<digest of the environment>.json``;
untrusted input, read only while they parse.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from graft._sha256 import sha256_hex

_FORMAT = 1
#: The suffix of a kept METADATA's file (not a built wheel's ``<sha256>.json`` record).
SUFFIX = ".prepared"


@dataclass(frozen=True, slots=True)
class Prepared:
    """One METADATA the hook gave, and the build environment it ran in."""

    metadata: bytes
    build_env: tuple[str, ...]  # the build environment's wheels, "name==version" sorted

    def file_name(self, builder: str) -> str:
        """Its file's name beside the records: one per *builder* and environment."""
        digest = sha256_hex("\n".join(self.build_env).encode())[:16]
        return f"prepared-{builder}-{digest}{SUFFIX}"

    def to_json(self) -> str:
        """The kept form."""
        data = {
            "format": _FORMAT,
            "build_env": list(self.build_env),
            # (text as read: bytes that are not UTF-8 kept through surrogateescape)
            "metadata": self.metadata.decode("utf-8", "surrogateescape"),
        }
        return json.dumps(data, indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Prepared:
        """The inverse of :meth:`to_json`; ``ValueError``/``KeyError``/``TypeError`` if bad."""
        data = json.loads(text)
        if data.get("format") != _FORMAT:
            raise ValueError("another format")
        return cls(
            str(data["metadata"]).encode("utf-8", "surrogateescape"),
            tuple(str(x) for x in data["build_env"]),
        )
