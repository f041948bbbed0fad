"""Markerless estimate of standing ASIS-PSIS pelvic tilt from body-outline features (numpy only).

The model is a small ridge regression fitted on synthetic bodies (``benchmarks/fit_tilt_model.py``) and
stored, with its feature definitions, training-set description and held-out metrics, in
``tiltscreen/config/tilt_model.json``. Its 95 % interval is a split-conformal half-width from
leave-one-body-out residuals. It is an **estimate** (method ``"markerless-estimate"``), fitted on renders:
its accuracy on real people is unknown.

Conventions: degrees, positive anterior (ASIS lower than PSIS), the angle of the PSIS -> ASIS line from
the true horizontal. When the outline is unreliable or the features lie outside the range of the
training bodies the result is *indeterminate*: value and interval NaN, ``reliable`` False and the
reasons given.

Use (per frame of a quiet-standing window, MediaPipe run with ``segmentation=True``)::

    frames = [
        frame_features(c.mask, c.xyz[:, :2] * (w, h), facing=facing, image=rgb)  # (w, h) = mask size
        for c, rgb in window
    ]
    value, ci95, reliable, reasons = estimate_pelvic_tilt(median_features(frames))
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

from tiltscreen.errors import ValidationError
from tiltscreen.kinematics.outline import OutlineFeatures

METHOD = "markerless-estimate"
SCHEMA = "tiltscreen-tilt-model/1"


@dataclass(frozen=True)
class TiltModel:
    """A parsed tilt model (see the module notes and the JSON's own fields).

    Attributes
    ----------
    names : tuple of str
        Feature names, in order.
    coef : tuple of float
        Degrees per feature unit.
    intercept_deg : float
    lower, upper : tuple of float
        Accepted range of each feature: the training range widened by ``extrapolation_margin``
        of its width on each side.
    half_width_deg : float
        Half-width of the 95 % interval.
    valid_output_deg : (float, float)
        Predictions outside this range are refused.
    version : str
    document : dict
        The whole JSON document (provenance, metrics).

    """

    names: tuple[str, ...]
    coef: tuple[float, ...]
    intercept_deg: float
    lower: tuple[float, ...]
    upper: tuple[float, ...]
    half_width_deg: float
    valid_output_deg: tuple[float, float]
    version: str
    document: dict


class TiltEstimate(NamedTuple):
    """Result of :func:`estimate_pelvic_tilt` (unpacks as ``value, ci95, reliable, reasons``).

    Attributes
    ----------
    value : float
        Estimated tilt, degrees (positive anterior); NaN when indeterminate.
    ci95 : (float, float)
        95 % interval, degrees; NaN when indeterminate.
    reliable : bool
        False when indeterminate.
    reasons : tuple of str
        Why the estimate is indeterminate (empty when reliable).
    method : str
        Always ``"markerless-estimate"``.
    model_version : str

    """

    value: float
    ci95: tuple[float, float]
    reliable: bool
    reasons: tuple[str, ...]
    method: str = METHOD
    model_version: str = ""


def parse_model(document: Mapping) -> TiltModel:
    """Check and parse a tilt-model document (the content of ``tilt_model.json``).

    Raises
    ------
    ValidationError
        If the schema is not ``tiltscreen-tilt-model/1`` or a field is missing or not finite.

    """
    if document.get("schema") != SCHEMA:
        raise ValidationError(f"tilt model: schema must be {SCHEMA!r}, got {document.get('schema')!r}.")
    try:
        feats = document["features"]
        margin = float(document["extrapolation_margin"])
        names = tuple(str(f["name"]) for f in feats)
        coef = tuple(float(f["coef_deg_per_unit"]) for f in feats)
        lo = tuple(float(f["train_min"]) for f in feats)
        hi = tuple(float(f["train_max"]) for f in feats)
        half = float(document["interval"]["half_width_deg"])
        icpt = float(document["intercept_deg"])
        out_lo, out_hi = (float(v) for v in document["valid_output_deg"])
    except (KeyError, TypeError, ValueError) as err:
        raise ValidationError(f"tilt model: missing or malformed field ({err!r}).") from err
    numbers = (*coef, *lo, *hi, half, icpt, margin, out_lo, out_hi)
    if not names or not all(math.isfinite(v) for v in numbers):
        raise ValidationError("tilt model: no features, or a number is not finite.")
    lower = tuple(a - margin * (b - a) for a, b in zip(lo, hi, strict=True))
    upper = tuple(b + margin * (b - a) for a, b in zip(lo, hi, strict=True))
    version = str(document.get("version", ""))
    return TiltModel(names, coef, icpt, lower, upper, half, (out_lo, out_hi), version, dict(document))


@lru_cache(maxsize=1)
def load_model() -> TiltModel:
    """Load the bundled model, ``tiltscreen/config/tilt_model.json`` (parsed once)."""
    text = resources.files("tiltscreen.config").joinpath("tilt_model.json").read_text(encoding="utf-8")
    return parse_model(json.loads(text))


def _words(name: str) -> str:
    """Return a feature's name in words: ``concavity_buttock_deg`` -> ``concavity buttock angle``."""
    return name.removesuffix("_deg").replace("_", " ") + (" angle" if name.endswith("_deg") else "")


def _indeterminate(reasons: tuple[str, ...], model: TiltModel) -> TiltEstimate:
    return TiltEstimate(math.nan, (math.nan, math.nan), False, reasons, METHOD, model.version)


def estimate_pelvic_tilt(
    features: OutlineFeatures | Mapping[str, float], *, model: TiltModel | None = None
) -> TiltEstimate:
    """Estimate standing ASIS-PSIS pelvic tilt from outline features, or say it is indeterminate.

    Parameters
    ----------
    features : OutlineFeatures or mapping of str to float
        From :func:`tiltscreen.kinematics.outline.median_features` (its quality ``reasons`` are
        honoured) or a plain mapping of feature values (no quality information: only the range
        checks apply).
    model : TiltModel, optional
        Defaults to the bundled model (:func:`load_model`).

    Returns
    -------
    TiltEstimate
        ``(value, ci95, reliable, reasons)``, degrees, positive anterior. Indeterminate (NaN,
        ``reliable`` False) when the outline failed a quality check, a feature the model uses is
        missing or non-finite or lies outside the widened training range, or the prediction lies
        outside ``valid_output_deg``.

    Notes
    -----
    ``value = intercept + sum(coef_i * x_i)``; ``ci95 = value -/+ half_width``. The interval is
    calibrated on synthetic bodies (leave-one-body-out) and holds for conditions like the training
    set (arms folded, near side view, close-fitting clothes); it says nothing about real-world error.

    """
    model = load_model() if model is None else model
    if isinstance(features, OutlineFeatures):
        values, reasons = features.values, list(features.reasons)
    elif isinstance(features, Mapping):
        values, reasons = features, []
    else:
        raise ValidationError(
            "estimate_pelvic_tilt: features must be OutlineFeatures or a mapping, "
            f"got {type(features).__name__}."
        )
    total = model.intercept_deg
    for name, c, lo, hi in zip(model.names, model.coef, model.lower, model.upper, strict=True):
        x = values.get(name, math.nan)
        x = float(x) if isinstance(x, int | float) else math.nan
        if not math.isfinite(x):
            reasons.append(f"the outline's {_words(name)} could not be measured")
        elif not lo <= x <= hi:
            reasons.append(
                f"the outline's {_words(name)} ({x:.3g}) is outside the range of the bodies the model was "
                "fitted on"
            )
        total += c * x
    if not reasons and not model.valid_output_deg[0] <= total <= model.valid_output_deg[1]:
        lo, hi = model.valid_output_deg
        reasons.append(f"the estimate, {total:.0f} deg, is outside the plausible range {lo:g} to {hi:g} deg")
    if reasons:
        return _indeterminate(tuple(reasons), model)
    half = model.half_width_deg
    return TiltEstimate(total, (total - half, total + half), True, (), METHOD, model.version)
