"""Screening: thresholds, norms and flags for a clinician's review."""
