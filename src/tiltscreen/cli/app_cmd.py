"""``tiltscreen app [--camera 0|URL|VIDEO] [--port P] [--data DIR] [--no-browser] [--loop]``.

The clinician app: a local server and a browser page for guided screening, reports and history.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from tiltscreen.errors import TiltscreenError, ValidationError

STEP_NAMES = ("standing_left", "standing_right", "sit_and_reach")


def default_data_dir() -> Path:
    """Return the per-user data directory (``$TILTSCREEN_DATA``, else ``$XDG_DATA_HOME/tiltscreen``)."""
    if os.environ.get("TILTSCREEN_DATA"):
        return Path(os.environ["TILTSCREEN_DATA"])
    base = os.environ.get("XDG_DATA_HOME") or (Path.home() / ".local" / "share")
    if sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    elif sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home()))
    return Path(base) / "tiltscreen"


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of the app command."""
    p.add_argument(
        "--camera", default="0", help="camera index, stream URL, or a video file played in real time"
    )
    p.add_argument(
        "--step-camera",
        action="append",
        default=[],
        metavar="STEP=SOURCE",
        help="a different camera or video for one step (standing_left, standing_right, sit_and_reach)",
    )
    p.add_argument("--loop", action="store_true", help="loop a video file used as the camera")
    p.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (default 8765)")
    p.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this computer only)"
    )
    p.add_argument(
        "--data", type=Path, default=None, help="history and session folder (default: the user data dir)"
    )
    p.add_argument("--no-browser", action="store_true", help="do not open the browser")
    p.add_argument("--model", type=Path, help="pose model bundle (.task)")


def _step_cameras(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        step, eq, source = item.partition("=")
        if not eq or step not in STEP_NAMES or not source:
            raise ValidationError(
                f"--step-camera takes STEP=SOURCE with STEP one of {', '.join(STEP_NAMES)}; got {item!r}."
            )
        out[step] = source
    return out


def run(args: argparse.Namespace) -> int:
    """Start the server (and the browser) until Ctrl-C."""
    import threading
    import webbrowser

    try:
        import uvicorn

        from tiltscreen.app.core import AppConfig, AppCore
    except ImportError as err:
        raise TiltscreenError(
            f"The app needs its extra packages ({err.name} is missing): pip install 'tiltscreen[app]'."
        ) from err
    from tiltscreen.app.server import build_app
    from tiltscreen.pose.model_store import locate_model

    config = AppConfig(
        camera=str(args.camera),
        data_dir=(args.data or default_data_dir()).expanduser(),
        model=locate_model(args.model),
        loop=args.loop,
        step_cameras=_step_cameras(args.step_camera),
        host=args.host,
        port=args.port,
    )
    core = AppCore(config)
    url = f"http://{config.host}:{config.port}/"
    if not args.quiet:
        print(f"tiltscreen app on {url} (data in {config.data_dir}); Ctrl-C to stop.", flush=True)
    if not args.no_browser:
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    try:
        uvicorn.run(build_app(core), host=config.host, port=config.port, log_level="warning")
    finally:
        core.shutdown()
    return 0
