"""Subject tracking on real footage with several people: frames kept, identity switches, landmarker calls.

Prints figures and writes ``benchmarks/results/subject_tracking.{json,md}``; asserts nothing.
Videos (public, fetched once by ``tests/fixtures/videos.py`` with ``pip download``):

- Sports2D ``demo.mp4`` (a man vaults off a box and lands, a woman walks by; 230 frames),
  scored against ``tests/integration/data/sports2d_demo_people.json`` (boxes of both people
  in every frame, by eye): frames where the man is in view (full or partial) with landmarks
  on him, and rows on anyone else (torso centre outside his box grown by a quarter of its
  longer side, or inside hers);
- the same video played four times in a row (``--loops``; stream copy, jump cuts between
  plays), scored frame by frame against the same annotation;
- Pose2Sim's multi-person demo, cameras 1-4 (two people on a treadmill, 100 frames each),
  scored against ``tests/integration/data/pose2sim_multiperson_people.json`` (torso centres of
  both at key frames): rows nearer the other person's torso by more than the annotation's
  precision (0.02 of the image);
- Pose2Sim's single-person demo, cameras 1-4: rows with the subject.

Each video runs with the subject followed alone with one pose (``tiltscreen landmarks``) and
with ``max_people`` poses (the analyses). ``--src`` runs another source tree (e.g. an older
commit exported with ``git archive``) for a before/after comparison.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "integration" / "data"
RESULTS = REPO / "benchmarks" / "results"
sys.path.insert(0, str(REPO))  # for tests.fixtures.videos

from tests.fixtures.videos import (  # noqa: E402
    POSE2SIM_CAM01,
    DemoVideo,
    demo_multi_person,
    fetch_demo,
    run_ffmpeg,
)

PEOPLE = json.loads((DATA / "sports2d_demo_people.json").read_text())["people"]
POSE2SIM = json.loads((DATA / "pose2sim_multiperson_people.json").read_text())
#: SHA-256 of the single-person demo's cameras in the pose2sim 0.10.49 wheel
SINGLE_SHA = {
    "cam01": POSE2SIM_CAM01.sha256,
    "cam02": "94ff87cf978b8406e8aa36ab3c5362e72848994e87652f0dc7a33c315e8e0442",
    "cam03": "b8b329f832f178f27ecb78d024d5026b96c6adb36c387bfe2c0af85eab8a11ca",
    "cam04": "b5c0e7863fd70d008e7178d3c556b045b0ea5f78fcd61ca548a0b2e807e641f7",
}


def pose2sim(kind: str, camera: str, sha256: str) -> Path:
    """One camera of a Pose2Sim demo inside the pose2sim wheel, fetched once, SHA-256 checked."""
    member = f"Pose2Sim/Demo_{kind}/videos/{camera}.mp4"
    return fetch_demo(DemoVideo(POSE2SIM_CAM01.requirement, POSE2SIM_CAM01.wheel_glob, member, sha256))


def looped(demo: Path, loops: int, cache: Path) -> Path:
    """The demo played ``loops`` times in a row (stream copy), as the speed benchmark makes it."""
    target = cache / f"demo_x{loops}{demo.suffix}"
    if not target.exists():
        cache.mkdir(parents=True, exist_ok=True)
        run_ffmpeg(
            "-stream_loop", str(loops - 1), "-i", str(demo), "-map", "0:v:0", "-c", "copy", str(target)
        )
    return target


def extract(video: Path, follow_poses: int | None):
    """Raw landmarks and report of one video through the tracker."""
    from tiltscreen.pose.estimator import PoseOptions, quiet_native_stderr
    from tiltscreen.pose.extract import extract_landmarks
    from tiltscreen.pose.model_store import locate_model
    from tiltscreen.sources import open_source

    kwargs = {} if follow_poses == "n/a" else {"follow_poses": follow_poses}
    options = PoseOptions(model_path=locate_model(None), **kwargs)
    with quiet_native_stderr(), open_source(str(video), max_side=960) as source:
        return extract_landmarks(source, options=options)


def torso(xyz: np.ndarray) -> np.ndarray:
    return np.nanmean(xyz[[11, 12, 23, 24], :2], axis=0)


def in_box(point: np.ndarray, box, grow: float) -> bool:
    if box is None:
        return False
    m = grow * max(box[2] - box[0], box[3] - box[1])
    return box[0] - m <= point[0] <= box[2] + m and box[1] - m <= point[1] <= box[3] + m


def score_demo(lm) -> dict:
    """Frames of the man in view kept, and rows not on him (frame i scored against annotation i mod 230)."""
    n_ann = len(PEOPLE["man"]["state"])
    kept = in_view = 0
    wrong = []
    for i in range(lm.n_frames):
        j = i % n_ann
        view = PEOPLE["man"]["state"][j] in ("full", "partial")
        in_view += view
        if not lm.detected[i]:
            continue
        c = torso(lm.xyz[i])
        if in_box(c, PEOPLE["man"]["boxes"][j], 0.25) and not in_box(c, PEOPLE["woman"]["boxes"][j], 0.0):
            kept += view
        else:
            wrong.append(i)
    return {
        "frames": lm.n_frames,
        "in_view": in_view,
        "kept": kept,
        "kept_fraction": round(kept / in_view, 4),
        "rows_not_on_the_man": len(wrong),
        "wrong_frames": wrong[:50],
    }


def key_point(keys: dict, frame: int) -> np.ndarray:
    frames = sorted(int(k) for k in keys)
    xs, ys = zip(*(keys[str(k)] for k in frames), strict=True)
    return np.array([np.interp(frame, frames, xs), np.interp(frame, frames, ys)])


def score_pose2sim(lm, camera: str) -> dict:
    """Rows, and rows nearer the other person's annotated torso by more than 0.02."""
    people = POSE2SIM["cameras"][camera]
    subject = people["subject"]
    other = "man" if subject == "woman" else "woman"
    wrong = [
        i
        for i in range(lm.n_frames)
        if lm.detected[i]
        and np.linalg.norm(torso(lm.xyz[i]) - key_point(people[other], i)) + 0.02
        < np.linalg.norm(torso(lm.xyz[i]) - key_point(people[subject], i))
    ]
    return {"subject": subject, "frames": lm.n_frames, "rows": int(lm.detected.sum()),
            "rows_on_the_other_person": len(wrong), "wrong_frames": wrong}  # fmt: skip


def run_all(args: argparse.Namespace) -> dict:
    """Every video in both following modes."""
    demo = demo_multi_person()
    videos = [
        ("sports2d demo.mp4", demo, "demo"),
        (f"sports2d demo x{args.loops}", looped(demo, args.loops, args.cache), "demo"),
    ]
    videos += [
        (f"pose2sim multi {c}", pose2sim("MultiPerson", c, POSE2SIM["sha256"][c]), c)
        for c in POSE2SIM["cameras"]
    ]
    videos += [
        (f"pose2sim single {c}", pose2sim("SinglePerson", c, sha), "single") for c, sha in SINGLE_SHA.items()
    ]
    modes = (
        {"follow one pose": 1, "follow max_people poses": None} if not args.old else {"as committed": "n/a"}
    )
    out: dict = {}
    for label, video, kind in videos:
        for mode, follow in modes.items():
            lm, report = extract(video, follow)
            if kind == "demo":
                res = score_demo(lm)
            elif kind == "single":
                res = {"frames": lm.n_frames, "rows": int(lm.detected.sum())}
            else:
                res = score_pose2sim(lm, kind)
            res["landmarker_calls"] = getattr(report, "landmarker_calls", None)
            out.setdefault(label, {})[mode] = res
            print(f"{label} [{mode}]: {res}", flush=True)
    return out


def render_md(results: dict) -> str:
    lines = ["# Subject tracking on real footage", "", "Written by `benchmarks/subject_tracking.py`.", ""]
    for run, body in results["runs"].items():
        lines += [
            f"## {run}",
            "",
            f"{body['date']}, source `{body['source']}`",
            "",
            "| video | mode | kept / in view (demo), or rows | rows on someone else | landmarker calls |",
            "| --- | --- | --- | --- | --- |",
        ]
        for video, modes in body["videos"].items():
            for mode, r in modes.items():
                kept = (
                    f"{r['kept']} / {r['in_view']} ({100 * r['kept_fraction']:.1f}%)"
                    if "kept" in r
                    else r["rows"]
                )
                wrong = r.get("rows_not_on_the_man", r.get("rows_on_the_other_person", "-"))
                lines.append(f"| {video} | {mode} | {kept} | {wrong} | {r.get('landmarker_calls') or '-'} |")
        lines.append("")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--loops", type=int, default=4, help="plays of the demo in the looped video (default 4)")
    cache = Path(os.environ.get("TILTSCREEN_BENCH_CACHE", "~/.cache/tiltscreen-bench")).expanduser()
    ap.add_argument("--cache", type=Path, default=cache, help="folder for the looped video")
    ap.add_argument("--label", default="after", help="name of this run in the results (default 'after')")
    ap.add_argument("--old", action="store_true", help="the tiltscreen imported has no follow_poses option")
    ap.add_argument("--no-save", action="store_true")
    args = ap.parse_args(argv)
    import tiltscreen

    videos = run_all(args)
    if args.no_save:
        return 0
    path = RESULTS / "subject_tracking.json"
    results = json.loads(path.read_text()) if path.exists() else {"runs": {}}
    results["runs"][args.label] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "source": str(Path(tiltscreen.__file__).parent),
        "videos": videos,
    }
    path.write_text(json.dumps(results, indent=1) + "\n")
    path.with_suffix(".md").write_text(render_md(results))
    print(f"written: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
