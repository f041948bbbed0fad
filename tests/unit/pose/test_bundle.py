from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from tiltscreen.errors import ModelError
from tiltscreen.pose.bundle import (
    BUNDLE_DETECTOR,
    BUNDLE_LANDMARKS,
    HAND,
    HAND_NORMALIZATION,
    Normalization,
    add_metadata,
    bundle_from_wheel,
    check_bundle,
    normalization_of,
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
    members = [(BUNDLE_DETECTOR, b"detector"), (BUNDLE_LANDMARKS, b"landmarks")]
    a = pack_bundle(members)
    assert a == pack_bundle(members)
    with zipfile.ZipFile(io.BytesIO(a)) as zf:
        assert zf.namelist() == [BUNDLE_DETECTOR, BUNDLE_LANDMARKS]


@pytest.mark.parametrize("align", [1, 4, 64])
def test_pack_bundle_aligns_member_data(align: int) -> None:
    """Each member's data starts at a multiple of ``align`` in the file, and reads back unchanged.

    Without padding the first member's data start at 30 + len("hand_detector.tflite") = 50, which is
    not a multiple of 4 or 64; so alignment 4 and 64 need a padding extra field, and 1 needs none.
    """
    members = [("hand_detector.tflite", b"abc" * 7), ("hand_landmarks_detector.tflite", b"xyz" * 5)]
    data = pack_bundle(members, align=align)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info, (name, payload) in zip(zf.infolist(), members, strict=True):
            start = info.header_offset + 30 + len(info.filename) + len(info.extra)
            assert start % align == 0
            assert data[start : start + len(payload)] == payload == zf.read(name)
            assert (len(info.extra) == 0) == (align == 1)


def test_normalization_of_rejects_non_tflite() -> None:
    with pytest.raises(ModelError, match="TFL3"):
        normalization_of(b"0123456789")


def test_hand_bundle_members_keep_the_wheel_networks(hand_model_path: Path) -> None:
    """The hand bundle stores the wheel's networks unchanged, with their own [0, 1] normalisation."""
    with zipfile.ZipFile(hand_model_path) as zf:
        assert zf.namelist() == ["hand_detector.tflite", "hand_landmarks_detector.tflite"]
        for name in zf.namelist():
            info = zf.getinfo(name)
            assert info.compress_type == zipfile.ZIP_STORED
            assert (info.header_offset + 30 + len(info.filename) + len(info.extra)) % 64 == 0
            assert normalization_of(zf.read(name)) == HAND_NORMALIZATION == Normalization(0.0, 255.0)
    check_bundle(hand_model_path.read_bytes(), HAND)


def test_check_bundle_rejects_non_bundles() -> None:
    with pytest.raises(ModelError, match="not a zip"):
        check_bundle(b"hello")
    only_one = io.BytesIO()
    with zipfile.ZipFile(only_one, "w") as zf:
        zf.writestr(BUNDLE_DETECTOR, b"x")
    with pytest.raises(ModelError, match="lacks pose_landmarks_detector.tflite"):
        check_bundle(only_one.getvalue())
    with pytest.raises(ModelError, match="hand model bundle lacks hand_detector.tflite, hand_landmarks"):
        check_bundle(only_one.getvalue(), HAND)


def test_add_metadata_rejects_non_tflite() -> None:
    with pytest.raises(ModelError, match="TFL3"):
        add_metadata(b"not a model at all", name="x", norm=None)  # type: ignore[arg-type]


def test_bundle_from_wheel_rejects_wrong_zip(tmp_path: Path) -> None:
    fake = tmp_path / "mediapipe-0.10.21-py3-none-any.whl"
    with zipfile.ZipFile(fake, "w") as zf:
        zf.writestr("README", "no models here")
    with pytest.raises(ModelError, match="BlazePose models"):
        bundle_from_wheel(fake)
    with pytest.raises(ModelError, match="hand models"):
        bundle_from_wheel(fake, HAND)


def test_hand_bundle_refuses_a_network_without_the_expected_normalisation(tmp_path: Path) -> None:
    """A wheel whose palm detector declares [-1, 1] input (mean 127.5, std 127.5) is not bundled silently."""
    from tiltscreen.pose.bundle import DETECTOR_NORMALIZATION

    tiny = _tiny_tflite()
    wrong = add_metadata(tiny, name="palm", norm=DETECTOR_NORMALIZATION)
    right = add_metadata(tiny, name="hand", norm=HAND_NORMALIZATION)
    fake = tmp_path / "mediapipe-0.10.21-py3-none-any.whl"
    with zipfile.ZipFile(fake, "w") as zf:
        zf.writestr(HAND.members[0].wheel_path, wrong)
        zf.writestr(HAND.members[1].wheel_path, right)
    with pytest.raises(ModelError, match="expected Normalization"):
        bundle_from_wheel(fake, HAND)
    assert normalization_of(wrong) == Normalization(127.5, 127.5)
    assert normalization_of(tiny) is None


def _tiny_tflite() -> bytes:
    """A one-subgraph TFLite flatbuffer with one input and one output tensor and no metadata."""
    import flatbuffers
    from mediapipe.tasks.metadata import schema_py_generated as tfl

    tensor = tfl.TensorT()
    tensor.shape, tensor.name, tensor.buffer = [1, 4, 4, 3], "image", 0
    out = tfl.TensorT()
    out.shape, out.name, out.buffer = [1, 1], "score", 0
    sub = tfl.SubGraphT()
    sub.tensors, sub.inputs, sub.outputs, sub.operators = [tensor, out], [0], [1], []
    model = tfl.ModelT()
    model.version, model.subgraphs, model.buffers = 3, [sub], [tfl.BufferT()]
    builder = flatbuffers.Builder(0)
    builder.Finish(model.Pack(builder), b"TFL3")
    return bytes(builder.Output())
