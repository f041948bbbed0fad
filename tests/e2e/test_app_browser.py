"""End to end in a real headless Chromium (Debian ``chromium`` + ``chromium-driver``) driven by Selenium.

The sample videos stand in for the camera (one per step, looping, played in real time). A complete guided
session must produce the reading, the report file and the database rows; the live view and the report
are screenshotted and checked for their elements and for a non-blank image; the report is printed to PDF.
"""

from __future__ import annotations

import base64
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")

pytestmark = [
    pytest.mark.model,
    pytest.mark.browser,
    pytest.mark.skipif(
        not (CHROMIUM and DRIVER), reason="Debian chromium and chromium-driver are not installed"
    ),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data: Path, port: int) -> subprocess.Popen:
    cmd = [
        sys.executable,
        "-m",
        "tiltscreen.cli.main",
        "app",
        "--no-browser",
        "--loop",
        "--port",
        str(port),
        "--data",
        str(data),
        "--camera",
        str(SAMPLES / "standing_markers_left.mp4"),
        "--step-camera",
        f"standing_right={SAMPLES / 'standing_nomarkers_right.mp4'}",
        "--step-camera",
        f"sit_and_reach={SAMPLES / 'sit_and_reach_2trials.mp4'}",
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the app server did not start")


def make_driver():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--window-size=1280,1000",
        "--disable-gpu",
    ):
        opts.add_argument(arg)
    return webdriver.Chrome(service=Service(DRIVER), options=opts)


def non_blank(png: bytes) -> float:
    import cv2

    img = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE)
    return float(img.std())


def wait_for(driver, predicate, timeout: float, what: str):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate(driver)
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(
        f"timed out waiting for {what}; page state: "
        f"{driver.execute_script('return JSON.stringify(state)')[:600]}"
    )


def phase_is(phase: str, step: str):
    return lambda d: d.execute_script(
        "return state && state.phase === arguments[0] && state.step === arguments[1]", phase, step
    )


def drag_sticker(driver, By) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    canvas = driver.find_element(By.ID, "review-canvas")
    wait_for(
        driver,
        lambda d: d.execute_script("return review && review.img.complete && review.img.naturalWidth > 0"),
        20,
        "key frame",
    )
    pts = driver.execute_script("return review.points")
    assert {"asis", "psis"} <= set(pts), pts
    scale = canvas.size["width"] / driver.execute_script("return arguments[0].width", canvas)
    x = (pts["asis"][0] * scale) - canvas.size["width"] / 2
    y = (pts["asis"][1] * scale) - canvas.size["height"] / 2
    ActionChains(driver).move_to_element_with_offset(canvas, int(x), int(y)).click_and_hold().move_by_offset(
        0, 3
    ).release().perform()
    wait_for(driver, lambda d: d.find_elements(By.ID, "correction-result"), 15, "the corrected tilt")


def artifacts(tmp_path: Path) -> Path:
    """Screenshots and the PDF go here (``$TILTSCREEN_E2E_ARTIFACTS`` keeps them after the run)."""
    out = Path(os.environ.get("TILTSCREEN_E2E_ARTIFACTS") or tmp_path / "artifacts")
    out.mkdir(parents=True, exist_ok=True)
    return out


def check_live_view(driver, By, out: Path) -> None:
    wait_for(driver, lambda d: d.execute_script("return meta && meta.checks.length > 0"), 30, "the live view")
    assert driver.find_element(By.ID, "live-img").is_displayed()
    assert driver.find_elements(By.CSS_SELECTOR, "#checks li[data-key=in_frame]")
    assert driver.find_element(By.ID, "step-title").text == "Standing, left side to the camera"
    driver.save_screenshot(str(out / "live.png"))
    assert non_blank(driver.find_element(By.ID, "live-img").screenshot_as_png) > 10


def check_second_tab(driver, By, url: str) -> None:
    first = driver.current_window_handle
    driver.switch_to.new_window("tab")
    driver.get(url)
    wait_for(driver, lambda d: d.find_element(By.ID, "readonly").is_displayed(), 10, "the read-only message")
    assert "another tab" in driver.find_element(By.ID, "readonly").text
    driver.close()
    driver.switch_to.window(first)


def check_report(driver, By, url: str, reading: str, out: Path) -> None:
    driver.get(url)
    assert driver.find_element(By.ID, "reading").text == reading
    imgs = driver.find_elements(By.TAG_NAME, "img")
    assert len(imgs) >= 3 and all(i.get_attribute("src").startswith("data:image/") for i in imgs)
    driver.save_screenshot(str(out / "report.png"))
    assert non_blank((out / "report.png").read_bytes()) > 10
    pdf = base64.b64decode(driver.execute_cdp_cmd("Page.printToPDF", {"printBackground": True})["data"])
    (out / "report.pdf").write_bytes(pdf)
    pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
    assert pdf.startswith(b"%PDF") and 1 <= pages <= 12, pages


def run_steps(driver, By) -> str:
    wait_for(driver, phase_is("review", "standing_left"), 90, "standing left analysed")
    drag_sticker(driver, By)
    driver.find_element(By.ID, "btn-accept").click()
    wait_for(driver, phase_is("review", "standing_right"), 90, "standing right analysed")
    driver.find_element(By.ID, "btn-accept").click()
    wait_for(driver, phase_is("review", "sit_and_reach"), 120, "sit-and-reach analysed")
    driver.find_element(By.ID, "btn-accept").click()
    wait_for(driver, lambda d: d.find_element(By.ID, "reading").text.strip(), 60, "the reading")
    return driver.find_element(By.ID, "reading").text


def check_database(data: Path) -> None:
    assert (data / "sessions" / "session_00001" / "report.html").is_file()
    con = sqlite3.connect(data / "history.sqlite")
    steps = con.execute("SELECT step, status FROM steps WHERE superseded = 0 ORDER BY id").fetchall()
    assert [s for s, _ in steps] == ["standing_left", "standing_right", "sit_and_reach"]
    assert all(status in ("ok", "indeterminate") for _, status in steps), steps
    assert steps[2][1] == "ok", "the captured sit-and-reach clip holds a whole valid trial"
    assert con.execute("SELECT COUNT(*) FROM metrics").fetchone()[0] >= 15
    assert con.execute("SELECT COUNT(*) FROM corrections").fetchone()[0] == 1
    assert con.execute("SELECT reading_json IS NOT NULL FROM sessions").fetchone()[0] == 1
    con.close()
    assert not list(data.rglob("*.mp4")), "raw video must not be kept unless turned on"
    assert not list(data.rglob("key_frame.png")), "the analysis's unblurred key frame must not be kept"


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_full_guided_session(tmp_path):
    from selenium.webdriver.common.by import By

    data, port, out = tmp_path / "data", _free_port(), artifacts(tmp_path)
    url = f"http://127.0.0.1:{port}/"
    proc = start_server(data, port)
    driver = make_driver()
    t0 = time.time()
    try:
        driver.get(url)
        driver.find_element(By.ID, "pseudonym").send_keys("E2E-001")
        driver.find_element(By.ID, "age").send_keys("30")
        driver.find_element(By.CSS_SELECTOR, "#sex option[value=F]").click()
        driver.find_element(By.ID, "btn-start").click()
        check_live_view(driver, By, out)
        check_second_tab(driver, By, url)
        reading = run_steps(driver, By)
        check_report(driver, By, f"{url}sessions/1/report", reading, out)
        elapsed = time.time() - t0  # opening the page to the report printed to PDF
        (out / "timing.txt").write_text(f"page opened to report printed: {elapsed:.1f} s\n")
    finally:
        driver.quit()
        stop(proc)
    assert elapsed < 300, f"the guided session took {elapsed:.0f} s (goal: under 5 minutes)"
    check_database(data)


def test_server_killed_mid_session_keeps_completed_steps(tmp_path):
    """Kill -9 after the first step was analysed; after a restart it is there; the session resumes."""
    import json
    import urllib.request

    data, port = tmp_path / "data", _free_port()
    proc = start_server(data, port)
    base = f"http://127.0.0.1:{port}"

    def post(path, body=None):
        req = urllib.request.Request(
            base + path,
            data=json.dumps(body or {}).encode(),
            method="POST",
            headers={"content-type": "application/json", "x-tab": "T"},
        )
        return json.load(urllib.request.urlopen(req))

    try:
        post("/api/session", {"pseudonym": "KILL-1"})
        deadline = time.time() + 90
        while (
            time.time() < deadline
            and json.load(urllib.request.urlopen(base + "/api/state"))["phase"] != "review"
        ):
            time.sleep(0.5)
        post("/api/command/accept")  # the second step is live when the server dies
        time.sleep(1.0)
    finally:
        proc.kill()
        proc.wait(10)
    proc = start_server(data, port)
    try:
        pid = json.load(urllib.request.urlopen(base + "/api/patients"))[0]["id"]
        detail = json.load(urllib.request.urlopen(f"{base}/api/patients/{pid}"))
        assert detail["trends"][0]["points"][0]["value"] is not None
        resumed = post(f"/api/session/{detail['sessions'][0]['id']}/resume")
        assert resumed["step"] == "standing_right" and [s["step"] for s in resumed["done_steps"]] == [
            "standing_left"
        ]
    finally:
        stop(proc)
