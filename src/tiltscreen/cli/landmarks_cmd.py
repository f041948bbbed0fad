"""``tiltscreen landmarks INPUT --out DIR``."""

from __future__ import annotations

import argparse
from pathlib import Path

from tiltscreen.errors import StoppedByUserError, StoppedEarlyError
from tiltscreen.pose.subject import SubjectRule


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of the landmarks command."""
    p.add_argument(
        "input", help="video file, image folder, camera index (0, 1, …) or stream URL (rtsp://, http://)"
    )
    p.add_argument("--out", required=True, type=Path, help="output folder (created if needed)")
    p.add_argument(
        "--model", type=Path, help="pose model bundle (.task); default: see 'tiltscreen models list'"
    )
    p.add_argument(
        "--max-side",
        type=int,
        default=960,
        help="downscale frames so the longer side is at most this before inference (0 = never; default 960)",
    )
    p.add_argument(
        "--max-people",
        type=int,
        default=2,
        help="people MediaPipe may return per frame; the subject is tracked among them (default 2)",
    )
    p.add_argument(
        "--subject",
        default="auto",
        help="who the subject is: auto (largest, central), largest, central, leftmost, rightmost, "
        "or at:X,Y (a point in 0-1 image coordinates on the subject in the first frame)",
    )
    p.add_argument(
        "--min-visibility", type=float, default=0.5, help="landmarks below this visibility become missing"
    )
    p.add_argument(
        "--max-gap", type=float, default=0.33, help="longest gap in seconds filled by interpolation"
    )
    p.add_argument(
        "--filter",
        choices=("auto", "butterworth", "one-euro", "none"),
        default="auto",
        help="auto (default): zero-phase Butterworth for recordings, causal One-Euro for cameras/streams",
    )
    p.add_argument("--cutoff", type=float, default=6.0, help="low-pass cut-off in Hz (default 6)")
    p.add_argument("--annotate", action="store_true", help="also write annotated.mp4 with the skeleton drawn")
    p.add_argument("--formats", default="csv,parquet", help="table formats, comma-separated: csv, parquet")
    p.add_argument(
        "--duration", type=float, help="cameras and streams: stop after this many seconds (default: Ctrl-C)"
    )


def _job(args: argparse.Namespace):
    from tiltscreen.run.landmarks import LandmarksJob

    return LandmarksJob(
        input=args.input,
        out_dir=args.out,
        model=args.model,
        max_side=args.max_side or None,
        max_people=args.max_people,
        subject=SubjectRule.parse(args.subject),
        min_visibility=args.min_visibility,
        max_gap_s=args.max_gap,
        filter=args.filter,
        cutoff_hz=args.cutoff,
        annotate=args.annotate,
        formats=tuple(f.strip() for f in args.formats.split(",") if f.strip()),
        duration_s=args.duration,
    )


def run(args: argparse.Namespace) -> int:
    """Run the job with a progress bar; report where the results are."""
    from tqdm import tqdm

    from tiltscreen.pose.estimator import quiet_native_stderr
    from tiltscreen.run.landmarks import run_landmarks

    job = _job(args)
    bars: list[tqdm] = []
    with quiet_native_stderr() as user_stderr:

        def on_open(info) -> None:
            bars.append(
                tqdm(
                    total=info.frame_count,
                    unit="frame",
                    disable=args.quiet,
                    file=user_stderr,
                    desc="landmarks",
                )
            )

        try:
            result = run_landmarks(job, progress=lambda n: bars[0].update(n), on_open=on_open)
        finally:
            for bar in bars:
                bar.close()
    s = result.summary
    if not args.quiet:
        print(
            f"{s['frames_with_subject']} of {s['frames']} frames with the subject "
            f"({100 * s['subject_fraction']:.1f}%); results in {job.out_dir}/"
        )
        for name, path in sorted(result.files.items()):
            print(f"  {name:>9}: {path}")
    if s["status"] == "interrupted":
        kind = StoppedByUserError if s["stopped_by"] == "ctrl_c" else StoppedEarlyError
        saved = f"The {s['frames']} frames processed were saved in {job.out_dir}."
        raise kind(f"{result.report.interrupted} {saved}")
    return 0
