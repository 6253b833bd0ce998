from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

# `govgraph serve` as a separate process, as a newcomer or an operator starts it.

GOVGRAPH = str(Path(sys.executable).parent / "govgraph")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(process: subprocess.Popen[str], url: str, timeout_s: float = 60) -> httpx.Response:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError("govgraph serve exited early; see its log")
        try:
            response = httpx.get(url, timeout=1)
            if response.status_code == 200:
                return response
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("govgraph serve did not become ready")


def serve(tmp_path: Path, **env: str) -> tuple[subprocess.Popen[str], int]:
    port = free_port()
    environment = {**os.environ, "GOVGRAPH_DATA_DIR": str(tmp_path), "GOVGRAPH_PORT": str(port), **env}
    if "DATABASE_URL" not in env:
        environment.pop("DATABASE_URL", None)
    with (tmp_path / "serve.log").open("w") as log:
        process = subprocess.Popen(
            [GOVGRAPH, "serve"], env=environment, stdout=log, stderr=subprocess.STDOUT, text=True
        )
    return process, port
