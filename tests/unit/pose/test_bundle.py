from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from tiltscreen.errors import ModelError
from tiltscreen.pose.bundle import (
    BUNDLE_DETECTOR,
    BUNDLE_LANDMARKS,
    add_metadata,
    bundle_from_wheel,
    check_bundle,
    pack_bundle,
)

pytestmark = pytest.mark.model


def _metadata(tflite: bytes):
    """Parse the ModelMetadata flatbuffer that a bundle member carries."""
    from mediapipe.tasks.metadata import metadata_schema_py_generated as meta
    from mediapipe.tasks.metadata import schema_py_generated as tfl

    model = tfl.Model.GetRootAsModel(tflite, 0)
    entries = {
        model.Metadata(i).Name().decode(): model.Metadata(i).Buffer() for i in range(model.MetadataLength())
    }
    buf = model.Buffers(entries["TFLITE_METADATA"]).DataAsNumpy().tobytes()
    return meta.ModelMetadataT.InitFromObj(meta.ModelMetadata.GetRootAsModelMetadata(buf, 0))


@pytest.mark.parametrize(
    ("member", "mean", "std"),
    [
        pytest.param(BUNDLE_DETECTOR, 127.5, 127.5, id="detector-[-1,1]"),
        pytest.param(BUNDLE_LANDMARKS, 0.0, 255.0, id="landmarks-[0,1]"),
    ],
)
def test_built_bundle_carries_normalisation_metadata(
    model_path: Path, member: str, mean: float, std: float
) -> None:
    """The Tasks API needs NormalizationOptions: (pixel - mean) / std maps 0..255 onto the network's range."""
    with zipfile.ZipFile(model_path) as zf:
        info = zf.getinfo(member)
        data = zf.read(member)
    assert info.compress_type == zipfile.ZIP_STORED
    md = _metadata(data)
    unit = md.subgraphMetadata[0].inputTensorMetadata[0].processUnits[0].options
    assert list(unit.mean) == [mean] and list(unit.std) == [std]
    assert len(md.subgraphMetadata[0].outputTensorMetadata) >= 2


def test_pack_bundle_is_reproducible() -> None:
    """Fixed timestamps and stored members: the same inputs give the same bytes."""
    a = pack_bundle(b"detector", b"landmarks")
    assert a == pack_bundle(b"detector", b"landmarks")
    with zipfile.ZipFile(io.BytesIO(a)) as zf:
        assert zf.namelist() == [BUNDLE_DETECTOR, BUNDLE_LANDMARKS]


def test_check_bundle_rejects_non_bundles() -> None:
    with pytest.raises(ModelError, match="not a zip"):
        check_bundle(b"hello")
    only_one = io.BytesIO()
    with zipfile.ZipFile(only_one, "w") as zf:
        zf.writestr(BUNDLE_DETECTOR, b"x")
    with pytest.raises(ModelError, match="lacks pose_landmarks_detector.tflite"):
        check_bundle(only_one.getvalue())


def test_add_metadata_rejects_non_tflite() -> None:
    with pytest.raises(ModelError, match="TFL3"):
        add_metadata(b"not a model at all", name="x", norm=None)  # type: ignore[arg-type]


def test_bundle_from_wheel_rejects_wrong_zip(tmp_path: Path) -> None:
    fake = tmp_path / "mediapipe-0.10.21-py3-none-any.whl"
    with zipfile.ZipFile(fake, "w") as zf:
        zf.writestr("README", "no models here")
    with pytest.raises(ModelError, match="BlazePose models"):
        bundle_from_wheel(fake)
