"""What the benchmarks share: `govgraph serve` started on a free port, wrk posting bodies once each, percentiles."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of `values` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(folder: Path, **settings: str) -> tuple[subprocess.Popen[bytes], int]:
    """`govgraph serve` with `settings` (environment variables) and its logs in `folder`; waits until it is ready."""
    port = free_port()
    env = {**os.environ, "GOVGRAPH_DATA_DIR": str(folder), "GOVGRAPH_PORT": str(port),
           "GOVGRAPH_RATE_LIMIT_RESTORE_PER_S": "1000000000", "GOVGRAPH_RATE_LIMIT_POINTS": "1000000000",
           "GOVGRAPH_LOG_LEVEL": "WARNING", **settings}  # fmt: skip  # one load generator is one caller
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "govgraph"), "serve"], env=env,
        stdout=(folder / "serve.log").open("wb"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return server, port
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"govgraph did not start; see {folder / 'serve.log'}")


def post_each(port: int, bearer: str, bodies: list[str], folder: Path, duration: int) -> dict[str, str]:
    """wrk -t2 -c16 sending each body once; requests/s, p50, p99 and `refused: N of M` from its report."""
    path = folder / "bodies.txt"
    path.write_text("".join(body + "\n" for body in bodies))
    script = Path(__file__).with_name("post_each.lua")
    command = ["wrk", "-t2", "-c16", f"-d{duration}s", "--latency", "-s", str(script), f"http://127.0.0.1:{port}",
               "--", str(path), bearer]  # fmt: skip
    report = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    found = {
        "rate": re.search(r"Requests/sec:\s+([0-9.]+)", report),
        "p50": re.search(r"50%\s+([0-9.]+\w+)", report),
        "p99": re.search(r"99%\s+([0-9.]+\w+)", report),
        "refused": re.search(r"refused: (\d+ of \d+)", report),
    }
    return {key: match[1] if match else "?" for key, match in found.items()}
