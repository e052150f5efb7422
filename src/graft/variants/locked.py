"""When a locked package that only some variant choices need is installed (PEP 825 locks).

A universal lock holds every project any machine's variant choice needs. A project only
some choices need carries, in ``[packages.tool.graft]``, the *clauses* of when it is
needed: a clause names a *requirer* (a locked project), optionally the labels of the
requirer's wheel that require it (``""``: its non-variant wheel) and the requirement's
marker, variant markers included (PEP 825: evaluated against the wheel selected for the
requirer's entry); a clause without a requirer holds where its marker does (the
environments in which every choice needs the project). The installer keeps such a
project when one of its clauses holds for a project it installs: a least fixed point,
so a cycle of conditional projects installs nothing by itself.

Variant markers cannot be written in ``packages.marker``: PEP 825 allows them in
dependency specifiers only, and packaging's lock reader could not parse them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from graft.variants.markers import VariantEnvironment, evaluate

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

#: The key under ``[packages.tool.graft]``.
NEEDED_BY = "needed-by"


@dataclass(frozen=True, slots=True, order=True)
class Clause:
    """One condition under which a conditional locked project is installed."""

    requirer: str | None  # a locked project's normalized name; None: the marker alone
    labels: tuple[str, ...] = ()  # the requirer's chosen label ("" non-variant); (): any
    marker: str | None = None  # the requirement's marker (variant markers included)

    def to_toml(self) -> dict[str, Any]:
        """The clause as a TOML inline table."""
        out: dict[str, Any] = {}
        if self.requirer is not None:
            out["requirer"] = self.requirer
        if self.labels:
            out["labels"] = list(self.labels)
        if self.marker is not None:
            out["marker"] = self.marker
        return out

    @classmethod
    def from_toml(cls, table: object, where: str) -> Clause:
        """A clause read from a lock; :class:`SourceError` naming *where* when malformed."""
        from graft.errors import SourceError  # noqa: PLC0415

        get = table.get if isinstance(table, dict) else {}.get
        requirer, labels, marker = get("requirer"), get("labels", []), get("marker")
        if (
            not isinstance(table, dict)
            or (requirer is not None and not isinstance(requirer, str))
            or not isinstance(labels, list)
            or not all(isinstance(x, str) for x in labels)
            or (marker is not None and not isinstance(marker, str))
            or (requirer is None and marker is None)
        ):
            raise SourceError(f"malformed tool.graft.{NEEDED_BY} clause {table!r}", where=where)
        return cls(requirer, tuple(labels), marker)

    def holds(
        self,
        installed: Mapping[str, VariantEnvironment],
        environment: Mapping[str, str],
    ) -> bool:
        """Whether the clause holds for the *installed* projects and their chosen wheels."""
        env = VariantEnvironment("")
        if self.requirer is not None:
            if self.requirer not in installed:
                return False
            env = installed[self.requirer]
            if self.labels and env.label not in self.labels:
                return False
        if self.marker is None:
            return True
        return evaluate(self.marker, env, {**environment, "extra": ""})


def parse_needed_by(package_tool: object, where: str) -> tuple[Clause, ...] | None:
    """The clauses of a package's ``[packages.tool]`` table (None: always installed)."""
    if not isinstance(package_tool, dict):
        return None
    table = package_tool.get("graft")
    if not isinstance(table, dict) or NEEDED_BY not in table:
        return None
    raw = table[NEEDED_BY]
    if not isinstance(raw, list) or not raw:
        from graft.errors import SourceError  # noqa: PLC0415

        raise SourceError(f"tool.graft.{NEEDED_BY} is not a non-empty array", where=where)
    return tuple(Clause.from_toml(t, where) for t in raw)


def needed(
    chosen: Mapping[str, VariantEnvironment],
    conditional: Mapping[str, Iterable[Clause]],
    environment: Mapping[str, str],
) -> set[str]:
    """The projects to install: every unconditional one, and conditional ones by their clauses.

    *chosen* maps each selected project to the variant environment of its chosen wheel;
    *conditional* maps the conditional ones among them to their clauses.
    """
    kept = {name: env for name, env in chosen.items() if name not in conditional}
    waiting = {name: tuple(c) for name, c in conditional.items() if name in chosen}
    grew = True
    while grew:
        grew = False
        for name, clauses in list(waiting.items()):
            if any(c.holds(kept, environment) for c in clauses):
                kept[name] = chosen[name]
                del waiting[name]
                grew = True
    return set(kept)
