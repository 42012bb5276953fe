"""Make scripts/harness.py and scripts/faults.py importable for the fault and crash campaigns."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[2] / "scripts"))
