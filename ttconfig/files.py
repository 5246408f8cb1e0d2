"""How ttconfig writes its own files: whole or not at all, readable by their owner only.

Audit heads, plan and approval files and the sandbox's state all say something about a
firm's risk setup, and all must survive a crash mid-write; one way, used by every layer.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def private_dir(directory: Path) -> Path:
    """`directory`, made with any missing parents readable by their owner only (0700)."""
    missing = [p for p in (directory, *directory.parents) if not p.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)
    return directory


def write_private(path: Path, text: str) -> None:
    """Write `path` whole or not at all, readable by its owner only (0600), following no
    symlink: the temporary file has a fresh random name (O_EXCL), and the rename replaces
    whatever is at `path` — a link too — instead of writing through it. The folder is
    synced too, so the rename survives a crash."""
    private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
