"""Make a :class:`~tiltscreen.protocols.recording.Recording` for the analyses (the one extraction path).

Landmarks with the person mask, outline features, floor contacts, markers and room lines, read
by :func:`tiltscreen.run.extract.read_pose` and filtered for recorded video.
"""

from __future__ import annotations

from collections.abc import Sequence

from tiltscreen.pose.features import FeatureRecorder
from tiltscreen.pose.lines import LineRecorder
from tiltscreen.protocols.recording import AnalyzeJob, Recording
from tiltscreen.run.extract import FrameHook, filter_landmarks, read_pose
from tiltscreen.signal import lowpass_points

#: outline points jitter like landmarks: the same zero-phase low-pass once a recording is this long (frames)
MIN_FRAMES_TO_SMOOTH_OUTLINE = 16


def extract(job: AnalyzeJob, *, extra_hooks: Sequence[FrameHook] = ()) -> Recording:
    """Landmarks with segmentation, fingertips, floor contacts and markers, filtered for recorded video.

    ``extra_hooks`` see every frame too (e.g. a protocol's sticker detector). Ctrl-C while the
    frames are read ends the reading, keeps what was processed and is recorded in the result.
    """
    opts = job.extraction
    recorder = FeatureRecorder(marker_dictionary=job.marker_dictionary)
    lines = LineRecorder()
    read = read_pose(opts, hooks=[recorder, lines, *extra_hooks])
    raw = read.raw
    lm = filter_landmarks(raw, opts) if raw.n_frames > 1 else raw
    features = recorder.arrays()
    if raw.n_frames > MIN_FRAMES_TO_SMOOTH_OUTLINE:
        features = {
            k: lowpass_points(v, raw.timestamps_s, cutoff_hz=opts.cutoff_hz) for k, v in features.items()
        }
    return Recording(
        raw,
        lm,
        features,
        [d for _, d in recorder.markers],
        read.report.person_fraction,
        read.report.interrupted,
        stopped_by_ctrl_c=read.stopped_by_ctrl_c,
        lines=lines,
    )
