"""Build MediaPipe ``.task`` bundles (PoseLandmarker, HandLandmarker) from raw TFLite files.

MediaPipe 1.x ships no pose or hand model. The older ``mediapipe==0.10.21`` wheel (a
plain zip) carries the same networks as raw TFLite files. A ``.task`` bundle is an
uncompressed zip of two networks under the names the Tasks API's graph looks up.

Notes
-----
Pose (:data:`POSE`): the BlazePose networks carry no usable metadata, and the Tasks
API refuses float32 inputs without ``NormalizationOptions``. This module writes it in
pure Python (the flatbuffer schema modules shipped by mediapipe 1.x): one subgraph;
the input tensor gets ``ImageProperties(colorSpace=RGB)`` and ``NormalizationOptions``
(detector: mean 127.5, std 127.5, input range [-1, 1]; landmark network: mean 0,
std 255, range [0, 1]); every output tensor gets a name-only tensor metadata. The
``ModelMetadata`` flatbuffer (file identifier ``M001``) is appended to the model's
buffers and referenced from ``model.metadata`` under the name ``TFLITE_METADATA``;
the model is re-packed with identifier ``TFL3``.

Hand (:data:`HAND`): the palm detector and hand landmark networks of the wheel
already carry Google's metadata (RGB image input, mean 0, std 255, i.e. range [0, 1],
the range of the legacy ``palm_detection_cpu`` and ``hand_landmark_cpu`` graphs). It
is checked, not rewritten, and the networks are stored byte for byte as
``hand_detector.tflite`` and ``hand_landmarks_detector.tflite`` (the names in the
Tasks API's ``hand_landmarker_graph.cc``). Their data start on 64-byte boundaries in
the zip, so the runtime can map the weights in place instead of copying them.

"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
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
#: local-header extra field used only to pad member data to an alignment (the id Android's zipalign uses)
_ALIGN_EXTRA_ID = 0xD935


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


def normalization_of(tflite: bytes) -> Normalization | None:
    """Return the input ``NormalizationOptions`` a TFLite model's metadata declares, or None.

    None when the model has no ``TFLITE_METADATA`` or its first input declares no
    normalisation; a per-channel mean/std must be the same on every channel.

    Raises
    ------
    ModelError
        If the bytes are not a TFLite model, or the channels are normalised differently.

    """
    meta, tfl = _schemas()
    if len(tflite) < 8 or tflite[4:8] != b"TFL3":
        raise ModelError("not a TFLite model (missing the TFL3 identifier).")
    model = tfl.Model.GetRootAsModel(tflite, 0)
    entries = {model.Metadata(i).Name(): model.Metadata(i).Buffer() for i in range(model.MetadataLength())}
    if b"TFLITE_METADATA" not in entries:
        return None
    raw = model.Buffers(entries[b"TFLITE_METADATA"]).DataAsNumpy().tobytes()
    md = meta.ModelMetadataT.InitFromObj(meta.ModelMetadata.GetRootAsModelMetadata(raw, 0))
    inputs = md.subgraphMetadata[0].inputTensorMetadata if md.subgraphMetadata else None
    for unit in (inputs[0].processUnits or []) if inputs else []:
        if unit.optionsType == meta.ProcessUnitOptions.NormalizationOptions:
            mean = set(np.asarray(unit.options.mean).tolist())
            std = set(np.asarray(unit.options.std).tolist())
            if len(mean) != 1 or len(std) != 1:
                raise ModelError("per-channel normalisation differs between channels.")
            return Normalization(mean=float(mean.pop()), std=float(std.pop()))
    return None


@dataclass(frozen=True)
class Member:
    """One network of a bundle.

    Attributes
    ----------
    wheel_path : str
        Where the raw TFLite file is inside the ``mediapipe==0.10.21`` wheel.
    bundle_name : str
        The name the Tasks API looks up inside the ``.task`` zip.
    norm : Normalization
        The input normalisation the network was trained with.
    write_metadata : bool
        True: tiltscreen writes the metadata (:func:`add_metadata`); False: the wheel's own
        metadata is kept after checking that it declares ``norm``.

    """

    wheel_path: str
    bundle_name: str
    norm: Normalization
    write_metadata: bool


@dataclass(frozen=True)
class Recipe:
    """How one ``.task`` bundle is made from the wheel: its two networks, in zip order."""

    kind: str
    what: str
    members: tuple[Member, ...]
    align: int = 1

    @property
    def names(self) -> tuple[str, ...]:
        """Member names inside the bundle, in zip order."""
        return tuple(m.bundle_name for m in self.members)


POSE = Recipe(
    kind="pose",
    what="BlazePose models",
    members=(
        Member(WHEEL_DETECTOR, BUNDLE_DETECTOR, DETECTOR_NORMALIZATION, write_metadata=True),
        Member(WHEEL_LANDMARKS_FULL, BUNDLE_LANDMARKS, LANDMARKS_NORMALIZATION, write_metadata=True),
    ),
)

#: both hand networks take inputs in [0, 1] (legacy ``palm_detection_cpu``/``hand_landmark_cpu`` graphs)
HAND_NORMALIZATION = Normalization(mean=0.0, std=255.0)

HAND = Recipe(
    kind="hand",
    what="hand models",
    members=(
        Member(
            "mediapipe/modules/palm_detection/palm_detection_full.tflite",
            "hand_detector.tflite",
            HAND_NORMALIZATION,
            write_metadata=False,
        ),
        Member(
            "mediapipe/modules/hand_landmark/hand_landmark_full.tflite",
            "hand_landmarks_detector.tflite",
            HAND_NORMALIZATION,
            write_metadata=False,
        ),
    ),
    align=64,
)

RECIPES = {r.kind: r for r in (POSE, HAND)}


def _padding(offset: int, name: str, align: int) -> bytes:
    """Extra field that makes the data of a member whose header starts at ``offset`` start aligned.

    The stored data follow a 30-byte local header, the name and the extra field; an
    extra field is 4 bytes of id and length plus its payload, so the payload is sized to
    reach the next multiple of ``align``. Empty when ``align`` is 1.
    """
    if align <= 1:
        return b""
    start = offset + 30 + len(name.encode()) + 4
    size = (-start) % align
    return _ALIGN_EXTRA_ID.to_bytes(2, "little") + size.to_bytes(2, "little") + bytes(size)


def pack_bundle(members: Sequence[tuple[str, bytes]], *, align: int = 1) -> bytes:
    """Zip networks (stored, fixed timestamps, data aligned to ``align`` bytes) into a ``.task`` bundle.

    Parameters
    ----------
    members : sequence of (name, bytes)
        The networks, in zip order.
    align : int
        Byte alignment of each member's data in the file (1: none).

    Returns
    -------
    bytes
        The same bytes for the same inputs.

    """
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as zf:
        for arcname, data in members:
            info = zipfile.ZipInfo(arcname, date_time=_ZIP_EPOCH)
            info.external_attr = 0o644 << 16
            info.extra = _padding(out.tell(), arcname, align)
            zf.writestr(info, data)
    return out.getvalue()


def _prepare(member: Member, tflite: bytes) -> bytes:
    """Return the network as it goes into the bundle: metadata written, or the wheel's checked."""
    name = member.bundle_name.removesuffix(".tflite")
    if member.write_metadata:
        return add_metadata(tflite, name=name, norm=member.norm)
    found = normalization_of(tflite)
    if found != member.norm:
        raise ModelError(f"{member.wheel_path} declares input normalisation {found}, expected {member.norm}.")
    return tflite


def bundle_from_wheel(wheel: Path, recipe: Recipe = POSE) -> bytes:
    """Build the bundle of ``recipe`` (default: full PoseLandmarker) from a ``mediapipe==0.10.21`` wheel.

    Raises
    ------
    ModelError
        If the wheel is not a zip, lacks the networks, or a kept network's metadata is not the expected one.

    """
    try:
        with zipfile.ZipFile(wheel) as zf:
            raw = [zf.read(m.wheel_path) for m in recipe.members]
    except (zipfile.BadZipFile, KeyError) as err:
        raise ModelError(f"{wheel} is not a mediapipe 0.10.21 wheel with the {recipe.what} ({err}).") from err
    built = [(m.bundle_name, _prepare(m, data)) for m, data in zip(recipe.members, raw, strict=True)]
    return pack_bundle(built, align=recipe.align)


def check_bundle(data: bytes, recipe: Recipe = POSE) -> None:
    """Raise :class:`ModelError` unless ``data`` is a zip holding the networks of ``recipe``."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except zipfile.BadZipFile as err:
        raise ModelError("The model file is not a .task bundle (not a zip archive).") from err
    missing = set(recipe.names) - names
    if missing:
        raise ModelError(f"The {recipe.kind} model bundle lacks {', '.join(sorted(missing))}.")
