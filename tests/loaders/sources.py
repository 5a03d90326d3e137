"""Where the loader tests find their inputs: the bundled sources and the fixtures."""

from __future__ import annotations

import re
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SOURCES = Path(__file__).resolve().parents[2] / "data" / "sources"
HA_GIANG = SOURCES / "ha-giang-hoi-dap-2022.txt"
KHANH_HOA = SOURCES / "khanh-hoa-hoi-dap-2022.txt"
LAO_CAI = SOURCES / "lao-cai-tai-lieu-tuyen-truyen-2022.txt"


def squeeze(text: str) -> str:
    """``text`` without white space: compares text across the source's broken lines."""
    return re.sub(r"\s+", "", text)
