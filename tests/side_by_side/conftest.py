"""Make scripts/airbyte_shopify.py importable for the side-by-side tests."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[2] / "scripts"))
