"""``tiltscreen-synth``: render a synthetic side-view clip (H.264 .mp4) and its ground truth (.json)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tiltscreen.synth.config import (
    POSTERIOR_POINTS,
    BodySpec,
    CameraSpec,
    ClipSpec,
    LevelRefSpec,
    RealismSpec,
    SitReachSpec,
    StandingSpec,
)


def _rgb(text: str) -> tuple[int, int, int]:
    parts = tuple(int(p) for p in text.split(","))
    if len(parts) != 3:
        raise argparse.ArgumentTypeError(f"expected R,G,B, got {text!r}")
    return parts  # type: ignore[return-value]


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser (every option maps onto one ClipSpec field)."""
    p = argparse.ArgumentParser(prog="tiltscreen-synth", description=__doc__)
    p.add_argument("scene", choices=["standing", "sit-and-reach"])
    p.add_argument("--out", type=Path, required=True, help="output stem: writes <out>.mp4 and <out>.json")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--cache-dir", default=None, help="anny cache (default $ANNY_CACHE_DIR)")
    b = p.add_argument_group("body")
    b.add_argument("--sex", type=float, default=0.0, help="0 = male ... 1 = female")
    b.add_argument("--stature-cm", type=float, default=175.0)
    b.add_argument("--age", type=float, default=30.0, help="nominal years, 11..90")
    b.add_argument("--weight", type=float, default=0.5, help="anny weight 0..1")
    b.add_argument("--muscle", type=float, default=0.5, help="anny muscle 0..1")
    b.add_argument("--proportions", type=float, default=0.5, help="anny proportions 0..1")
    c = p.add_argument_group("camera")
    c.add_argument("--side", choices=["left", "right"], default="left", help="side of the subject seen")
    c.add_argument(
        "--distance-m",
        type=float,
        default=None,
        help="distance along the optical axis; default: closest that frames the whole subject with --margin",
    )
    c.add_argument("--margin", type=float, default=0.05, help="free border, fraction of the image height")
    c.add_argument(
        "--camera-height-m", type=float, default=None, help="default: middle of the subject's extent"
    )
    c.add_argument("--yaw", type=float, default=0.0)
    c.add_argument("--pitch", type=float, default=0.0)
    c.add_argument("--roll", type=float, default=0.0)
    c.add_argument("--width", type=int, default=640)
    c.add_argument("--height", type=int, default=360)
    c.add_argument("--fps", type=float, default=30.0)
    c.add_argument("--hfov", type=float, default=60.0, help="horizontal field of view, degrees")
    s = p.add_argument_group("standing")
    s.add_argument("--tilt", type=float, default=12.0, help="ASIS-PSIS tilt, degrees, anterior positive")
    s.add_argument("--sway", type=float, default=0.6, help="sway amplitude, degrees")
    s.add_argument("--arms", choices=["folded", "hanging"], default="folded")
    s.add_argument("--duration", type=float, default=10.0, help="standing clip length, s")
    r = p.add_argument_group("sit-and-reach")
    r.add_argument("--extensibility", type=float, default=0.5, help="hamstring extensibility 0..1")
    r.add_argument("--knee-flexion", type=float, default=0.0, help="degrees, 0 = straight")
    r.add_argument("--trials", type=int, default=2)
    r.add_argument("--hold", type=float, default=2.5, help="hold at maximal reach, s")
    r.add_argument("--reach-time", type=float, default=2.0)
    r.add_argument("--return-time", type=float, default=1.5)
    r.add_argument("--rest", type=float, default=1.0)
    r.add_argument("--ballistic", action="store_true", help="bounce at the end of the reach")
    r.add_argument("--uneven-hands", type=float, default=0.0, help="extra right elbow flexion, degrees")
    r.add_argument("--no-marker", action="store_true", help="no ArUco marker on the box")
    r.add_argument("--marker-cm", type=float, default=10.0)
    r.add_argument(
        "--marker-along-cm",
        type=float,
        default=None,
        help="marker centre from the foot end (default: middle)",
    )
    r.add_argument(
        "--marker-below-top-cm",
        type=float,
        default=None,
        help="marker centre below the top (default: middle)",
    )
    r.add_argument(
        "--box-cm", type=_floats3, default=(40.0, 44.0, 32.0), help="box length,width,height in cm"
    )
    m = p.add_argument_group("markers and realism")
    m.add_argument("--stickers", action="store_true", help="round stickers on the near-side ASIS and PSIS")
    m.add_argument("--sticker-cm", type=float, default=2.0)
    m.add_argument("--sticker-rgb", type=_rgb, default=(0, 200, 0))
    m.add_argument(
        "--posterior-stickers",
        nargs="?",
        const="psis,s2,s4",
        default="",
        help=f"comma-separated posterior stickers from {','.join(POSTERIOR_POINTS)} (near PSIS, sacral "
        "midline points); the bare flag gives psis,s2,s4",
    )
    m.add_argument("--posterior-rgb", type=_rgb, default=None, help="default: --sticker-rgb")
    m.add_argument("--noise", type=float, default=2.0, help="sensor noise sigma, grey levels")
    m.add_argument("--blur", type=float, default=0.6, help="blur sigma, px")
    m.add_argument("--crf", type=int, default=26)
    m.add_argument(
        "--plain", action="store_true", help="fixed neutral colours and light instead of seeded ones"
    )
    m.add_argument(
        "--look",
        choices=["classic", "rich"],
        default="classic",
        help="rich: continuous colours, light direction/colour, wall distance (own seeded stream)",
    )
    m.add_argument("--shadows", action="store_true", help="shadows from the key light")
    m.add_argument("--clutter", type=int, default=0, help="number of background objects")
    for part in ("skin", "shirt", "shorts", "box"):
        m.add_argument(f"--{part}-rgb", type=_rgb, default=None)
    m.add_argument("--box-top", choices=["drawn", "skin", "contrast"], default="drawn")
    m.add_argument("--codec", choices=["h264", "mjpeg", "vp9"], default="h264", help=".mp4 / .avi / .webm")
    lv = p.add_argument_group("level references (placed from the seed)")
    lv.add_argument("--wall-marker", action="store_true", help="ArUco marker flat on the back wall")
    lv.add_argument("--wall-marker-id", type=int, default=1)
    lv.add_argument("--wall-marker-cm", type=float, default=15.0)
    lv.add_argument("--wall-marker-tilt", type=float, default=0.0, help="in-plane taping error, degrees")
    lv.add_argument("--plumb-line", action="store_true", help="a plumb line with two coloured balls")
    lv.add_argument("--door-frame", action="store_true")
    lv.add_argument("--wall-corner", action="store_true")
    lv.add_argument("--furniture", action="store_true", help="a cabinet with vertical edges")
    return p


def _floats3(text: str) -> tuple[float, float, float]:
    parts = tuple(float(p) for p in text.split(","))
    if len(parts) != 3:
        raise argparse.ArgumentTypeError(f"expected three comma-separated numbers, got {text!r}")
    return parts  # type: ignore[return-value]


def spec_from_args(a: argparse.Namespace) -> ClipSpec:
    """Parse the namespace once into a frozen ClipSpec (raises ValueError listing every problem)."""
    return ClipSpec(
        scene=a.scene,
        seed=a.seed,
        stickers=a.stickers,
        sticker_diameter_cm=a.sticker_cm,
        sticker_rgb=a.sticker_rgb,
        posterior_stickers=tuple(x for x in a.posterior_stickers.split(",") if x),
        posterior_rgb=a.posterior_rgb,
        level=LevelRefSpec(
            a.wall_marker,
            a.wall_marker_id,
            a.wall_marker_cm,
            a.wall_marker_tilt,
            a.plumb_line,
            a.door_frame,
            a.wall_corner,
            a.furniture,
        ),
        body=BodySpec(a.sex, a.stature_cm, a.age, a.weight, a.muscle, a.proportions),
        camera=CameraSpec(
            a.side,
            a.distance_m,
            a.camera_height_m,
            a.yaw,
            a.pitch,
            a.roll,
            a.width,
            a.height,
            a.fps,
            a.hfov,
            margin=a.margin,
        ),
        realism=RealismSpec(
            a.noise,
            a.blur,
            a.crf,
            not a.plain,
            a.look,
            a.shadows,
            a.clutter,
            a.skin_rgb,
            a.shirt_rgb,
            a.shorts_rgb,
            a.box_rgb,
            a.box_top,
            a.codec,
        ),
        standing=StandingSpec(a.tilt, a.sway, a.arms, a.duration),
        sit_reach=SitReachSpec(
            a.extensibility,
            a.knee_flexion,
            a.trials,
            a.hold,
            a.reach_time,
            a.return_time,
            a.rest,
            a.ballistic,
            a.uneven_hands,
            not a.no_marker,
            a.marker_cm,
            a.marker_along_cm,
            a.marker_below_top_cm,
            *a.box_cm,
        ),
    )


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns 0 on success, 2 on a configuration error, 1 if rendering fails."""
    args = build_parser().parse_args(argv)
    try:
        spec = spec_from_args(args)
    except ValueError as err:
        print(f"tiltscreen-synth: {err}", file=sys.stderr)
        return 2
    try:
        from tiltscreen.synth.pipeline import generate_clip  # noqa: PLC0415 - pulls torch/anny lazily
        from tiltscreen.synth.video import EncodeError  # noqa: PLC0415
    except ImportError as err:
        print(
            f"tiltscreen-synth needs the synth extra (pip install 'tiltscreen[synth]'): {err}",
            file=sys.stderr,
        )
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    try:
        gt = generate_clip(spec, args.out, cache_dir=args.cache_dir, progress=True)
    except (ValueError, EncodeError) as err:
        print(f"tiltscreen-synth: {err}", file=sys.stderr)
        return 1
    print(
        f"wrote {args.out.with_suffix(spec.realism.suffix)} and .json: {gt['n_frames']} frames in "
        f"{gt['render_seconds']} s"
    )
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
