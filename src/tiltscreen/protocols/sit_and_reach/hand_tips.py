"""The hand model's fingertip as the sit-and-reach's first fingertip source (the outline is the fallback).

During the extraction a :class:`~tiltscreen.pose.hand_recorder.HandTipRecorder` runs MediaPipe's
HandLandmarker on a crop around each wrist of every frame (:func:`open_hand_hook`). Once the near side
and the facing are known, :func:`hand_points_px` gives the near arm's hand and takes its finger tip
furthest forward (index, middle, ring or little finger) and its index knuckle, in pixels, on the
landmark table's rows.

On the development renders this tip lies short of the true middle-finger tip by 1.17 cm on average
(per trial over the hold: MAE 1.17 cm, worst 2.51; the outline's: bias -2.10, MAE 2.60, worst 6.86;
``benchmarks/results/fingertips_reach_extra.md``); the reach's interval constants for this source are
measured apart on calibration renders (:data:`~tiltscreen.protocols.sit_and_reach.analysis.REACH_ERROR_CM`).
The hand is found in about two frames out of three over a whole clip (arms hanging or moving fast) but in
every hold frame of those renders; where it is not found the outline's fingertip is used for that frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tiltscreen.errors import ModelError
from tiltscreen.pose.hand_geometry import INDEX_MCP
from tiltscreen.pose.hand_recorder import HandTipRecorder, side_arrays
from tiltscreen.pose.hands import HandModel, HandOptions
from tiltscreen.pose.model_store import locate_hand_model
from tiltscreen.signal.butterworth import lowpass_points

#: the fingertip source's name in the summary (``fingertip_source``), the figure and the key frame
HAND_SOURCE = "hand model"
#: the arrays of :meth:`HandTipRecorder.arrays` :func:`hand_tip_px` needs
HAND_KEYS = ("hand_slots_landmarks", "hand_slots_mismatch", "hand_slots_score", "hand_slots_label")


@dataclass(frozen=True)
class HandHook:
    """The hand model's frame hook, or why there is none.

    Attributes
    ----------
    recorder : HandTipRecorder or None
        The hook to pass to the extraction; None when the hand model is not available.
    reason : str or None
        One sentence when there is no hook (the outline fingertip is then used throughout).

    """

    recorder: HandTipRecorder | None
    reason: str | None = None

    def arrays(self) -> dict[str, np.ndarray]:
        """Return the hook's arrays plus ``hand_frame_index`` (empty without a hook)."""
        if self.recorder is None:
            return {}
        return {**self.recorder.arrays(), "hand_frame_index": np.array(self.recorder.frame_index, np.int64)}

    def close(self) -> None:
        """Release the hand model."""
        if self.recorder is not None:
            self.recorder.model.close()


def open_hand_hook(model: str | None = None) -> HandHook:
    """Load the hand model and return its frame hook; without the model, no hook and one sentence why."""
    try:
        options = HandOptions(model_path=locate_hand_model(model))
        return HandHook(HandTipRecorder(model=HandModel(options), options=options))
    except ModelError as err:  # the outline fingertip remains; the summary says why
        why = f"Fingertips from the body outline only: the hand model is not available ({err})"
        return HandHook(None, why)


@dataclass(frozen=True)
class HandPoints:
    """The near hand's points per landmark row from the hand model, continuous pixels (x right, y down).

    Attributes
    ----------
    tip : ndarray, shape (n, 2)
        The finger tip (index, middle, ring or little) furthest forward.
    knuckle : ndarray, shape (n, 2)
        The index finger's knuckle (hand landmark 5), for the hold's "hand still" check.

    Both NaN on rows where the near arm got no hand.

    """

    tip: np.ndarray
    knuckle: np.ndarray


def hand_points_px(
    arrays: dict[str, np.ndarray] | None,
    *,
    side: str,
    facing: int,
    frame_index: np.ndarray,
    image_size: tuple[int, int],
    t_s: np.ndarray,
    max_mismatch: float = HandOptions.max_mismatch,
) -> HandPoints | None:
    """Return the near hand's forward-most finger tip and index knuckle per landmark row.

    Parameters
    ----------
    arrays : dict or None
        :meth:`HandHook.arrays` (None or without the hand arrays: no hand source).
    side : {"left", "right"}
        The near side.
    facing : int
        +1 when the subject faces image-right, -1 image-left (the tip furthest that way is taken).
    frame_index : ndarray of int, shape (n,)
        Video frame of each landmark row; the hook's frames are matched to them.
    image_size : (int, int)
        Width and height, pixels.
    t_s : ndarray, shape (n,)
        Timestamps of the rows: the points are low-passed at 6 Hz, as the outline's fingertip is.
    max_mismatch : float
        Largest hand-to-arm mismatch (palm lengths) for a hand to be given to an arm
        (:attr:`~tiltscreen.pose.hands.HandOptions.max_mismatch`).

    Returns
    -------
    HandPoints or None
        None when there are no hand arrays at all.

    """
    if not arrays or any(k not in arrays for k in HAND_KEYS):
        return None
    near = side_arrays({k: arrays[k] for k in HAND_KEYS}, near=side, max_mismatch=max_mismatch)
    hook_frames = arrays.get("hand_frame_index", np.arange(len(near["near_hand_landmarks"])))
    tip = near[f"near_hand_tip_facing_{'right' if facing > 0 else 'left'}"]
    knuckle = near["near_hand_landmarks"][:, INDEX_MCP]
    return HandPoints(*(_on_rows(p, hook_frames, frame_index, image_size, t_s) for p in (tip, knuckle)))


def _on_rows(
    points: np.ndarray, hook_frames: np.ndarray, frame_index: np.ndarray, image_size, t_s
) -> np.ndarray:
    """Normalised per-hook-frame points on the landmark rows (matched by frame), in pixels, low-passed."""
    rows = {int(f): k for k, f in enumerate(hook_frames)}
    out = np.full((len(frame_index), 2), np.nan)
    for i, f in enumerate(np.asarray(frame_index)):
        k = rows.get(int(f))
        if k is not None:
            out[i] = points[k]
    out *= np.asarray(image_size, float)
    if len(out) > 16:
        out = lowpass_points(out, np.asarray(t_s, float), cutoff_hz=6.0)
    return out


#: how the sources combine, for the summary
SOURCES_NOTE = (
    "Per frame the first source with a point; each trial reports the source of most of its hold frames."
)


def fingertip_summary(tips, extras: dict | None) -> dict:
    """Summarise the fingertip sources: frames each gave, the hand hook's cost, why there is no hand model.

    ``tips`` is the :class:`~tiltscreen.protocols.sit_and_reach.reach.Fingertips` used; ``extras`` the
    frame hooks' arrays (``hand_ms``: milliseconds the hand hook took per frame).
    """
    extras = extras or {}
    n = len(tips.source)
    frames = {label: int(np.sum(tips.source == k)) for k, label in enumerate(tips.labels)}
    ms = np.asarray(extras.get("hand_ms", []), float)
    return {
        "order": list(tips.labels),
        "frames": {**frames, "none": int(np.sum(tips.source < 0)), "total": n},
        "hand_model_ms_per_frame": round(float(np.mean(ms)), 1) if ms.size else None,
        "note": extras.get("hand_reason") or SOURCES_NOTE,
    }
