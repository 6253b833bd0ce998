from __future__ import annotations

import signal
from pathlib import Path

import httpx
import pytest

from tests.e2e.processes import serve, wait_ready


def test_serve_answers_graphql_on_a_given_database_and_stops_on_ctrl_c(tmp_path: Path, database_url: str):
    process, port = serve(tmp_path, DATABASE_URL=database_url)
    try:
        ready = wait_ready(process, f"http://127.0.0.1:{port}/readyz")
        answer = httpx.post(f"http://127.0.0.1:{port}/graphql", json={"query": "{ __typename }"})
    finally:
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=30)

    assert ready.json()["status"] == "ready"
    assert answer.json()["data"] == {"__typename": "Query"}
    assert code == 0


@pytest.mark.slow
def test_serve_without_a_database_url_runs_an_embedded_one_with_demo_data_and_stops_it(tmp_path: Path):
    process, port = serve(tmp_path)
    try:
        ready = wait_ready(process, f"http://127.0.0.1:{port}/readyz", timeout_s=120)
        banner = (tmp_path / "serve.log").read_text()
        demo_code = banner.split("a genuine demo pack to verifyPack:", 1)[1].split()[0]
        scan = httpx.post(
            f"http://127.0.0.1:{port}/graphql",
            json={"query": "query($c: String!) { verifyPack(code: $c) { verdict } }", "variables": {"c": demo_code}},
        )
    finally:
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=60)
    log = (tmp_path / "serve.log").read_text()

    postmaster = tmp_path / "pgdata" / "postmaster.pid"
    assert ready.json()["status"] == "ready"
    assert "./dev token --role citizen" in log  # it tells a newcomer how to get a token
    assert scan.json()["data"]["verifyPack"]["verdict"] == "GENUINE"  # the demo data holds a pack at a pharmacy
    assert code == 0
    assert not postmaster.exists(), "the embedded PostgreSQL must stop with the service"
