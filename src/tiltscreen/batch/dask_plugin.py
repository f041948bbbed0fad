"""The Dask worker plugin that prepares each worker once (imported only with ``--executor dask``)."""

from __future__ import annotations

from distributed import WorkerPlugin


class WarmWorker(WorkerPlugin):
    """Run :func:`tiltscreen.batch.worker.warm` when a worker starts (or joins later).

    The model is located on the worker (``--model`` as given, else the worker's own lookup:
    ``$TILTSCREEN_MODEL``, the checkout's ``models/``, the user cache).
    """

    def __init__(self, model: str | None = None) -> None:
        self.model = model

    def setup(self, worker) -> None:
        """Prepare the worker's process (imports, model hash, MediaPipe start-up)."""
        from tiltscreen.batch.worker import warm

        warm(self.model)
