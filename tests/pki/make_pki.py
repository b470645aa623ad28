"""Regenerate the committed test PKI: ``.venv/bin/python tests/pki/make_pki.py``.

``main/`` is the demo PKI the tests sign with; ``other/`` is an unrelated demo PKI (a certificate
from another CA). Both use the password in :data:`PASSWORD` (test material only).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from protocol.demo_pki import create_demo

HERE = Path(__file__).resolve().parent
PASSWORD = "tergeu-test"


def main() -> None:
    for label, sub in (("", "main"), ("OTHER", "other")):
        shutil.rmtree(HERE / sub, ignore_errors=True)
        create_demo(HERE / sub, PASSWORD, years=20, label=label)
        print(f"wrote {HERE / sub}")


if __name__ == "__main__":
    main()
