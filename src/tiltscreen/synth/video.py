"""Image degradation (noise, blur) and encoding through imageio-ffmpeg's bundled ffmpeg binary.

Codecs: H.264 in ``.mp4`` (libx264, the default), Motion-JPEG in ``.avi`` and VP9 in ``.webm`` (libvpx-vp9).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np


class EncodeError(RuntimeError):
    """ffmpeg failed to encode the clip."""


def degrade(
    rgb: np.ndarray, *, rng: np.random.Generator, noise_sigma: float, blur_sigma_px: float
) -> np.ndarray:
    """Blur then add Gaussian sensor noise to an RGB uint8 frame; returns a new uint8 array.

    Parameters
    ----------
    rgb : ndarray, shape (H, W, 3), uint8
        Clean render.
    rng : numpy.random.Generator
        Noise source (seeded per clip for determinism).
    noise_sigma : float
        Noise standard deviation in 8-bit grey levels (0 = none).
    blur_sigma_px : float
        Gaussian blur sigma in pixels (0 = none).

    """
    out = rgb.astype(np.float32)
    if blur_sigma_px > 0:
        import cv2  # noqa: PLC0415

        out = cv2.GaussianBlur(out, (0, 0), blur_sigma_px)
    if noise_sigma > 0:
        out += rng.normal(0.0, noise_sigma, size=out.shape).astype(np.float32)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def codec_args(codec: str, crf: int) -> list[str]:
    """Return the ffmpeg output options of a codec; ``crf`` sets the quality.

    For MJPEG ``-q:v`` = (crf - 14) / 2 within 2..31; for VP9 its crf is ``crf + 8``.

    Examples
    --------
    >>> codec_args("mjpeg", 26)
    ['-c:v', 'mjpeg', '-q:v', '6', '-pix_fmt', 'yuvj420p']

    """
    if codec == "h264":
        return [
            "-c:v",
            "libx264",
            "-preset",
            "slow",
            "-crf",
            str(crf),
            "-pix_fmt",
            "yuv420p",
            "-movflags",
            "+faststart",
        ]
    if codec == "mjpeg":
        q = int(min(31, max(2, round((crf - 14) / 2))))
        return ["-c:v", "mjpeg", "-q:v", str(q), "-pix_fmt", "yuvj420p"]
    if codec == "vp9":
        return [
            "-c:v",
            "libvpx-vp9",
            "-crf",
            str(min(63, crf + 8)),
            "-b:v",
            "0",
            "-deadline",
            "good",
            "-cpu-used",
            "4",
            "-row-mt",
            "1",
            "-pix_fmt",
            "yuv420p",
        ]
    raise ValueError(f"codec must be 'h264', 'mjpeg' or 'vp9', got {codec!r}")


class H264Writer:
    """Pipe raw RGB frames into ffmpeg (libx264 yuv420p +faststart by default; see ``codec_args``).

    Parameters
    ----------
    path : Path
        Output file (``.mp4`` for H.264, ``.avi`` for MJPEG, ``.webm`` for VP9).
    width, height : int
        Frame size in pixels (even).
    fps : float
        Frame rate.
    crf : int
        Quality (x264 constant rate factor; mapped for the other codecs).
    codec : {"h264", "mjpeg", "vp9"}
        Video codec.

    """

    def __init__(
        self, path: Path, *, width: int, height: int, fps: float, crf: int, codec: str = "h264"
    ) -> None:
        import imageio_ffmpeg  # noqa: PLC0415

        self.path = Path(path)
        self.size = (height, width, 3)
        cmd = [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-y",
            "-loglevel",
            "error",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-s",
            f"{width}x{height}",
            "-r",
            f"{fps:g}",
            "-i",
            "-",
            "-an",
            *codec_args(codec, crf),
            "-map_metadata",
            "-1",
            "-fflags",
            "+bitexact",
            str(self.path),
        ]
        self._proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
        self.frames = 0

    def write(self, rgb: np.ndarray) -> None:
        """Append one RGB uint8 frame."""
        if rgb.shape != self.size or rgb.dtype != np.uint8:
            raise ValueError(f"frame must be uint8 {self.size}, got {rgb.dtype} {rgb.shape}")
        assert self._proc.stdin is not None
        self._proc.stdin.write(rgb.tobytes())
        self.frames += 1

    def close(self) -> None:
        """Finish the file; raises EncodeError if ffmpeg failed."""
        assert self._proc.stdin is not None
        self._proc.stdin.close()
        err = self._proc.stderr.read().decode(errors="replace") if self._proc.stderr else ""
        if self._proc.wait() != 0:
            raise EncodeError(f"ffmpeg failed writing {self.path}: {err.strip()}")
