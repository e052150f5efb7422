"""``--no-binary`` and ``--only-binary`` kept in the order given, for ``graft sync`` and ``lock``.

Apart from :mod:`graft.cli.parser`, which imports ``lock_cmd``'s parser: both use it.
"""

from __future__ import annotations

import argparse
from typing import Any


class FormatStep(argparse.Action):
    """``--no-binary`` and ``--only-binary`` into one list, in the order given.

    As pip reads them (``graft.resolve.policy.format_sets``): the later word on a project
    wins, and ``:none:`` undoes only what came before it (decision 326). *const* names the
    flag (``NO_BINARY`` or ``ONLY_BINARY``).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("nargs", None)
        super().__init__(*args, **kwargs)

    def __call__(
        self,
        parser: argparse.ArgumentParser,  # noqa: ARG002
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,  # noqa: ARG002
    ) -> None:
        """Add (flag, value) to the list."""
        given = list(getattr(namespace, self.dest, None) or [])  # (never the default's list)
        given.append((self.const, values))
        setattr(namespace, self.dest, given)
