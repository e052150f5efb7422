"""A small reader of an ELF file's dynamic section: DT_NEEDED, DT_RPATH, DT_RUNPATH, DT_SONAME.

It reads what the dynamic loader reads: the ELF header, the program headers, the
``PT_DYNAMIC`` segment, and the strings that ``DT_STRTAB`` points at (a virtual
address, mapped to a file offset through the ``PT_LOAD`` segments). Section headers
are not needed, so stripped libraries work. 32/64-bit and either byte order.
Anything that is not a well-formed ELF file gives ``None``; nothing is executed.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import BinaryIO

_MAGIC = b"\x7fELF"
_PT_LOAD = 1
_PT_DYNAMIC = 2
_DT_NULL = 0
_DT_NEEDED = 1
_DT_STRTAB = 5
_DT_STRSZ = 10
_DT_SONAME = 14
_DT_RPATH = 15
_DT_RUNPATH = 29
_MAX_DYNAMIC = 1 << 20  # bytes of dynamic section we are willing to read
_MAX_STRTAB = 16 << 20


@dataclass(frozen=True, slots=True)
class DynamicInfo:
    """The dynamic-linking facts of one ELF object."""

    needed: tuple[str, ...]
    rpath: tuple[str, ...]  # DT_RPATH entries (ignored by the loader when RUNPATH is present)
    runpath: tuple[str, ...]
    soname: str | None
    elf_class: int  # 32 or 64
    machine: int  # e_machine


@dataclass(frozen=True, slots=True)
class _Format:
    word: str  # struct code of an address-sized unsigned integer
    endian: str
    elf_class: int


def is_elf(path: str) -> bool:
    """Whether the file at *path* starts with the ELF magic."""
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == _MAGIC
    except OSError:
        return False


def read_dynamic(path: str) -> DynamicInfo | None:
    """The dynamic section of the ELF file at *path*, or None (not ELF, static, damaged)."""
    try:
        with open(path, "rb") as fh:
            return _read(fh)
    except (OSError, struct.error, ValueError):
        return None


def _read(fh: BinaryIO) -> DynamicInfo | None:
    ident = fh.read(16)
    if len(ident) < 16 or ident[:4] != _MAGIC:  # noqa: PLR2004 - e_ident is 16 bytes
        return None
    elf_class = {1: 32, 2: 64}.get(ident[4])
    endian = {1: "<", 2: ">"}.get(ident[5])
    if elf_class is None or endian is None:
        return None
    fmt = _Format("I" if elf_class == 32 else "Q", endian, elf_class)  # noqa: PLR2004
    # e_type, e_machine, e_version, e_entry, e_phoff, e_shoff, e_flags, e_ehsize, e_phentsize,
    # e_phnum
    header = f"{endian}HHI{fmt.word}{fmt.word}{fmt.word}IHHH"
    raw = fh.read(struct.calcsize(header))
    _type, machine, _version, _entry, phoff, _shoff, _flags, _eh, phentsize, phnum = struct.unpack(
        header, raw
    )
    loads, dynamic = _program_headers(fh, fmt, phoff, phentsize, phnum)
    if dynamic is None:
        return None
    entries = _dynamic_entries(fh, fmt, *dynamic)
    strtab = next((v for t, v in entries if t == _DT_STRTAB), None)
    strsz = next((v for t, v in entries if t == _DT_STRSZ), 0)
    if strtab is None:
        return None
    offset = _to_offset(strtab, loads)
    if offset is None or not 0 < strsz <= _MAX_STRTAB:
        return None
    fh.seek(offset)
    strings = fh.read(strsz)

    def string(index: int) -> str:
        end = strings.find(b"\0", index)
        return strings[index : end if end >= 0 else len(strings)].decode("utf-8", "replace")

    def paths(tag: int) -> tuple[str, ...]:
        return tuple(p for t, v in entries if t == tag for p in string(v).split(":") if p)

    sonames = [string(v) for t, v in entries if t == _DT_SONAME]
    return DynamicInfo(
        needed=tuple(string(v) for t, v in entries if t == _DT_NEEDED),
        rpath=paths(_DT_RPATH),
        runpath=paths(_DT_RUNPATH),
        soname=sonames[0] if sonames else None,
        elf_class=elf_class,
        machine=machine,
    )


def _program_headers(
    fh: BinaryIO, fmt: _Format, phoff: int, phentsize: int, phnum: int
) -> tuple[list[tuple[int, int, int]], tuple[int, int] | None]:
    """(PT_LOAD segments as (vaddr, filesz, offset), PT_DYNAMIC as (offset, filesz))."""
    # 64-bit: p_type, p_flags, p_offset, p_vaddr, p_paddr, p_filesz
    # 32-bit: p_type, p_offset, p_vaddr, p_paddr, p_filesz
    layout = f"{fmt.endian}IIQQQQ" if fmt.elf_class == 64 else f"{fmt.endian}IIIII"  # noqa: PLR2004
    size = struct.calcsize(layout)
    if phentsize < size or phnum > 0xFFFF:  # noqa: PLR2004
        return [], None
    fh.seek(phoff)
    table = fh.read(phentsize * phnum)
    loads: list[tuple[int, int, int]] = []
    dynamic: tuple[int, int] | None = None
    for i in range(phnum):
        fields = struct.unpack_from(layout, table, i * phentsize)
        if fmt.elf_class == 64:  # noqa: PLR2004
            p_type, _flags, p_offset, p_vaddr, _paddr, p_filesz = fields
        else:
            p_type, p_offset, p_vaddr, _paddr, p_filesz = fields
        if p_type == _PT_LOAD:
            loads.append((p_vaddr, p_filesz, p_offset))
        elif p_type == _PT_DYNAMIC:
            dynamic = (p_offset, p_filesz)
    return loads, dynamic


def _dynamic_entries(fh: BinaryIO, fmt: _Format, offset: int, filesz: int) -> list[tuple[int, int]]:
    entry = struct.Struct(f"{fmt.endian}{fmt.word.lower()}{fmt.word}")  # signed tag, value
    fh.seek(offset)
    data = fh.read(min(filesz, _MAX_DYNAMIC))
    out = []
    for index in range(len(data) // entry.size):
        tag, value = entry.unpack_from(data, index * entry.size)
        if tag == _DT_NULL:
            break
        out.append((tag, value))
    return out


def _to_offset(address: int, loads: list[tuple[int, int, int]]) -> int | None:
    for vaddr, filesz, offset in loads:
        if vaddr <= address < vaddr + filesz:
            return address - vaddr + offset
    return None


def origin_search(path: str) -> tuple[str, ...] | None:
    """The search entries of *path* that name ``$ORIGIN``; None for an unreadable ELF file.

    The loader searches DT_RUNPATH, or DT_RPATH when there is no RUNPATH, and expands
    ``$ORIGIN`` in DT_NEEDED too. A file that is not ELF gives ``()``: the loader never
    reads it (a ``.pyd`` or ``.dylib`` of another platform, a data file under ``*.libs/``).
    """
    info = read_dynamic(path)
    if info is None:
        return None if is_elf(path) else ()
    search = info.runpath or info.rpath
    needed_dirs = tuple(n.rpartition("/")[0] for n in info.needed if "ORIGIN" in n)
    return tuple(e for e in (*search, *needed_dirs) if "ORIGIN" in e)


__all__ = ["DynamicInfo", "is_elf", "origin_search", "read_dynamic"]
