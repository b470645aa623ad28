"""``tergeu verify PATH``: verify a recording folder or a signed container.

Exit codes, for every kind of input: 0 intact, 1 any problem found, 2 not readable as a recording
or container.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.core.config import load_config
from app.core.errors import TergeuError
from app.core.paths import default_config_file
from protocol.errors import ProtocolError, UnreadableContainerError
from recorder.errors import RecorderError, UnreadableError
from recorder.report import Report


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "verify",
        help="verify a recording folder or a .asice container "
        "(exit 0 intact, 1 problems, 2 unreadable)",
    )
    p.add_argument("path", help="an action folder or a .asice container")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--trust-anchors", help="folder of trusted CA certificates (default: config)")
    p.add_argument("--media-dir", help="folder holding media kept beside the container")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def _progress_printer(enabled: bool):  # type: ignore[no-untyped-def]
    def show(done: int, total: int) -> None:
        if total <= 0:
            return
        width = 30
        filled = int(width * done / total)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {100 * done // total:3d}%")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show if enabled else None


def verify_path(
    path: Path,
    *,
    trust_anchors: Path | None = None,
    media_dir: Path | None = None,
    progress: bool = False,
) -> Report:
    """Verify ``path`` as a recording folder or a container; raise the Unreadable errors on junk."""
    if path.is_dir():
        from recorder.verify import verify_recording

        return verify_recording(path)
    if not path.is_file():
        raise UnreadableContainerError(f"{path}: no such file or folder")
    from protocol.verify import verify_container

    return verify_container(
        path,
        trust_anchors_dir=trust_anchors,
        media_dir=media_dir,
        progress=_progress_printer(progress),
    )


def run(args: argparse.Namespace) -> int:
    try:
        anchors = args.trust_anchors
        if anchors is None:
            config = load_config(Path(args.config) if args.config else default_config_file())
            anchors = config["trust.anchors_dir"] or None
        report = verify_path(
            Path(args.path),
            trust_anchors=Path(anchors) if anchors else None,
            media_dir=Path(args.media_dir) if args.media_dir else None,
            progress=not (args.quiet or args.json) and sys.stderr.isatty(),
        )
    except (UnreadableError, UnreadableContainerError) as e:
        print(f"tergeu verify: not readable: {e}", file=sys.stderr)
        return 2
    except (RecorderError, ProtocolError, TergeuError) as e:
        print(f"tergeu verify: {e}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(report.summary())
        for line in addenda_lines(report):
            print(line)
    return 0 if report.ok else 1


def addenda_lines(report: Report) -> list[str]:
    """The signed addenda a container holds (refusals to sign recorded after signing)."""
    found = report.facts.get("addenda") or []
    if not found:
        return []
    lines = [f"Signed addenda: {len(found)}"]
    for a in found:
        person = a.get("participant") or {}
        when = (a.get("refused_at") or {}).get("local", "?")
        lines.append(
            f"  {a.get('file', a.get('manifest'))}: refusal to sign by "
            f"{person.get('full_name', '?')} ({person.get('role', '?')}, IIN "
            f"{person.get('iin', '?')}) at {when}; recorded by {a.get('signer', '?')} "
            f"in {a.get('signature')}; reason: “{a.get('reason', '?')}”"
        )
    return lines
