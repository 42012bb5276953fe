"""`make demo` (scripts/demo.py) as a new user reads it: both pipes end reconciled at 0.00, the booking reports
exist where it says, and its own figures (VAT table, ledger line, reconciliation) agree to the cent."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).parents[1]
AMOUNT = r"-?[\d,]+\.\d\d"


def amount(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def acts(output: str) -> dict[str, str]:
    """Each '== title' section of the output, by title."""
    parts = re.split(r"^== (.+)$", output, flags=re.MULTILINE)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def test_given_make_demo_then_it_ends_reconciled_at_zero_with_report_paths_and_its_figures_agree(
        tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "demo.py")], capture_output=True, text=True,
                            timeout=900, check=False, env={**os.environ, "DEMO_DIR": str(tmp_path / "demo")})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    sections = acts(result.stdout)
    reconciliations = {title: text for title, text in sections.items() if "reconcile-bookings" in title}
    first_syncs = {title.split(":")[0]: text for title, text in sections.items() if title.endswith("first sync")}
    assert len(reconciliations) == len(first_syncs) >= 2

    for title, text in reconciliations.items():
        pipe = title.split(":")[0]
        assert "difference shop vs ledger: 0.00" in text and "<<" not in text, title
        paths = re.findall(r"booking report: (\S+\.html) and (\S+\.csv)", text)
        assert len(paths) == 2 and all(Path(p).exists() for pair in paths for p in pair)
        # the ledger line of the first sync == the reconciliation's ledger totals per document type
        ledger_total = amount(re.findall(rf"total ({AMOUNT}) EUR", first_syncs[pipe])[-1])
        by_type = re.search(r"document type.*?\n(.*?)\n  missing", text, re.DOTALL)
        assert by_type is not None
        rows = [line.split() for line in by_type.group(1).splitlines()]  # name docs net VAT docs net VAT difference
        ledger_sum = sum((amount(row[5]) + amount(row[6]) for row in rows), Decimal(0))
        assert ledger_sum == ledger_total, pipe
        # the first sync's VAT table (net + VAT per scenario) adds up to the same total, credit notes included
        vat_rows = re.findall(rf"^  \S+\s+\d+\s+({AMOUNT})\s+({AMOUNT})$", first_syncs[pipe], re.MULTILINE)
        assert sum((amount(n) + amount(v) for n, v in vat_rows), Decimal(0)) == ledger_total, pipe
        # orders the first sync did not book are named, in the demo's list and in the reconciliation
        named = re.findall(r"^    - (#\S+): ", first_syncs[pipe], re.MULTILINE)
        assert named == re.findall(r"^    - (#\S+): skipped", text, re.MULTILINE)
