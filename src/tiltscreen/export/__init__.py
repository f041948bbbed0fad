"""Research export and agreement studies (the apps layer; needs the ``research`` extra for most formats).

Modules
-------
results
    The one adapter reading saved results folders (``summary.json`` typed, the landmark table loaded).
angles
    Per-frame angles recomputed from the saved landmarks as each protocol computes them.
tidy, tabular, dictionary
    Tidy tables (landmarks, angles, events, metrics) as CSV/Parquet; provenance sidecar, data dictionary.
nwb
    NWB files with ndx-pose (``PoseEstimation`` in ``behavior``), loadable by pynwb and movement.
opensim
    2-D OpenSim ``.trc`` (px, m) and angles ``.mot``, laid out as Sports2D's.
bids, bids_channels
    A BIDS 1.11 motion dataset.
formats
    One entry point per format (:func:`~tiltscreen.export.formats.export_results`), for the CLI and batch.
provenance
    Versions, hashes, parameters and the input video's SHA-256.
agreement, agreement_study, agreement_report, agreement_plot
    Bland–Altman, ICC(2,1)/(3,1), SEM, MDC95 against a clinic's reference CSV, with the report and plots.

Nothing is imported here, so ``import tiltscreen.export`` needs no optional package.
"""
