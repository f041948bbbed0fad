"""Extra development renders for the sit-and-reach reach and validity work (seeds 30000-39999).

Each row is one ``tiltscreen-synth sit-and-reach`` call; clips already rendered are skipped. Renders run
one at a time under the shared render lock. Usage (synth environment)::

    PYTHONPATH=src ANNY_CACHE_DIR=/work/cache/anny PYOPENGL_PLATFORM=osmesa \\
        /work/venv-synth/bin/python benchmarks/reach_extra_renders.py [--part tuning|calibration]

The tuning part goes to ``/work/cache/dev/reach_extra`` (the method was developed on it), the calibration
parts to ``/work/cache/dev/reach_extra_cal`` and ``..._cal2`` (only used to measure the errors the intervals
are built from); ``calibration2`` needs the newer generator (box-top colours, looks): point PYTHONPATH at
its sources.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

DEFAULT_OUT = Path("/work/cache/dev/reach_extra")
LOCK = "/work/cache/render.lock"

# seed: options (besides --trials 2 --rest 1.0); holds near and far below 2 s, slow returns, yaw, lenses
CLIPS: dict[int, str] = {
    30001: "--sex 0 --stature-cm 178 --side left --yaw 5 "
    "--extensibility 0.6 --hold 0.9 --reach-time 1.5 --return-time 2.5",
    30002: "--sex 1 --stature-cm 163 --side right --yaw -6 "
    "--extensibility 0.8 --hold 2.5 --reach-time 2.0 --return-time 1.5 --hfov 70",
    30003: "--sex 0 --stature-cm 186 --side left --yaw 10 "
    "--extensibility 0.3 --hold 1.6 --reach-time 1.5 --return-time 1.5 --hfov 52",
    30004: "--sex 1 --stature-cm 170 --side left --yaw -10 "
    "--extensibility 0.5 --hold 2.2 --reach-time 2.5 --return-time 3.0",
    30005: "--sex 0 --stature-cm 172 --side right --yaw 3 "
    "--extensibility 0.2 --hold 3.0 --reach-time 1.5 --return-time 1.2 --knee-flexion 14",
    30006: "--sex 1 --stature-cm 158 --side right --yaw 8 "
    "--extensibility 1.0 --hold 1.8 --reach-time 1.2 --return-time 2.0 --hfov 65",
    30007: "--sex 0 --stature-cm 182 --side left --yaw 0 "
    "--extensibility 0.7 --hold 2.5 --reach-time 3.0 --return-time 1.5 --ballistic",
    30008: "--sex 1 --stature-cm 166 --side left --yaw 4 "
    "--extensibility 0.4 --hold 0.6 --reach-time 1.5 --return-time 3.0 --hfov 75",
    30009: "--sex 0 --stature-cm 190 --side right --yaw -3 "
    "--extensibility 0.9 --hold 2.8 --reach-time 2.0 --return-time 1.5 --camera-height-m 0.75",
    30010: "--sex 1 --stature-cm 155 --side left --yaw 12 "
    "--extensibility 0.6 --hold 2.0 --reach-time 1.5 --return-time 1.5 --knee-flexion 12",
    30011: "--sex 0 --stature-cm 175 --side right --yaw -8 "
    "--extensibility 0.45 --hold 1.2 --reach-time 2.0 --return-time 4.0 --hfov 55",
    30012: "--sex 1 --stature-cm 176 --side left --yaw 2 "
    "--extensibility 0.15 --hold 2.4 --reach-time 1.8 --return-time 1.5 --marker-cm 12",
}

# calibration part (not looked at while tuning): seeds 30013-30024
CALIBRATION: dict[int, str] = {
    30013: "--sex 0 --stature-cm 181 --side left --yaw 6 "
    "--extensibility 0.55 --hold 2.5 --reach-time 1.5 --return-time 1.2",
    30014: "--sex 1 --stature-cm 160 --side right --yaw -4 "
    "--extensibility 0.85 --hold 3.0 --reach-time 1.8 --return-time 1.5 --hfov 55",
    30015: "--sex 0 --stature-cm 169 --side right --yaw 9 "
    "--extensibility 0.25 --hold 2.2 --reach-time 2.0 --return-time 1.2 --hfov 68",
    30016: "--sex 1 --stature-cm 172 --side left --yaw -12 "
    "--extensibility 0.65 --hold 1.7 --reach-time 1.5 --return-time 2.0",
    30017: "--sex 0 --stature-cm 188 --side left --yaw 2 "
    "--extensibility 0.4 --hold 2.6 --reach-time 1.5 --return-time 1.2 --knee-flexion 18",
    30018: "--sex 1 --stature-cm 152 --side right --yaw 0 "
    "--extensibility 0.95 --hold 2.4 --reach-time 1.6 --return-time 1.4 --hfov 52",
    30019: "--sex 0 --stature-cm 176 --side right --yaw -7 "
    "--extensibility 0.1 --hold 1.3 --reach-time 1.5 --return-time 3.0",
    30020: "--sex 1 --stature-cm 167 --side left --yaw 11 "
    "--extensibility 0.75 --hold 2.8 --reach-time 2.5 --return-time 1.5 --hfov 64",
    30021: "--sex 0 --stature-cm 193 --side left --yaw -2 "
    "--extensibility 0.5 --hold 2.5 --reach-time 2.0 --return-time 1.5 --ballistic",
    30022: "--sex 1 --stature-cm 158 --side right --yaw 5 "
    "--extensibility 0.35 --hold 2.1 --reach-time 1.5 --return-time 1.2 --camera-height-m 0.7",
    30023: "--sex 0 --stature-cm 184 --side right --yaw -10 --extensibility 0.7 "
    "--hold 2.3 --reach-time 1.5 --return-time 1.5 --knee-flexion 13 --hfov 58",
    30024: "--sex 1 --stature-cm 163 --side left --yaw 7 "
    "--extensibility 0.2 --hold 3.2 --reach-time 1.7 --return-time 1.3 --marker-cm 12",
}

# second calibration part, with the newer generator's box-top colours (skin-like within dE 12 of the skin, or
# contrasting), looks, lenses, frame rates and sizes: render with PYTHONPATH at that generator's sources
CALIBRATION2: dict[int, str] = {
    30025: "--sex 0 --stature-cm 177 --side left --yaw 4 --extensibility 0.5 --hold 2.4 "
    "--box-top skin --look rich",
    30026: "--sex 1 --stature-cm 164 --side right --yaw -6 --extensibility 0.7 --hold 1.8 "
    "--box-top contrast --look rich --hfov 75",
    30027: "--sex 0 --stature-cm 185 --side right --yaw 8 --extensibility 0.3 --hold 2.6 "
    "--box-top skin --hfov 48 --fps 15",
    30028: "--sex 1 --stature-cm 157 --side left --yaw -3 --extensibility 0.9 --hold 2.2 "
    "--box-top contrast --width 1280 --height 720 --fps 25",
    30029: "--sex 0 --stature-cm 172 --side left --yaw 10 --extensibility 0.6 --hold 3.0 "
    "--box-top skin --look rich --knee-flexion 15",
    30030: "--sex 1 --stature-cm 170 --side right --yaw 2 --extensibility 0.45 --hold 1.9 "
    "--box-top skin --hfov 68 --fps 24",
    30031: "--sex 0 --stature-cm 191 --side left --yaw -9 --extensibility 0.8 --hold 2.5 "
    "--box-top contrast --look rich --shadows",
    30032: "--sex 1 --stature-cm 160 --side right --yaw 6 --extensibility 0.2 --hold 2.3 "
    "--box-top skin --width 960 --height 540",
}


def render(seed: int, out_dir: Path) -> None:
    """Render one clip (under the render lock) unless its video exists."""
    stem = out_dir / f"rx{seed}"
    if stem.with_suffix(".mp4").exists() and stem.with_suffix(".json").exists():
        return
    cmd = [
        "flock",
        LOCK,
        sys.executable,
        "-m",
        "tiltscreen.synth.cli",
        "sit-and-reach",
        "--out",
        str(stem),
        "--seed",
        str(seed),
        "--trials",
        "2",
        "--rest",
        "1.0",
        *{**CLIPS, **CALIBRATION, **CALIBRATION2}[seed].split(),
    ]
    subprocess.run(cmd, check=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    p.add_argument("--only", type=int, nargs="*")
    p.add_argument("--part", choices=("tuning", "calibration", "calibration2"), default="tuning")
    args = p.parse_args(argv)
    out = {
        "tuning": args.out,
        "calibration": args.out.with_name(args.out.name + "_cal"),
        "calibration2": args.out.with_name(args.out.name + "_cal2"),
    }[args.part]
    out.mkdir(parents=True, exist_ok=True)
    parts = {"tuning": CLIPS, "calibration": CALIBRATION, "calibration2": CALIBRATION2}
    for seed in args.only or parts[args.part]:
        render(seed, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
