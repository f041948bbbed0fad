"""Agreement between tiltscreen and a clinic's reference measurements (pure statistics).

Validation papers report agreement between a new method and a reference the same way; this module gives
those figures for one metric at a time, from paired values (one tiltscreen value and one reference value per
recording):

* **Bland–Altman** bias and 95% limits of agreement with their confidence intervals, and the slope of the
  differences on the means (proportional bias) — Bland JM, Altman DG. Lancet 1986;1(8476):307-10 and
  Stat Methods Med Res 1999;8:135-60 (approximate CIs: SE of the bias ``s/sqrt(n)``, SE of each limit
  ``sqrt(3 s^2 / n)``, t with n - 1 degrees of freedom).
* **ICC(2,1)** (two-way random effects, absolute agreement, single measurement) and **ICC(3,1)** (two-way
  mixed, consistency) with 95% confidence intervals — Shrout PE, Fleiss JL. Psychol Bull 1979;86:420-8;
  computed by ``pingouin.intraclass_corr`` (its ``ICC(A,1)`` and ``ICC(C,1)``).
* **SEM** = sqrt(mean square error of the two-way ANOVA) and **MDC95** = 1.96 · sqrt(2) · SEM — Weir JP.
  J Strength Cond Res 2005;19(1):231-40.

Conventions: differences are ``tool - reference`` (positive = tiltscreen reads higher), in the metric's unit.
Pairs with a missing value on either side are dropped and counted.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from tiltscreen.errors import ValidationError

#: fewest complete pairs for which any agreement figure is computed
MIN_PAIRS = 3


@dataclass(frozen=True)
class BlandAltman:
    """Bland–Altman agreement of paired measurements (``tool - reference``).

    Attributes
    ----------
    n : int
        Complete pairs used.
    bias : float
        Mean difference.
    sd : float
        Standard deviation of the differences (n - 1 denominator).
    loa_low, loa_high : float
        ``bias -/+ z * sd`` with ``z`` = :attr:`z` (1.96 by default).
    z : float
        Multiplier of the SD used for the limits.
    bias_ci95, loa_low_ci95, loa_high_ci95 : (float, float)
        Approximate 95% confidence intervals (Bland & Altman 1999, section 2.1).
    slope : float
        Least-squares slope of the differences on the pair means (0 = no proportional bias).
    slope_p : float
        Two-sided p-value of that slope.

    """

    n: int
    bias: float
    sd: float
    loa_low: float
    loa_high: float
    z: float
    bias_ci95: tuple[float, float]
    loa_low_ci95: tuple[float, float]
    loa_high_ci95: tuple[float, float]
    slope: float
    slope_p: float


@dataclass(frozen=True)
class Reliability:
    """Intraclass correlations, SEM and MDC95 of paired measurements.

    Attributes
    ----------
    n : int
        Complete pairs (subjects or recordings) used.
    icc2_1, icc3_1 : float
        ICC(2,1) absolute agreement and ICC(3,1) consistency (Shrout & Fleiss 1979).
    icc2_1_ci95, icc3_1_ci95 : (float, float)
        Their 95% confidence intervals (as computed by pingouin).
    sem : float
        Standard error of measurement, sqrt(MSE) of the two-way ANOVA, in the metric's unit.
    mdc95 : float
        Minimal detectable change, 1.96 * sqrt(2) * SEM.

    """

    n: int
    icc2_1: float
    icc2_1_ci95: tuple[float, float]
    icc3_1: float
    icc3_1_ci95: tuple[float, float]
    sem: float
    mdc95: float


def paired(tool: ArrayLike, reference: ArrayLike) -> tuple[np.ndarray, np.ndarray, int]:
    """Return the complete pairs of two equal-length sequences and how many pairs were dropped.

    Raises
    ------
    ValidationError
        If the lengths differ, a value is not numeric, or fewer than :data:`MIN_PAIRS` complete pairs remain.

    """
    try:
        a = np.asarray(tool, dtype=np.float64).ravel()
        b = np.asarray(reference, dtype=np.float64).ravel()
    except (TypeError, ValueError) as err:
        raise ValidationError(f"agreement: values must be numbers ({err}).") from err
    if a.shape != b.shape:
        raise ValidationError(f"agreement: {a.size} tool values but {b.size} reference values.")
    keep = np.isfinite(a) & np.isfinite(b)
    if int(keep.sum()) < MIN_PAIRS:
        raise ValidationError(
            f"agreement: need at least {MIN_PAIRS} recordings with both a tool and a reference value, "
            f"got {int(keep.sum())}."
        )
    return a[keep], b[keep], int((~keep).sum())


def bland_altman(tool: ArrayLike, reference: ArrayLike, *, z: float = 1.96) -> BlandAltman:
    """Bland–Altman bias and limits of agreement of ``tool - reference``.

    Parameters
    ----------
    tool, reference : array_like, shape (n,)
        Paired values in the same unit; NaN pairs are dropped.
    z : float, default 1.96
        SD multiplier of the limits (the 1986 Lancet paper used 2).

    Returns
    -------
    BlandAltman

    Examples
    --------
    >>> r = bland_altman([10.0, 12.0, 11.0, 13.0], [9.0, 12.5, 10.0, 12.0])
    >>> round(r.bias, 3), round(r.sd, 3)
    (0.625, 0.75)

    """
    a, b, _ = paired(tool, reference)
    diff, mean = a - b, (a + b) / 2.0
    n = diff.size
    bias, sd = float(diff.mean()), float(diff.std(ddof=1))
    t = float(stats.t.ppf(0.975, n - 1))
    se_bias, se_loa = sd / math.sqrt(n), math.sqrt(3.0 * sd**2 / n)
    low, high = bias - z * sd, bias + z * sd
    if np.ptp(mean) > 0:
        fit = stats.linregress(mean, diff)
        slope, slope_p = float(fit.slope), float(fit.pvalue)
    else:
        slope, slope_p = math.nan, math.nan
    return BlandAltman(
        n=n,
        bias=bias,
        sd=sd,
        loa_low=low,
        loa_high=high,
        z=z,
        bias_ci95=(bias - t * se_bias, bias + t * se_bias),
        loa_low_ci95=(low - t * se_loa, low + t * se_loa),
        loa_high_ci95=(high - t * se_loa, high + t * se_loa),
        slope=slope,
        slope_p=slope_p,
    )


def reliability(tool: ArrayLike, reference: ArrayLike) -> Reliability:
    """ICC(2,1), ICC(3,1) with 95% CIs, SEM and MDC95 of paired measurements (two "raters").

    Parameters
    ----------
    tool, reference : array_like, shape (n,)
        Paired values in the same unit; NaN pairs are dropped.

    Returns
    -------
    Reliability

    Notes
    -----
    With identical values on every pair the ICCs are undefined; pingouin then returns NaN, kept as NaN.

    """
    a, b, _ = paired(tool, reference)
    return reliability_table(np.column_stack([a, b]))


def reliability_table(ratings: ArrayLike) -> Reliability:
    """ICCs, SEM and MDC95 of an (n subjects, k raters or methods) table without missing cells.

    Parameters
    ----------
    ratings : array_like, shape (n, k)
        One row per subject (or recording), one column per rater or method; n >= 3, k >= 2.

    Returns
    -------
    Reliability

    """
    import pandas as pd
    import pingouin as pg

    table = np.asarray(ratings, dtype=np.float64)
    if table.ndim != 2 or table.shape[0] < MIN_PAIRS or table.shape[1] < 2 or not np.isfinite(table).all():
        raise ValidationError(
            f"reliability_table: need a complete (n >= {MIN_PAIRS}, k >= 2) table, got shape {table.shape}."
        )
    n, k = table.shape
    long = pd.DataFrame(
        {
            "subject": np.repeat(np.arange(n), k),
            "rater": np.tile(np.arange(k), n),
            "value": table.ravel(),
        }
    )
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        # pingouin 0.7 calls a pandas method pandas 3.1 deprecates (harmless for the numbers), and divides
        # by a zero error mean square when the agreement is perfect (its F statistics become inf)
        warnings.simplefilter("ignore", category=RuntimeWarning)
        warnings.simplefilter("ignore", category=FutureWarning)
        warnings.simplefilter("ignore", category=DeprecationWarning)
        _ignore_pandas4(warnings)
        icc = pg.intraclass_corr(data=long, targets="subject", raters="rater", ratings="value")
    row = {str(t): r for t, r in zip(icc["Type"], icc.itertuples(index=False), strict=True)}
    a1, c1 = row["ICC(A,1)"], row["ICC(C,1)"]
    sem = math.sqrt(_mse_two_way(table))
    return Reliability(
        n=n,
        icc2_1=float(a1.ICC),
        icc2_1_ci95=(float(a1.CI95[0]), float(a1.CI95[1])),
        icc3_1=float(c1.ICC),
        icc3_1_ci95=(float(c1.CI95[0]), float(c1.CI95[1])),
        sem=sem,
        mdc95=1.96 * math.sqrt(2.0) * sem,
    )


def _ignore_pandas4(w) -> None:
    """Ignore pandas' Pandas4Warning where that class exists (pandas >= 3.1)."""
    try:
        from pandas.errors import Pandas4Warning
    except ImportError:
        return
    w.simplefilter("ignore", category=Pandas4Warning)


def _mse_two_way(table: np.ndarray) -> float:
    """Residual mean square of a two-way ANOVA without replication (subjects x raters).

    ``SS_error = SS_total - SS_subjects - SS_raters`` with ``(n - 1)(k - 1)`` degrees of freedom.
    """
    n, k = table.shape
    grand = table.mean()
    ss_total = float(((table - grand) ** 2).sum())
    ss_rows = float(k * ((table.mean(axis=1) - grand) ** 2).sum())
    ss_cols = float(n * ((table.mean(axis=0) - grand) ** 2).sum())
    return (ss_total - ss_rows - ss_cols) / ((n - 1) * (k - 1))


@dataclass(frozen=True)
class Agreement:
    """Bland–Altman and reliability figures of one comparison (one metric, one reference method).

    Attributes
    ----------
    n : int
        Complete pairs used.
    n_dropped : int
        Pairs with a missing value on either side (not used; the caller lists them).
    bland_altman : BlandAltman
    reliability : Reliability

    """

    n: int
    n_dropped: int
    bland_altman: BlandAltman
    reliability: Reliability


def agreement(tool: ArrayLike, reference: ArrayLike, *, z: float = 1.96) -> Agreement:
    """Return all the agreement figures validation papers report, from paired values.

    Parameters
    ----------
    tool, reference : array_like, shape (n,)
        Paired values in the same unit; pairs with a NaN are dropped and counted.
    z : float, default 1.96
        SD multiplier of the limits of agreement.

    Returns
    -------
    Agreement

    Raises
    ------
    ValidationError
        Fewer than :data:`MIN_PAIRS` complete pairs, different lengths or non-numeric values.

    Examples
    --------
    >>> a = agreement([10.0, 12.0, 11.0, 13.0, np.nan], [9.0, 12.5, 10.0, 12.0, 11.0])
    >>> a.n, a.n_dropped, round(a.bland_altman.bias, 3)
    (4, 1, 0.625)

    """
    a, b, dropped = paired(tool, reference)
    return Agreement(
        n=a.size, n_dropped=dropped, bland_altman=bland_altman(a, b, z=z), reliability=reliability(a, b)
    )
