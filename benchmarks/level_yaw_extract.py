"""Extraction cache for ``level_yaw.py``: run the real extraction of ``tiltscreen analyze`` once per clip.

For one rendered clip this runs :func:`tiltscreen.run.recording.extract` with the hooks the protocol's
``run`` module registers (standing: skin stickers and the outline recorder; sit-and-reach: skin stickers)
and pickles the :class:`~tiltscreen.protocols.recording.Recording` and the hooks to
``<cache>/<set>/<clip>.pkl``, so that the analysis can be re-run without MediaPipe (the slow part on a
shared 2-core machine). A few frames and the subject's mask on them are kept too (``<clip>.frames.npz``,
the frames the line recorder looks at), so the per-frame line search can be replayed when it changes.

Nothing here is a measurement; ``level_yaw.py`` computes and reports.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from tiltscreen.pose.estimator import Candidate
from tiltscreen.pose.lines import LineRecorder
from tiltscreen.pose.stickers import StickerRecorder, StickerSpec
from tiltscreen.protocols.recording import AnalyzeJob, Recording
from tiltscreen.run.recording import extract
from tiltscreen.sources import Frame

#: bump when the cached objects change shape
CACHE_VERSION = 3


@dataclass
class FrameSampler:
    """Frame hook: keep the frames the line recorder looks at, with the subject's mask."""

    every: int = LineRecorder.every
    max_looks: int = LineRecorder.max_looks
    frames: list[tuple[int, float, np.ndarray, np.ndarray | None]] = field(default_factory=list)
    _seen: int = 0

    def __call__(self, frame: Frame, subject: Candidate | None) -> None:
        seen, self._seen = self._seen, self._seen + 1
        if seen % self.every or len(self.frames) >= self.max_looks:
            return
        mask = None if subject is None or subject.mask is None else (subject.mask > 0.3)
        self.frames.append((frame.index, frame.scale, frame.rgb.copy(), mask))


@dataclass
class Cached:
    """What one clip's extraction left: the recording, the protocol's hooks and the sampled frames."""

    version: int
    protocol: str
    fingerprint: tuple[int, int]
    rec: Recording
    sources: Any
    frames: list[tuple[int, float, np.ndarray, np.ndarray | None]]

    def replay_lines(self, recorder: LineRecorder | None = None) -> LineRecorder:
        """Run a (new) line recorder over the kept frames, as :func:`extract` would have."""
        recorder = recorder or LineRecorder(every=1)
        for index, scale, rgb, mask in self.frames:
            cand = Candidate(np.zeros((33, 3)), np.zeros(33), np.zeros(33), np.zeros((33, 3)), mask)
            recorder(Frame(index, 0.0, rgb, scale), cand)
        return recorder


def _fingerprint(video: Path) -> tuple[int, int]:
    """Size and modification time (ns) of the video: a re-rendered clip is extracted again."""
    st = video.stat()
    return st.st_size, st.st_mtime_ns


def _job(video: Path, out: Path) -> AnalyzeJob:
    return AnalyzeJob(input=str(video), out_dir=out, key_frame=False)


def extract_clip(video: Path, protocol: str, cache_dir: Path, *, refresh: bool = False) -> Cached:
    """Return the cached extraction of ``video`` (running it first when missing or stale)."""
    path = cache_dir / f"{video.stem}.pkl"
    if path.is_file() and not refresh:
        try:
            with path.open("rb") as fh:
                cached = pickle.load(fh)
        except (AttributeError, EOFError, pickle.UnpicklingError):
            cached = None
        if getattr(cached, "version", None) == CACHE_VERSION and cached.fingerprint == _fingerprint(video):
            return cached
    job = _job(video, cache_dir / "tmp")
    if protocol == "standing":
        from tiltscreen.protocols.standing.tilt import make_sources

        sources: Any = make_sources(job)
        hooks = list(sources.hooks)
    else:
        sources = StickerRecorder(spec=StickerSpec(colour_rgb=job.marker_colour))
        hooks = [sources]
    sampler = FrameSampler()
    rec = extract(job, extra_hooks=[*hooks, sampler])
    cached = Cached(CACHE_VERSION, protocol, _fingerprint(video), rec, sources, sampler.frames)
    cache_dir.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        pickle.dump(cached, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return cached


if (
    __name__ == "__main__"
):  # warm the cache of a set: python level_yaw_extract.py SET_DIR CACHE_DIR [protocol]
    import sys

    from level_yaw_extract import extract_clip  # pickle the classes under the module's name, not __main__

    set_dir, cache = Path(sys.argv[1]), Path(sys.argv[2])
    proto = sys.argv[3] if len(sys.argv) > 3 else ("standing" if "stand" in set_dir.name else "sit-and-reach")
    for mp4 in sorted(set_dir.glob("*.mp4")):
        if not mp4.with_suffix(".json").is_file():
            continue
        c = extract_clip(mp4, proto, cache / set_dir.name)
        print(mp4.stem, c.rec.lm.n_frames, len(c.rec.lines.frames), flush=True)
