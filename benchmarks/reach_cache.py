"""Extract and cache MediaPipe recordings of rendered sit-and-reach clips for development (pickles).

The benchmark (`sit_and_reach_heldout.py`) runs the real command line; this cache only lets the
development loop re-run the analysis (``protocols.sit_and_reach.run.analyse``) without re-running
MediaPipe. Usage::

    PYTHONPATH=src python benchmarks/reach_cache.py DIR [DIR ...] [--cache /work/cache/work/reach]

The hand model's arrays (``HandTipRecorder``, the frame hook ``tiltscreen analyze`` runs) are cached
beside each pickle (``<stem>.hands.npz``), the hook fed with the recording's own per-frame subject
(``rec.raw``) as during the extraction; ``--hands-only`` adds them to clips cached before the hook.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from pathlib import Path

DEFAULT_CACHE = Path("/work/cache/work/reach/v2")


def cache_path(video: Path, cache: Path) -> Path:
    """Pickle path of one clip: ``<cache>/<set folder>/<stem>.pkl``."""
    return cache / video.parent.name / f"{video.stem}.pkl"


def hands_path(video: Path, cache: Path) -> Path:
    """Hand-model arrays of one clip: ``<cache>/<set folder>/<stem>.hands.npz``."""
    return cache / video.parent.name / f"{video.stem}.hands.npz"


def hands_one(video: Path, rec, out: Path) -> None:
    """Run the hand-model frame hook over the video, fed with the recording's per-frame subject; save."""
    import numpy as np

    from tiltscreen.pose.estimator import Candidate
    from tiltscreen.pose.hand_recorder import HandTipRecorder
    from tiltscreen.pose.hands import HandModel, HandOptions
    from tiltscreen.pose.model_store import locate_hand_model
    from tiltscreen.sources import open_source

    raw = rec.raw if rec.raw is not None else rec.lm
    rows = {int(f): k for k, f in enumerate(raw.frame_index)}
    options = HandOptions(model_path=locate_hand_model())
    with HandModel(options) as model, open_source(str(video), max_side=960) as source:
        hook = HandTipRecorder(model=model, options=options)
        for frame in source:
            k = rows.get(frame.index)
            cand = None
            if k is not None and np.all(np.isfinite(raw.xyz[k, :, :2])):
                cand = Candidate(
                    xyz=raw.xyz[k], visibility=raw.visibility[k], presence=raw.presence[k],
                    world=np.full((33, 3), np.nan),
                )  # fmt: skip
            hook(frame, cand)
    np.savez_compressed(out, **hook.arrays(), hand_frame_index=np.array(hook.frame_index))


def extract_one(video: Path, out: Path) -> None:
    """Run the analysis' extraction (landmarks, outline features, markers, stickers) and pickle it."""
    from tiltscreen.pose.stickers import StickerRecorder, StickerSpec
    from tiltscreen.protocols.recording import AnalyzeJob
    from tiltscreen.protocols.sit_and_reach.recorder import SitReachRecorder
    from tiltscreen.run.recording import extract

    job = AnalyzeJob(input=str(video), out_dir=out.parent)
    stickers = StickerRecorder(spec=StickerSpec(colour_rgb=job.marker_colour))
    extras = SitReachRecorder()
    rec = extract(job, extra_hooks=[stickers, extras])
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out.with_suffix(".tmp"), "wb") as fh:
        pickle.dump({"rec": rec, "stickers": stickers, "extras": extras.arrays()}, fh)
    out.with_suffix(".tmp").rename(out)


def load(video: Path, cache: Path = DEFAULT_CACHE, *, hands: bool = True):
    """Return ``(Recording, StickerRecorder, extras)`` of a cached clip.

    ``extras`` holds the SitReachRecorder arrays and, when cached and ``hands``, the hand hook's.
    """
    import numpy as np

    with open(cache_path(video, cache), "rb") as fh:
        d = pickle.load(fh)
    extras = dict(d.get("extras") or {})
    if hands and hands_path(video, cache).exists():
        extras.update(dict(np.load(hands_path(video, cache))))
    return d["rec"], d["stickers"], extras


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("dirs", nargs="+", type=Path)
    p.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    p.add_argument("--refresh", action="store_true", help="re-extract clips already cached")
    p.add_argument("--hands-only", action="store_true", help="only add the hand arrays to cached clips")
    args = p.parse_args(argv)
    for d in args.dirs:
        if "heldout" in d.resolve().parts:
            p.error(f"{d}: development sets only")
        for video in sorted(v for ext in ("mp4", "avi", "webm", "mov") for v in d.glob(f"*.{ext}")):
            out = cache_path(video, args.cache)
            t0 = time.time()
            if not args.hands_only and (args.refresh or not out.exists()):
                extract_one(video, out)
            if out.exists() and (args.refresh or not hands_path(video, args.cache).exists()):
                hands_one(video, load(video, args.cache, hands=False)[0], hands_path(video, args.cache))
            print(f"{video.name}: {time.time() - t0:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
