"""Extract and cache MediaPipe recordings of rendered sit-and-reach clips for development (pickles).

The benchmark (`sit_and_reach_heldout.py`) runs the real command line; this cache only lets the
development loop re-run the analysis (``protocols.sit_and_reach.run.analyse``) without re-running
MediaPipe. Usage::

    PYTHONPATH=src python benchmarks/reach_cache.py DIR [DIR ...] [--cache /work/cache/work/reach]
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from pathlib import Path

DEFAULT_CACHE = Path("/work/cache/work/reach")


def cache_path(video: Path, cache: Path) -> Path:
    """Pickle path of one clip: ``<cache>/<set folder>/<stem>.pkl``."""
    return cache / video.parent.name / f"{video.stem}.pkl"


def extract_one(video: Path, out: Path) -> None:
    """Run the analysis' extraction (landmarks, outline features, markers, stickers) and pickle it."""
    from tiltscreen.pose.stickers import StickerRecorder, StickerSpec
    from tiltscreen.protocols.recording import AnalyzeJob, extract
    from tiltscreen.protocols.sit_and_reach.recorder import SitReachRecorder

    job = AnalyzeJob(input=str(video), out_dir=out.parent)
    stickers = StickerRecorder(spec=StickerSpec(colour_rgb=job.marker_colour))
    extras = SitReachRecorder()
    rec = extract(job, extra_hooks=[stickers, extras])
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out.with_suffix(".tmp"), "wb") as fh:
        pickle.dump({"rec": rec, "stickers": stickers, "extras": extras.arrays()}, fh)
    out.with_suffix(".tmp").rename(out)


def load(video: Path, cache: Path = DEFAULT_CACHE):
    """Return ``(Recording, StickerRecorder, extras)`` of a cached clip (extras: SitReachRecorder arrays)."""
    with open(cache_path(video, cache), "rb") as fh:
        d = pickle.load(fh)
    return d["rec"], d["stickers"], d.get("extras")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("dirs", nargs="+", type=Path)
    p.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    p.add_argument("--refresh", action="store_true", help="re-extract clips already cached")
    args = p.parse_args(argv)
    for d in args.dirs:
        for video in sorted(v for ext in ("mp4", "avi", "webm", "mov") for v in d.glob(f"*.{ext}")):
            out = cache_path(video, args.cache)
            if out.exists() and not args.refresh:
                continue
            t0 = time.time()
            extract_one(video, out)
            print(f"{video.name}: {time.time() - t0:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
