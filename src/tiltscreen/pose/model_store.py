r"""Find, fetch and verify the model bundles: PoseLandmarker (lite/full/heavy) and HandLandmarker (hand).

Lookup order (first hit wins): an explicit path (``--model``), the environment
variable (``TILTSCREEN_MODEL`` for the pose model, ``TILTSCREEN_HAND_MODEL`` for the
hand model), the ``models/`` folder of a source checkout (and of the current
directory), then the per-user cache directory (``$XDG_CACHE_HOME/tiltscreen/models``,
``~/.cache/tiltscreen/models``, or ``%LOCALAPPDATA%\tiltscreen\models`` on Windows).

Nothing here touches the network except :func:`fetch_model` and :func:`fetch_models`,
which a user starts explicitly (``tiltscreen models fetch``).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from tiltscreen.errors import ModelChecksumError, ModelError, ModelNotFoundError
from tiltscreen.pose.bundle import RECIPES, bundle_from_wheel, check_bundle

ENV_MODEL = "TILTSCREEN_MODEL"
ENV_HAND_MODEL = "TILTSCREEN_HAND_MODEL"
ENV_URL_BASE = "TILTSCREEN_MODEL_URL_BASE"
POSE_VARIANTS = ("lite", "full", "heavy")
HAND_VARIANT = "hand"
VARIANTS = (*POSE_VARIANTS, HAND_VARIANT)
DEFAULT_VARIANT = "full"
#: what ``tiltscreen models fetch`` and ``verify`` handle when no variant is named
DEFAULT_SET = (DEFAULT_VARIANT, HAND_VARIANT)
#: environment variable naming a bundle, per kind of model
_ENV = {"pose": ENV_MODEL, "hand": ENV_HAND_MODEL}


@dataclass(frozen=True)
class ModelSpec:
    """One model variant as recorded in the manifest (``kind``: ``"pose"`` or ``"hand"``)."""

    variant: str
    file: str
    sha256: str | None
    official_url: str
    wheel: str | None
    licence: str
    kind: str = "pose"


def load_manifest() -> dict[str, ModelSpec]:
    """Read the packaged manifest (a copy of ``models/manifest.json``)."""
    text = resources.files("tiltscreen.config").joinpath("models.json").read_text(encoding="utf-8")
    raw = json.loads(text)
    return {
        name: ModelSpec(
            variant=name,
            file=entry["file"],
            sha256=entry.get("sha256"),
            official_url=entry["official_url"],
            wheel=entry.get("built_from", {}).get("pypi") if entry.get("built_from") else None,
            licence=raw["licence"],
            kind=entry.get("kind", "pose"),
        )
        for name, entry in raw["models"].items()
    }


def spec_for(variant: str) -> ModelSpec:
    """Return the manifest entry for ``variant``; ``ModelError`` if unknown."""
    manifest = load_manifest()
    if variant not in manifest:
        raise ModelError(f"Unknown model variant {variant!r}; choose one of {', '.join(VARIANTS)}.")
    return manifest[variant]


def checkout_models_dir() -> Path | None:
    """``models/`` of the source checkout this package runs from, if any."""
    root = Path(__file__).resolve().parents[3]
    if (root / "pyproject.toml").is_file() and (root / "models").is_dir():
        return root / "models"
    return None


def user_cache_dir() -> Path:
    """Per-user cache folder for model bundles (not created here)."""
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "tiltscreen" / "models"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tiltscreen" / "models"


def candidate_paths(variant: str = DEFAULT_VARIANT) -> list[Path]:
    """Places looked in, in order, for the bundle of ``variant`` (explicit paths excluded)."""
    spec = spec_for(variant)
    name, env = spec.file, _ENV[spec.kind]
    places: list[Path] = []
    if os.environ.get(env):
        places.append(Path(os.environ[env]).expanduser())
    for folder in (checkout_models_dir(), Path.cwd() / "models", user_cache_dir()):
        if folder is not None and folder / name not in places:
            places.append(folder / name)
    return places


def sha256_of(path: Path) -> str:
    """SHA-256 hex digest of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def locate_model(model: str | os.PathLike[str] | None = None, *, variant: str = DEFAULT_VARIANT) -> Path:
    """Return the model bundle to use.

    Raises
    ------
    ModelNotFoundError
        With one sentence naming the command that fetches the model.

    """
    if model is not None:
        path = Path(model).expanduser()
        if not path.is_file():
            raise ModelNotFoundError(f"Model file {path} does not exist.")
        return path
    for path in candidate_paths(variant):
        if path.is_file():
            return path
    raise ModelNotFoundError(
        f"No {spec_for(variant).kind} model found; run 'tiltscreen models fetch' once to build it offline "
        f"(looked in: {', '.join(str(p) for p in candidate_paths(variant))})."
    )


def locate_hand_model(model: str | os.PathLike[str] | None = None) -> Path:
    """Return the HandLandmarker bundle to use (lookup as for the pose model, ``$TILTSCREEN_HAND_MODEL``).

    Raises
    ------
    ModelNotFoundError
        With one sentence naming the command that fetches the model.

    """
    return locate_model(model, variant=HAND_VARIANT)


def verify_model(path: Path, *, variant: str = DEFAULT_VARIANT) -> str:
    """Check a bundle's structure and SHA-256 against the manifest; return the digest.

    A variant whose manifest entry records no digest (an official download that
    could not be checked when the manifest was written) is checked for structure only.
    """
    spec = spec_for(variant)
    check_bundle(path.read_bytes(), RECIPES[spec.kind])
    digest = sha256_of(path)
    expected = spec.sha256
    if expected is not None and digest != expected:
        raise ModelChecksumError(
            f"{path} has SHA-256 {digest}, expected {expected}; delete it and run 'tiltscreen models fetch'."
        )
    return digest


def default_destination() -> Path:
    """Where ``fetch`` writes: the checkout's ``models/`` if writable, else the user cache."""
    folder = checkout_models_dir()
    if folder is not None and os.access(folder, os.W_OK):
        return folder
    return user_cache_dir()


def _download_official(spec: ModelSpec, *, timeout_s: float) -> bytes:
    """Download the official bundle; ``ModelError`` if the host cannot be reached."""
    url = spec.official_url
    if os.environ.get(ENV_URL_BASE):
        url = os.environ[ENV_URL_BASE].rstrip("/") + "/" + spec.file
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as resp:  # noqa: S310 (https/http only)
            data = resp.read()
    except (urllib.error.URLError, TimeoutError, OSError) as err:
        raise ModelError(f"Could not download {url} ({err}).") from err
    check_bundle(data, RECIPES[spec.kind])
    return data


class _Wheel:
    """The ``mediapipe==0.10.21`` wheel: the user's file, or one ``pip download`` shared by all bundles."""

    def __init__(self, wheel: Path | None, tmp: Path) -> None:
        self.given = wheel is not None
        self._path, self._tmp = wheel, tmp

    def path(self, requirement: str) -> Path:
        """Return the wheel's path, downloading it on first use (``ModelError`` if pip fails)."""
        if self._path is None:
            cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                   "--quiet", "--dest", str(self._tmp), requirement]  # fmt: skip
            proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
            wheels = sorted(self._tmp.glob("mediapipe-*.whl"))
            if proc.returncode != 0 or not wheels:
                raise ModelError(f"'pip download {requirement}' failed: {proc.stderr.strip()[-400:]}")
            self._path = wheels[0]
        return self._path


def _build_from_pypi(spec: ModelSpec, wheel: _Wheel) -> bytes:
    """Build the bundle from the wheel (a local file, or fetched with ``pip download``)."""
    if spec.wheel is None:
        raise ModelError(
            f"The {spec.variant} model can only come from the official URL, which was not reachable."
        )
    return bundle_from_wheel(wheel.path(spec.wheel), RECIPES[spec.kind])


def _official(spec: ModelSpec, *, source: str, timeout_s: float, errors: list[str]) -> bytes | None:
    """Return the official bundle if it downloads and matches the recorded SHA-256 (if any), else None.

    A download whose digest differs (another release than the one recorded) is not used: with
    ``source="auto"`` the bundle is then built from the wheel; with ``"official"`` it is an error.
    """
    try:
        data = _download_official(spec, timeout_s=timeout_s)
    except ModelError as err:
        errors.append(str(err))
        return None
    digest = hashlib.sha256(data).hexdigest()
    if spec.sha256 is None or digest == spec.sha256:
        return data
    message = f"The official {spec.file} has SHA-256 {digest}, not the recorded {spec.sha256}."
    if source == "official":
        raise ModelChecksumError(message)
    errors.append(message)
    return None


def _fetch(
    spec: ModelSpec, *, folder: Path, source: str, wheel: _Wheel, timeout_s: float
) -> tuple[Path, str]:
    """Obtain one bundle (official URL, else the wheel), write it atomically into ``folder`` and verify it."""
    errors: list[str] = []
    data, how = None, ""
    if source in ("auto", "official") and not wheel.given:
        data, how = _official(spec, source=source, timeout_s=timeout_s, errors=errors), "official URL"
    if data is None and source in ("auto", "wheel"):
        data, how = _build_from_pypi(spec, wheel), f"built from {spec.wheel}"
    if data is None:
        raise ModelError(" ".join(errors) or "No model source was tried.")
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / spec.file
    tmp = target.with_suffix(".part")
    tmp.write_bytes(data)
    os.replace(tmp, target)
    verify_model(target, variant=spec.variant)
    return target, how


def fetch_models(
    variants: tuple[str, ...] = DEFAULT_SET,
    *,
    dest: Path | None = None,
    source: str = "auto",
    wheel: Path | None = None,
    timeout_s: float = 15.0,
) -> list[tuple[Path, str]]:
    """Make the bundles of ``variants`` available; return each one's path and how it was obtained.

    Parameters
    ----------
    variants : tuple of {"lite", "full", "heavy", "hand"}
        Bundles to get, in order. Default: the full pose model and the hand model.
        Only ``full`` and ``hand`` can be built offline; both come from one wheel,
        downloaded at most once.
    dest : Path, optional
        Folder to write to; default :func:`default_destination`.
    source : {"auto", "official", "wheel"}
        ``auto`` tries the official URL, then builds from the PyPI wheel.
    wheel : Path, optional
        A local ``mediapipe==0.10.21`` wheel to build from (no download).
    timeout_s : float
        Network timeout for the official URL.

    Raises
    ------
    ModelError
        If a bundle can be neither downloaded nor built, or fails its checksum.

    """
    if source not in ("auto", "official", "wheel"):
        raise ModelError(f"source must be 'auto', 'official' or 'wheel', got {source!r}.")
    specs = [spec_for(v) for v in variants]
    folder = dest or default_destination()
    with tempfile.TemporaryDirectory(prefix="tiltscreen-wheel-") as tmp:
        shared = _Wheel(wheel, Path(tmp))
        return [_fetch(s, folder=folder, source=source, wheel=shared, timeout_s=timeout_s) for s in specs]


def fetch_model(
    *,
    variant: str = DEFAULT_VARIANT,
    dest: Path | None = None,
    source: str = "auto",
    wheel: Path | None = None,
    timeout_s: float = 15.0,
) -> tuple[Path, str]:
    """Make the bundle of one ``variant`` available; see :func:`fetch_models` for the parameters."""
    return fetch_models((variant,), dest=dest, source=source, wheel=wheel, timeout_s=timeout_s)[0]
