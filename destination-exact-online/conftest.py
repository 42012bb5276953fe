"""Shared test helpers of destination-exact-online: canonical orders (exact_testdata) and a deterministic clock."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
