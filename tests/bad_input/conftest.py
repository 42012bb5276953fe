"""Make scripts/harness.py and this folder's helpers (stdin_runs.py) importable for the bad-input proof."""

import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parents[1] / "scripts"))
sys.path.insert(0, str(HERE))
