"""Render a named set of synthetic clips (``tiltscreen-synth``), skipping clips already rendered.

Each set is a fixed list of clips (name, scene, seed, options) defined in ``sets_dev.py`` /
``sets_heldout.py`` and written to its own folder with ``<name>.mp4`` + ``<name>.json`` (ground truth), a
``manifest.csv`` (one row per clip: every varying option, what the render actually used, and the exact
``tiltscreen-synth`` command) and a ``README.md``. Renders only: nothing here runs the screening tool.

Run in the synth environment, with this repository's sources first on the path::

    PYTHONPATH=src PYOPENGL_PLATFORM=osmesa ANNY_CACHE_DIR=/work/cache/anny \\
        /work/venv-synth/bin/python benchmarks/datasets/make_sets.py standing_v0 [--root /work/cache] [--list]

Renders take the shared lock ``LOCK`` (``--lock``, default ``/work/cache/render.lock`` when it exists;
the same ``flock(2)`` lock as ``flock LOCK command``) so that renders from several users run one at a time;
the lock is held for a batch of clips of about ``--batch-seconds`` (default 150 s) and then released, so that
other users' renders get their turn. A requested ``--distance-m`` that is too close for the framing margin is
retried with automatic framing; the manifest records the distance actually used.
``--manifest-only`` writes the manifest and README without rendering (used for held-out sets designed ahead).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import fcntl
import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sets_common import Clip, RenderSet  # noqa: E402
from sets_dev import DEV_SETS  # noqa: E402
from sets_heldout import HELDOUT_SETS  # noqa: E402

SETS: dict[str, RenderSet] = {**DEV_SETS, **HELDOUT_SETS}
DEFAULT_LOCK = Path("/work/cache/render.lock")


def command(clip: Clip, out_dir: Path, *, auto_distance: bool = False) -> list[str]:
    """The ``tiltscreen-synth`` command line of one clip (options in insertion order)."""
    cmd = ["tiltscreen-synth", clip.scene, "--out", str(out_dir / clip.name), "--seed", str(clip.seed)]
    for key, value in clip.options.items():
        if auto_distance and key == "distance-m":
            continue
        if value is True:
            cmd.append(f"--{key}")
        elif value is not False and value is not None:
            cmd += [f"--{key}", str(value)]
    return cmd


def _run(cmd: list[str], lock: Path | None) -> subprocess.CompletedProcess:
    """Run one render (the caller holds the lock)."""
    argv = [sys.executable, "-m", "tiltscreen.synth.cli", *cmd[1:]]
    env = {**os.environ}
    env.setdefault("PYOPENGL_PLATFORM", "osmesa")
    return subprocess.run(argv, capture_output=True, text=True, env=env, check=False)


def render_clip(clip: Clip, out_dir: Path, lock: Path | None) -> dict[str, str]:
    """Render one clip (retrying with automatic framing if the requested distance is too close)."""
    cmd = command(clip, out_dir)
    started = time.monotonic()
    done = _run(cmd, lock)
    note = ""
    if done.returncode != 0 and "distance_m" in done.stderr and "needs at least" in done.stderr:
        note = "requested distance too close for the margin: automatic framing"
        cmd = command(clip, out_dir, auto_distance=True)
        done = _run(cmd, lock)
    if done.returncode != 0:
        raise RuntimeError(f"{clip.name}: render failed ({done.returncode}): {done.stderr.strip()[-800:]}")
    print(f"{clip.name}: {time.monotonic() - started:.0f} s {note}", flush=True)
    return {"command": shlex.join(cmd), "framing_note": note}


def _rendered(out_dir: Path, clip: Clip) -> dict | None:
    js = out_dir / f"{clip.name}.json"
    videos = [out_dir / f"{clip.name}{suffix}" for suffix in (".mp4", ".avi", ".webm")]
    if not (js.exists() and any(v.exists() for v in videos)):
        return None
    return json.loads(js.read_text())


def manifest_rows(rset: RenderSet, out_dir: Path, commands: dict[str, dict[str, str]]) -> list[dict]:
    """One row per clip: name, scene, seed, every option of the set, what the render used, the command."""
    keys: list[str] = []
    for clip in rset.clips:
        keys += [k for k in clip.options if k not in keys]
    rows = []
    for clip in rset.clips:
        gt = _rendered(out_dir, clip)
        info = commands.get(clip.name) or _previous(out_dir, clip.name)
        row = {"name": clip.name, "scene": clip.scene, "seed": clip.seed}
        row.update({k: _cell(clip.options.get(k)) for k in keys})
        row.update(clip.derived)
        row["rendered"] = "yes" if gt else "no"
        cam = (gt or {}).get("camera", {})
        row["distance_m_used"] = cam.get("distance_m", "")
        row["n_frames"] = (gt or {}).get("n_frames", "")
        row["render_seconds"] = (gt or {}).get("render_seconds", "")
        row["framing_note"] = info.get("framing_note", "")
        row["command"] = info.get("command") or shlex.join(command(clip, out_dir))
        rows.append(row)
    return rows


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _previous(out_dir: Path, name: str) -> dict[str, str]:
    path = out_dir / "manifest.csv"
    if not path.exists():
        return {}
    with path.open(newline="") as fh:
        for row in csv.DictReader(fh):
            if row["name"] == name and row.get("rendered") == "yes":
                return {"command": row["command"], "framing_note": row.get("framing_note", "")}
    return {}


def write_manifest(
    rset: RenderSet, out_dir: Path, commands: dict[str, dict[str, str]], note: str | None = None
) -> None:
    """Write ``manifest.csv`` and ``README.md`` of a set (``note``: an extra README paragraph, kept)."""
    rows = manifest_rows(rset, out_dir, commands)
    tmp = out_dir / "manifest.csv.tmp"
    with tmp.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    tmp.replace(out_dir / "manifest.csv")
    done = sum(r["rendered"] == "yes" for r in rows)
    secs = sum(float(r["render_seconds"] or 0) for r in rows)
    readme = out_dir / "README.md"
    note_file = out_dir / ".note"
    if note:
        note_file.write_text(note)
    text = rset.readme(out_dir, done=done, total=len(rows), seconds=secs)
    if note_file.exists():
        text += "\n" + note_file.read_text().strip() + "\n"
    readme.write_text(text)


def main(argv: list[str] | None = None) -> int:
    """Render the missing clips of one named set and (re)write its manifest and README."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("set_name", choices=sorted(SETS))
    p.add_argument("--root", type=Path, default=Path("/work/cache"), help="sets go to ROOT/<set folder>")
    p.add_argument("--lock", type=Path, default=DEFAULT_LOCK if DEFAULT_LOCK.exists() else None)
    p.add_argument("--list", action="store_true", help="print the commands and stop")
    p.add_argument("--manifest-only", action="store_true", help="write manifest/README, render nothing")
    p.add_argument("--only", default=None, help="comma-separated clip names to render")
    p.add_argument("--batch-seconds", type=float, default=150.0, help="hold the lock about this long")
    p.add_argument("--note", default=None, help="extra line for the README (e.g. the generator commit)")
    a = p.parse_args(argv)
    rset = SETS[a.set_name]
    out_dir = a.root / rset.folder
    if a.list:
        for clip in rset.clips:
            print(shlex.join(command(clip, out_dir)))
        return 0
    out_dir.mkdir(parents=True, exist_ok=True)
    commands: dict[str, dict[str, str]] = {}
    wanted = set(a.only.split(",")) if a.only else None
    todo = [c for c in rset.clips if _rendered(out_dir, c) is None and (not wanted or c.name in wanted)]
    while todo and not a.manifest_only:
        with held(a.lock):
            started = time.monotonic()
            while todo and time.monotonic() - started < a.batch_seconds:
                clip = todo.pop(0)
                try:
                    commands[clip.name] = render_clip(clip, out_dir, a.lock)
                except RuntimeError as err:  # record it and go on with the other clips
                    print(err, flush=True)
                    last = str(err).strip().splitlines()[-1][:300]
                    commands[clip.name] = {
                        "command": shlex.join(command(clip, out_dir)),
                        "framing_note": last,
                    }
                write_manifest(rset, out_dir, commands)
    write_manifest(rset, out_dir, commands, note=a.note)
    return 0


@contextlib.contextmanager
def held(lock: Path | None):
    """Hold the exclusive ``flock(2)`` lock on ``lock`` (nothing if None)."""
    if lock is None:
        yield
        return
    with open(lock, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


if __name__ == "__main__":
    sys.exit(main())
