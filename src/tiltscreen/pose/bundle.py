"""Build a MediaPipe PoseLandmarker ``.task`` bundle from raw BlazePose TFLite files.

MediaPipe 1.x ships no pose model. The older ``mediapipe==0.10.21`` wheel (a plain
zip) carries the same BlazePose networks as raw TFLite files, but the Tasks API
refuses float32 inputs without ``NormalizationOptions`` metadata. This module
writes that metadata in pure Python (the flatbuffer schema modules shipped by
mediapipe 1.x) and packs the two networks into a byte-for-byte reproducible zip.

Notes
-----
Metadata written, per network: one subgraph; the input tensor gets
``ImageProperties(colorSpace=RGB)`` and ``NormalizationOptions`` (detector:
mean 127.5, std 127.5, input range [-1, 1]; landmark network: mean 0, std 255,
range [0, 1]); every output tensor gets a name-only tensor metadata. The
``ModelMetadata`` flatbuffer (file identifier ``M001``) is appended to the
model's buffers and referenced from ``model.metadata`` under the name
``TFLITE_METADATA``; the model is re-packed with identifier ``TFL3``.

"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import flatbuffers
import numpy as np

from tiltscreen.errors import ModelError

#: members of the mediapipe==0.10.21 wheel that hold the full-model networks
WHEEL_DETECTOR = "mediapipe/modules/pose_detection/pose_detection.tflite"
WHEEL_LANDMARKS_FULL = "mediapipe/modules/pose_landmark/pose_landmark_full.tflite"

#: names the Tasks API expects inside a PoseLandmarker bundle
BUNDLE_DETECTOR = "pose_detector.tflite"
BUNDLE_LANDMARKS = "pose_landmarks_detector.tflite"

#: fixed zip timestamp, so the bundle is byte-for-byte reproducible
_ZIP_EPOCH = (2025, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Normalization:
    """Input normalisation the network expects: ``(pixel - mean) / std``."""

    mean: float
    std: float


#: detector input range [-1, 1]; landmark network input range [0, 1]
DETECTOR_NORMALIZATION = Normalization(mean=127.5, std=127.5)
LANDMARKS_NORMALIZATION = Normalization(mean=0.0, std=255.0)


def _schemas():
    """Import the flatbuffer schema modules shipped by mediapipe 1.x (lazily)."""
    from mediapipe.tasks.metadata import metadata_schema_py_generated as meta
    from mediapipe.tasks.metadata import schema_py_generated as tfl

    return meta, tfl


def _model_metadata(meta, *, name: str, norm: Normalization, n_outputs: int) -> bytes:
    """Serialise a ``ModelMetadata`` flatbuffer for a one-input image network."""
    image = meta.ImagePropertiesT()
    image.colorSpace = meta.ColorSpaceType.RGB
    content = meta.ContentT()
    content.contentPropertiesType = meta.ContentProperties.ImageProperties
    content.contentProperties = image
    options = meta.NormalizationOptionsT()
    options.mean = [float(norm.mean)]
    options.std = [float(norm.std)]
    unit = meta.ProcessUnitT()
    unit.optionsType = meta.ProcessUnitOptions.NormalizationOptions
    unit.options = options
    tensor_in = meta.TensorMetadataT()
    tensor_in.name = "image"
    tensor_in.content = content
    tensor_in.processUnits = [unit]
    outputs = []
    for k in range(n_outputs):
        t = meta.TensorMetadataT()
        t.name = f"output_{k}"
        outputs.append(t)
    subgraph = meta.SubGraphMetadataT()
    subgraph.inputTensorMetadata = [tensor_in]
    subgraph.outputTensorMetadata = outputs
    model = meta.ModelMetadataT()
    model.name = name
    model.description = "BlazePose network from the mediapipe 0.10.21 wheel, metadata added by tiltscreen."
    model.license = "Apache-2.0"
    model.subgraphMetadata = [subgraph]
    builder = flatbuffers.Builder(0)
    builder.Finish(model.Pack(builder), b"M001")
    return bytes(builder.Output())


def add_metadata(tflite: bytes, *, name: str, norm: Normalization) -> bytes:
    """Return a copy of a TFLite model with Tasks-API metadata attached.

    Parameters
    ----------
    tflite : bytes
        A raw TFLite flatbuffer (file identifier ``TFL3``) with one subgraph.
    name : str
        Model name written into the metadata.
    norm : Normalization
        The input normalisation the network was trained with.

    Returns
    -------
    bytes
        The re-packed model.

    Raises
    ------
    ModelError
        If the bytes are not a one-subgraph TFLite model.

    """
    meta, tfl = _schemas()
    if len(tflite) < 8 or tflite[4:8] != b"TFL3":
        raise ModelError(f"{name}: not a TFLite model (missing the TFL3 identifier).")
    model = tfl.ModelT.InitFromObj(tfl.Model.GetRootAsModel(tflite, 0))
    if model.subgraphs is None or len(model.subgraphs) != 1:
        raise ModelError(f"{name}: expected one subgraph in the TFLite model.")
    n_outputs = len(model.subgraphs[0].outputs)
    buffer = tfl.BufferT()
    buffer.data = np.frombuffer(_model_metadata(meta, name=name, norm=norm, n_outputs=n_outputs), np.uint8)
    model.buffers.append(buffer)
    entry = tfl.MetadataT()
    entry.name = "TFLITE_METADATA"
    entry.buffer = len(model.buffers) - 1
    model.metadata = [m for m in (model.metadata or []) if m.name != "TFLITE_METADATA"] + [entry]
    builder = flatbuffers.Builder(len(tflite) + 4096)
    builder.Finish(model.Pack(builder), b"TFL3")
    return bytes(builder.Output())


def pack_bundle(detector: bytes, landmarks: bytes) -> bytes:
    """Zip the two networks (stored, fixed timestamps) into a ``.task`` bundle."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as zf:
        for arcname, data in ((BUNDLE_DETECTOR, detector), (BUNDLE_LANDMARKS, landmarks)):
            info = zipfile.ZipInfo(arcname, date_time=_ZIP_EPOCH)
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return out.getvalue()


def bundle_from_wheel(wheel: Path) -> bytes:
    """Build the full-model PoseLandmarker bundle from a ``mediapipe==0.10.21`` wheel.

    Raises
    ------
    ModelError
        If the wheel is not a zip or lacks the BlazePose networks.

    """
    try:
        with zipfile.ZipFile(wheel) as zf:
            detector = zf.read(WHEEL_DETECTOR)
            landmarks = zf.read(WHEEL_LANDMARKS_FULL)
    except (zipfile.BadZipFile, KeyError) as err:
        raise ModelError(
            f"{wheel} is not a mediapipe 0.10.21 wheel with the BlazePose models ({err})."
        ) from err
    return pack_bundle(
        add_metadata(detector, name="pose_detector", norm=DETECTOR_NORMALIZATION),
        add_metadata(landmarks, name="pose_landmarks_detector", norm=LANDMARKS_NORMALIZATION),
    )


def check_bundle(data: bytes) -> None:
    """Raise :class:`ModelError` unless ``data`` is a zip holding both networks."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except zipfile.BadZipFile as err:
        raise ModelError("The model file is not a .task bundle (not a zip archive).") from err
    missing = {BUNDLE_DETECTOR, BUNDLE_LANDMARKS} - names
    if missing:
        raise ModelError(f"The model bundle lacks {', '.join(sorted(missing))}.")
