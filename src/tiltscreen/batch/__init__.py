"""Many recordings at once: ``tiltscreen batch`` (docs/batch.md).

- :mod:`~tiltscreen.batch.inputs`: folders, globs and manifests → videos and their options;
- :mod:`~tiltscreen.batch.tasks`: one task per video and the key that says it is done;
- :mod:`~tiltscreen.batch.store`: the folder layout and the per-video record (the commit point);
- :mod:`~tiltscreen.batch.probe`: ``--protocol auto``;
- :mod:`~tiltscreen.batch.worker`: one video through ``tiltscreen analyze``'s own path;
- :mod:`~tiltscreen.batch.executors`: in-process, a local process pool, or Dask;
- :mod:`~tiltscreen.batch.table`: the results and errors tables;
- :mod:`~tiltscreen.batch.runner`: the whole run.
"""
