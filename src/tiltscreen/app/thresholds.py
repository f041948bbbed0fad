"""The thresholds the app reads, from where the package keeps them (``config``; before, ``screening``)."""

try:
    from tiltscreen.config.thresholds import Thresholds, load_thresholds
except ImportError:  # the layout before the config layer
    from tiltscreen.screening.thresholds import Thresholds, load_thresholds

__all__ = ["Thresholds", "load_thresholds"]
