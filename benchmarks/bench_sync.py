"""Benchmark `graft sync` against `uv pip install` (default and --compile-bytecode) and pip.

Every path a user meets (cold, new directory, one edited pin, no-op, added and removed package,
and the resolve/lock/build hooks), over a loopback index, plus the local-wheels forms (new
directory, prescribed rebuild, no-op, pip baseline). Writes a JSON result and regenerates
`docs/benchmarks.md` with its plots. The harness is the `syncbench` package beside this file;
see benchmarks/README.md for how to run it.
"""

from __future__ import annotations

import sys

from syncbench.cli import main

if __name__ == "__main__":
    sys.exit(main())
