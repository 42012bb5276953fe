"""`scripts/demo.py --pos … --into …`: which Lightspeed POS pipes the demo runs (the pipes themselves are the matrix's)."""

from __future__ import annotations

import demo
import pytest


@pytest.mark.parametrize(("argv", "pipes"), [
    (["--pos", "kseries"], [("lightspeed_kseries", "exact")]),
    (["--pos", "xseries", "--into", "eaccounting"], [("lightspeed_xseries", "eaccounting")]),
    (["--pos", "kseries", "--pos", "xseries", "--into", "eaccounting"],
     [("lightspeed_kseries", "eaccounting"), ("lightspeed_xseries", "eaccounting")]),
    ([], demo.PIPES),
])
def test_given_demo_flags_when_parsed_then_the_pipes_to_run(argv: list[str], pipes: list[tuple[str, str]]) -> None:
    assert demo.pos_pipes(argv) == pipes
    assert all(source in demo.LABELS and destination in demo.LABELS for source, destination in pipes)


def test_given_an_unknown_platform_then_the_demo_refuses_it() -> None:
    with pytest.raises(SystemExit):
        demo.pos_pipes(["--pos", "rseries"])
