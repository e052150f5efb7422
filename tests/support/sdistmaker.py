"""Write small sdists on the fly: a ``.tar.gz`` of text members."""

from __future__ import annotations

import io
import tarfile
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path


def write_sdist(path: Path, files: Mapping[str, str]) -> Path:
    """Write *files* (member name -> text) into the gzipped tar *path*; return *path*."""
    with tarfile.open(path, "w:gz") as archive:
        for member, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(member)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path
