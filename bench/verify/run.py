"""The same-run verifyPack benchmark: govgraph against a bare starlette + asyncpg endpoint and PostGraphile 4.

    .venv/bin/python bench/verify/seed.py --packs 10000000     # once
    .venv/bin/python bench/verify/run.py [--rounds 2] [--only govgraph,bare] [--profile]

It starts the three servers one after another on free ports of 127.0.0.1, each in its own process group, checks
that each answers every code of checks.json as a correct server does (a GENUINE pack at a pharmacy first of all),
then, round by round, with the servers' order rotated each round, runs a warm-up and then the measured wrk run
against one server at a time (the others idle), every request POSTing the same GraphQL document with a random real
code from codes.txt (verify_pack.lua). It prints, per round and in all, requests/s, p50 and p99, errors (non-2xx,
socket errors, and 200s whose body holds "errors" or no verdict), the CPU that the server's processes and the
database's backends spent per request, how busy the machine was, the ratios govgraph/bare and
govgraph/postgraphile, and whether the target is met: at least PostGraphile's throughput, at least 0.6x bare,
and p99 under 30 ms. --profile then records govgraph under the same load with py-spy and prints the functions with
the most own time. Everything it starts is stopped when it ends, also on Ctrl-C or failure.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import jwt
from common import (
    DATA,
    DEFAULT_ADMIN_URL,
    DEFAULT_DATABASE,
    HERE,
    PROJECT,
    QUERY,
    data_dir,
    database_url,
    read_code_key,
)
from cryptography.hazmat.primitives.asymmetric import ec

SERVERS = ("govgraph", "bare", "postgraphile")
LUA = HERE / "verify_pack.lua"
POSTGRAPHILE = HERE / "postgraphile"
TARGET_VS_BARE = 0.6
TARGET_P99_MS = 30.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def log(message: str) -> None:
    print(f"[run {time.strftime('%H:%M:%S')}] {message}", flush=True)


class Stop(Exception):
    """SIGTERM or SIGHUP: leave through the finally blocks, as Ctrl-C does."""


def _stop(signum: int, frame: object) -> None:
    raise Stop(signal.Signals(signum).name)


# --- processes ---------------------------------------------------------------------------------------------------


class Processes:
    """Every process this script starts, each the leader of its own process group; stopped group by group."""

    def __init__(self) -> None:
        self.running: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, name: str, argv: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None,
              output: Path | int | None = None) -> subprocess.Popen[bytes]:  # fmt: skip
        log_file = output.open("ab") if isinstance(output, Path) else output
        try:
            process = subprocess.Popen(
                argv, env=env, cwd=cwd, stdout=log_file, stderr=subprocess.STDOUT if log_file else None,
                start_new_session=True,
            )  # fmt: skip
        finally:
            if isinstance(output, Path) and log_file is not None and not isinstance(log_file, int):
                log_file.close()
        self.running.append((name, process))
        return process

    def stop(self, process: subprocess.Popen[bytes], *, grace_s: float = 10.0) -> None:
        if process.poll() is None:
            with _suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(grace_s)
            except subprocess.TimeoutExpired:
                with _suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        # Whatever the leader left behind in its group goes too.
        with _suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        self.running = [(n, p) for n, p in self.running if p is not process]

    def stop_all(self) -> None:
        for name, process in reversed(list(self.running)):
            if process.poll() is None:
                log(f"stopping {name} (pid {process.pid})")
            self.stop(process)


class _suppress:
    def __init__(self, *errors: type[BaseException]) -> None:
        self.errors = errors

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> bool:
        return kind is not None and issubclass(kind, self.errors)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- CPU accounting ----------------------------------------------------------------------------------------------


def _proc_stats() -> dict[int, tuple[int, int]]:
    """pid -> (process group, CPU ticks spent) for every process we may read."""
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as file:
                fields = file.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        found[int(entry.name)] = (int(fields[2]), int(fields[11]) + int(fields[12]))
    return found


def _backends(database: str) -> set[int]:
    """The PostgreSQL backends serving `database` ("postgres: user database host(port) state")."""
    pids = set()
    marker = f" {database} ".encode()
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/cmdline", "rb") as file:
                title = file.read()
        except OSError:
            continue
        if title.startswith(b"postgres: ") and marker in title:
            pids.add(int(entry.name))
    return pids


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine."""
    with open("/proc/stat") as file:
        values = [int(v) for v in file.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


@dataclass
class CpuMeter:
    group: int
    database: str
    server: int = 0
    db: dict[int, int] = field(default_factory=dict)
    machine: tuple[int, int] = (0, 0)
    children: float = 0.0
    wall: float = 0.0

    def start(self) -> None:
        stats = _proc_stats()
        self.server = sum(ticks for group, ticks in stats.values() if group == self.group)
        self.db = {pid: stats[pid][1] for pid in _backends(self.database) if pid in stats}
        self.machine = _machine_ticks()
        self.children = _reaped_children_cpu()
        self.wall = time.monotonic()

    def stop(self) -> tuple[float, float, float, float]:
        """(server CPU s, database backends' CPU s, machine busy share, cores busy with anything else) since start;
        anything else: wrk's CPU (a reaped child of ours) is not, PostgreSQL's background processes and every other
        process on the machine (other people's tests) are."""
        stats = _proc_stats()
        server = sum(ticks for group, ticks in stats.values() if group == self.group) - self.server
        db = sum(stats[pid][1] - self.db.get(pid, 0) for pid in _backends(self.database) if pid in stats)
        busy, total = _machine_ticks()
        share = (busy - self.machine[0]) / max(1, total - self.machine[1])
        wrk = _reaped_children_cpu() - self.children
        wall = time.monotonic() - self.wall
        other = ((busy - self.machine[0] - server - db) / CLOCK_TICKS - wrk) / wall
        return server / CLOCK_TICKS, db / CLOCK_TICKS, share, max(0.0, other)


def _reaped_children_cpu() -> float:
    times = os.times()
    return times.children_user + times.children_system


# --- servers -----------------------------------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path


def post(port: int, code: str, timeout: float = 5.0) -> tuple[int, Any]:
    body = json.dumps({"query": QUERY, "variables": {"code": code}}).encode()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("POST", "/graphql", body, {"Content-Type": "application/json"})
        response = connection.getresponse()
        raw = response.read()
    finally:
        connection.close()
    try:
        return response.status, json.loads(raw)
    except ValueError:
        return response.status, raw.decode(errors="replace")


def wait_until_genuine(server: Server, code: str, timeout_s: float = 90.0) -> None:
    deadline = time.monotonic() + timeout_s
    last: object = None
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SystemExit(f"{server.name} exited with {server.process.returncode}:\n{_tail(server.log)}")
        try:
            status, payload = post(server.port, code, timeout=2.0)
            last = (status, payload)
            verdict = payload["data"]["verifyPack"]["verdict"] if isinstance(payload, dict) else None
            if status == 200 and verdict == "GENUINE":
                return
            if status == 200 and verdict is not None:
                raise SystemExit(f"{server.name} says {verdict} for a pack at a pharmacy: {payload}")
        except (OSError, http.client.HTTPException, KeyError, TypeError):
            pass
        time.sleep(0.25)
    raise SystemExit(
        f"{server.name} did not answer a real code in {timeout_s:.0f} s; last: {last}\n{_tail(server.log)}"
    )


def check_answers(server: Server, checks: list[dict[str, Any]]) -> list[str]:
    """What the server gets wrong among the checks: the verdict always, the whole answer where one is given."""
    wrong = []
    for check in checks:
        status, payload = post(server.port, check["code"])
        got = payload.get("data", {}).get("verifyPack") if isinstance(payload, dict) else None
        if status != 200 or got is None:
            wrong.append(f"{check['verdict']}: status {status}, {payload}")
            continue
        expected = check.get("answer", {"verdict": check["verdict"]})
        differs = {key: (got.get(key), value) for key, value in expected.items() if got.get(key) != value}
        if differs:
            wrong.append(f"{check['verdict']} {check['code']!r}: (got, expected) {differs}")
    return wrong


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def code_state() -> str:
    """The commit the working tree is at and what is modified in it (read-only git): the tree is shared and moves."""
    try:
        head = subprocess.run(
            ["git", "-C", str(PROJECT), "log", "-1", "--format=%h %cd %s", "--date=format:%Y-%m-%d %H:%M"],
            capture_output=True, text=True, check=True, timeout=10,
        ).stdout.strip()  # fmt: skip
        status = subprocess.run(
            ["git", "-C", str(PROJECT), "status", "--porcelain", "--", "api", "domain", "schema", "migrations"],
            capture_output=True, text=True, check=True, timeout=10,
        ).stdout.split("\n")  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return "unknown (no git)"
    changed = [line[3:] for line in status if line.strip()]
    if not changed:
        return f"{head[:90]}; clean"
    diff = subprocess.run(
        ["git", "-C", str(PROJECT), "diff", "HEAD", "--", "api", "domain", "schema", "migrations"],
        capture_output=True, check=False, timeout=10,
    ).stdout  # fmt: skip
    digest = hashlib.sha1(diff).hexdigest()[:8]
    return f"{head[:90]}; uncommitted changes (diff {digest}) in {', '.join(changed)}"


def write_jwks(path: Path) -> None:
    """A JWKS with a throwaway EC key: production mode needs one; anonymous scans never show a token."""
    key = ec.generate_private_key(ec.SECP256R1())
    jwk = jwt.algorithms.ECAlgorithm.to_jwk(key.public_key(), as_dict=True)
    jwk.update({"kid": "bench", "use": "sig", "alg": "ES256"})
    path.write_text(json.dumps({"keys": [jwk]}))


def ensure_postgraphile(processes: Processes, logs: Path) -> Path:
    """postgraphile/node_modules from package-lock.json (npm ci), or npm install when there is no lock yet."""
    cli = POSTGRAPHILE / "node_modules" / "postgraphile" / "cli.js"
    lock = POSTGRAPHILE / "package-lock.json"
    installed = POSTGRAPHILE / "node_modules" / ".package-lock.json"
    if cli.exists() and installed.exists() and installed.stat().st_mtime >= lock.stat().st_mtime:
        return cli
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm is not on PATH: PostGraphile needs Node 18+ and npm")
    argv = [npm, "ci" if lock.exists() else "install", "--no-audit", "--no-fund"]
    log(f"{' '.join(argv[1:])} in {POSTGRAPHILE} (see {logs / 'npm.log'})")
    process = processes.start("npm", argv, cwd=POSTGRAPHILE, output=logs / "npm.log")
    if process.wait() != 0:
        raise SystemExit(f"npm failed:\n{_tail(logs / 'npm.log')}")
    processes.stop(process)
    return cli


async def prepare_database(url: str, keep_scans: bool) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute((POSTGRAPHILE / "verify_pack.sql").read_text())
        if not keep_scans:
            # govgraph writes every scan (pack_verifications) and raises alerts for some: start each run empty.
            await connection.execute("TRUNCATE pack_verifications, medicine_alerts")
    finally:
        await connection.close()


def start_server(name: str, args: argparse.Namespace, processes: Processes, url: str, logs: Path) -> Server:
    port = free_port()
    out = logs / f"{name}.log"
    out.write_text("")
    key_file = data_dir(args.database) / "code_key"
    key_id, secret = read_code_key(key_file)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVGRAPH_") and k != "DATABASE_URL"}
    if name == "govgraph":
        jwks = DATA / "jwks.json"
        write_jwks(jwks)
        env.update(
            {
                "GOVGRAPH_MODE": "production",
                "DATABASE_URL": url,
                "GOVGRAPH_HOST": "127.0.0.1",
                "GOVGRAPH_PORT": str(port),
                "GOVGRAPH_JWKS_FILE": str(jwks),
                "GOVGRAPH_CODE_KEYS": f"{key_id}:{base64.b64encode(secret).decode()}",
                "GOVGRAPH_CODE_KEY_ID": key_id,
                # One load generator is one caller (127.0.0.1): its bucket must never run dry.
                "GOVGRAPH_RATE_LIMIT_RESTORE_PER_S": "1000000000",
                "GOVGRAPH_LOG_LEVEL": "WARNING",
                "GOVGRAPH_DATA_DIR": str(DATA / "govgraph-data"),
            }
        )
        for item in args.govgraph_env:
            key, _, value = item.partition("=")
            env[key] = value
        argv = [str(Path(sys.executable).parent / "govgraph"), "serve"]
        cwd = PROJECT
    elif name == "bare":
        argv = [sys.executable, str(HERE / "bare.py"), "--port", str(port), "--database-url", url,
                "--code-key-file", str(key_file), *args.bare_arg]  # fmt: skip
        cwd = PROJECT
    else:
        cli = ensure_postgraphile(processes, logs)
        env["NODE_ENV"] = "production"
        argv = [
            shutil.which("node") or "node", str(cli), "--connection", url, "--schema", "bench_api",
            "--host", "127.0.0.1", "--port", str(port), "--disable-graphiql", "--disable-query-log",
            "--simple-collections", "only", "--disable-default-mutations",
        ]  # fmt: skip
        cwd = POSTGRAPHILE
    process = processes.start(name, argv, env=env, cwd=cwd, output=out)
    log(f"started {name} on 127.0.0.1:{port} (pid {process.pid}, log {out})")
    return Server(name, port, process, out)


# --- wrk ---------------------------------------------------------------------------------------------------------


@dataclass
class Result:
    server: str
    round: int
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int
    socket_errors: int
    graphql_errors: int
    no_verdict: int
    genuine_share: float
    server_cpu_us: float  # CPU of the server's processes per request
    db_cpu_us: float  # CPU of the database backends serving the bench database per request
    machine_busy: float
    other_cores: float  # cores busy with neither the server, nor its database backends, nor wrk
    duration_s: float
    sessions: int  # database connections opened during the run (pg_stat_database.sessions)
    xacts_per_request: float  # transactions the database counted per request (commits and rollbacks)
    buffers_per_request: float  # shared buffers hit or read in the bench database per request

    @property
    def errors(self) -> int:
        return self.non_2xx + self.socket_errors + self.graphql_errors + self.no_verdict


_LATENCY_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}


def run_wrk(processes: Processes, args: argparse.Namespace, port: int, duration_s: float, codes: Path) -> str:
    wrk = args.wrk or shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is not installed (apt-get install -y wrk)")
    argv = [wrk, f"-t{args.threads}", f"-c{args.connections}", f"-d{duration_s:g}s", "--latency", "--timeout", "10s",
            "-s", str(LUA), f"http://127.0.0.1:{port}", "--", str(codes)]  # fmt: skip
    process = processes.start("wrk", argv, output=subprocess.PIPE)
    try:
        out, _ = process.communicate(timeout=duration_s + 60)
    finally:
        processes.stop(process)
    text = out.decode(errors="replace")
    if process.returncode != 0 or "Requests/sec" not in text:
        raise SystemExit(f"wrk failed ({process.returncode}):\n{text}")
    return text


def parse_wrk(text: str) -> dict[str, float]:
    found: dict[str, float] = {}
    match = re.search(r"Requests/sec:\s+([\d.]+)", text)
    found["rps"] = float(match.group(1)) if match else 0.0
    match = re.search(r"(\d+) requests in", text)
    found["requests"] = int(match.group(1)) if match else 0
    match = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    found["non_2xx"] = int(match.group(1)) if match else 0
    match = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    found["socket_errors"] = sum(int(g) for g in match.groups()) if match else 0
    match = re.search(r"^BENCH (.*)$", text, re.MULTILINE)
    if match:
        for pair in match.group(1).split():
            key, value = pair.split("=")
            found[key] = float(value)
    else:  # wrk's own rounded figures
        for percent, key in (("50", "p50_us"), ("99", "p99_us")):
            line = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s|m)$", text, re.MULTILINE)
            if line:
                found[key] = float(line.group(1)) * _LATENCY_UNITS[line.group(2)] * 1000
    return found


def measure(server: Server, processes: Processes, args: argparse.Namespace, round_number: int, codes: Path) -> Result:
    if args.warmup > 0:
        warm = parse_wrk(run_wrk(processes, args, server.port, args.warmup, codes))
        bad = warm["non_2xx"] + warm["socket_errors"] + warm.get("graphql_errors", 0) + warm.get("no_verdict", 0)
        if bad:
            log(f"! {server.name}: {bad:.0f} errors during the warm-up (not counted below)")
    meter = CpuMeter(server.process.pid, args.database)
    counters = asyncio.run(database_counters(args))
    meter.start()
    text = run_wrk(processes, args, server.port, args.duration, codes)
    server_cpu_s, db_cpu_s, busy, other = meter.stop()
    time.sleep(1.2)  # backends report their counts to the statistics at most once a second
    sessions, xacts, buffers = (
        after - before for after, before in zip(asyncio.run(database_counters(args)), counters, strict=True)
    )
    if server.process.poll() is not None:
        raise SystemExit(f"{server.name} died during the run:\n{_tail(server.log)}")
    figures = parse_wrk(text)
    (DATA / "logs" / f"wrk-{server.name}-round{round_number}.txt").write_text(text)
    requests = max(1, int(figures["requests"]))
    return Result(
        server=server.name,
        round=round_number,
        rps=figures["rps"],
        p50_ms=figures.get("p50_us", 0.0) / 1000,
        p99_ms=figures.get("p99_us", 0.0) / 1000,
        requests=requests,
        non_2xx=int(figures["non_2xx"]),
        socket_errors=int(figures["socket_errors"]),
        graphql_errors=int(figures.get("graphql_errors", 0)),
        no_verdict=int(figures.get("no_verdict", 0)),
        genuine_share=figures.get("genuine", 0.0) / max(1.0, figures.get("responses", 0.0)),
        server_cpu_us=server_cpu_s / requests * 1e6,
        db_cpu_us=db_cpu_s / requests * 1e6,
        machine_busy=busy,
        other_cores=other,
        duration_s=args.duration,
        sessions=sessions,
        xacts_per_request=xacts / requests,
        buffers_per_request=buffers / requests,
    )


async def database_counters(args: argparse.Namespace) -> tuple[int, int, int]:
    """(sessions opened, transactions ended, buffers hit or read) in the bench database so far."""
    connection = await asyncpg.connect(database_url(args.admin_url, args.database))
    try:
        row = await connection.fetchrow(
            "SELECT sessions, xact_commit + xact_rollback AS xacts, blks_hit + blks_read AS buffers "
            "FROM pg_stat_database WHERE datname = $1",
            args.database,
        )
    finally:
        await connection.close()
    return int(row["sessions"]), int(row["xacts"]), int(row["buffers"])


# --- report ------------------------------------------------------------------------------------------------------

_HEADER = f"{'server':<13} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'errors':>7} {'GENUINE':>8}"
_CPU_HEADER = (
    f"{'server':<13} {'app CPU µs/req':>14} {'DB CPU µs/req':>13} {'machine busy':>12} {'other load':>10} "
    f"{'DB conns opened/s':>17} {'xacts/req':>9} {'buffers/req':>11}"
)


def _mean(rs: list[Result], attribute: str) -> float:
    return statistics.mean(getattr(r, attribute) for r in rs)


def _row(name: str, rs: list[Result]) -> str:
    errors = sum(r.errors for r in rs)
    return (
        f"{name:<13} {_mean(rs, 'rps'):>8,.0f} {_mean(rs, 'p50_ms'):>7.2f} {_mean(rs, 'p99_ms'):>7.2f} "
        f"{errors:>7,} {_mean(rs, 'genuine_share'):>8.1%}"
    )


def _cpu_row(name: str, rs: list[Result]) -> str:
    opened = statistics.mean(r.sessions / r.duration_s for r in rs)
    return (
        f"{name:<13} {_mean(rs, 'server_cpu_us'):>14,.0f} {_mean(rs, 'db_cpu_us'):>13,.0f} "
        f"{_mean(rs, 'machine_busy'):>12.0%} {_mean(rs, 'other_cores'):>10.2f} {opened:>17,.1f} "
        f"{_mean(rs, 'xacts_per_request'):>9.2f} {_mean(rs, 'buffers_per_request'):>11.1f}"
    )


def _ratios(by_server: dict[str, list[Result]]) -> list[str]:
    lines = []
    gg = by_server.get("govgraph")
    if not gg:
        return lines
    gg_rps = statistics.mean(r.rps for r in gg)
    verdicts = []
    for other, target in (("bare", TARGET_VS_BARE), ("postgraphile", 1.0)):
        if by_server.get(other):
            ratio = gg_rps / statistics.mean(r.rps for r in by_server[other])
            met = ratio >= target
            verdicts.append(met)
            lines.append(
                f"govgraph / {other:<13} {ratio:5.2f}   (target ≥ {target:.1f}: {'met' if met else 'NOT met'})"
            )
    p99 = max(r.p99_ms for r in gg)
    met = p99 < TARGET_P99_MS
    verdicts.append(met)
    lines.append(
        f"govgraph p99 (worst round)  {p99:5.1f} ms (target < {TARGET_P99_MS:.0f} ms: {'met' if met else 'NOT met'})"
    )
    if len(verdicts) == 3:
        lines.append(f"target {'MET' if all(verdicts) else 'NOT MET'}")
    return lines


def report(results: list[Result], title: str) -> None:
    by_server: dict[str, list[Result]] = {}
    for result in results:
        by_server.setdefault(result.server, []).append(result)
    print(f"\n{title}")
    print(_HEADER)
    for name in SERVERS:
        if by_server.get(name):
            print(_row(name, by_server[name]))
    for line in _ratios(by_server):
        print("  " + line)
    print(_CPU_HEADER)
    for name in SERVERS:
        if by_server.get(name):
            print(_cpu_row(name, by_server[name]))
    errors = [r for r in results if r.errors]
    for r in errors:
        print(
            f"  ! {r.server} round {r.round}: non-2xx {r.non_2xx}, socket errors {r.socket_errors}, "
            f"GraphQL errors {r.graphql_errors}, answers without a verdict {r.no_verdict}"
        )
    sys.stdout.flush()


# --- profile -----------------------------------------------------------------------------------------------------


def profile(server: Server, processes: Processes, args: argparse.Namespace, codes: Path) -> None:
    py_spy = args.py_spy or shutil.which("py-spy")
    if py_spy is None:
        log("--profile needs py-spy (pip install py-spy, into /tmp or the venv; give --py-spy PATH)")
        return
    out = DATA / f"profile-govgraph-{time.strftime('%Y%m%d-%H%M%S')}.txt"
    seconds = max(5, int(args.duration) - 2)
    argv = [py_spy, "record", "--pid", str(server.process.pid), "--rate", str(args.profile_rate), "--duration",
            str(seconds), "--format", "raw", "--function", "--full-filenames", "--output", str(out)]  # fmt: skip
    if args.profile_native:
        argv.append("--native")
    log(f"profiling govgraph with py-spy for {seconds} s under the same load ({out})")
    spy = processes.start("py-spy", argv, output=DATA / "logs" / "py-spy.log")
    try:
        time.sleep(1)
        run_wrk(processes, args, server.port, seconds + 2, codes)
        spy.wait(timeout=60)
    finally:
        processes.stop(spy)
    if not out.exists():
        log(f"py-spy wrote nothing:\n{_tail(DATA / 'logs' / 'py-spy.log')}")
        return
    print_profile(out, top=args.profile_top)


def print_profile(path: Path, top: int = 15) -> None:
    """Own time per function (the leaf of each sampled stack) and per package, from py-spy's collapsed stacks."""
    own: Counter[str] = Counter()
    packages: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        samples = int(count)
        total += samples
        leaf = stack.rsplit(";", 1)[-1]
        own[leaf] += samples
        packages[_package(leaf)] += samples
    if not total:
        print("no samples")
        return
    print(f"\npy-spy: {total:,} samples of the govgraph process while it was busy; own time per function")
    for frame, samples in own.most_common(top):
        print(f"  {samples / total:6.1%}  {_shorten(frame)}")
    print("own time per package")
    for package, samples in packages.most_common(12):
        print(f"  {samples / total:6.1%}  {package}")


def _package(frame: str) -> str:
    match = re.search(r"\((.*?)(?::\d+)?\)$", frame)
    path = match.group(1) if match else frame
    if "site-packages/" in path:
        return path.split("site-packages/", 1)[1].split("/", 1)[0]
    if path.startswith(f"{PROJECT}/"):
        return "govgraph " + path.removeprefix(f"{PROJECT}/").split("/", 1)[0]
    if "/lib/python3" in path:
        return "stdlib"
    return path


def _shorten(frame: str) -> str:
    frame = re.sub(r"/[^ (]*/site-packages/", "", frame)
    return frame.replace(str(PROJECT) + "/", "")


# --- main --------------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default=DEFAULT_DATABASE)
    parser.add_argument("--admin-url", default=DEFAULT_ADMIN_URL)
    parser.add_argument("--only", default=",".join(SERVERS), help="comma-separated: govgraph,bare,postgraphile")
    parser.add_argument("--rounds", type=int, default=2, help="rounds, the servers' order rotated each round")
    parser.add_argument("--threads", "-t", type=int, default=2)
    parser.add_argument("--connections", "-c", type=int, default=32)
    parser.add_argument("--duration", "-d", type=float, default=20.0, help="seconds measured per server and round")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds of load before each measured run")
    parser.add_argument("--keep-scans", action="store_true", help="do not empty pack_verifications first")
    parser.add_argument("--govgraph-env", action="append", default=[], help="KEY=VALUE for govgraph, repeatable")
    parser.add_argument(
        "--bare-arg", action="append", default=[], help="an argument for bare.py, e.g. --bare-arg=--reset"
    )
    parser.add_argument("--wrk", help="path of wrk")
    parser.add_argument("--profile", action="store_true", help="then record govgraph under load with py-spy")
    parser.add_argument("--py-spy", help="path of py-spy")
    parser.add_argument("--profile-rate", type=int, default=200)
    parser.add_argument("--profile-top", type=int, default=15)
    parser.add_argument("--profile-native", action="store_true", help="py-spy --native (C and Cython frames)")
    args = parser.parse_args()
    servers = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = set(servers) - set(SERVERS)
    if unknown or not servers:
        parser.error(f"--only takes some of {', '.join(SERVERS)}")
    servers = [name for name in SERVERS if name in servers]

    out = data_dir(args.database)
    codes = out / "codes.txt"
    checks_file = out / "checks.json"
    for needed in (codes, checks_file, out / "code_key"):
        if not needed.exists():
            raise SystemExit(f"{needed} is missing: run bench/verify/seed.py first")
    checks = json.loads(checks_file.read_text())
    genuine = next(c["code"] for c in checks if c["verdict"] == "GENUINE")
    logs = DATA / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    url = database_url(args.admin_url, args.database)

    code_at_start = code_state()
    log(f"govgraph code: {code_at_start}")
    signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started with SIGINT ignored (`cmd &`)
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGHUP, _stop)
    processes = Processes()
    results: list[Result] = []
    try:
        asyncio.run(prepare_database(url, args.keep_scans))
        running: dict[str, Server] = {}
        for name in servers:
            server = start_server(name, args, processes, url, logs)
            wait_until_genuine(server, genuine)
            wrong = check_answers(server, checks)
            if wrong:
                raise SystemExit(
                    f"{name} answers {len(wrong)} of {len(checks)} checks wrongly:\n  " + "\n  ".join(wrong)
                )
            log(f"{name} answers all {len(checks)} checks as expected")
            running[name] = server
        log(
            f"wrk -t{args.threads} -c{args.connections} -d{args.duration:g}s, {args.warmup:g} s warm-up, "
            f"{args.rounds} round(s), {sum(1 for _ in codes.open())} codes"
        )
        for round_number in range(1, args.rounds + 1):
            shift = (round_number - 1) % len(servers)
            order = servers[shift:] + servers[:shift]
            round_results = []
            for name in order:
                log(f"round {round_number}: {name}")
                round_results.append(measure(running[name], processes, args, round_number, codes))
            results += round_results
            report(round_results, f"round {round_number} ({' → '.join(order)})")
        if args.rounds > 1:
            report(results, f"all {args.rounds} rounds (means; ratios of the means)")
        if args.profile and "govgraph" in running:
            profile(running["govgraph"], processes, args, codes)
        if code_state() != code_at_start:
            log(f"! the code changed during the run (now: {code_state()}); govgraph ran what was there when it started")
    except (KeyboardInterrupt, Stop) as stop:
        log(f"interrupted ({type(stop).__name__} {stop}); stopping")
        if results:
            report(results, "results so far")
        raise SystemExit(130) from None
    finally:
        processes.stop_all()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGHUP, signal.SIG_DFL)


if __name__ == "__main__":
    main()
