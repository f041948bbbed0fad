"""Fit the markerless pelvic-tilt estimate (ridge regression on outline features) on synthetic bodies.

Reads the per-clip features cached by ``benchmarks/tilt_dataset.py features`` (renders, not patients), fits
on the **train bodies only** and writes ``src/tiltscreen/config/tilt_model.json``:

1. Candidate features: :data:`tiltscreen.kinematics.outline.FEATURE_NAMES`. Clips used: arms folded, yaw
   <= 15 deg ("main" clips) whose outline passed every quality check.
2. Forward selection (at most ``--max-features``) by leave-one-body-out (LOBO) mean absolute error; a
   feature is added only if it lowers the LOBO MAE by at least 0.05 deg.
3. Ridge regression (numpy, closed form) on standardised features, ``alpha`` from a small grid by LOBO MAE.
4. 95 % interval: split-conformal on the LOBO residuals of the final model (the
   ``ceil(0.95 (n + 1)) / n`` quantile of ``|residual|``), i.e. a symmetric half-width.
5. Held-out bodies (never seen in 1-4): MAE, bias, max error, interval coverage, stored in the JSON.

Run (numpy only; any environment with tiltscreen importable)::

    python benchmarks/fit_tilt_model.py [--cache /work/cache/tilt_dataset] [--no-save]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
from pathlib import Path

import numpy as np

from tiltscreen.kinematics.outline import FEATURE_NAMES
from tiltscreen.kinematics.outline_quality import QualityLimits

ROOT = Path(__file__).resolve().parents[1]
MODEL_PATH = ROOT / "src" / "tiltscreen" / "config" / "tilt_model.json"
CACHE = Path("/work/cache/tilt_dataset")
ALPHAS = (0.01, 0.1, 0.3, 1.0, 3.0)
DEFINITIONS = {
    "lumbar_depth": "distance of the lumbar concavity in front of the chord buttock apex -> upper-back apex "
    "(trunk lengths)",
    "lumbar_height": "height of the lumbar concavity above the mid-hip point (trunk lengths)",
    "buttock_height": "height of the buttock apex above the mid-hip point (trunk lengths)",
    "buttock_protrusion": "how far the buttock apex lies behind the lumbar concavity (trunk lengths)",
    "concavity_buttock_deg": "angle of the concavity -> buttock-apex line from the trunk axis (deg)",
    "sacral_deg": "angle of the back contour over the lower half buttock apex -> concavity (deg)",
    "low_back_deg": "angle of the back contour over the upper half buttock apex -> concavity (deg)",
    "thigh_back_deg": "angle of the back of the thigh below the buttock (deg)",
    "abdomen_deg": "angle of the front contour 0.05 below to 0.3 above the mid-hip point (deg)",
    "abdomen_protrusion": "front edge at h = 0.1 minus back edge at h = -0.4 (trunk lengths)",
    "pelvis_axis_deg": "angle of the midline between back and front edges, h -0.1 to 0.25 (deg)",
    "pelvis_depth": "front minus back edge at h = 0.1 (trunk lengths)",
    "trunk_thigh_deg": "angle of mid-hip -> mid-knee from the downward trunk axis (landmarks, deg)",
}


def load_rows(cache: Path) -> list[dict]:
    """All cached per-clip feature rows."""
    return [json.loads(p.read_text()) for p in sorted(cache.glob("*.features.json"))]


def usable(row: dict) -> bool:
    """A main clip whose outline passed every quality check and whose features are all finite."""
    vals = [row["values"][n] for n in FEATURE_NAMES]
    return row["clip"]["kind"] == "main" and not row["reasons"] and all(math.isfinite(v) for v in vals)


def ridge_fit(x: np.ndarray, y: np.ndarray, alpha: float) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
    """Ridge on standardised columns; return (coef per raw unit, intercept, column means, column SDs)."""
    mu, sd = x.mean(axis=0), x.std(axis=0)
    sd = np.where(sd > 0, sd, 1.0)
    z = (x - mu) / sd
    beta = np.linalg.solve(z.T @ z + alpha * np.eye(z.shape[1]), z.T @ (y - y.mean()))
    coef = beta / sd
    return coef, float(y.mean() - coef @ mu), mu, sd


def lobo_residuals(x: np.ndarray, y: np.ndarray, bodies: np.ndarray, alpha: float) -> np.ndarray:
    """Leave-one-body-out residuals (prediction - truth), degrees."""
    res = np.empty_like(y)
    for b in np.unique(bodies):
        test = bodies == b
        coef, icpt, _, _ = ridge_fit(x[~test], y[~test], alpha)
        res[test] = x[test] @ coef + icpt - y[test]
    return res


def forward_select(x: np.ndarray, y: np.ndarray, bodies: np.ndarray, max_features: int) -> list[int]:
    """Greedy forward selection of columns by LOBO MAE (alpha 0.1 during selection)."""
    chosen: list[int] = []
    best = math.inf
    while len(chosen) < max_features:
        trials = {
            j: float(np.mean(np.abs(lobo_residuals(x[:, chosen + [j]], y, bodies, 0.1))))
            for j in range(x.shape[1])
            if j not in chosen
        }
        j, mae = min(trials.items(), key=lambda kv: kv[1])
        if mae > best - 0.05:
            break
        chosen.append(j)
        best = mae
        print(f"  + {FEATURE_NAMES[j]:24s} LOBO MAE {mae:.2f} deg", flush=True)
    return chosen


def conformal_half_width(residuals: np.ndarray, level: float = 0.95) -> float:
    """Split-conformal half-width: the ceil(level (n+1))/n empirical quantile of |residual|."""
    r = np.sort(np.abs(residuals))
    k = min(math.ceil(level * (len(r) + 1)), len(r))
    return float(r[k - 1])


def metrics(pred: np.ndarray, truth: np.ndarray, half_width: float) -> dict[str, float]:
    """MAE, bias, max |error|, RMSE and interval coverage (degrees / fraction)."""
    err = pred - truth
    return {
        "n": int(len(err)),
        "mae_deg": float(np.mean(np.abs(err))),
        "bias_deg": float(np.mean(err)),
        "max_abs_error_deg": float(np.max(np.abs(err))),
        "rmse_deg": float(np.sqrt(np.mean(err**2))),
        "coverage_95": float(np.mean(np.abs(err) <= half_width)),
    }


def fit(rows: list[dict], max_features: int) -> dict:
    """Select, fit, calibrate and test; return the model document."""
    train = [r for r in rows if r["clip"]["split"] == "train" and usable(r)]
    test = [r for r in rows if r["clip"]["split"] == "test" and usable(r)]
    x = np.array([[r["values"][n] for n in FEATURE_NAMES] for r in train])
    y = np.array([r["truth_deg"] for r in train])
    bodies = np.array([r["clip"]["body"] for r in train])
    print(f"train: {len(train)} clips, {len(set(bodies))} bodies; test: {len(test)} clips", flush=True)
    cols = forward_select(x, y, bodies, max_features)
    xs = x[:, cols]
    alpha = min(ALPHAS, key=lambda a: float(np.mean(np.abs(lobo_residuals(xs, y, bodies, a)))))
    res = lobo_residuals(xs, y, bodies, alpha)
    half = conformal_half_width(res)
    coef, icpt, mu, sd = ridge_fit(xs, y, alpha)
    names = [FEATURE_NAMES[j] for j in cols]
    xt = np.array([[r["values"][n] for n in names] for r in test])
    yt = np.array([r["truth_deg"] for r in test])
    held = metrics(xt @ coef + icpt, yt, half) if len(test) else {}
    print(f"alpha {alpha}; LOBO MAE {np.mean(np.abs(res)):.2f}; half-width {half:.2f}; held-out {held}")
    return {
        "schema": "tiltscreen-tilt-model/1",
        "version": "1.0.0",
        "method": "markerless-estimate",
        "quantity": "standing ASIS-PSIS pelvic tilt, degrees, positive anterior (ASIS lower than PSIS)",
        "model": "ridge regression on standardised body-outline features (tiltscreen.kinematics.outline)",
        "features": [
            {
                "name": n,
                "definition": DEFINITIONS[n],
                "coef_deg_per_unit": float(c),
                "train_mean": float(m),
                "train_sd": float(s),
                "train_min": float(xs[:, k].min()),
                "train_max": float(xs[:, k].max()),
            }
            for k, (n, c, m, s) in enumerate(zip(names, coef, mu, sd, strict=True))
        ],
        "intercept_deg": icpt,
        "ridge_alpha": alpha,
        "extrapolation_margin": 0.25,
        "valid_output_deg": [-10.0, 45.0],
        "interval": {
            "level": 0.95,
            "kind": "split-conformal, symmetric, from leave-one-body-out residuals on the training bodies",
            "half_width_deg": half,
        },
        "residual_sd_deg": float(np.std(res, ddof=1)),
        "lobo": metrics(y + res, y, half),
        "quality_limits": QualityLimits().__dict__,
        "training_set": {
            "source": "tiltscreen-synth standing renders (anny bodies), benchmarks/tilt_dataset.py",
            "n_clips": len(train),
            "bodies": sorted({int(b) for b in bodies}),
            "tilt_range_deg": [float(y.min()), float(y.max())],
            "conditions": "arms folded, camera yaw 0-15 deg, roll 0-3 deg, both sides, 960x540, 15 fps, 2 s",
        },
        "held_out": {**held, "bodies": sorted({r["clip"]["body"] for r in test})},
        "fitted": dt.date.today().isoformat(),
    }


def main(argv: list[str] | None = None) -> int:
    """Fit and (unless ``--no-save``) write the model JSON."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path, default=CACHE)
    ap.add_argument("--max-features", type=int, default=4)
    ap.add_argument("--no-save", action="store_true")
    args = ap.parse_args(argv)
    doc = fit(load_rows(args.cache), args.max_features)
    if not args.no_save:
        MODEL_PATH.write_text(json.dumps(doc, indent=2) + "\n")
        print(f"wrote {MODEL_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
