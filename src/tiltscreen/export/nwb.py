"""``--format nwb``: one NWB file per recording with the landmarks as ndx-pose ``PoseEstimation``.

Layout of ``<recording_id>.nwb`` (NWB 2 through pynwb, ndx-pose 0.4):

* ``/processing/behavior/PoseEstimation`` (``ndx_pose.PoseEstimation``): one
  ``PoseEstimationSeries`` per BlazePose landmark, named after it (33), data ``(frame, 2)``
  float32 image pixels (``unit`` "pixels", ``reference_frame`` stated), ``confidence`` =
  MediaPipe visibility (float32, NaN where not detected) with its ``confidence_definition``;
  ``rate`` (+ ``starting_time``) when the frames are evenly spaced within :data:`RATE_TOLERANCE_S`,
  else per-frame ``timestamps``; ``source_software`` "tiltscreen" with its version; ``scorer``
  the pose model and its SHA-256; linked ``Skeleton`` and camera ``Device``.
* ``/processing/behavior/Skeletons``: the ``Skeleton`` "BlazePose" (33 nodes, 35 edges, uint8),
  linked to the subject.
* ``/processing/behavior/JointAngles``: the per-frame angles of the protocol
  (:mod:`tiltscreen.export.angles`), one ``TimeSeries`` each, degrees, same timing.
* ``/general/subject``: one ``Subject`` (species Homo sapiens), ID from the caller (default the
  recording ID). The file's ``identifier`` is the subject ID, as movement's own NWB writer does, so
  that ``movement`` names the individual after the subject.
* ``session_start_time``: given by the caller, else the video's container creation time, else
  :data:`DEFAULT_SESSION_START` (1970-01-01 UTC, a stated placeholder: the time is unknown).
* ``notes``: the export provenance (JSON).

Missing landmarks are NaN in ``data`` and ``confidence``; no frame is dropped.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from pathlib import Path
from typing import Any

import numpy as np

import tiltscreen
from tiltscreen.export.angles import angle_series
from tiltscreen.export.provenance import provenance, video_facts
from tiltscreen.export.results import RecordingResult
from tiltscreen.outputs.files import OutputWriteError

#: used when neither the caller nor the video gives the session's start (documented placeholder)
DEFAULT_SESSION_START = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
#: largest deviation (s) of a timestamp from ``start + i / fps`` for which ``rate`` is written
RATE_TOLERANCE_S = 5e-4
PROCESSING_MODULE = "behavior"
POSE_ESTIMATION = "PoseEstimation"

REFERENCE_FRAME = (
    "(0, 0) is the top-left corner of the upright (rotation-corrected) full-resolution video frame; "
    "x grows to the right and y downwards, in pixels."
)
CONFIDENCE_DEFINITION = (
    "MediaPipe Pose landmark visibility: the model's probability (0-1) that the landmark is visible "
    "(in the image and not occluded). NaN where the landmark is missing (not detected, gated out below "
    "the visibility threshold, or in a gap left unfilled)."
)


def timing(timestamps_s: np.ndarray, fps: float | None) -> dict[str, Any]:
    """``rate`` and ``starting_time`` if the frames are evenly spaced at ``fps``, else ``timestamps``.

    Examples
    --------
    >>> timing(np.arange(4) / 30.0, 30.0)
    {'rate': 30.0, 'starting_time': 0.0}
    >>> sorted(timing(np.array([0.0, 0.1, 0.15]), 10.0))
    ['timestamps']

    """
    t = np.asarray(timestamps_s, dtype=np.float64)
    if fps and t.size and np.all(np.abs(t - (t[0] + np.arange(t.size) / fps)) <= RATE_TOLERANCE_S):
        return {"rate": float(fps), "starting_time": float(t[0])}
    return {"timestamps": t}


def session_start(video: dict[str, Any], given: dt.datetime | None = None) -> tuple[dt.datetime, str]:
    """Session start time and where it came from (see module notes); always timezone-aware."""
    if given is not None:
        return (given if given.tzinfo else given.replace(tzinfo=dt.UTC)), "given"
    if video.get("creation_time"):
        return dt.datetime.fromisoformat(video["creation_time"]), "video container creation time"
    return DEFAULT_SESSION_START, "unknown: placeholder 1970-01-01T00:00:00Z"


def _pose_estimation(rec: RecordingResult, nwb, subject, tm: dict[str, Any]):
    from ndx_pose import PoseEstimation, PoseEstimationSeries, Skeleton, Skeletons

    lm = rec.landmarks
    skeleton = Skeleton(
        name="BlazePose",
        nodes=list(lm.skeleton.names),
        edges=np.array(lm.skeleton.edge_indices, dtype=np.uint8),
        subject=subject,
    )
    camera = nwb.create_device(
        name="camera", description=f"Video camera of the recording {rec.summary.input}"
    )
    xy = lm.xy_px.astype(np.float32)
    vis = lm.visibility.astype(np.float32)
    series = [
        PoseEstimationSeries(
            name=name,
            description=f"MediaPipe BlazePose landmark {k} ({name}), filtered as in the provenance.",
            data=xy[:, k, :],
            unit="pixels",
            reference_frame=REFERENCE_FRAME,
            confidence=vis[:, k],
            confidence_definition=CONFIDENCE_DEFINITION,
            **tm,
        )
        for k, name in enumerate(lm.skeleton.names)
    ]
    model = next((s.params.get("model") for s in lm.provenance if s.name == "pose_landmarker"), None)
    pose = PoseEstimation(
        name=POSE_ESTIMATION,
        pose_estimation_series=series,
        description="One subject's 2-D landmarks from one camera (tiltscreen: MediaPipe Pose, subject "
        "tracking, visibility gating, gap filling and filtering; see the file's notes).",
        scorer=f"MediaPipe PoseLandmarker {model or ''} sha256 {lm.model_sha256}".replace("  ", " "),
        source_software="tiltscreen",
        source_software_version=tiltscreen.__version__,
        skeleton=skeleton,
        device=camera,
    )
    return Skeletons(skeletons=[skeleton]), pose


def _angles(rec: RecordingResult, tm: dict[str, Any]):
    from pynwb import TimeSeries
    from pynwb.behavior import BehavioralTimeSeries

    series = angle_series(rec)
    if not series.names:
        return None
    container = BehavioralTimeSeries(name="JointAngles")
    for j, d in enumerate(series.definitions):
        container.add_timeseries(
            TimeSeries(
                name=d.name,
                data=series.values[:, j],
                unit="degrees",
                description=f"{d.definition}; sign: {d.sign}; side {series.side}; by {d.function}.",
                **tm,
            )
        )
    return container


def build_nwbfile(
    rec: RecordingResult,
    *,
    subject_id: str | None = None,
    start: dt.datetime | None = None,
    video_dir: str | os.PathLike[str] | None = None,
):
    """Build the in-memory ``pynwb.NWBFile`` of one recording (module notes)."""
    from pynwb import NWBFile
    from pynwb.file import Subject

    video = video_facts(rec, video_dir)
    when, origin = session_start(video, start)
    sid = subject_id or rec.recording_id
    prov = provenance(rec, video) | {"session_start_time_source": origin, "subject_id": sid}
    nwb = NWBFile(
        session_description=f"tiltscreen {rec.summary.protocol or 'landmarks'} recording {rec.recording_id}",
        identifier=sid,
        session_start_time=when,
        session_id=rec.recording_id,
        notes=json.dumps(prov, default=str),
        source_script=f"tiltscreen {tiltscreen.__version__} export",
        source_script_file_name="tiltscreen",
    )
    nwb.subject = Subject(subject_id=sid, species="Homo sapiens", description="Screened person.")
    lm = rec.landmarks
    tm = timing(lm.timestamps_s, lm.fps)
    behavior = nwb.create_processing_module(name=PROCESSING_MODULE, description="Pose and joint angles.")
    skeletons, pose = _pose_estimation(rec, nwb, nwb.subject, tm)
    behavior.add(skeletons)
    behavior.add(pose)
    angles = _angles(rec, tm)
    if angles is not None:
        behavior.add(angles)
    return nwb


def export_nwb(
    rec: RecordingResult,
    path: str | os.PathLike[str],
    *,
    subject_id: str | None = None,
    start: dt.datetime | None = None,
    video_dir: str | os.PathLike[str] | None = None,
) -> Path:
    """Write one recording as an NWB file (module notes), atomically.

    Parameters
    ----------
    rec : RecordingResult
        A loaded results folder.
    path : path-like
        Target ``.nwb`` file; replaced if it exists.
    subject_id : str, optional
        Subject ID (default the recording ID).
    start : datetime, optional
        Session start time (naive times are taken as UTC).
    video_dir : path-like, optional
        Where to look for the input video by name (for its SHA-256 and creation time).

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    OutputWriteError
        If the file cannot be written.

    """
    from pynwb import NWBHDF5IO

    target = Path(path)
    tmp = target.with_name(f".{target.stem}.{uuid.uuid4().hex[:12]}.tmp.nwb")  # pynwb wants .nwb
    nwb = build_nwbfile(rec, subject_id=subject_id, start=start, video_dir=video_dir)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with NWBHDF5IO(tmp, mode="w") as io:
            io.write(nwb)
        os.replace(tmp, target)
    except OSError as err:
        raise OutputWriteError(f"Cannot write {target}: {err.strerror or err}.") from err
    finally:
        tmp.unlink(missing_ok=True)
    return target
