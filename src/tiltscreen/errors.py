"""Specific exceptions for tiltscreen.

Every error a user can cause derives from :class:`TiltscreenError` and carries a
plain sentence meant for that user; the CLI turns it into a message and an exit
code (see :mod:`tiltscreen.cli.main`), never a traceback.
"""

from __future__ import annotations


class TiltscreenError(Exception):
    """Base class; ``str(err)`` is one plain sentence for the user."""

    #: process exit code used by the CLI for this kind of error
    exit_code: int = 1


class InputError(TiltscreenError):
    """The input cannot be used at all (missing, wrong type, unreadable)."""

    exit_code = 2


class InputNotFoundError(InputError):
    """A file, folder or camera that does not exist."""


class UnsupportedInputError(InputError):
    """A path that is not a video, an image folder, a camera index or a stream URL."""


class CorruptVideoError(InputError):
    """A file that looks like a video but cannot be decoded."""


class EmptyVideoError(InputError):
    """A video or folder that holds no frame."""


class CameraUnavailableError(InputError):
    """A camera index or stream URL that cannot be opened."""


class SourceInterruptedError(TiltscreenError):
    """A source stopped mid-way (stream ended, camera unplugged, truncated file).

    Raised by a frame iterator *after* the frames it could read were yielded, so
    what was already processed is kept by the caller.
    """

    exit_code = 4

    def __init__(self, message: str, *, frames_read: int) -> None:
        super().__init__(message)
        self.frames_read = frames_read


class StoppedEarlyError(TiltscreenError):
    """A job ended before the end of its source; what was processed was saved.

    Raised by the command line after the results were written, so the exit code says that
    they cover only part of the recording.
    """

    exit_code = 4


class StoppedByUserError(StoppedEarlyError):
    """Ctrl-C stopped a job; what was processed was saved."""

    exit_code = 130


class NotThisProtocolError(InputError):
    """The recording does not show the test it was analysed as (its summary says what was expected)."""


class ModelError(TiltscreenError):
    """The pose model bundle is missing, corrupt or fails its checksum."""

    exit_code = 3


class ModelNotFoundError(ModelError):
    """No model bundle at any of the places looked in."""


class ModelChecksumError(ModelError):
    """A model bundle whose SHA-256 differs from the recorded one."""


class NoPersonError(TiltscreenError):
    """No person was found in (enough of) the recording."""

    exit_code = 5


class ValidationError(TiltscreenError, ValueError):
    """Data handed to a computation does not have the expected shape or values."""
