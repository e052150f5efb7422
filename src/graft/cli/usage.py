"""``graft --help`` and ``graft --version``, printed without loading argparse.

The text is argparse's own rendering of :mod:`graft.cli.parser`'s command line for an 80-column
output (a pipe's width); ``tests/unit/test_usage.py`` fails when the two differ, and prints
the text to paste here. Any other form of help (``graft sync --help``, a narrow terminal's
``COLUMNS``) goes to argparse.
"""

TOP_HELP = """\
usage: graft [-h] [--version] COMMAND ...

Build virtual environments as link farms over a store of unpacked wheels.

positional arguments:
  COMMAND
    sync      build or update a venv holding exactly the requirements and
              their deps
    lock      resolve for many environments at once and write a PEP 751
              pylock.toml
    audit     check a venv: links, RECORDs, collisions, imports, native
              libraries, scripts
    bench     time a venv's start-up against a flat copy; sys.path, .pth
              files, disk use
    store     look after the store
    cache     show or clean the download and build caches
    build     build an sdist and wheels of a project directory, or wheels of
              an sdist
    inspect   print a wheel's record as graft sees it
    variants  what this machine supports for wheel variants (PEP 825), and
              where it came from

options:
  -h, --help  show this help message and exit
  --version   show program's version number and exit
"""

WIDTH = 80  # the columns TOP_HELP was rendered for


def answer(argv: list[str]) -> int | None:
    """Exit status 0 after printing the top-level help or the version; None for anything else."""
    import os  # noqa: PLC0415
    import sys  # noqa: PLC0415

    if argv == ["--version"]:
        from graft import __version__  # noqa: PLC0415

        print(f"graft {__version__}")
        return 0
    if argv not in (["--help"], ["-h"]):
        return None
    columns = os.environ.get("COLUMNS")
    if columns is not None and columns != str(WIDTH):
        return None
    if columns is None and sys.stdout.isatty() and os.get_terminal_size().columns != WIDTH:
        return None  # argparse would wrap for this terminal
    sys.stdout.write(TOP_HELP)
    return 0
