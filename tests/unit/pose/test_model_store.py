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


def test_missing_hand_model_names_the_fetch_command(no_models: Path) -> None:
    with pytest.raises(ModelNotFoundError, match=r"^No hand model found; run 'tiltscreen models fetch'"):
        store.locate_hand_model()


def test_hand_lookup_order(no_models: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Same order as the pose model, with its own variable; the pose model's variable is not used for it."""
    name = store.spec_for("hand").file
    assert name == "hand_landmarker.task"
    cache = no_models / "cache" / "tiltscreen" / "models" / name
    env = no_models / "env" / name
    for p in (cache, env):
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"x")
    monkeypatch.setenv(store.ENV_MODEL, str(env))
    assert store.locate_hand_model() == cache
    monkeypatch.setenv(store.ENV_HAND_MODEL, str(env))
    assert store.locate_hand_model() == env
    assert store.locate_hand_model(cache) == cache


def test_verify_hand_model(hand_model_path: Path, tmp_path: Path) -> None:
    assert store.verify_model(hand_model_path, variant="hand") == store.spec_for("hand").sha256
    bad = tmp_path / "hand_landmarker.task"
    bad.write_bytes(hand_model_path.read_bytes() + b"\0")
    with pytest.raises(ModelChecksumError, match="expected c16b39ea"):
        store.verify_model(bad, variant="hand")


def _wheel_from_bundle(bundle: Path, wheel: Path) -> Path:
    """A stand-in for the mediapipe wheel holding the hand networks the bundle stores byte for byte."""
    import zipfile

    from tiltscreen.pose.bundle import HAND

    with zipfile.ZipFile(bundle) as src, zipfile.ZipFile(wheel, "w") as dst:
        for member in HAND.members:
            dst.writestr(member.wheel_path, src.read(member.bundle_name))
    return wheel


def test_hand_bundle_rebuilds_byte_for_byte(hand_model_path: Path, tmp_path: Path) -> None:
    """Built again from the same networks, the bundle has the SHA-256 recorded in the manifest."""
    wheel = _wheel_from_bundle(hand_model_path, tmp_path / "mediapipe-0.10.21-py3-none-any.whl")
    path, how = store.fetch_model(variant="hand", dest=tmp_path / "dest", wheel=wheel)
    assert how == "built from mediapipe==0.10.21"
    assert store.sha256_of(path) == store.spec_for("hand").sha256
    assert path.read_bytes() == hand_model_path.read_bytes()


def _serve(folder: Path):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *a: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_fetch_both_over_loopback(
    model_path: Path, hand_model_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``fetch_models()`` gets the full pose model and the hand model, in that order."""
    served = tmp_path / "served"
    served.mkdir()
    for p in (model_path, hand_model_path):
        (served / p.name).write_bytes(p.read_bytes())
    server = _serve(served)
    try:
        monkeypatch.setenv(store.ENV_URL_BASE, f"http://127.0.0.1:{server.server_port}")
        got = store.fetch_models(dest=tmp_path / "dest", source="official", timeout_s=5)
    finally:
        server.shutdown()
        server.server_close()
    assert [p.name for p, _ in got] == ["pose_landmarker_full.task", "hand_landmarker.task"]
    assert all(how == "official URL" for _, how in got)
    assert store.sha256_of(got[1][0]) == store.spec_for("hand").sha256


def test_official_bundle_with_another_hash_is_not_kept(
    hand_model_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A download unlike the recorded bundle: an error with --source official, a build with auto."""
    served = tmp_path / "served"
    served.mkdir()
    (served / hand_model_path.name).write_bytes(hand_model_path.read_bytes() + b"\0")
    wheel = _wheel_from_bundle(hand_model_path, tmp_path / "mediapipe-0.10.21-py3-none-any.whl")
    monkeypatch.setattr(store._Wheel, "path", lambda self, requirement: wheel)
    server = _serve(served)
    try:
        monkeypatch.setenv(store.ENV_URL_BASE, f"http://127.0.0.1:{server.server_port}")
        with pytest.raises(ModelChecksumError, match="not the recorded c16b39ea"):
            store.fetch_model(variant="hand", dest=tmp_path / "a", source="official", timeout_s=5)
        path, how = store.fetch_model(variant="hand", dest=tmp_path / "b", source="auto", timeout_s=5)
    finally:
        server.shutdown()
        server.server_close()
    assert how == "built from mediapipe==0.10.21"
    assert store.sha256_of(path) == store.spec_for("hand").sha256
    assert not (tmp_path / "a" / "hand_landmarker.task").exists()
