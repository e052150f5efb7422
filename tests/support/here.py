"""The interpreter running the tests, graft's default target: its version and tags.

The suite runs under every CPython graft claims (3.10+, decision 337): a test that names the
target's ``lib/pythonX.Y``, bytecode tag or wheel tag takes it from here, never as ``3.11``.
"""

from __future__ import annotations

import sys

#: ``3.11``: the target's X.Y (``lib/python3.11``, ``--python-version 3.11``)
X_Y = "{}.{}".format(*sys.version_info[:2])
#: ``cp311``: the target's interpreter tag
CP = "cp{}{}".format(*sys.version_info[:2])
#: ``cpython-311``: the target's bytecode tag (``__pycache__/m.cpython-311.pyc``)
CACHE_TAG = sys.implementation.cache_tag
#: ``lib/python3.11/site-packages``, relative to the venv
SITE_PACKAGES = f"lib/python{X_Y}/site-packages"
#: a CPython X.Y other than the target's, for a second interpreter (``--python``)
OTHER_X_Y = "3.11" if X_Y == "3.12" else "3.12"
