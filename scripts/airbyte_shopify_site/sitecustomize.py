"""Loaded by Python at start-up (this folder is on PYTHONPATH) in the process of Airbyte's `source-shopify`.

It sends every request for ``https://{shop}.myshopify.com/...`` to the Shopify stand-in named by
``SHOPIFY_STANDIN_URL`` (``http://127.0.0.1:PORT``), at the transport adapter: `requests.adapters.HTTPAdapter.send`
is wrapped for every adapter class (the CDK mounts its own `TcpKeepaliveHTTPAdapter`), so Airbyte's code runs
unpatched. The response keeps the URL Airbyte asked for (`response.url`), because its BULK job code compares that
URL with its base URL to detect shop aliasing. Nothing else is changed; without the variable this does nothing.
"""

from __future__ import annotations

import os
import re

TARGET = os.environ.get("SHOPIFY_STANDIN_URL", "").rstrip("/")
SHOP_URL = re.compile(r"^https://[A-Za-z0-9][A-Za-z0-9-]*\.myshopify\.com(?=[/?]|$)")

if TARGET:
    from typing import Any

    import requests.adapters

    _send = requests.adapters.HTTPAdapter.send

    def _send_to_standin(self: requests.adapters.HTTPAdapter, request: Any, *args: Any, **kwargs: Any) -> Any:
        original = request.url or ""
        match = SHOP_URL.match(original)
        if match is None:
            return _send(self, request, *args, **kwargs)
        rewritten = request.copy()
        rewritten.url = TARGET + original[match.end():]
        response = _send(self, rewritten, *args, **kwargs)
        response.url = original
        response.request = request
        return response

    requests.adapters.HTTPAdapter.send = _send_to_standin  # type: ignore[method-assign]
