"""Speed and memory benchmark of the landmarks job (``tiltscreen landmarks``).

Prints figures; it is not a test and asserts nothing. Every target is a ratio between
measurements taken in the same run, so a slow or busy machine moves both sides alike.
Repeat counts are small because the pose model is slow on 2 cores; medians are quoted
with the range (min-max) of the repeats.

Parts (``--parts``, comma-separated; default all but ``memory``):

decode
    ``open_source(video, max_side=960)`` iterated to the end: container decode, reader
    thread, downscale and BGR->RGB, in this process. Frames/s.
inference
    The same frames decoded into memory first, then fed to
    ``VideoPoseEstimator.detect`` in a loop (a fresh estimator per repeat; model load and
    the first call are not timed), asking MediaPipe for one pose (the reference of target
    1) and, for comparison, for two. Frames/s.
e2e
    ``tiltscreen landmarks VIDEO --out DIR -q`` as a separate process (no annotated
    video), on the demo and on the demo looped ``--loops`` times (stream copy, same
    decode cost per frame). Whole-process frames/s (start-up, model load, saving
    included), and the steady-state frames/s derived from the two lengths:
    ``(N_long - N_short) / (T_long - T_short)``.
    Target 1: steady-state e2e fps >= 0.9 x inference-only fps with one pose.
parallel
    One ``tiltscreen landmarks`` process alone on the looped clip, then two at once (one
    on the clip, one on a copy). Target 2: throughput of the pair >= 1.6 x one alone.
memory
    Peak resident memory (``ru_maxrss`` of the child, from ``os.wait4``) of
    ``tiltscreen landmarks`` on a 10-second and a 10-minute H.264 clip (960 px wide,
    30 fps) made by looping the demo with ffmpeg. Target 3: 10-min peak <= 10-s peak +
    ~50 MiB. The 10-minute run takes several minutes.

Videos are made once in a cache folder outside the repository (``--cache``, default
``$TILTSCREEN_BENCH_CACHE`` or ``~/.cache/tiltscreen-bench``); the demo itself is the
public Sports2D demo video (fetched by ``tests/fixtures/videos.py`` with ``pip download``).

Results are merged into ``benchmarks/results/landmarks_speed.json`` (a part run again
replaces that part only) and rendered to ``landmarks_speed.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # for tests.fixtures.videos (demo video, ffmpeg binary)

from tests.fixtures.videos import demo_multi_person, ffmpeg_exe, run_ffmpeg  # noqa: E402

RESULTS = REPO / "benchmarks" / "results"
ALL_PARTS = ("decode", "inference", "e2e", "parallel", "memory")
DEFAULT_PARTS = ("decode", "inference", "e2e", "parallel")
MIB = 1024 * 1024


# -- helpers --------------------------------------------------------------------------


def stats(values: list[float]) -> dict[str, float | list[float]]:
    """Median, range and all values (rounded) of a list of measurements."""
    return {
        "median": round(statistics.median(values), 3),
        "min": round(min(values), 3),
        "max": round(max(values), 3),
        "values": [round(v, 3) for v in values],
    }


def tiltscreen_exe() -> str:
    """The ``tiltscreen`` console script installed beside this Python."""
    found = Path(sys.executable).parent / "tiltscreen"
    return str(found) if found.exists() else (shutil.which("tiltscreen") or "tiltscreen")


def start_cli(video: Path, out_dir: Path, max_side: int) -> tuple[subprocess.Popen, float]:
    """Start ``tiltscreen landmarks`` (quiet, no annotated video); return the process and start time."""
    cmd = [
        tiltscreen_exe(),
        "landmarks",
        str(video),
        "--out",
        str(out_dir),
        "-q",
        "--max-side",
        str(max_side),
    ]
    t0 = time.perf_counter()
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE), t0


def finish_cli(proc: subprocess.Popen, t0: float, out_dir: Path) -> dict[str, float]:
    """Wait for one child with ``os.wait4`` (its own rusage); return wall, CPU, peak RSS, frames."""
    stderr = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(
            f"tiltscreen landmarks failed ({proc.returncode}): {stderr.decode(errors='replace')}"
        )
    frames = json.loads((out_dir / "summary.json").read_text())["frames"]
    cpu = usage.ru_utime + usage.ru_stime
    calls = None
    sidecar = out_dir / "landmarks.json"
    if sidecar.exists():
        for step in json.loads(sidecar.read_text())["metadata"].get("provenance", []):
            if step.get("step") == "pose_landmarker":
                calls = step["params"].get("landmarker_calls")
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "cores_used": cpu / wall,
        "max_rss_mib": usage.ru_maxrss * 1024 / MIB,  # Linux reports KiB
        "frames": frames,
        "fps": frames / wall,
        "landmarker_calls": calls,
    }


def run_cli(video: Path, max_side: int) -> dict[str, float]:
    """Run ``tiltscreen landmarks`` once in a scratch folder and measure it."""
    with tempfile.TemporaryDirectory(prefix="tiltscreen-bench-") as tmp:
        proc, t0 = start_cli(video, Path(tmp), max_side)
        return finish_cli(proc, t0, Path(tmp))


def load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages (other work on the machine shows here)."""
    return [round(x, 2) for x in os.getloadavg()]


# -- videos ---------------------------------------------------------------------------


def make_looped_copy(demo: Path, cache: Path, loops: int) -> Path:
    """The demo played ``loops`` times in a row, stream-copied (same codec and size)."""
    target = cache / f"demo_x{loops}{demo.suffix}"
    if not target.exists():
        part = target.with_name(target.stem + ".part" + target.suffix)
        run_ffmpeg("-stream_loop", str(loops - 1), "-i", str(demo), "-map", "0:v:0", "-c", "copy", str(part))
        part.replace(target)
    return target


def make_h264_clip(demo: Path, cache: Path, seconds: int, width: int = 960, fps: int = 30) -> Path:
    """The demo looped to ``seconds``, re-encoded H.264 at ``width`` px wide and ``fps``."""
    target = cache / f"demo_{seconds}s_{width}.mp4"
    if not target.exists():
        part = target.with_name(target.stem + ".part.mp4")
        run_ffmpeg(
            "-stream_loop", "-1", "-i", str(demo), "-t", str(seconds), "-an",
            "-vf", f"scale={width}:-2,fps={fps}", "-c:v", "libx264", "-preset", "veryfast", "-crf", "23",
            "-pix_fmt", "yuv420p", str(part),
        )  # fmt: skip
        part.replace(target)
    return target


# -- parts ----------------------------------------------------------------------------


def decode_frames(video: Path, max_side: int) -> tuple[list, float]:
    """Decode every frame as the job does (reader thread, downscale, RGB); return frames and seconds."""
    from tiltscreen.sources import open_source

    t0 = time.perf_counter()
    with open_source(str(video), max_side=max_side) as source:
        frames = list(source)
    return frames, time.perf_counter() - t0


def decode_fps(video: Path, max_side: int) -> tuple[float, float]:
    """Frames/s and CPU ms/frame (all threads) of decoding alone (frames are dropped as they come)."""
    from tiltscreen.sources import open_source

    n = 0
    t0, c0 = time.perf_counter(), time.process_time()
    with open_source(str(video), max_side=max_side) as source:
        for _ in source:
            n += 1
    return n / (time.perf_counter() - t0), 1000 * (time.process_time() - c0) / n


def inference_fps(frames: list, model: Path, people: int = 1) -> tuple[float, float]:
    """Frames/s and CPU ms/frame of ``VideoPoseEstimator.detect`` on frames in memory (first call untimed)."""
    from tiltscreen.pose.estimator import PoseOptions, VideoPoseEstimator, quiet_native_stderr

    options = PoseOptions(model_path=model, max_people=people)
    with quiet_native_stderr(), VideoPoseEstimator(options) as estimator:
        estimator.detect(frames[0].rgb, frames[0].timestamp_s)
        t0, c0 = time.perf_counter(), time.process_time()
        for frame in frames[1:]:
            estimator.detect(frame.rgb, frame.timestamp_s)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return (len(frames) - 1) / wall, 1000 * cpu / (len(frames) - 1)


def part_speed(args: argparse.Namespace, parts: set[str], demo: Path, looped: Path) -> dict[str, dict]:
    """Decode, inference and e2e, interleaved repeat by repeat so drift hits all alike."""
    from tiltscreen.pose.model_store import locate_model

    model = locate_model(None)
    frames = decode_frames(demo, args.max_side)[0] if "inference" in parts else []
    dec, inf, inf_cpu, short, long_, steady, steady_cpu, startup = [], [], [], [], [], [], [], []
    inf2, calls, dec_cpu = [], {}, []
    for r in range(args.repeats):
        if "decode" in parts:
            fps, cpu_ms = decode_fps(demo, args.max_side)
            dec.append(fps)
            dec_cpu.append(cpu_ms)
        if "inference" in parts:
            fps, cpu_ms = inference_fps(frames, model)
            inf.append(fps)
            inf_cpu.append(cpu_ms)
            inf2.append(inference_fps(frames, model, people=2)[0])
        if "e2e" in parts:
            a = run_cli(demo, args.max_side)
            b = run_cli(looped, args.max_side)
            calls = {demo.name: a.pop("landmarker_calls"), looped.name: b.pop("landmarker_calls")}
            short.append(a)
            long_.append(b)
            rate = (b["frames"] - a["frames"]) / (b["wall_s"] - a["wall_s"])
            steady.append(rate)
            steady_cpu.append(1000 * (b["cpu_s"] - a["cpu_s"]) / (b["frames"] - a["frames"]))
            startup.append(a["wall_s"] - a["frames"] / rate)
        print(f"  repeat {r + 1}/{args.repeats} done (load {load_average()[0]})", flush=True)
    del frames
    out: dict[str, dict] = {}
    if dec:
        out["decode"] = {
            "video": demo.name,
            "max_side": args.max_side,
            "fps": stats(dec),
            "cpu_ms_per_frame": stats(dec_cpu),
        }
    if inf:
        out["inference"] = {
            "video": demo.name,
            "max_side": args.max_side,
            "poses": 1,
            "fps": stats(inf),
            "cpu_ms_per_frame": stats(inf_cpu),
            "fps_two_poses": stats(inf2),
        }
    if short:
        out["e2e"] = {
            "short": summarise_runs(demo, short),
            "long": summarise_runs(looped, long_),
            "steady_fps": stats(steady),
            "steady_cpu_ms_per_frame": stats(steady_cpu),
            "startup_s": stats(startup),
            "landmarker_calls": calls,
        }
        if inf:
            out["e2e"]["target"] = target_one(inf, inf_cpu, dec_cpu, steady, steady_cpu, short, long_)
    return out


def target_one(inf, inf_cpu, dec_cpu, steady, steady_cpu, short, long_) -> dict:
    """Target 1: steady e2e / inference with one pose; also the CPU ratio without decoding."""
    inf_med = statistics.median(inf)
    target = {
        "rule": "steady-state e2e fps >= 0.9 x inference-only fps with one pose",
        "ratio_steady": round(statistics.median(steady) / inf_med, 3),
        "ratio_steady_per_repeat": stats([s / i for s, i in zip(steady, inf, strict=True)]),
        "ratio_whole_process_short": round(statistics.median([x["fps"] for x in short]) / inf_med, 3),
        "ratio_whole_process_long": round(statistics.median([x["fps"] for x in long_]) / inf_med, 3),
    }
    target["met"] = target["ratio_steady"] >= 0.9
    if dec_cpu:  # CPU is what other load on the machine disturbs least
        rest = statistics.median(steady_cpu) - statistics.median(dec_cpu)
        target["cpu_ms_per_frame_without_decode"] = round(rest, 2)
        target["cpu_ratio_without_decode"] = round(statistics.median(inf_cpu) / rest, 3)
    return target


def summarise_runs(video: Path, runs: list[dict]) -> dict:
    """Medians and ranges of several CLI runs on one video."""
    return {
        "video": video.name,
        "frames": runs[0]["frames"],
        **{key: stats([r[key] for r in runs]) for key in ("fps", "wall_s", "cores_used", "max_rss_mib")},
    }


def part_parallel(args: argparse.Namespace, looped: Path, cache: Path) -> dict:
    """One process alone, then two at once on two files; throughput ratio."""
    twin = cache / f"{looped.stem}_copy{looped.suffix}"
    if not twin.exists():
        shutil.copyfile(looped, twin)
    single, pair, ratios, pair_cores = [], [], [], []
    for r in range(args.repeats):
        one = run_cli(looped, args.max_side)
        with tempfile.TemporaryDirectory() as d1, tempfile.TemporaryDirectory() as d2:
            t0 = time.perf_counter()
            p1, _ = start_cli(looped, Path(d1), args.max_side)
            p2, _ = start_cli(twin, Path(d2), args.max_side)
            r1 = finish_cli(p1, t0, Path(d1))
            r2 = finish_cli(p2, t0, Path(d2))
        wall = max(r1["wall_s"], r2["wall_s"])
        both = (r1["frames"] + r2["frames"]) / wall
        single.append(one["fps"])
        pair.append(both)
        ratios.append(both / one["fps"])
        pair_cores.append((r1["cpu_s"] + r2["cpu_s"]) / wall)
        print(
            f"  parallel repeat {r + 1}/{args.repeats}: one {one['fps']:.1f} fps, two {both:.1f} fps "
            f"(load {load_average()[0]})",
            flush=True,
        )
    ratio = statistics.median(ratios)
    return {
        "video": looped.name,
        "frames_each": one["frames"],
        "single_fps": stats(single),
        "pair_fps": stats(pair),
        "pair_cores_used": stats(pair_cores),
        "ratio": stats(ratios),
        "target": {
            "rule": "two processes at once >= 1.6 x one",
            "ratio": round(ratio, 3),
            "met": ratio >= 1.6,
        },
    }


def part_memory(args: argparse.Namespace, demo: Path, cache: Path) -> dict:
    """Peak RSS on a short and a long H.264 clip (the long one is run once per long repeat)."""
    short_clip = make_h264_clip(demo, cache, args.short_seconds)
    long_clip = make_h264_clip(demo, cache, args.long_seconds)
    short = []
    for _ in range(max(args.repeats, 3)):
        short.append(run_cli(short_clip, args.max_side))
    print(
        f"  {short_clip.name}: peak {statistics.median([x['max_rss_mib'] for x in short]):.0f} MiB",
        flush=True,
    )
    long_ = []
    for r in range(args.long_repeats):
        print(f"  {long_clip.name}: run {r + 1}/{args.long_repeats} (several minutes)...", flush=True)
        long_.append(run_cli(long_clip, args.max_side))
        print(f"    peak {long_[-1]['max_rss_mib']:.0f} MiB, {long_[-1]['fps']:.1f} fps", flush=True)
    s = statistics.median([x["max_rss_mib"] for x in short])
    g = statistics.median([x["max_rss_mib"] for x in long_])
    return {
        "short": summarise_runs(short_clip, short),
        "long": summarise_runs(long_clip, long_),
        "target": {
            "rule": "peak RSS on the long clip <= short clip + ~50 MiB",
            "growth_mib": round(g - s, 1),
            "growth_per_1000_frames_mib": round(
                1000 * (g - s) / (long_[0]["frames"] - short[0]["frames"]), 2
            ),
            "met": g - s <= 50,
        },
    }


# -- machine facts and report ---------------------------------------------------------


def machine_facts() -> dict:
    """CPU, cores, Python and library versions, date."""
    import cv2
    import mediapipe

    import tiltscreen

    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": mem,
        "os": platform.platform(),
        "python": platform.python_version(),
        "mediapipe": mediapipe.__version__,
        "opencv": cv2.__version__,
        "numpy": np.__version__,
        "tiltscreen": tiltscreen.__version__,
        "ffmpeg": Path(ffmpeg_exe()).name,
    }


def fmt(s: dict, unit: str = "") -> str:
    """``median (min-max)`` of a stats dict."""
    return f"{s['median']:.1f}{unit} ({s['min']:.1f}-{s['max']:.1f})"


def _speed_rows(p: dict) -> list[tuple[str, str]]:
    """Rows of the decode and inference parts."""
    rows = []
    if "decode" in p:
        d = p["decode"]
        rows.append((f"decode only, {d['video']} @ max_side {d['max_side']}", fmt(d["fps"], " fps")))
        if "cpu_ms_per_frame" in d:
            rows.append(("  CPU per frame, decode only (all threads)", fmt(d["cpu_ms_per_frame"], " ms")))
    if "inference" in p:
        i = p["inference"]
        rows.append(("inference only, one pose (frames in memory)", fmt(i["fps"], " fps")))
        if "fps_two_poses" in i:
            rows.append(("  the same, two poses", fmt(i["fps_two_poses"], " fps")))
        rows.append(("  CPU per frame, inference only", fmt(i["cpu_ms_per_frame"], " ms")))
    return rows


def _e2e_rows(e: dict) -> list[tuple[str, str]]:
    """Rows of the e2e part and target 1."""
    rows = []
    for key in ("short", "long"):
        r = e[key]
        rows.append(
            (
                f"tiltscreen landmarks, whole process, {r['video']} ({r['frames']} frames)",
                fmt(r["fps"], " fps"),
            )
        )
        cores = f"{fmt(r['cores_used'])} / {fmt(r['max_rss_mib'], ' MiB')}"
        rows.append((f"  cores used / peak RSS, {r['video']}", cores))
    rows.append(("tiltscreen landmarks, steady state", fmt(e["steady_fps"], " fps")))
    rows.append(("  CPU per frame, steady state (all threads)", fmt(e["steady_cpu_ms_per_frame"], " ms")))
    rows.append(("tiltscreen landmarks, start-up", fmt(e["startup_s"], " s")))
    if "target" in e:
        t = e["target"]
        verdict = f"{t['ratio_steady']:.2f} -> {'met' if t['met'] else 'MISSED'}"
        rows.append(("TARGET 1: steady e2e / inference (one pose) >= 0.9", verdict))
        if "cpu_ratio_without_decode" in t:
            cpu = f"{t['cpu_ratio_without_decode']:.2f} ({t['cpu_ms_per_frame_without_decode']:.1f} ms)"
            rows.append(("  CPU per frame: inference only / (steady e2e - decode)", cpu))
        whole = f"{t['ratio_whole_process_short']:.2f}, {t['ratio_whole_process_long']:.2f}"
        rows.append(("  whole process / inference (short, long)", whole))
    return rows


def _scaling_rows(p: dict) -> list[tuple[str, str]]:
    """Rows of the parallel and memory parts (targets 2 and 3)."""
    rows = []
    if "parallel" in p:
        q = p["parallel"]
        rows.append((f"one process, {q['video']}", fmt(q["single_fps"], " fps")))
        rows.append(("two processes at once (sum)", fmt(q["pair_fps"], " fps")))
        rows.append(("  cores used by the pair", fmt(q["pair_cores_used"])))
        verdict = f"{fmt(q['ratio'])} -> {'met' if q['target']['met'] else 'MISSED'}"
        rows.append(("TARGET 2: two / one >= 1.6", verdict))
    if "memory" in p:
        m = p["memory"]
        for key in ("short", "long"):
            r = m[key]
            rows.append((f"peak RSS, {r['video']} ({r['frames']} frames)", fmt(r["max_rss_mib"], " MiB")))
        rows.append((f"  fps on {m['long']['video']}", fmt(m["long"]["fps"], " fps")))
        t = m["target"]
        growth = f"{t['growth_mib']:.0f} MiB ({t['growth_per_1000_frames_mib']:.2f} MiB / 1000 frames)"
        rows.append(
            ("TARGET 3: long - short peak RSS <= ~50 MiB", f"{growth} -> {'met' if t['met'] else 'MISSED'}")
        )
    return rows


def table_rows(results: dict) -> list[tuple[str, str]]:
    """(measure, value) rows for the printed and Markdown tables."""
    p = results.get("parts", {})
    return _speed_rows(p) + (_e2e_rows(p["e2e"]) if "e2e" in p else []) + _scaling_rows(p)


def render_md(results: dict) -> str:
    """The Markdown report."""
    m = results["machine"]
    lines = [
        "# Landmarks job: speed and memory",
        "",
        "Written by `benchmarks/landmarks_speed.py`; see `benchmarks/README.md`. Medians of the repeats, "
        "range in brackets.",
        "",
        "## Machine",
        "",
        *(f"- {k}: {v}" for k, v in m.items()),
        "",
        "## Figures",
        "",
        "| measure | value |",
        "| --- | --- |",
        *(f"| {a} | {b} |" for a, b in table_rows(results)),
        "",
        "## Runs",
        "",
    ]
    for name, part in results.get("parts", {}).items():
        lines.append(
            f"- {name}: {part['date']}, {part['repeats']} repeats, load average before/after "
            f"{part['load_before']} / {part['load_after']}"
        )
    notes = results.get("notes", [])
    if notes:
        lines += ["", "## Notes", "", *(f"- {n}" for n in notes)]
    return "\n".join(lines) + "\n"


def save(results: dict, out: Path) -> None:
    """Write the JSON and the Markdown report."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "landmarks_speed.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    (out / "landmarks_speed.md").write_text(render_md(results), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Run the chosen parts, print the table, merge into the results files."""
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--parts",
        default=",".join(DEFAULT_PARTS),
        help=f"comma-separated, from {', '.join(ALL_PARTS)} or 'all' (default: all but memory)",
    )
    ap.add_argument("--repeats", type=int, default=5, help="repeats of each timed measure (default 5)")
    ap.add_argument(
        "--loops", type=int, default=4, help="the long clip for the steady state: demo x N (default 4)"
    )
    ap.add_argument(
        "--max-side", type=int, default=960, help="downscale, as the job's --max-side (default 960)"
    )
    ap.add_argument("--short-seconds", type=int, default=10, help="memory: short clip length (default 10)")
    ap.add_argument("--long-seconds", type=int, default=600, help="memory: long clip length (default 600)")
    ap.add_argument("--long-repeats", type=int, default=1, help="memory: runs on the long clip (default 1)")
    ap.add_argument("--video", type=Path, help="input video (default: the public Sports2D demo video)")
    ap.add_argument(
        "--cache",
        type=Path,
        default=Path(os.environ.get("TILTSCREEN_BENCH_CACHE", "~/.cache/tiltscreen-bench")).expanduser(),
        help="folder for the generated videos, outside the repository",
    )
    ap.add_argument("--out", type=Path, default=RESULTS, help="results folder (default benchmarks/results)")
    ap.add_argument("--no-save", action="store_true", help="print only")
    args = ap.parse_args(argv)
    parts = set(ALL_PARTS if args.parts == "all" else args.parts.split(","))
    unknown = parts - set(ALL_PARTS)
    if unknown:
        ap.error(f"unknown parts: {', '.join(sorted(unknown))}")
    args.cache.mkdir(parents=True, exist_ok=True)
    demo = args.video or demo_multi_person()
    looped = make_looped_copy(demo, args.cache, args.loops)

    path = args.out / "landmarks_speed.json"
    new: dict[str, dict] = {}
    before = load_average()
    t_start = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")

    def stamp(d: dict, b: list[float]) -> dict:
        return {**d, "date": t_start, "repeats": args.repeats, "load_before": b, "load_after": load_average()}

    speed_parts = parts & {"decode", "inference", "e2e"}
    if speed_parts:
        print(f"speed: {', '.join(sorted(speed_parts))} on {demo.name} and {looped.name}", flush=True)
        for name, d in part_speed(args, speed_parts, demo, looped).items():
            new[name] = stamp(d, before)
    if "parallel" in parts:
        print("parallel: one process, then two at once", flush=True)
        b = load_average()
        new["parallel"] = stamp(part_parallel(args, looped, args.cache), b)
    if "memory" in parts:
        print("memory: short and long H.264 clips", flush=True)
        b = load_average()
        new["memory"] = {**stamp(part_memory(args, demo, args.cache), b), "repeats": args.long_repeats}
    rows = table_rows({"parts": new})
    width = max(len(a) for a, _ in rows) if rows else 0
    print()
    for a, b in rows:
        print(f"{a:<{width}}  {b}")
    if not args.no_save:  # read back just before writing: other parts may have been saved meanwhile
        results = json.loads(path.read_text()) if path.exists() else {}
        results["machine"] = machine_facts()
        results.setdefault("parts", {}).update(new)
        save(results, args.out)
        print(f"\nwritten: {path} and {path.with_suffix('.md')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
