"""Where the videos run: in this process, in a local process pool, or on a Dask cluster.

Every executor runs :func:`tiltscreen.batch.worker.process_task` on each task and yields the
records as the videos finish (in any order). Workers prepare once (:func:`~tiltscreen.batch.worker.warm`):
a pool's initializer, a Dask worker plugin.

Ctrl-C: pool workers ignore SIGINT (the terminal sends it to the whole process group), so
only this process sees it; it cancels what has not started, stops the workers and lets the
caller write the tables of what finished. A video cut short leaves a folder without a record,
which a rerun analyses again.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from tiltscreen.batch.store import Record, write_record
from tiltscreen.batch.tasks import VideoTask
from tiltscreen.batch.worker import process_task, warm, worker_name
from tiltscreen.errors import TiltscreenError


class SchedulerError(TiltscreenError):
    """The Dask scheduler cannot be reached, or Dask is not installed."""


@dataclass(frozen=True)
class ExecutorSpec:
    """How to run the tasks: ``local`` with ``jobs`` processes (1 = in this process), or ``dask``."""

    kind: str = "local"
    jobs: int = 1
    scheduler: str | None = None
    model: str | None = None


def lost(task: VideoTask, why: str) -> Record:
    """Return the ``error`` record of a task whose worker died (written to its folder)."""
    record = Record(
        key=task.key,
        recording_id=task.recording_id,
        input=task.input,
        content_sha256=task.content_sha256,
        protocol_requested=task.protocol,
        protocol=None,
        status="error",
        has_summary=False,
        error_type="WorkerLost",
        message=f"The worker analysing this video stopped unexpectedly ({why}); run the batch again.",
        worker=worker_name(),
        subject=task.subject,
        session=task.session,
    )
    task.folder.mkdir(parents=True, exist_ok=True)
    write_record(task.folder, record)
    return record


def run_serial(tasks: Sequence[VideoTask], model: str | None) -> Iterator[Record]:
    """One video after the other in this process (Ctrl-C raises KeyboardInterrupt between or inside)."""
    if tasks:
        warm(model)
    for task in tasks:
        yield process_task(task)


def _pool_init(model: str | None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    warm(model)


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and stop the workers now (their videos get no record)."""
    pool.shutdown(wait=False, cancel_futures=True)
    for child in multiprocessing.active_children():
        child.terminate()
    for child in multiprocessing.active_children():
        child.join(timeout=5)


def run_pool(tasks: Sequence[VideoTask], jobs: int, model: str | None) -> Iterator[Record]:
    """``jobs`` worker processes (spawned, so no state is inherited); records as videos finish."""
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(jobs, mp_context=context, initializer=_pool_init, initargs=(model,))
    try:
        pending: dict[Future[Record], VideoTask] = {pool.submit(process_task, t): t for t in tasks}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                task = pending.pop(fut)
                try:
                    yield fut.result()
                except BrokenProcessPool as err:
                    yield lost(task, str(err) or "process pool broken")
    except (KeyboardInterrupt, GeneratorExit):
        _stop_pool(pool)
        raise
    pool.shutdown(wait=True)


def run_dask(tasks: Sequence[VideoTask], scheduler: str, model: str | None) -> Iterator[Record]:
    """Submit every task to the Dask scheduler at ``scheduler``; records as videos finish.

    Raises
    ------
    SchedulerError
        If ``dask.distributed`` is not installed or the scheduler cannot be reached.

    """
    try:
        from distributed import Client, as_completed
    except ImportError as err:
        raise SchedulerError(
            "--executor dask needs Dask: pip install 'tiltscreen[batch]' (dask[distributed])."
        ) from err
    from tiltscreen.batch.dask_plugin import WarmWorker

    try:
        client = Client(scheduler, timeout="20s")
    except (OSError, TimeoutError) as err:
        raise SchedulerError(f"The Dask scheduler {scheduler} cannot be reached ({err}).") from err
    try:
        client.register_plugin(WarmWorker(model), name="tiltscreen-warm")
        futures = {
            client.submit(process_task, t, pure=False, key=f"tiltscreen-{t.recording_id}-{t.key[:16]}"): t
            for t in tasks
        }
        try:
            for fut in as_completed(list(futures)):
                yield _dask_result(fut, futures[fut])
        except (KeyboardInterrupt, GeneratorExit):
            client.cancel(list(futures))
            raise
    finally:
        client.close()


def _dask_result(fut, task: VideoTask) -> Record:
    """Return the record a Dask future holds (``error`` when its worker died)."""
    from distributed import KilledWorker

    try:
        return fut.result()
    except KilledWorker as err:
        return lost(task, str(err))
    except OSError as err:  # connection lost to the worker or the scheduler
        return lost(task, str(err))


def run_tasks(tasks: Sequence[VideoTask], spec: ExecutorSpec) -> Iterator[Record]:
    """Dispatch to the executor of ``spec``."""
    if spec.kind == "dask":
        if not spec.scheduler:
            raise SchedulerError("--executor dask needs --scheduler tcp://HOST:PORT.")
        return run_dask(tasks, spec.scheduler, spec.model)
    if spec.jobs <= 1:
        return run_serial(tasks, spec.model)
    return run_pool(tasks, spec.jobs, spec.model)
