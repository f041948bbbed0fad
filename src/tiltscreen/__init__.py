"""tiltscreen: camera-based screening of pelvic tilt and sit-and-reach, for a clinician's review."""

__version__ = "0.1.0"
