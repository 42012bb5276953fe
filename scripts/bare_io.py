"""The bare I/O baseline of a source benchmark: replays the HTTP requests a connector made, with no mapping.

`scripts/bench.py` runs a source against a stand-in, takes the stand-in's request log and runs this script as its own
process on the same stand-in: the same requests in the same order over one keep-alive `requests.Session`, each
response body read and JSON-decoded (a bulk result file line by line), nothing mapped or written. Its CPU seconds
(minus those of `--noop`, the interpreter and `requests` import) are what the I/O alone costs.

Usage: python scripts/bare_io.py <requests.json> | --noop | --stdin
`--stdin`: the input side of a destination instead: every line of stdin JSON-decoded (what a destination cannot avoid).
`requests.json`: {"base_url": ..., "headers": {...}, "requests": [{"method", "path", "query", "body"}, ...]}.
Prints one line: `BARE {"requests": n, "bytes": n, "documents": n}`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import requests


def replay(plan: dict[str, object]) -> dict[str, int]:
    session = requests.Session()
    session.trust_env = False  # like the connectors' HttpClient: the environment is not read per request
    session.headers.update(plan.get("headers") or {})  # type: ignore[arg-type]
    base = str(plan["base_url"]).rstrip("/")
    sent = received = documents = 0
    for item in plan["requests"]:  # type: ignore[attr-defined]
        query = dict(item.get("query") or {})
        body = item.get("body") or None
        headers = {"Content-Type": "application/json"} if body else {}
        response = session.request(item["method"], base + item["path"], params=query, data=body, headers=headers,
                                   timeout=(10, 60))
        content = response.content
        received += len(content)
        sent += 1
        if item["path"].endswith(".jsonl") or response.headers.get("Content-Type", "").startswith("application/jsonl"):
            for line in content.splitlines():
                if line.strip():
                    json.loads(line)
                    documents += 1
        elif content:
            json.loads(content)
            documents += 1
    return {"requests": sent, "bytes": received, "documents": documents}


def main(argv: list[str]) -> int:
    if argv == ["--noop"]:
        print("BARE " + json.dumps({"requests": 0, "bytes": 0, "documents": 0}))
        return 0
    if argv == ["--stdin"]:
        received = documents = 0
        for line in sys.stdin.buffer:
            received += len(line)
            if line.strip():
                json.loads(line)
                documents += 1
        print("BARE " + json.dumps({"requests": 0, "bytes": received, "documents": documents}))
        return 0
    plan = json.loads(Path(argv[0]).read_text("utf-8"))
    print("BARE " + json.dumps(replay(plan)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
