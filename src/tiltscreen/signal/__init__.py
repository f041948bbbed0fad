"""Signal processing on :class:`~tiltscreen.landmarks.Landmarks`: pure functions, new data out.

A typical offline chain is ``gate_visibility`` -> ``fill_gaps`` ->
``butterworth_lowpass``; live display uses ``one_euro`` (or
:class:`OneEuroFilter` frame by frame). Each step is appended to the provenance.
"""

from tiltscreen.signal.butterworth import butterworth_lowpass, lowpass_points
from tiltscreen.signal.gaps import Gap, fill_gaps, find_gaps
from tiltscreen.signal.gating import gate_visibility
from tiltscreen.signal.one_euro import OneEuroFilter, one_euro

__all__ = [
    "Gap",
    "OneEuroFilter",
    "butterworth_lowpass",
    "fill_gaps",
    "find_gaps",
    "gate_visibility",
    "lowpass_points",
    "one_euro",
]
