"""One entry point per export format, taking loaded results: what ``tiltscreen export`` (and batch) call.

>>> sorted(FORMATS)
['bids', 'csv', 'nwb', 'trc']
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tiltscreen.errors import TiltscreenError, ValidationError
from tiltscreen.export.results import RecordingResult

FORMATS = ("nwb", "trc", "bids", "csv")
#: modules each format needs beyond the core install (the ``research`` extra)
_NEEDS = {"csv": ("pandas",), "nwb": ("pynwb", "ndx_pose"), "trc": (), "bids": ()}


class MissingExtraError(TiltscreenError):
    """An export needs a package of the ``research`` extra that is not installed."""


def require(fmt: str) -> None:
    """Check that the packages ``fmt`` needs are importable.

    Raises
    ------
    ValidationError
        Unknown format.
    MissingExtraError
        A needed package is missing (the message names the install command).

    """
    if fmt not in FORMATS:
        raise ValidationError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}.")
    for module in _NEEDS[fmt]:
        try:
            importlib.import_module(module)
        except ImportError:
            raise MissingExtraError(
                f"The {fmt} export needs {module}: install it with pip install 'tiltscreen[research]'."
            ) from None


@dataclass(frozen=True)
class ExportOptions:
    """Options shared by the formats (each uses those that apply to it).

    Attributes
    ----------
    subject_ids : sequence of str or None
        One subject ID per recording (NWB subject, BIDS ``sub-`` label); default the recording IDs.
    session : str or None
        BIDS session label for every recording.
    session_start : datetime or None
        NWB session start time (naive = UTC); default the video's creation time, else a placeholder.
    video_dir : path or None
        Where to look for the input videos by name (SHA-256, creation time).
    table_formats : tuple of str
        ``csv`` and/or ``parquet`` for the tidy tables.

    """

    subject_ids: Sequence[str] | None = None
    session: str | None = None
    session_start: dt.datetime | None = None
    video_dir: str | os.PathLike[str] | None = None
    table_formats: tuple[str, ...] = ("csv", "parquet")


def export_results(
    recs: Sequence[RecordingResult], fmt: str, out_dir: str | os.PathLike[str], options: ExportOptions
) -> list[Path]:
    """Export loaded recordings in format ``fmt`` into ``out_dir``; return the files written.

    ``nwb``: one ``<recording_id>.nwb`` per recording (:func:`tiltscreen.export.nwb.export_nwb`);
    ``trc``: ``<recording_id>_px.trc``, ``_m.trc``, ``_angles.mot``, ``_opensim.json`` per recording
    (:func:`tiltscreen.export.opensim.export_trc`); ``bids``: one dataset
    (:func:`tiltscreen.export.bids.export_bids`);
    ``csv``: the tidy tables (:func:`tiltscreen.export.tabular.export_tables`).

    Raises
    ------
    ValidationError
        No recording, unknown format, or a subject ID count that does not match.
    MissingExtraError
        The format's packages are not installed.

    """
    require(fmt)
    if not recs:
        raise ValidationError("Nothing to export: no recording was loaded.")
    ids = list(options.subject_ids) if options.subject_ids is not None else None
    if ids is not None and len(ids) != len(recs):
        raise ValidationError(f"{len(ids)} subject IDs given for {len(recs)} recordings.")
    out = Path(out_dir)
    if fmt == "csv":
        from tiltscreen.export.tabular import export_tables

        return list(
            export_tables(recs, out, formats=options.table_formats, video_dir=options.video_dir).values()
        )
    if fmt == "bids":
        from tiltscreen.export.bids import export_bids

        files = export_bids(recs, out, subjects=ids, session=options.session)
        return [out / "dataset_description.json", *[p for ps in files.values() for p in ps]]
    written: list[Path] = []
    for i, rec in enumerate(recs):
        if fmt == "nwb":
            from tiltscreen.export.nwb import export_nwb

            sid = ids[i] if ids else None
            target = out / f"{rec.recording_id}.nwb"
            written.append(
                export_nwb(
                    rec, target, subject_id=sid, start=options.session_start, video_dir=options.video_dir
                )
            )
        else:
            from tiltscreen.export.opensim import export_trc

            written.extend(export_trc(rec, out).values())
    return written
