"""The supply chain's speed targets, measured on a fresh database (issue 5, "Speed"):

    .venv/bin/python bench/supply/run.py [--pallet 10000] [--products 1000] [--sales 20000] [--duration 10]

1. A pallet of --pallet packs (boxes of 500 on one pallet) shipped by the manufacturer and received by the
   wholesaler, each as one use case on a committing session; then the same packs shipped back as a list of codes.
2. An organisation holding --products products: its whole balance read through the use case (1,000 lines), and
   its first page of 100 through the HTTP API, a hundred times each; median and p99.
3. sellPacks of one pack a request through the HTTP API of `govgraph serve` with wrk (every request sells a
   different pack: a pack is sold once), --duration seconds; requests/s, p50, p99, and how many sales failed.

Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust; --admin-url) and wrk. The database (--database,
default govgraph_bench_supply) is dropped and made anew each run.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from serving import percentile, post_each, start_server  # noqa: E402  # bench/serving.py

from api import migrate  # noqa: E402  # the project's modules, from the checkout this script is in
from api.demo import seed_demo  # noqa: E402
from domain.medicines import aggregation, commissioning, issuing, registry, shipping, stock  # noqa: E402
from domain.medicines.commissioning import BatchDetails  # noqa: E402
from domain.medicines.keys import CodeKeys  # noqa: E402
from domain.medicines.registry import ProductCard  # noqa: E402
from domain.shared.access import AuthorityKind, AuthorityUser, OrganisationKind, OrganisationUser  # noqa: E402
from domain.shared.bin import Bin  # noqa: E402
from domain.shared.db import async_url, create_engine, create_sessionmaker  # noqa: E402

MANUFACTURER_BIN, WHOLESALER_BIN, PHARMACY_BIN = "050140000011", "150640000030", "981240000041"
REGULATOR = AuthorityUser("bench", AuthorityKind.MEDICINES_REGULATOR, None)
NOW = datetime.now(UTC)
BATCH = BatchDetails(number="BENCH-1", expiry=date(2030, 12, 31), produced_on=date(2026, 1, 1))
BOX = 500


def staff(bin_: str, kind: OrganisationKind) -> OrganisationUser:
    return OrganisationUser("bench", Bin.parse(bin_), kind)


MANUFACTURER = staff(MANUFACTURER_BIN, OrganisationKind.MANUFACTURER)
WHOLESALER = staff(WHOLESALER_BIN, OrganisationKind.WHOLESALER)
PHARMACY = staff(PHARMACY_BIN, OrganisationKind.PHARMACY)


def log(message: str) -> None:
    print(f"[supply {time.strftime('%H:%M:%S')}] {message}", flush=True)


def gtin(n: int) -> str:
    body = f"0489{n:09d}"
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


def sscc(n: int) -> str:
    body = f"0489{n:013d}"
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


def card(code: str, n: int) -> ProductCard:
    return ProductCard(
        gtin=code, trade_name=f"Bench {n}", inn=f"Substance {n % 50}", dosage_form="tablets", strength="10 mg",
        units_per_pack=10, holder_name="Bench", registration_number=f"BENCH-{n}", manufacturer_bin=MANUFACTURER_BIN,
        importer_bin=None,
    )  # fmt: skip


async def fresh_database(admin_url: str, name: str) -> str:
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    await migrate.upgrade(url)
    return url


async def made_packs(sessions, keys: CodeKeys, n: int, count: int) -> tuple[str, list[str]]:
    code = gtin(n)
    async with sessions() as session:
        await registry.register_product(REGULATOR, session, card=card(code, n), now=NOW)
        codes: list[str] = []
        for start in range(0, count, 100_000):
            _, issued = await issuing.order_pack_codes(
                MANUFACTURER, session, gtin=code, count=min(100_000, count - start), keys=keys, now=NOW
            )
            await commissioning.commission_packs(
                MANUFACTURER, session, gtin=code, serials=[c.serial for c in issued], batch=BATCH, now=NOW
            )
            codes += [c.element_string() for c in issued]
    return code, codes


async def pallet(sessions, keys: CodeKeys, count: int) -> dict[str, float]:
    _, codes = await made_packs(sessions, keys, 1, count)
    boxes = [sscc(1000 + i) for i in range(0, (count + BOX - 1) // BOX)]
    async with sessions() as session:
        for i, box in enumerate(boxes):
            await aggregation.aggregate(
                MANUFACTURER, session, container=f"00{box}", codes=codes[i * BOX : (i + 1) * BOX], keys=keys, now=NOW
            )
        started = time.perf_counter()
        await aggregation.aggregate(
            MANUFACTURER, session, container=f"00{sscc(1)}", codes=[f"00{b}" for b in boxes], keys=keys, now=NOW
        )
        figures = {"aggregate boxes onto the pallet": time.perf_counter() - started}
    async with sessions() as session:
        started = time.perf_counter()
        shipment = await shipping.ship_packs(
            MANUFACTURER, session, receiver_bin=WHOLESALER_BIN, codes=[f"00{sscc(1)}"], document=None, keys=keys,
            now=NOW,
        )  # fmt: skip
        figures["ship the pallet (by its SSCC)"] = time.perf_counter() - started
    async with sessions() as session:
        started = time.perf_counter()
        receipt = await shipping.receive_shipment(
            WHOLESALER, session, shipment_id=shipment.id, codes=[f"00{sscc(1)}"], keys=keys, now=NOW
        )
        figures["receive the pallet (by its SSCC)"] = time.perf_counter() - started
        assert receipt.received == count, receipt
    async with sessions() as session:
        await aggregation.disaggregate(WHOLESALER, session, container=f"00{sscc(1)}", now=NOW)
        for box in boxes:
            await aggregation.disaggregate(WHOLESALER, session, container=f"00{box}", now=NOW)
    async with sessions() as session:
        started = time.perf_counter()
        back = await shipping.ship_packs(
            WHOLESALER, session, receiver_bin=MANUFACTURER_BIN, codes=codes, document=None, keys=keys, now=NOW
        )
        figures[f"ship {count:,} codes listed one by one"] = time.perf_counter() - started
    async with sessions() as session:
        started = time.perf_counter()
        receipt = await shipping.receive_shipment(
            MANUFACTURER, session, shipment_id=back.id, codes=codes, keys=keys, now=NOW
        )
        figures[f"receive {count:,} codes listed one by one"] = time.perf_counter() - started
        assert receipt.received == count, receipt
        assert not receipt.has_discrepancy, receipt
    return figures


async def hold_products(url: str, products: int) -> None:
    """`products` products with a batch and 5 packs each at the pharmacy, written in bulk (the trigger keeps the
    balances, as for any other write)."""
    connection = await asyncpg.connect(url)
    try:
        async with connection.transaction():
            codes = [gtin(10_000 + n) for n in range(products)]
            await connection.executemany(
                """INSERT INTO products (gtin, trade_name, inn, dosage_form, strength, units_per_pack, holder_name,
                   registration_number, manufacturer_bin, status, registered_at, status_changed_at)
                   VALUES ($1::text, 'Held ' || $1::text, 'Substance ' || right($1::text, 2), 'tablets', '1 mg', 10,
                   'Bench', 'HELD-' || $1::text, $2, 'REGISTERED', now(), now())""",
                [(code, MANUFACTURER_BIN) for code in codes],
            )
            await connection.execute(
                """INSERT INTO batches (gtin, number, expiry, produced_on, status)
                   SELECT gtin, 'H1', DATE '2029-06-30', DATE '2026-01-01', 'RELEASED' FROM products
                    WHERE trade_name LIKE 'Held %'"""
            )
            order = await connection.fetchval(
                """INSERT INTO code_orders (gtin, organisation_bin, quantity, key_id, ordered_at, ordered_by)
                   VALUES ($1, $2, 0, 'BNCH', now(), 'bench') RETURNING id""",
                codes[0],
                MANUFACTURER_BIN,
            )
            await connection.execute(
                """INSERT INTO packs (gtin, serial, key_id, order_id, state, owner_bin, batch_id, state_changed_at)
                   SELECT b.gtin, 'H' || lpad(s::text, 12, '0'), 'BNCH', $1, 'ACTIVE', $2, b.id, now()
                     FROM batches b, generate_series(1, 5) AS s WHERE b.number = 'H1'""",
                order,
                PHARMACY_BIN,
            )
    finally:
        await connection.close()


async def balance_timings(sessions, port: int, token: str, products: int) -> dict[str, tuple[float, float]]:
    whole: list[float] = []
    for _ in range(100):
        async with sessions() as session:
            started = time.perf_counter()
            lines, _ = await stock.stock_balance(PHARMACY, session, now=NOW, limit=10_000)
            whole.append(time.perf_counter() - started)
    assert len(lines) >= products, len(lines)
    page: list[float] = []
    query = "{ stockBalance(first: 100) { edges { node { gtin trade_name: tradeName batch expiry packs units } } } }"
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        for _ in range(100):
            started = time.perf_counter()
            response = await client.post(
                "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"}
            )
            page.append(time.perf_counter() - started)
            assert len(response.json()["data"]["stockBalance"]["edges"]) == min(100, products + 1), response.text
    return {
        f"the whole balance, {len(lines):,} lines (use case)": (statistics.median(whole), percentile(whole, 0.99)),
        "its first page of 100 (HTTP, GraphQL)": (statistics.median(page), percentile(page, 0.99)),
    }


def token(folder: Path, *args: str) -> str:
    env = {**os.environ, "GOVGRAPH_DATA_DIR": str(folder)}
    out = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "govgraph"), "token", *args], env=env, capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def cpu_seconds(pid: int) -> float:
    """CPU time of a process and its children (the workers), from /proc."""
    total = 0.0
    pids = [pid] + [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for one in pids:
        fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
    return total


_SELL = "mutation($input: SellPacksInput!) { sellPacks(input: $input) { sales { aboveMaximum } errors { code } } }"


def sale_bodies(codes: list[str]) -> list[str]:
    return [
        json.dumps({"query": _SELL, "variables": {"input": {"sales": [{"code": code, "price": "100.00"}]}}})
        for code in codes
    ]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database", default="govgraph_bench_supply")
    parser.add_argument("--pallet", type=int, default=10_000)
    parser.add_argument("--products", type=int, default=1_000)
    parser.add_argument("--sales", type=int, default=20_000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--workers", type=int, default=1, help="worker processes of govgraph serve")
    args = parser.parse_args()

    url = await fresh_database(args.admin_url, args.database)
    engine = create_engine(async_url(url), pool_size=4)
    sessions = create_sessionmaker(engine)
    async with sessions() as session:
        await seed_demo(session)
    secret = secrets.token_bytes(32)
    keys = CodeKeys("BNCH", {"BNCH": secret})
    log(f"database {args.database} made; a pallet of {args.pallet:,} packs …")
    figures = await pallet(sessions, keys, args.pallet)
    for what, seconds in figures.items():
        log(f"  {what}: {seconds:.2f} s")

    log(f"{args.products:,} products held by the pharmacy …")
    await hold_products(url, args.products)
    _, for_sale = await made_packs(sessions, keys, 2, args.sales)
    async with sessions() as session:
        shipment = await shipping.ship_packs(
            MANUFACTURER, session, receiver_bin=PHARMACY_BIN, codes=for_sale, document=None, keys=keys, now=NOW
        )
    async with sessions() as session:
        await shipping.receive_shipment(PHARMACY, session, shipment_id=shipment.id, codes=None, keys=keys, now=NOW)
    await engine.dispose()

    with tempfile.TemporaryDirectory(prefix="govgraph-bench-supply-") as tmp:
        folder = Path(tmp)
        server, port = start_server(
            folder,
            DATABASE_URL=url,
            GOVGRAPH_CODE_KEYS=f"BNCH:{base64.b64encode(secret).decode()}",
            GOVGRAPH_CODE_KEY_ID="BNCH",
            GOVGRAPH_WORKERS=str(args.workers),
        )
        try:
            bearer = token(folder, "--role", "organisation", "--bin", PHARMACY_BIN, "--org-kind", "PHARMACY")
            engine = create_engine(async_url(url), pool_size=2)
            timings = await balance_timings(create_sessionmaker(engine), port, bearer, args.products)
            await engine.dispose()
            for what, (median, p99) in timings.items():
                log(f"  balance, {what}: median {median * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms")
            log(f"sellPacks, one pack a request, wrk -t2 -c16 for {args.duration} s, {args.workers} worker(s) …")
            cpu_before = cpu_seconds(server.pid)
            report = post_each(port, bearer, sale_bodies(for_sale), folder, args.duration)
            server_cpu = cpu_seconds(server.pid) - cpu_before
        finally:
            os.killpg(server.pid, signal.SIGINT)
            server.wait(timeout=30)
    answered = int(report["refused"].split(" of ")[-1]) if report["refused"] != "?" else 0
    log(
        f"  sellPacks: {float(report['rate']) if report['rate'] != '?' else 0:,.0f} requests/s, p50 {report['p50']}, "
        f"p99 {report['p99']}; refused {report['refused']}; server CPU {server_cpu * 1e6 / max(answered, 1):,.0f} µs "
        "a sale"
    )


if __name__ == "__main__":
    asyncio.run(main())
