"""Frame sources: video files, image folders, cameras and streams as RGB frames.

>>> from tiltscreen.sources import open_source
>>> with open_source("clip.mp4", max_side=960) as source:  # doctest: +SKIP
...     for frame in source:
...         ...
"""

from tiltscreen.sources.dispatch import open_source
from tiltscreen.sources.frame import Frame, SourceInfo
from tiltscreen.sources.reader import FrameBackend, FrameSource

__all__ = ["Frame", "FrameBackend", "FrameSource", "SourceInfo", "open_source"]
