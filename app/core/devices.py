"""The investigator's camera and microphone as aiortc tracks, opened through PyAV (FFmpeg).

A camera is a V4L2 device on Linux (``/dev/video0``), ``avfoundation`` on macOS and ``dshow`` on
Windows; a microphone is PulseAudio or ALSA. When a configured device cannot be opened the session
does not silently go on with a test picture: :func:`open_devices` raises :class:`DeviceError` naming
the device. The test picture (the recorder's synthetic sources) is used only when asked for
(``camera = "synthetic"``), and it is then named in the technical means of the record.
"""

from __future__ import annotations

import glob
import platform
from dataclasses import dataclass
from typing import Any

from aiortc.mediastreams import MediaStreamTrack

from app.core.errors import TergeuError
from recorder.clock import SessionClock

SYNTHETIC = "synthetic"


class DeviceError(TergeuError):
    """A camera or microphone could not be opened."""


@dataclass
class Devices:
    """Opened sources; ``describe()`` goes into the technical means of the protocol."""

    audio: MediaStreamTrack
    video: MediaStreamTrack
    camera: str
    microphone: str
    _players: tuple[Any, ...] = ()

    def describe(self) -> dict[str, str]:
        return {"camera": self.camera, "microphone": self.microphone}

    def close(self) -> None:
        for track in (self.audio, self.video):
            track.stop()


def cameras() -> list[str]:
    """Camera devices this machine offers (V4L2 nodes on Linux), for the settings list."""
    if platform.system() == "Linux":
        return sorted(glob.glob("/dev/video*"))
    return []


def _camera_format() -> tuple[str, dict[str, str]]:
    system = platform.system()
    if system == "Darwin":
        return "avfoundation", {"framerate": "30", "video_size": "1280x720"}
    if system == "Windows":
        return "dshow", {"video_size": "1280x720"}
    return "v4l2", {"framerate": "30", "video_size": "1280x720"}


def _microphone_format() -> str:
    system = platform.system()
    return {"Darwin": "avfoundation", "Windows": "dshow"}.get(system, "pulse")


def open_devices(camera: str, microphone: str, clock: SessionClock) -> Devices:
    """Open ``camera`` and ``microphone`` ("" = the system default, "synthetic" = test sources)."""
    from aiortc.contrib.media import MediaPlayer

    from recorder.synthetic import SyntheticAudioTrack, SyntheticVideoTrack

    if camera == SYNTHETIC and microphone == SYNTHETIC:
        return Devices(
            SyntheticAudioTrack(clock), SyntheticVideoTrack(clock), "test picture", "test tone"
        )
    players: list[Any] = []
    video: MediaStreamTrack
    if camera == SYNTHETIC:
        video, camera_name = SyntheticVideoTrack(clock), "test picture"
    else:
        fmt, options = _camera_format()
        device = camera or (cameras() or ["/dev/video0"])[0]
        try:
            player = MediaPlayer(device, format=fmt, options=options)
        except Exception as e:  # PyAV raises its own errors for a missing or busy device
            raise DeviceError(
                f"camera {device!r} ({fmt}) cannot be opened: {e}. Choose another camera in "
                "Settings, or 'synthetic' for a test picture."
            ) from e
        if player.video is None:
            raise DeviceError(f"camera {device!r} ({fmt}) gives no video")
        players.append(player)
        video, camera_name = player.video, device
    audio: MediaStreamTrack
    if microphone == SYNTHETIC:
        audio, mic_name = SyntheticAudioTrack(clock), "test tone"
    else:
        fmt = _microphone_format()
        device = microphone or "default"
        try:
            player = MediaPlayer(device, format=fmt)
        except Exception as e:
            raise DeviceError(
                f"microphone {device!r} ({fmt}) cannot be opened: {e}. Choose another "
                "microphone in Settings, or 'synthetic' for a test tone."
            ) from e
        if player.audio is None:
            raise DeviceError(f"microphone {device!r} ({fmt}) gives no audio")
        players.append(player)
        audio, mic_name = player.audio, device
    return Devices(audio, video, camera_name, mic_name, tuple(players))
