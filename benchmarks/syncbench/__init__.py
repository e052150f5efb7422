"""The sync benchmark's harness: `graft sync` against `uv pip install` and pip, on every path.

Modules, in the order a run uses them:

- `common`: constants, the tools and paths of a run, the isolated environment, small helpers;
- `quiet`: is the machine quiet enough to time (CPU used by others, settle after deletes);
- `reqs`: requirement sets as lists of pins, and the edits the paths need (pure);
- `index`: a loopback simple index (PEP 503 HTML, PEP 691 JSON) over the cached files;
- `prepare`: wheels downloaded once, caches warmed, graft's bytecode compiled;
- `commands`: the exact command lines of each form and path;
- `runner`: alternated rounds of fresh processes;
- `stats`: medians, spreads and paired ratios (pure);
- `forms`, `paths`: what is timed, in which order (local wheels; the loopback index);
- `checks`: untimed facts (links per file served, tool versions);
- `fmt`, `report`, `report_local`, `report_paths`, `plot`: `docs/benchmarks.md` and its plots;
- `cli`: options and the whole run.
"""
