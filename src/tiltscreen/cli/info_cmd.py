"""``tiltscreen info``: versions, model and platform, for bug reports."""

from __future__ import annotations

import argparse
import platform
from importlib import metadata

import tiltscreen
from tiltscreen.errors import ModelError


def collect() -> dict[str, str]:
    """Versions of tiltscreen and its main dependencies, the model's hash and the platform."""
    import cv2
    import numpy
    import scipy

    from tiltscreen.pose.model_store import locate_model, sha256_of

    info = {
        "tiltscreen": tiltscreen.__version__,
        "python": platform.python_version(),
        "mediapipe": metadata.version("mediapipe"),
        "opencv": cv2.__version__,
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "platform": platform.platform(),
    }
    try:
        path = locate_model()
        info["model"] = str(path)
        info["model_sha256"] = sha256_of(path)
    except ModelError as err:
        info["model"] = f"not found ({err})"
    return info


def add_arguments(p: argparse.ArgumentParser) -> None:
    """``info`` takes no options of its own."""


def run(args: argparse.Namespace) -> int:
    """Print one ``name: value`` line per fact."""
    for key, value in collect().items():
        print(f"{key:>13}: {value}")
    return 0
