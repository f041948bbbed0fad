"""Development renders for the sit-and-reach pelvis (posterior stickers): ``/work/cache/dev/pelvis_extra``.

Sixteen one-trial clips, seeds 40001-40016, 640x360: ASIS/PSIS stickers plus the near-side PSIS and
posterior iliac crest stickers (same green as the ASIS/PSIS on two clips in three, blue on the others), both
sides, bodies drawn from the seed, hamstring extensibility 0.05-1, yaw within 12 degrees towards the
subject's back or front, roll within 2 degrees. Development data only (fit and tune freely). Renders take the
shared render lock, a few clips at a time::

    PYTHONPATH=src PYOPENGL_PLATFORM=osmesa ANNY_CACHE_DIR=/work/cache/anny \\
        /work/venv-synth/bin/python benchmarks/pelvis_renders.py [--only pe01,pe02]
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent / "datasets"))

from make_sets import DEFAULT_LOCK, _rendered, command, held, render_clip, write_manifest  # noqa: E402
from sets_common import Clip, RenderSet, towards  # noqa: E402

OUT = Path("/work/cache/dev/pelvis_extra")
#: (side, sex, stature cm, extensibility, yaw deg, roll deg, fps, posterior colour)
DESIGN = (
    ("left", 1.0, 160, 0.85, -8, 1.0, 30, None),
    ("right", 0.0, 182, 0.30, 6, -1.5, 15, None),
    ("left", 0.0, 176, 0.60, 0, 0.5, 24, "0,90,255"),
    ("right", 1.0, 168, 0.95, 12, 2.0, 30, None),
    ("left", 0.5, 172, 0.15, -4, -0.5, 15, None),
    ("right", 0.0, 190, 0.75, -5, 1.5, 24, "0,90,255"),
    ("left", 1.0, 152, 0.45, 6, -1.0, 30, None),
    ("right", 0.0, 185, 0.05, 10, 0.0, 15, None),
    ("left", 0.0, 178, 1.00, -12, -2.0, 24, "0,90,255"),
    ("right", 1.0, 163, 0.55, 0, 1.0, 30, None),
    ("left", 0.3, 170, 0.25, -10, 0.8, 15, None),
    ("right", 0.7, 158, 0.90, 3, -1.8, 24, "0,90,255"),
    ("left", 1.0, 181, 0.35, 9, 0.3, 30, None),
    ("right", 0.0, 195, 0.65, 8, -0.7, 15, None),
    ("left", 0.0, 165, 0.80, -6, 1.6, 24, "0,90,255"),
    ("right", 1.0, 175, 0.10, -8, -1.2, 30, None),
)


def clips() -> list[Clip]:
    """The set's clips; body build, age, hold, field of view and looks drawn from each seed."""
    out = []
    for k, (side, sex, stature, ext, yaw, roll, fps, rgb) in enumerate(DESIGN, start=1):
        seed = 40000 + k
        rng = np.random.default_rng(seed)
        opts = {
            "side": side,
            "sex": sex,
            "stature-cm": stature,
            "age": int(rng.integers(20, 66)),
            "weight": round(float(rng.uniform(0.25, 0.8)), 2),
            "muscle": round(float(rng.uniform(0.3, 0.7)), 2),
            "proportions": round(float(rng.uniform(0.3, 0.7)), 2),
            "extensibility": ext,
            "trials": 1,
            "hold": round(float(rng.uniform(2.0, 3.0)), 1),
            "width": 640,
            "height": 360,
            "fps": fps,
            "hfov": round(float(rng.uniform(50, 70)), 1),
            "yaw": yaw,
            "roll": roll,
            "pitch": round(float(rng.uniform(-1.5, 1.5)), 1),
            "stickers": True,
            "posterior-stickers": "psis,iliac_crest",
            "posterior-rgb": rgb,
            "box-top": "skin" if k % 2 else "contrast",
            "look": "rich",
            "shadows": bool(k % 3 == 0),
            "noise": round(float(rng.uniform(1.0, 3.0)), 1),
            "blur": round(float(rng.uniform(0.3, 1.0)), 2),
            "crf": int(rng.integers(21, 28)),
        }
        out.append(Clip(f"pe{k:02d}", "sit-and-reach", seed, opts, {"camera_towards": towards(side, yaw)}))
    return out


RSET = RenderSet(
    "pelvis_extra",
    "dev/pelvis_extra",
    "sit-and-reach with the near-side PSIS and posterior iliac crest stickers (pelvis method development)",
    "body (sex, stature 152-195 cm, build and age from the seed), side, extensibility 0.05-1, yaw -12..12 "
    "deg towards the back or the front, roll -2..2, pitch -1.5..1.5, fps 15/24/30, 640x360; ASIS/PSIS "
    "stickers green, posterior stickers (PSIS, iliac crest) green or blue. Rendered by "
    "benchmarks/pelvis_renders.py.",
    clips(),
)


def main(argv: list[str] | None = None) -> int:
    """Render the missing clips (one at a time under the shared lock) and write the manifest."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", default="")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--out", type=Path, default=OUT, help="output folder (a second batch: dev/pelvis_extra2)")
    a = ap.parse_args(argv)
    out = a.out
    out.mkdir(parents=True, exist_ok=True)
    wanted = {x for x in a.only.split(",") if x}
    if a.list:
        for clip in RSET.clips:
            print(shlex.join(command(clip, out)))
        return 0
    commands: dict[str, dict[str, str]] = {}
    for clip in RSET.clips:
        if (wanted and clip.name not in wanted) or _rendered(out, clip) is not None:
            continue
        with held(DEFAULT_LOCK):  # one clip per turn of the lock, so other users' renders interleave
            started = time.monotonic()
            commands[clip.name] = render_clip(clip, out, DEFAULT_LOCK)
            print(f"  ({time.monotonic() - started:.0f} s under the lock)", flush=True)
        write_manifest(RSET, out, commands)
    write_manifest(RSET, out, commands)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
