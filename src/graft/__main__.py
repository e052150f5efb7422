"""``python -m graft``: the ``graft`` command."""

from graft.cli.entry import entrypoint

entrypoint()
