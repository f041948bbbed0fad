"""Runners: the one extraction path and the jobs that write results (above the protocols).

Entry points the command line, the app and the batch runner call:

* :func:`tiltscreen.run.extract.read_pose` with :class:`~tiltscreen.config.options.ExtractOptions`:
  a recording or a camera to one subject's landmarks (the model verified the same way everywhere);
* :func:`tiltscreen.run.landmarks.run_landmarks`: ``tiltscreen landmarks``;
* :func:`tiltscreen.run.recording.extract`: a :class:`~tiltscreen.protocols.recording.Recording`
  for the analyses;
* :func:`tiltscreen.run.analyze.run_protocol`: ``tiltscreen analyze`` for one protocol, writing
  the result folder and returning its summary.
"""
