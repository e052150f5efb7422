"""The sync benchmark's harness: `graft sync` against `uv pip install` and pip, on every path.

Modules, in the order a run uses them:

- `common`: constants, the tools and paths of a run, the isolated environment, small helpers;
- `quiet`: is the machine quiet enough to time (CPU used by others, settle after deletes);
- `reqs`: requirement files as lists of pins, and the edits the paths need (pure);
- `index`: a loopback simple index (PEP 503 HTML, PEP 691 JSON) over the cached wheel files;
- `prepare`: wheels downloaded once, caches warmed, graft's bytecode compiled, checks;
- `commands`: the exact command lines of each form and path;
- `stats`: medians, spreads and paired ratios (pure);
- `runner`: alternated timing of the forms and the paths;
- `report`, `report_paths`, `plot`: `docs/benchmarks.md` and its plot from a JSON result;
- `cli`: options and the whole run.
"""
