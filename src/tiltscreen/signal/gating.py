"""Drop landmarks the detector itself does not trust (visibility / presence gating)."""

from __future__ import annotations

import numpy as np

from tiltscreen.landmarks import Landmarks
from tiltscreen.signal._common import number_problems, point_missing, raise_if_problems


def gate_visibility(
    lm: Landmarks,
    *,
    min_visibility: float | None = 0.5,
    min_presence: float | None = 0.5,
) -> Landmarks:
    """Set landmarks whose visibility or presence is below a threshold to NaN.

    Parameters
    ----------
    lm : Landmarks
        Input landmarks; not modified.
    min_visibility : float or None, default 0.5
        Lowest MediaPipe visibility (probability 0-1 that the landmark is not
        occluded) a point must have to be kept. ``None`` skips this test.
    min_presence : float or None, default 0.5
        Lowest MediaPipe presence (probability 0-1 that the landmark is inside
        the image) a point must have to be kept. ``None`` skips this test.

    Returns
    -------
    Landmarks
        A new object in which every rejected point has NaN in all three
        coordinates of both ``xyz`` and ``world``; the step
        ``"gate_visibility"`` is appended to the provenance with the thresholds
        and the counts ``n_points_removed`` and ``n_points_kept``.

    Raises
    ------
    ValidationError
        If ``lm`` is not a :class:`Landmarks` or a threshold is not a number in
        [0, 1] or None (all problems in one message).

    Notes
    -----
    Units: the thresholds are probabilities (unitless, 0-1); the test is
    ``value >= threshold``, per landmark per frame.

    NaN behaviour: a NaN visibility or presence (no score, e.g. a point filled
    by :func:`~tiltscreen.signal.fill_gaps`) fails its test, because it cannot be
    shown to reach the threshold. Gate *before* filling gaps, or pass ``None``
    for a score the source does not provide. Points already missing stay
    missing and are not counted as removed.

    ``visibility`` and ``presence`` themselves are kept unchanged, so a report
    can still show why a point was dropped.

    Examples
    --------
    >>> import numpy as np
    >>> lm = Landmarks.empty(2, timestamps_s=[0.0, 0.1], image_size=(640, 480))
    >>> lm = lm.with_step("demo", xyz=np.zeros((2, 33, 3)), visibility=np.full((2, 33), 0.9),
    ...                   presence=np.full((2, 33), 0.9))
    >>> gated = gate_visibility(lm, min_visibility=0.95)
    >>> bool(np.isnan(gated.xyz).all()), gated.provenance[-1].params["n_points_removed"]
    (True, 66)

    """
    problems = [
        *number_problems("min_visibility", min_visibility, low=0.0, high=1.0, optional=True),
        *number_problems("min_presence", min_presence, low=0.0, high=1.0, optional=True),
    ]
    raise_if_problems("gate_visibility", lm, problems)

    keep = np.ones(lm.visibility.shape, dtype=bool)
    if min_visibility is not None:
        keep &= lm.visibility >= min_visibility
    if min_presence is not None:
        keep &= lm.presence >= min_presence
    detected = ~point_missing(lm.xyz)
    params = {
        "min_visibility": min_visibility,
        "min_presence": min_presence,
        "n_points_removed": int((detected & ~keep).sum()),
        "n_points_kept": int((detected & keep).sum()),
    }
    return lm.with_step(
        "gate_visibility",
        params,
        xyz=np.where(keep[..., None], lm.xyz, np.nan),
        world=np.where(keep[..., None], lm.world, np.nan),
    )
