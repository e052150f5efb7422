"""The command line: ``graft`` and its subcommands (:mod:`graft.cli.main`)."""
