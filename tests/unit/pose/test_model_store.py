from __future__ import annotations

import functools
import http.server
import json
import threading
from pathlib import Path

import pytest

from tiltscreen.errors import ModelChecksumError, ModelError, ModelNotFoundError
from tiltscreen.pose import model_store as store

ROOT = Path(__file__).resolve().parents[3]


def test_packaged_manifest_equals_models_manifest() -> None:
    """The package ships a copy of models/manifest.json; they must not drift apart."""
    packaged = ROOT / "src" / "tiltscreen" / "config" / "models.json"
    assert json.loads(packaged.read_text()) == json.loads((ROOT / "models" / "manifest.json").read_text())


@pytest.fixture
def no_models(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Point every lookup place at empty temporary folders."""
    monkeypatch.delenv(store.ENV_MODEL, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(store, "checkout_models_dir", lambda: tmp_path / "checkout")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_missing_model_names_the_fetch_command(no_models: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="run 'tiltscreen models fetch'"):
        store.locate_model()


def test_lookup_order(no_models: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Explicit path > environment variable > checkout models/ > ./models > user cache."""
    name = store.spec_for("full").file
    places = {
        "cache": no_models / "cache" / "tiltscreen" / "models" / name,
        "checkout": no_models / "checkout" / name,
        "env": no_models / "env" / name,
    }
    for p in places.values():
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"x")
    assert store.locate_model() == places["checkout"]
    monkeypatch.setenv(store.ENV_MODEL, str(places["env"]))
    assert store.locate_model() == places["env"]
    assert store.locate_model(places["cache"]) == places["cache"]
    places["checkout"].unlink()
    monkeypatch.delenv(store.ENV_MODEL)
    assert store.locate_model() == places["cache"]


def test_verify_rejects_wrong_checksum(model_path: Path, tmp_path: Path) -> None:
    """A valid bundle with one byte appended keeps its structure but fails the SHA-256."""
    bad = tmp_path / "pose_landmarker_full.task"
    bad.write_bytes(model_path.read_bytes() + b"\0")
    with pytest.raises(ModelChecksumError, match="expected 0034a38d"):
        store.verify_model(bad)


def test_verify_accepts_the_built_model(model_path: Path) -> None:
    assert store.verify_model(model_path) == store.spec_for("full").sha256


def test_fetch_from_url_over_loopback(
    model_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The download path, served by a local HTTP server on 127.0.0.1 (no outside network)."""
    served = tmp_path / "served"
    served.mkdir()
    (served / model_path.name).write_bytes(model_path.read_bytes())
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    handler.log_message = lambda *a: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        monkeypatch.setenv(store.ENV_URL_BASE, f"http://127.0.0.1:{server.server_port}")
        path, how = store.fetch_model(dest=tmp_path / "dest", source="official", timeout_s=5)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert how == "official URL"
    assert store.sha256_of(path) == store.spec_for("full").sha256


def test_fetch_official_unreachable_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Port 9 on loopback refuses connections at once."""
    monkeypatch.setenv(store.ENV_URL_BASE, "http://127.0.0.1:9")
    with pytest.raises(ModelError, match="Could not download"):
        store.fetch_model(dest=tmp_path, source="official", timeout_s=2)


def test_lite_cannot_be_built_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(store.ENV_URL_BASE, "http://127.0.0.1:9")
    with pytest.raises(ModelError, match="only come from the official URL"):
        store.fetch_model(variant="lite", dest=tmp_path, timeout_s=2)
