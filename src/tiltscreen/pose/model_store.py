r"""Find, fetch and verify the PoseLandmarker model bundle.

Lookup order (first hit wins): an explicit path (``--model``), the environment
variable ``TILTSCREEN_MODEL``, the ``models/`` folder of a source checkout (and
of the current directory), then the per-user cache directory
(``$XDG_CACHE_HOME/tiltscreen/models``, ``~/.cache/tiltscreen/models``, or
``%LOCALAPPDATA%\tiltscreen\models`` on Windows).

Nothing here touches the network except :func:`fetch_model`, which a user starts
explicitly (``tiltscreen models fetch``).
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
from tiltscreen.pose.bundle import bundle_from_wheel, check_bundle

ENV_MODEL = "TILTSCREEN_MODEL"
ENV_URL_BASE = "TILTSCREEN_MODEL_URL_BASE"
VARIANTS = ("lite", "full", "heavy")
DEFAULT_VARIANT = "full"


@dataclass(frozen=True)
class ModelSpec:
    """One model variant as recorded in the manifest."""

    variant: str
    file: str
    sha256: str | None
    official_url: str
    wheel: str | None
    licence: str


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
    name = spec_for(variant).file
    places: list[Path] = []
    if os.environ.get(ENV_MODEL):
        places.append(Path(os.environ[ENV_MODEL]).expanduser())
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
        f"No pose model found; run 'tiltscreen models fetch' once to build it offline "
        f"(looked in: {', '.join(str(p) for p in candidate_paths(variant))})."
    )


def verify_model(path: Path, *, variant: str = DEFAULT_VARIANT) -> str:
    """Check a bundle's structure and SHA-256 against the manifest; return the digest.

    A variant whose manifest entry records no digest (an official download that
    could not be checked when the manifest was written) is checked for structure only.
    """
    check_bundle(path.read_bytes())
    digest = sha256_of(path)
    expected = spec_for(variant).sha256
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
    check_bundle(data)
    return data


def _build_from_pypi(spec: ModelSpec, *, wheel: Path | None) -> bytes:
    """Build the bundle from a local wheel, or one fetched with ``pip download``."""
    if spec.wheel is None:
        raise ModelError(
            f"The {spec.variant} model can only come from the official URL, which was not reachable."
        )
    if wheel is not None:
        return bundle_from_wheel(wheel)
    with tempfile.TemporaryDirectory(prefix="tiltscreen-wheel-") as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--quiet", "--dest", tmp, spec.wheel]  # fmt: skip
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        wheels = sorted(Path(tmp).glob("mediapipe-*.whl"))
        if proc.returncode != 0 or not wheels:
            raise ModelError(f"'pip download {spec.wheel}' failed: {proc.stderr.strip()[-400:]}")
        return bundle_from_wheel(wheels[0])


def fetch_model(
    *,
    variant: str = DEFAULT_VARIANT,
    dest: Path | None = None,
    source: str = "auto",
    wheel: Path | None = None,
    timeout_s: float = 15.0,
) -> tuple[Path, str]:
    """Make the bundle of ``variant`` available; return its path and how it was obtained.

    Parameters
    ----------
    variant : {"lite", "full", "heavy"}
        Model size. Only ``full`` can be built offline.
    dest : Path, optional
        Folder to write to; default :func:`default_destination`.
    source : {"auto", "official", "wheel"}
        ``auto`` tries the official URL, then builds from the PyPI wheel.
    wheel : Path, optional
        A local ``mediapipe==0.10.21`` wheel to build from (no download).
    timeout_s : float
        Network timeout for the official URL.

    """
    if source not in ("auto", "official", "wheel"):
        raise ModelError(f"source must be 'auto', 'official' or 'wheel', got {source!r}.")
    spec = spec_for(variant)
    errors: list[str] = []
    data, how = None, ""
    if source in ("auto", "official") and wheel is None:
        try:
            data, how = _download_official(spec, timeout_s=timeout_s), "official URL"
        except ModelError as err:
            errors.append(str(err))
    if data is None and source in ("auto", "wheel"):
        data, how = _build_from_pypi(spec, wheel=wheel), f"built from {spec.wheel}"
    if data is None:
        raise ModelError(" ".join(errors) or "No model source was tried.")
    folder = dest or default_destination()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / spec.file
    tmp = target.with_suffix(".part")
    tmp.write_bytes(data)
    os.replace(tmp, target)
    verify_model(target, variant=variant)
    return target, how
