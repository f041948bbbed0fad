"""The one extraction path: options → verified model → source → tracked pose → landmarks.

Every runner (``tiltscreen landmarks``, ``analyze``, ``screen``, the app's capture, the batch
runner) reads a recording through :func:`read_pose` and filters it with :func:`filter_landmarks`,
so the model is verified the same way and the defaults (:class:`~tiltscreen.config.options.ExtractOptions`)
are written once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tiltscreen.config.options import ExtractOptions
from tiltscreen.interrupt import CtrlCWatch
from tiltscreen.landmarks import Landmarks
from tiltscreen.pose.estimator import Candidate, PoseOptions
from tiltscreen.pose.extract import ExtractionReport, extract_landmarks, extract_landmarks_live
from tiltscreen.pose.model_store import locate_model, sha256_of, verify_model
from tiltscreen.pose.subject import SubjectTracker
from tiltscreen.signal import butterworth_lowpass, fill_gaps, gate_visibility, one_euro
from tiltscreen.sources import Frame, open_source

#: a per-frame hook: sees every frame and the subject's pose (None when not found)
FrameHook = Callable[[Frame, Candidate | None], None]


@dataclass(frozen=True)
class PoseRead:
    """What :func:`read_pose` read.

    Attributes
    ----------
    raw : Landmarks
        The subject's unfiltered landmarks, one row per frame read.
    report : ExtractionReport
        Frames read, frames with the subject, why the reading stopped early (None: at its end).
    model : Path
        The pose model bundle used.
    model_sha256 : str
        Its SHA-256 (verified against the manifest for the packaged model).
    stopped_by_ctrl_c : bool
        True when the user's Ctrl-C ended the reading (what was read is kept).

    """

    raw: Landmarks
    report: ExtractionReport
    model: Path
    model_sha256: str
    stopped_by_ctrl_c: bool


def verified_model(model: Path | None) -> tuple[Path, str]:
    """Return the model bundle and its SHA-256; the packaged model is checked against its manifest.

    A model the user names is not in the manifest: its digest is recorded, not checked.
    """
    path = locate_model(model)
    return path, (verify_model(path) if model is None else sha256_of(path))


def read_pose(
    opts: ExtractOptions,
    *,
    hooks: Sequence[FrameHook] = (),
    open_hooks: Callable[[Any], Sequence[FrameHook]] | None = None,
    progress: Callable[[int], None] | None = None,
) -> PoseRead:
    """Read every frame of ``opts.input`` and track one subject's pose.

    ``hooks`` see every frame (sticker, outline, line and hand detectors); ``open_hooks(info)``
    adds hooks that need the opened source's facts (e.g. an annotated video at its frame rate).
    Recorded video runs in VIDEO mode, cameras and streams in LIVE_STREAM mode until they end,
    Ctrl-C or ``opts.duration_s``. Ctrl-C ends the reading and keeps what was read.

    Raises
    ------
    ModelError
        No model, or the packaged model fails its checksum.
    EmptyVideoError, InputError
        The input cannot be opened or holds no frame.

    """
    path, sha = verified_model(opts.model)
    options = PoseOptions(
        model_path=path,
        max_people=opts.max_people,
        segmentation=opts.segmentation,
        follow_poses=opts.follow_poses,
    )
    with open_source(opts.input, max_side=opts.max_side) as source, CtrlCWatch() as ctrl_c:
        every = [*hooks, *(open_hooks(source.info) if open_hooks is not None else ())]
        common: dict[str, Any] = dict(
            options=options,
            tracker=SubjectTracker(rule=opts.subject, max_people=opts.max_people),
            hooks=every,
            progress=progress,
            model_sha256=sha,
        )
        if source.info.live:
            raw, report = extract_landmarks_live(source, duration_s=opts.duration_s, **common)
        else:
            raw, report = extract_landmarks(source, **common)
    return PoseRead(raw, report, path, sha, ctrl_c.pressed)


def filter_landmarks(lm: Landmarks, opts: ExtractOptions) -> Landmarks:
    """Visibility gating → gap filling → low-pass filter, as the options ask (each step logged)."""
    out = gate_visibility(lm, min_visibility=opts.min_visibility, min_presence=opts.min_visibility)
    out = fill_gaps(out, max_gap_s=opts.max_gap_s)
    kind = opts.filter
    if kind == "auto":  # causal for live sources (as it would have been shown), zero-phase for recordings
        kind = "one-euro" if lm.source.get("live") else "butterworth"
    if out.n_frames < 2 or kind == "none":
        return out
    if kind == "one-euro":
        return one_euro(out)
    return butterworth_lowpass(out, cutoff_hz=opts.cutoff_hz)
