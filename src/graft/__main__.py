"""``python -m graft``: the ``graft`` command."""

from graft.cli.main import entrypoint

entrypoint()
