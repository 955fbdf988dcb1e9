"""The packaged knowledge base is exactly what scripts/build_kb.py makes from its sources."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, SHARED

DATA = ROOT / "src" / "marsad" / "data"


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.mark.slow
def test_build_reproduces_the_packaged_data(tmp_path):
    if not (SHARED / "data" / "gazetteer" / "syria_places.csv").exists():
        pytest.skip("needs ../shared/data to rebuild the knowledge base")
    # run the build script on a copy of the repo so the checkout is not touched
    copy = tmp_path / "repo"
    shutil.copytree(ROOT / "scripts", copy / "scripts")
    shutil.copytree(ROOT / "kb", copy / "kb")
    shutil.copytree(ROOT / "src", copy / "src", ignore=shutil.ignore_patterns("__pycache__", "data"))
    (copy.parent / "shared").symlink_to(SHARED) if not (copy.parent / "shared").exists() else None
    subprocess.run([sys.executable, str(copy / "scripts" / "build_kb.py"), "--shared", str(SHARED)],
                   check=True, capture_output=True)
    assert _digest(copy / "src" / "marsad" / "data") == _digest(DATA)
