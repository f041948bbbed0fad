"""``--format trc``: OpenSim marker (``.trc``) and coordinate (``.mot``) files, 2-D, laid out as Sports2D's.

Files per recording (``<name>`` = the recording ID):

``<name>_px.trc``
    the 33 landmarks in image pixels: X = x (right), **Y = -y** (image v negated, so Y is up),
    Z = 0 (NaN with X and Y for a missing landmark); ``Units`` ``px``.
``<name>_m.trc``
    only when the analysis had a scale: the same with pixels divided by ``px_per_cm`` and by 100
    (metres). The scale holds in one plane only: the printed marker's face on the box (marker
    scale) or the subject's sagittal plane (stature scale); points off that plane are scaled
    wrongly by the ratio of their distances to the camera. Axes are the image's (not levelled:
    the camera roll is not removed). Origin: the image's top-left corner, so Y is negative.
``<name>_angles.mot``
    the per-frame angles (:mod:`tiltscreen.export.angles`) in degrees, header ``Coordinates`` /
    ``version=1`` / ``nRows=`` / ``nColumns=`` (time included) / ``inDegrees=yes`` / ``endheader``.
``<name>_opensim.json``
    what the files hold: axes, units, scale and its plane, frame rate, angle definitions.

TRC header: ``PathFileType 4 (X/Y/Z) <file>``, then ``DataRate CameraRate NumFrames NumMarkers
Units OrigDataRate OrigDataStartFrame OrigNumFrames`` and their values (rates = the nominal frame
rate, else the one implied by the timestamps); then ``Frame#  Time  <marker>...`` and
``X1 Y1 Z1 ...``. Frames are numbered from 1; ``Time`` is each frame's own timestamp (s). Missing
values are written ``NaN``. Columns are tab-separated; numbers in the shortest form that reads back
to the same float.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from tiltscreen.export.angles import angle_series
from tiltscreen.export.results import RecordingResult
from tiltscreen.outputs.files import write_file_atomic


def _fmt(v: float) -> str:
    return repr(float(v)) if np.isfinite(v) else "NaN"


def trc_text(
    file_name: str,
    time_s: np.ndarray,
    xyz: np.ndarray,
    markers: Sequence[str],
    *,
    rate_hz: float,
    units: str,
) -> str:
    """Return a TRC file's text.

    Parameters
    ----------
    file_name : str
        Name written in the first header line.
    time_s : ndarray, shape (frame,)
        Time of each frame (s).
    xyz : ndarray, shape (frame, marker, 3)
        Marker positions in ``units``; NaN = missing.
    markers : sequence of str
        Marker names.
    rate_hz : float
        ``DataRate``, ``CameraRate`` and ``OrigDataRate``.
    units : str
        ``Units`` of the header (``px``, ``m``).

    """
    n, k = xyz.shape[:2]
    lines = [
        f"PathFileType\t4\t(X/Y/Z)\t{file_name}",
        "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\tOrigNumFrames",
        "\t".join(map(str, (rate_hz, rate_hz, n, k, units, rate_hz, 1, n))),
        "Frame#\tTime\t" + "\t\t\t".join(markers) + "\t\t",
        "\t\t" + "\t".join(f"X{i + 1}\tY{i + 1}\tZ{i + 1}" for i in range(k)),
        "",
    ]
    flat = xyz.reshape(n, k * 3)
    for i in range(n):
        lines.append("\t".join([str(i + 1), _fmt(time_s[i]), *map(_fmt, flat[i])]))
    return "\n".join(lines) + "\n"


def mot_text(time_s: np.ndarray, columns: dict[str, np.ndarray]) -> str:
    """Return an OpenSim ``.mot`` (storage) file's text: ``time`` then one column per angle, in degrees."""
    names = ["time", *columns]
    values = np.column_stack([np.asarray(time_s, float), *[np.asarray(v, float) for v in columns.values()]])
    lines = [
        "Coordinates",
        "version=1",
        f"nRows={values.shape[0]}",
        f"nColumns={values.shape[1]}",
        "inDegrees=yes",
        "",
        "Units are S.I. units (second, meters, Newtons, ...)",
        "If the header above contains a line with 'inDegrees', this indicates whether rotational values "
        "are in degrees (yes) or radians (no).",
        "",
        "endheader",
        "\t".join(names),
    ]
    lines += ["\t".join(map(_fmt, row)) for row in values]
    return "\n".join(lines) + "\n"


def image_to_trc(xy_px: np.ndarray, *, px_per_unit: float = 1.0) -> np.ndarray:
    """Turn ``(frame, k, 2)`` image pixels into ``(frame, k, 3)`` TRC: X = x, Y = -y (up), Z = 0, scaled.

    >>> image_to_trc(np.array([[[10.0, 20.0]]]), px_per_unit=10.0).tolist()
    [[[1.0, -2.0, 0.0]]]
    """
    out = np.zeros((*xy_px.shape[:2], 3))
    out[~np.isfinite(xy_px).all(axis=-1)] = np.nan  # a missing marker is missing in X, Y and Z
    out[..., 0] = xy_px[..., 0] / px_per_unit
    out[..., 1] = -xy_px[..., 1] / px_per_unit
    return out


def _scale_plane(source: str | None) -> str:
    return {
        "marker": "the printed marker's face (the camera-facing side of the box)",
        "height": "the subject's sagittal plane (standing outline = stature)",
    }.get(source or "", "unknown")


def _notes(rec: RecordingResult, rate: float, files: dict[str, str], angles) -> dict[str, Any]:
    s = rec.summary
    return {
        "recording_id": rec.recording_id,
        "files": files,
        "axes": "X = image x (right), Y = -image y (up), Z = 0; image axes, camera roll not removed",
        "origin": "top-left corner of the upright full-resolution image",
        "rate_hz": rate,
        "time": "each frame's own timestamp (s from the start of the source)",
        "scale": None
        if s.px_per_cm is None
        else {
            "px_per_cm": s.px_per_cm,
            "source": s.scale_source,
            "relative_uncertainty": s.scale_relative_uncertainty,
            "plane": _scale_plane(s.scale_source),
        },
        "angles": [{"name": d.name, "definition": d.definition, "sign": d.sign} for d in angles.definitions],
        "angles_reason": angles.reason,
        "missing": "NaN",
    }


def export_trc(
    rec: RecordingResult, out_dir: str | os.PathLike[str], *, name: str | None = None
) -> dict[str, Path]:
    """Write ``<name>_px.trc``, ``_m.trc`` (with a scale), ``_angles.mot`` and notes (module notes).

    Returns
    -------
    dict of str to Path
        ``{"px_trc", "m_trc", "mot", "notes"}``, each present only if written.

    """
    out, stem = Path(out_dir), name or rec.recording_id
    lm = rec.landmarks
    rate = float(lm.fps or lm.effective_fps)
    names = list(lm.skeleton.names)
    written: dict[str, Path] = {}
    px_name = f"{stem}_px.trc"
    text = trc_text(px_name, lm.timestamps_s, image_to_trc(lm.xy_px), names, rate_hz=rate, units="px")
    written["px_trc"] = write_file_atomic(out / px_name, text.encode("utf-8"))
    if rec.summary.px_per_cm:
        m_name = f"{stem}_m.trc"
        metres = image_to_trc(lm.xy_px, px_per_unit=rec.summary.px_per_cm * 100.0)
        text = trc_text(m_name, lm.timestamps_s, metres, names, rate_hz=rate, units="m")
        written["m_trc"] = write_file_atomic(out / m_name, text.encode("utf-8"))
    angles = angle_series(rec)
    if angles.names:
        cols = {n: angles.values[:, j] for j, n in enumerate(angles.names)}
        mot = mot_text(lm.timestamps_s, cols)
        written["mot"] = write_file_atomic(out / f"{stem}_angles.mot", mot.encode("utf-8"))
    notes = _notes(rec, rate, {k: p.name for k, p in written.items()}, angles)
    text = json.dumps(notes, indent=1, ensure_ascii=False)
    written["notes"] = write_file_atomic(out / f"{stem}_opensim.json", (text + "\n").encode("utf-8"))
    return written
