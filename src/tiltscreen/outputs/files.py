"""Writing output files atomically: a crash or a full disk never leaves half a file behind."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

from tiltscreen.errors import TiltscreenError


class OutputWriteError(TiltscreenError):
    """An output file cannot be written (folder not writable, disk full, encoder failure)."""


def write_file_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically: a temp file beside it, synced, then renamed.

    Parameters
    ----------
    path : path-like
        Target file; its folder is created if missing; an existing file is replaced.
    data : bytes
        The whole content.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    OutputWriteError
        If the folder cannot be created or the file cannot be written; no partial file is left.

    """
    target = Path(path)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as err:
        raise OutputWriteError(f"Cannot write {target}: {err.strerror or err}.") from err
    finally:
        tmp.unlink(missing_ok=True)
    return target


def write_json(path: str | os.PathLike[str], data: dict[str, Any]) -> Path:
    """Write ``data`` as indented JSON, atomically; NaN is refused (results carry ``null`` instead)."""
    return write_file_atomic(path, json.dumps(data, indent=2, allow_nan=False).encode("utf-8"))
