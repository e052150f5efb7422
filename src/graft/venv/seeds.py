"""A venv's seed packages: pip, setuptools and wheel, which a sync keeps (decision 122).

``python -m venv`` puts pip in every venv (ensurepip), ``uv venv --seed`` and virtualenv put
pip (and setuptools and wheel) there; a user of such a venv keeps pip through ``uv pip sync``,
which leaves the seed packages of a venv it did not make, or made with ``--seed`` (its
pyvenv.cfg's ``seed = true``), where they are. graft makes them *implicit roots* of the
sync instead: each seed package the venv holds is resolved and installed as any other
distribution, its version kept (the venv's versions are preferred), so the venv stays a flat
install with pip in it. Which ones: :func:`seed_roots`. Standard library only (the sync reads
them before anything heavy is imported).
"""

from __future__ import annotations

import os

from graft.venv.state import SEED, installed, options_of, read_config

#: The seed packages a venv tool puts into a venv (uv's list).
SEED_PACKAGES = ("pip", "setuptools", "wheel")

#: What ``graft sync --seed`` adds, as ``uv venv --seed``: pip, and below Python 3.12
#: setuptools and wheel too (the requirement's marker holds for the venv's interpreter).
FLAG_SEEDS = {
    "pip": "pip",
    "setuptools": "setuptools; python_version < '3.12'",
    "wheel": "wheel; python_version < '3.12'",
}


def seed_roots(venv: str, flag: bool) -> tuple[tuple[str, ...], bool]:
    """The seed requirements a sync of *venv* adds to its own, and whether the venv is seeded.

    A venv is *seeded* when its pyvenv.cfg says ``seed = true`` (uv's ``--seed``, and graft's
    for a venv it seeded), when another tool made it (no ``graft = VERSION`` line: ``python
    -m venv``, virtualenv) and it holds a seed package (not a plain ``uv venv``, which uv's
    own sync strips of them too), or when *flag* (``--seed``) is given. Its roots: the seed
    packages it holds (by name: the held version is preferred), and with *flag* the ones
    ``uv venv --seed`` installs. A seeded venv whose user removed pip does not get it back
    (as uv). Nothing for a venv that is not there or not seeded; the site-packages of a graft
    or uv venv that is not seeded are not listed (the change path asks of every graft venv).
    """
    try:
        config = read_config(venv)
    except (OSError, ValueError):
        config = None
    if config is None:  # (no venv: nothing held)
        held: tuple[str, ...] = ()
        seeded = flag
    elif flag or (SEED, "true") in options_of(config):
        held, seeded = held_seeds(venv), True
    elif "graft" in config or "uv" in config:
        return (), False  # graft's or uv's own, not seeded: what it holds cannot matter
    else:  # taken over from python -m venv or virtualenv: seeded if it holds one
        held = held_seeds(venv)
        seeded = bool(held)
    if not seeded:
        return (), False
    roots = dict.fromkeys(held)
    if flag:
        roots.update((spec, None) for name, spec in FLAG_SEEDS.items() if name not in held)
    return tuple(roots), True


def held_seeds(venv: str) -> tuple[str, ...]:
    """The seed packages the venv at *venv* holds, in :data:`SEED_PACKAGES`' order.

    Read from the ``.dist-info`` directories of every ``lib/*/site-packages`` (a venv being
    moved to another interpreter holds them in the previous one's).
    """
    try:
        libs = sorted(os.listdir(os.path.join(venv, "lib")))
    except OSError:
        return ()
    sites = tuple(f"lib/{name}/site-packages" for name in libs)
    found = installed(venv, sites)
    return tuple(name for name in SEED_PACKAGES if name in found)
