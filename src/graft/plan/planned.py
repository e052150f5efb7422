"""The planner's input: one store entry per wheel, with the target's bytecode for it.

In a module of its own: a sync whose plan is kept (every warm sync) makes no planner input,
so it never creates the class (a frozen dataclass costs about 1 ms to create on CPython
3.11; decision 51).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from graft.model.record import WheelRecord


@dataclass(frozen=True, slots=True)
class PlannedWheel:
    """A planner input: one store entry, the target's bytecode for it, and how it was asked for."""

    record: WheelRecord
    tree: str  # absolute path of the entry's unpacked tree
    bytecode: frozenset[str] = frozenset()  # archive paths of .pyc files for the target
    requested: bool = True
    direct_url: str | None = None  # direct_url.json text for wheels given as files
