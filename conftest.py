"""Root pytest hooks: import the real `sandbox` package before collection.

With --import-mode=importlib pytest names test modules after their path (sandbox/tests/x.py -> sandbox.tests.x)
and would otherwise register a stand-in module for the top-level folder `sandbox/`, hiding the package.
"""

import sandbox  # noqa: F401
