"""Tell a Ctrl-C from a source that stopped by itself.

The frame loops keep what they processed whether the source ran dry or the user pressed
Ctrl-C, and report both as an interruption. The exit code differs (4 and 130), so the jobs
watch SIGINT while they read frames: :class:`CtrlCWatch` notes the key press and then raises
:class:`KeyboardInterrupt` exactly as Python's own handler does.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType, TracebackType
from typing import Any


class CtrlCWatch:
    """Context manager: ``pressed`` is True once Ctrl-C (SIGINT) arrived while it was active.

    Outside the main thread, or where SIGINT is ignored (a process started in the background
    by a shell), nothing is installed and ``pressed`` stays False. The previous handler is
    restored on exit.

    Examples
    --------
    >>> with CtrlCWatch() as watch:
    ...     pass
    >>> watch.pressed
    False

    """

    def __init__(self) -> None:
        self.pressed = False
        self._previous: Any = None

    def __enter__(self) -> CtrlCWatch:
        if threading.current_thread() is not threading.main_thread():
            return self
        previous = signal.getsignal(signal.SIGINT)
        if previous is None or previous is signal.SIG_IGN:
            return self
        self._previous = previous
        signal.signal(signal.SIGINT, self._on_sigint)
        return self

    def _on_sigint(self, signum: int, frame: FrameType | None) -> None:
        self.pressed = True
        raise KeyboardInterrupt

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None
