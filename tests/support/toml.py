"""The TOML reader of the tests: the standard library's from 3.11, ``tomli`` below it.

graft runs on 3.10 (``requires-python``), and so does its suite: ``tomli`` is graft's own
reader there (a dependency below 3.11) and a dev extra (decision 337).
"""

from __future__ import annotations

import sys

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["tomllib"]
