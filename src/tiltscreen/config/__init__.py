"""Packaged configuration files (model manifest, thresholds)."""
