"""Shared pieces of the render-set definitions: a clip, a set, body draws and the README text."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Clip:
    """One clip: its file name, scene, seed and ``tiltscreen-synth`` options (option name without ``--``).

    ``derived`` holds descriptive manifest columns that are not options (e.g. whether the camera is turned
    towards the subject's front or back).
    """

    name: str
    scene: str
    seed: int
    options: dict[str, Any]
    derived: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RenderSet:
    """A named list of clips rendered into ``<root>/<folder>``."""

    name: str
    folder: str
    purpose: str
    varies: str
    clips: list[Clip]
    heldout: bool = False

    def readme(self, out_dir: Path, *, done: int, total: int, seconds: float) -> str:
        """README.md text of the set folder."""
        rule = (
            "**HELD-OUT: never open, fit, tune or debug on these clips.** Only a final benchmark run of a "
            "frozen, committed method may read them; report its figures as they come out.\n\n"
            if self.heldout
            else "Development renders: fit, tune and debug on these freely.\n\n"
        )
        return (
            f"# {self.folder}: {self.purpose}\n\n"
            f"{rule}"
            "Rendered people (the `anny` body model, `tiltscreen-synth`), not patients: figures measured on "
            'them are optimistic bounds; say "renders" next to each.\n\n'
            f"Clips: {done} of {total} rendered "
            f"(render time {seconds / 60:.1f} min on 2 shared CPU cores).\n\n"
            f"What varies: {self.varies}\n\n"
            "Files: `<name>.mp4` (the video) and `<name>.json` (ground truth, schema "
            "`tiltscreen-synth-gt/1`, described in the repository's `docs/synth.md`; read it with "
            "`tiltscreen.synth.groundtruth.load_ground_truth`). `manifest.csv`: one row per clip with its "
            "seed, every option that varies in this set, `camera_towards` (front/back: which way a non-zero "
            "yaw turns the camera round the subject), the distance the render used (`distance_m_used`; "
            "`framing_note` says when a requested distance was too close and automatic framing was used), "
            "frames, render seconds and the exact `tiltscreen-synth` command.\n\n"
            "Reproduce or complete (renders only the missing clips), from the repository root:\n\n"
            "```sh\n"
            "PYTHONPATH=src PYOPENGL_PLATFORM=osmesa ANNY_CACHE_DIR=/work/cache/anny \\\n"
            f"    /work/venv-synth/bin/python benchmarks/datasets/make_sets.py {self.name} "
            f"--root {out_dir.parent.parent if '/' in self.folder else out_dir.parent}\n"
            "```\n"
        )


def towards(side: str, yaw_deg: float) -> str:
    """Which way a yaw offset moves the camera round the subject: ``front``, ``back`` or ``square``.

    With ``geometry.camera_rotation``'s convention (positive yaw turns the view to the image right), a
    camera on the subject's left sees the subject's back on the image right, so a positive yaw moves the
    camera towards the subject's front; on the right side it is the other way round.
    """
    if yaw_deg == 0:
        return "square"
    return "front" if (side == "left") == (yaw_deg > 0) else "back"


def draw_body(rng: np.random.Generator, *, stature=(150, 195), weight=(0.2, 0.8), age=(18, 70)) -> dict:
    """Sex, stature (cm), age (years), weight, muscle and proportions drawn from the given ranges."""
    return {
        "sex": round(float(rng.choice([0.0, 1.0, rng.uniform(0, 1)], p=[0.45, 0.45, 0.1])), 2),
        "stature-cm": round(float(rng.uniform(*stature)), 1),
        "age": round(float(rng.uniform(*age)), 0),
        "weight": round(float(rng.uniform(*weight)), 2),
        "muscle": round(float(rng.uniform(0.3, 0.7)), 2),
        "proportions": round(float(rng.uniform(0.3, 0.7)), 2),
    }


def resolution(rng: np.random.Generator, choices) -> dict:
    """Width and height options from a list of (w, h)."""
    w, h = choices[int(rng.integers(len(choices)))]
    return {"width": w, "height": h}


WALL_MARKER_CM = {640: 30, 854: 28, 960: 25, 1280: 20, 1920: 15}


def wall_marker_size(options: dict) -> dict:
    """``wall-marker-cm`` for a clip with a wall marker: larger at low resolution (a 15 cm marker 4-5 m away
    is ~10 px wide at 640x360, too small for ArUco detection), nothing otherwise."""
    if not options.get("wall-marker"):
        return {}
    return {"wall-marker-cm": WALL_MARKER_CM[options["width"]]}
