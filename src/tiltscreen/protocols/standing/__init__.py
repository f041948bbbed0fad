"""Standing protocol: pelvic tilt (markers or outline estimate), posture descriptors, flags."""
