"""Standard HLS playlists (``media/<track>/<track>.m3u8``) so any player can replay a track.

The playlist is derived data, not evidence: it is rewritten whole (temp file → fsync → rename)
after every sealed segment, as ``#EXT-X-PLAYLIST-TYPE:EVENT`` while recording and with
``#EXT-X-ENDLIST`` at stop or after recovery. A gap (pause, reconnect, crash) or a change of picture
size is marked with ``#EXT-X-DISCONTINUITY``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from recorder.segments import SealedSegment, fsync_dir, sha256_file

GAP_SECONDS = 0.25


def playlist_path(action_dir: Path, track: str) -> Path:
    """``ACTION_DIR/media/<track>/<track>.m3u8``."""
    return action_dir / "media" / track / f"{track}.m3u8"


def render_playlist(segments: Sequence[SealedSegment], *, ended: bool) -> str:
    """The playlist text for ``segments`` (in index order)."""
    target = max((round(s.end - s.start) for s in segments), default=1)
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:3",
        f"#EXT-X-TARGETDURATION:{max(target, 1)}",
        "#EXT-X-MEDIA-SEQUENCE:0",
        "#EXT-X-PLAYLIST-TYPE:EVENT",
    ]
    previous: SealedSegment | None = None
    for s in segments:
        if previous is not None and (
            s.start - previous.end > GAP_SECONDS
            or (s.width, s.height) != (previous.width, previous.height)
        ):
            lines.append("#EXT-X-DISCONTINUITY")
        lines.append(f"#EXTINF:{s.end - s.start:.6f},")
        lines.append(Path(s.file).name)
        previous = s
    if ended:
        lines.append("#EXT-X-ENDLIST")
    return "\n".join(lines) + "\n"


def write_playlist(
    action_dir: Path, track: str, segments: Sequence[SealedSegment], *, ended: bool
) -> Path:
    """Atomically (re)write the track's playlist; returns its path."""
    path = playlist_path(action_dir, track)
    tmp = path.with_name(path.name + ".tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(render_playlist(segments, ended=ended))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)
    return path


def track_end_entries(
    action_dir: Path, track: str, segments: Sequence[SealedSegment]
) -> list[tuple[str, dict[str, Any]]]:
    """Write the final playlist (with ENDLIST); return the log entries that close the track.

    ``playlist_written`` {track, file, sha256} (when the track has segments, so the verifier can
    account for the file; the playlist is never rewritten after it), then ``track_ended``
    {track, segments}. If the playlist cannot be written (disk full) only ``track_ended`` is
    returned: the media and the log matter, the playlist is derived.
    """
    entries: list[tuple[str, dict[str, Any]]] = []
    if segments:
        try:
            path = write_playlist(action_dir, track, segments, ended=True)
            digest = sha256_file(path)[1]
        except OSError:
            pass
        else:
            file = path.relative_to(action_dir).as_posix()
            entries.append(("playlist_written", {"track": track, "file": file, "sha256": digest}))
    entries.append(("track_ended", {"track": track, "segments": len(segments)}))
    return entries
