"""Insurance contributions at the scale of issue 7: a million payers with five years of monthly contributions.

    .venv/bin/python bench/insurance/run.py [--payers 1000000] [--months 60] [--samples 300] [--duration 10]

Makes the database `govgraph_bench_insurance` anew (PostgreSQL on 127.0.0.1:5432, --admin-url), migrates it and
loads, with COPY: --payers people, one credited payment each covering --months months up to December 2025 (60 million
month rows by default; the months' indexes are made after the load). Then, against `govgraph serve` over HTTP:

1. `myInsuranceStatus` for --samples random payers (a citizen token each), and `contributionQuote` of three 2026
   months for --samples random payers (a bank token): median and p99 of each;
2. `payContributions` with wrk (`bench/post_each.lua`): every request pays January–February 2026 of another payer
   under its own idempotency key, --duration seconds; requests/s, p50, p99, and how many were refused.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from serving import percentile, post_each, start_server  # noqa: E402  # bench/serving.py

from api import migrate  # noqa: E402  # the project's modules, from the checkout this script is in
from api.devkeys import DevelopmentKey  # noqa: E402
from api.settings import Settings  # noqa: E402
from domain.shared.iin import iin_check_digit  # noqa: E402

BANK_BIN = "981240000041"
CHUNK = 1_000_000


def log(message: str) -> None:
    print(f"[insurance {time.strftime('%H:%M:%S')}] {message}", flush=True)


def people(count: int) -> list[str]:
    """`count` valid IINs of adults, a hundred a birth day from 1960 on."""
    found: list[str] = []
    day = date(1960, 1, 1)
    while len(found) < count:
        for serial in range(100):
            first = f"{day:%y%m%d}3{serial:04d}"
            digit = iin_check_digit(first)
            if digit is not None:
                found.append(first + str(digit))
        day += timedelta(days=1)
    return found[:count]


async def seed(url: str, iins: list[str], months: int) -> None:
    connection = await asyncpg.connect(url)
    try:
        now = datetime(2025, 12, 31, tzinfo=UTC)
        await connection.copy_records_to_table(
            "people", records=[(iin, "Bench Payer") for iin in iins], columns=("iin", "full_name")
        )
        log(f"  {len(iins):,} people")
        ids = await connection.fetch(
            """INSERT INTO contribution_payments (bank_bin, client_id, idempotency_key, request_digest, payer_iin,
                   payer_name, payer_kind, amount_tiyn, knp, purpose, bank_reference, status, accepted_at,
                   business_day, status_changed_at)
               SELECT $1, 'bench', 'seed-' || iin, '', iin, full_name, 'INDEPENDENT', $2, '122', 'seed', 'seed',
                      'CREDITED', $3, $4, $3
                 FROM people ORDER BY iin
            RETURNING id, payer_iin""",
            BANK_BIN,
            months * 425_000,
            now,
            now.date(),
        )
        log(f"  {len(ids):,} payments")
        await connection.execute("ALTER TABLE contribution_months DROP CONSTRAINT pk_contribution_months")
        await connection.execute("DROP INDEX uq_contribution_months_standing")
        first = date(2025, 12, 1)
        covered = []
        month = first
        for _ in range(months):
            covered.append(month)
            month = (month.replace(day=1) - timedelta(days=1)).replace(day=1)
        batch: list[tuple[object, ...]] = []
        written = 0
        for payment_id, iin in ids:
            batch.extend((payment_id, m, iin, 425_000, 8_500_000, True) for m in covered)
            if len(batch) >= CHUNK:
                await connection.copy_records_to_table(
                    "contribution_months",
                    records=batch,
                    columns=("payment_id", "month", "payer_iin", "amount_tiyn", "minimum_wage_tiyn", "standing"),
                )
                written += len(batch)
                batch = []
                if written % (10 * CHUNK) == 0:
                    log(f"  {written:,} months")
        if batch:
            await connection.copy_records_to_table(
                "contribution_months",
                records=batch,
                columns=("payment_id", "month", "payer_iin", "amount_tiyn", "minimum_wage_tiyn", "standing"),
            )
        started = time.perf_counter()
        await connection.execute(
            "ALTER TABLE contribution_months ADD CONSTRAINT pk_contribution_months PRIMARY KEY (payment_id, month)"
        )
        await connection.execute(
            "CREATE UNIQUE INDEX uq_contribution_months_standing ON contribution_months (payer_iin, month) "
            "WHERE standing"
        )
        log(f"  indexes of the months made again in {time.perf_counter() - started:.0f} s")
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()


async def timings(port: int, key: DevelopmentKey, iins: list[str], samples: int) -> dict[str, list[float]]:
    import random

    bank = key.sign(
        {"role": "bank", "sub": "bench-bank", "bin": BANK_BIN, "scope": "contributions:read contributions:pay"},
        issuer="govgraph-dev",
        audience="govgraph",
    )
    status_query = "{ myInsuranceStatus { insured current { reason coveredUntil } paidMonthsOfLast12 } }"
    quote_query = (
        "query($iin: IIN!) { contributionQuote(payerIin: $iin, payerKind: INDEPENDENT, "
        'months: ["2026-03", "2026-04", "2026-05"]) { total covered } }'
    )
    figures: dict[str, list[float]] = {"myInsuranceStatus": [], "contributionQuote": []}
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        for _ in range(samples):
            iin = random.choice(iins)
            citizen = key.sign({"role": "citizen", "sub": iin}, issuer="govgraph-dev", audience="govgraph")
            started = time.perf_counter()
            answer = await client.post(
                "/graphql", json={"query": status_query}, headers={"Authorization": f"Bearer {citizen}"}
            )
            figures["myInsuranceStatus"].append(time.perf_counter() - started)
            assert "errors" not in answer.json(), answer.text
            started = time.perf_counter()
            answer = await client.post(
                "/graphql",
                json={"query": quote_query, "variables": {"iin": random.choice(iins)}},
                headers={"Authorization": f"Bearer {bank}"},
            )
            figures["contributionQuote"].append(time.perf_counter() - started)
            assert answer.json()["data"]["contributionQuote"]["total"] == "12750.00", answer.text
    return figures


_PAY = "mutation($input: PayContributionsInput!) { payContributions(input: $input) { replayed errors { code } } }"


def payment_bodies(iins: list[str]) -> list[str]:
    """A request a payer: January–February 2026, under its own idempotency key."""
    return [json.dumps({"query": _PAY, "variables": {"input": _payment(iin)}}) for iin in iins]


def _payment(iin: str) -> dict[str, object]:
    return {
        "idempotencyKey": f"bench-{iin}",
        "payerIin": iin,
        "payerName": "Bench Payer",
        "payerKind": "INDEPENDENT",
        "months": ["2026-01", "2026-02"],
        "amount": "8500",
        "bankReference": f"B-{iin}",
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database", default="govgraph_bench_insurance")
    parser.add_argument("--payers", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=60)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--duration", type=int, default=10)
    args = parser.parse_args()

    admin = await asyncpg.connect(args.admin_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{args.database}"')
    finally:
        await admin.close()
    url = args.admin_url.rsplit("/", 1)[0] + f"/{args.database}"
    await migrate.upgrade(url)
    iins = people(args.payers)
    started = time.perf_counter()
    log(f"loading {args.payers:,} payers × {args.months} months …")
    await seed(url, iins, args.months)
    log(f"loaded in {time.perf_counter() - started:.0f} s")

    with tempfile.TemporaryDirectory(prefix="govgraph-bench-insurance-") as tmp:
        folder = Path(tmp)
        key = DevelopmentKey.load_or_create(Settings(data_dir=folder).dev_keys_dir)
        server, port = start_server(folder, DATABASE_URL=url, GOVGRAPH_CLOCK_START="2026-01-15T10:00:00+05:00")
        try:
            figures = await timings(port, key, iins, args.samples)
            for what, values in figures.items():
                median, p99_ms = statistics.median(values) * 1000, percentile(values, 0.99) * 1000
                log(f"  {what}: median {median:.1f} ms, p99 {p99_ms:.1f} ms")
            bank = key.sign(
                {"role": "bank", "sub": "bench-bank", "bin": BANK_BIN, "scope": "contributions:read contributions:pay"},
                issuer="govgraph-dev", audience="govgraph",
            )  # fmt: skip
            log(f"payContributions with wrk -t2 -c16 for {args.duration} s …")
            report = post_each(port, bank, payment_bodies(iins[:200_000]), folder, args.duration)
        finally:
            os.killpg(server.pid, signal.SIGINT)
            server.wait(timeout=30)
    log(
        f"  payContributions: {float(report['rate']) if report['rate'] != '?' else 0:,.0f} requests/s, "
        f"p50 {report['p50']}, p99 {report['p99']}; refused {report['refused']}"
    )


if __name__ == "__main__":
    asyncio.run(main())
