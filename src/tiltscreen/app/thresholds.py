"""The thresholds the app reads (the packaged file, parsed once by :mod:`tiltscreen.config.thresholds`)."""

from tiltscreen.config.thresholds import Thresholds, load_thresholds

__all__ = ["Thresholds", "load_thresholds"]
