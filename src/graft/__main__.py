from graft.cli.main import entrypoint

entrypoint()
