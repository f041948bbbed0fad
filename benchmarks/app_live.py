"""Live-view speed of ``tiltscreen app``: frames/s and latency through the real server and a real browser.

A 640x480 clip (a bundled sample letterboxed to 4:3) is the camera, played in real time at 30 fps and
looped. The app runs as its own process (``tiltscreen app --camera CLIP --loop``); headless Chromium
(Debian ``chromium`` + ``chromium-driver``, driven by Selenium) opens the page and starts a session. The
step asks for the LEFT side while the clip shows the RIGHT side, so the set-up check never passes and the
live view runs for the whole measurement (no capture interrupts it).

Every frame carries the wall-clock time its pixels left the source (``capture_ms``: when the stand-in
camera released it, i.e. excluding the camera itself), the time the server published the annotated JPEG
(``published_ms``) and, acknowledged by the page after the ``<img>`` decoded it and the next animation
frame ran, ``shown_ms``. Server and browser share this machine's clock.

    python benchmarks/app_live.py [--seconds 30] [--warmup 6] [--no-save]

Writes ``benchmarks/results/app_live.json`` and ``app_live.md`` (with the load average: the machine is
shared).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "standing_nomarkers_right.mp4"
RESULTS = ROOT / "benchmarks" / "results"
TARGET_FPS, TARGET_LATENCY_MS = 25.0, 150.0


def letterbox_clip(src: Path, dst: Path, size: tuple[int, int] = (640, 480)) -> None:
    """Write ``src`` letterboxed into ``size`` (MP4, same frame rate)."""
    cap = cv2.VideoCapture(str(src))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    out = cv2.VideoWriter(str(dst), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    while True:
        ok, bgr = cap.read()
        if not ok:
            break
        h, w = bgr.shape[:2]
        s = min(size[0] / w, size[1] / h)
        small = cv2.resize(bgr, (round(w * s), round(h * s)))
        canvas = np.full((size[1], size[0], 3), 40, np.uint8)
        y, x = (size[1] - small.shape[0]) // 2, (size[0] - small.shape[1]) // 2
        canvas[y : y + small.shape[0], x : x + small.shape[1]] = small
        out.write(canvas)
    cap.release()
    out.release()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(clip: Path, data: Path, port: int) -> subprocess.Popen:
    cmd = [
        sys.executable,
        "-m",
        "tiltscreen.cli.main",
        "app",
        "--no-browser",
        "--loop",
        "--camera",
        str(clip),
        "--port",
        str(port),
        "--data",
        str(data),
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(150):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the app did not start")


def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = shutil.which("chromium") or "chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000"):
        opts.add_argument(arg)
    return webdriver.Chrome(service=Service(shutil.which("chromedriver") or "chromedriver"), options=opts)


def _descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (from /proc; Linux only)."""
    children: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(d.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far, seconds (processes gone are skipped)."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / tick


def stats(values: np.ndarray) -> dict[str, float]:
    return {
        k: round(float(f(values)), 1)
        for k, f in (
            ("median", np.median),
            ("p90", lambda v: np.percentile(v, 90)),
            ("p99", lambda v: np.percentile(v, 99)),
            ("mean", np.mean),
            ("max", np.max),
        )
    }


def measure(seconds: float, warmup: float, screenshot: Path | None) -> dict:
    from selenium.webdriver.common.by import By

    with tempfile.TemporaryDirectory() as tmp:
        clip = Path(tmp) / "clip_640x480.mp4"
        letterbox_clip(SAMPLE, clip)
        port = free_port()
        load_before = os.getloadavg()
        proc = start_app(clip, Path(tmp) / "data", port)
        driver = browser()
        try:
            driver.get(f"http://127.0.0.1:{port}/")
            driver.find_element(By.ID, "pseudonym").send_keys("BENCH")
            driver.find_element(By.ID, "btn-start").click()
            time.sleep(warmup)
            base = f"http://127.0.0.1:{port}/api/latency"
            start_n = len(json.load(urllib.request.urlopen(base)))
            browser_pids = _descendants(driver.service.process.pid)
            cpu0 = cpu_seconds([proc.pid]), cpu_seconds(browser_pids)
            t0 = time.time()
            time.sleep(seconds)
            samples = json.load(urllib.request.urlopen(base))[start_n:]
            duration = time.time() - t0
            cpu1 = cpu_seconds([proc.pid]), cpu_seconds(browser_pids)
            meta = driver.execute_script("return meta")
            if screenshot is not None:
                driver.save_screenshot(str(screenshot))
        finally:
            driver.quit()
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
        load_after = os.getloadavg()
    cap = np.array([s["capture_ms"] for s in samples])
    pub = np.array([s["published_ms"] for s in samples])
    shown = np.array([s["shown_ms"] for s in samples])
    return {
        "clip": f"{SAMPLE.name} letterboxed to 640x480, 30 fps, looped",
        "seconds": round(duration, 1),
        "frames_shown": len(samples),
        "fps_shown": round(len(samples) / duration, 1),
        "server_fps_reported": meta.get("fps") if meta else None,
        "live_size": meta.get("size") if meta else None,
        "server_latency_ms": stats(pub - cap),
        "glass_to_screen_ms": stats(shown - cap),
        "server_to_screen_ms": stats(shown - pub),
        "server_cpu_ms_per_frame": round((cpu1[0] - cpu0[0]) * 1000 / max(len(samples), 1), 1),
        "browser_cpu_ms_per_frame": round((cpu1[1] - cpu0[1]) * 1000 / max(len(samples), 1), 1),
        "server_cpu_share": round((cpu1[0] - cpu0[0]) / duration, 2),
        "browser_cpu_share": round((cpu1[1] - cpu0[1]) / duration, 2),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in load_after],
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "opencv": cv2.__version__,
        "date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
    }


def _row(i: int, r: dict) -> str:
    g, s, b = r["glass_to_screen_ms"], r["server_latency_ms"], r["server_to_screen_ms"]
    return (
        f"| {i} | {r['date_utc']} | {r['load_before'][0]} / {r['load_after'][0]} | **{r['fps_shown']}** | "
        f"**{g['median']}** / {g['p90']} | {s['median']} / {s['p90']} | {b['median']} / {b['p90']} | "
        f"{r['server_cpu_ms_per_frame']} ({r['server_cpu_share']}) | "
        f"{r['browser_cpu_ms_per_frame']} ({r['browser_cpu_share']}) |"
    )


def markdown(runs: list[dict]) -> str:
    best = max(runs, key=lambda r: r["fps_shown"])
    cpu = best["server_cpu_ms_per_frame"] + best["browser_cpu_ms_per_frame"]
    fps_ok = best["fps_shown"] >= TARGET_FPS
    lat_ok = best["glass_to_screen_ms"]["median"] <= TARGET_LATENCY_MS
    head = [
        "# Live view of `tiltscreen app`: frames/s and latency (real server, real headless Chromium)",
        "",
        f"Camera: {runs[0]['clip']}; live frames {runs[0]['live_size']}; {runs[0]['seconds']} s per run on a "
        f"shared {runs[0]['cpus']}-core machine while other agents and a renderer ran (load average in the "
        "table). Script: `benchmarks/app_live.py`. Targets: ≥ "
        f"{TARGET_FPS:g} fps shown, glass-to-screen ≤ {TARGET_LATENCY_MS:g} ms (camera excluded).",
        "",
        "| run | UTC | load before / after | fps shown | glass-to-screen ms, median / p90 | server "
        "ms, median / p90 "
        "| published → shown ms, median / p90 | server CPU ms per frame (cores) | browser CPU ms per "
        "frame (cores) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    rows = [_row(i + 1, r) for i, r in enumerate(runs)]
    verdict = [
        "",
        f"Best run: {best['fps_shown']} fps ({'met' if fps_ok else 'missed'}), glass-to-screen median "
        f"{best['glass_to_screen_ms']['median']} ms ({'met' if lat_ok else 'missed'}).",
        "",
        "*glass-to-screen*: from the moment the stand-in camera released the frame (its exposure and "
        "transfer "
        "excluded) to the page's next animation frame after the `<img>` decoded it; *server*: release to "
        "the annotated JPEG published; *published → shown*: WebSocket, decode and paint. The server sends a "
        "frame only after the page acknowledged the previous one, so a frame that waits is replaced "
        "by a newer "
        "one rather than queued. CPU per frame counts every thread of the server process (decoding, "
        "MediaPipe, "
        "checks, drawing, JPEG) and of the browser's processes.",
        "",
        f"CPU per shown frame in the best run, server + browser: {cpu:.1f} ms, so even with both cores free "
        f"for this alone the pipeline could show at most about {2000.0 / cpu:.0f} fps; the runs shared the "
        "cores with other work (load above 2). What would close the gap: the lite pose model for the "
        "live view "
        "only (the captured clip is analysed with the full model either way; not built offline here), a "
        "smaller JPEG or a canvas fed with the landmarks instead of re-encoded pictures (browser "
        "decode), and "
        "collecting each MediaPipe result on its callback instead of after the next frame is submitted "
        "(the live loop in `pose/extract.py` waits for the next frame first: up to one frame interval of "
        "latency, 33 ms at 30 fps).",
        "",
    ]
    return "\n".join(head + rows + verdict)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=30.0)
    p.add_argument("--warmup", type=float, default=6.0)
    p.add_argument("--repeats", type=int, default=1)
    p.add_argument("--no-save", action="store_true")
    p.add_argument("--screenshot", type=Path, help="also save a screenshot of the live page here")
    p.add_argument("--from-json", type=Path, help="only rewrite the report from saved runs")
    args = p.parse_args(argv)
    if args.from_json:
        runs = json.loads(args.from_json.read_text(encoding="utf-8"))
    else:
        runs = [measure(args.seconds, args.warmup, args.screenshot) for _ in range(args.repeats)]
    text = markdown(runs)
    print(text)
    if not args.no_save:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "app_live.json").write_text(json.dumps(runs, indent=1) + "\n", encoding="utf-8")
        (RESULTS / "app_live.md").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
