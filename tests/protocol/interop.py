"""Independent tools that every generated container must satisfy: Info-ZIP, OpenSSL, FFmpeg."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

from tests.pki.fixtures import MAIN


def unzip_tests_ok(container: Path) -> None:
    r = subprocess.run(["unzip", "-tq", str(container)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def openssl_verifies_every_signature(container: Path, tmp: Path, pki: Path = MAIN) -> int:
    """``openssl cms -verify`` of each signatureNNN.p7s over its ASiCManifestNNN.xml; the count."""
    with zipfile.ZipFile(container) as zf:
        numbers = sorted(
            m.group(1)
            for n in zf.namelist()
            if (m := re.fullmatch(r"META-INF/signature(\d{3})\.p7s", n))
        )
        for n in numbers:
            manifest, sig = tmp / f"m{n}.xml", tmp / f"s{n}.p7s"
            manifest.write_bytes(zf.read(f"META-INF/ASiCManifest{n}.xml"))
            sig.write_bytes(zf.read(f"META-INF/signature{n}.p7s"))
            ca = pki / "ca" / "chain.pem"
            r = subprocess.run(
                [
                    *("openssl", "cms", "-verify", "-binary", "-inform", "DER"),
                    *("-content", str(manifest), "-in", str(sig)),
                    *("-CAfile", str(ca), "-purpose", "any", "-out", "/dev/null"),
                ],
                capture_output=True,
                text=True,
            )
            assert r.returncode == 0, (n, r.stderr)
    return len(numbers)


def ffprobe_reads_every_segment(container: Path, tmp: Path) -> int:
    """ffprobe finds one audio or video stream in each extracted segment; the count."""
    with zipfile.ZipFile(container) as zf:
        segments = [n for n in zf.namelist() if n.endswith(".ts")]
        zf.extractall(tmp / "segments", members=segments)
    for name in segments:
        r = subprocess.run(
            [
                *("ffprobe", "-v", "error", "-show_entries", "stream=codec_type"),
                *("-of", "csv=p=0", str(tmp / "segments" / name)),
            ],
            capture_output=True,
            text=True,
            timeout=30,
        )
        kinds = {line for line in r.stdout.split() if line}
        assert r.returncode == 0 and kinds in ({"video"}, {"audio"}), (name, r.stdout, r.stderr)
    return len(segments)
