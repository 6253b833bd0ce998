"""Create (or reuse) the verifyPack benchmark database: demo organisations, ~200 products, prices, batches, N packs.

    .venv/bin/python bench/verify/seed.py --packs 10000000 [--database govgraph_bench] [--sample 100000]

The database is migrated with api.migrate.upgrade and holds exactly what the service's own tables hold; what the
benchmark adds lives apart, in schemas bench_meta (what was seeded, when complete) and bench_private (the code key,
for the PostGraphile reference's SQL function). Packs go in with COPY (asyncpg copy_records_to_table) in chunks of at
most 100,000 rows, one code order each, with serials drawn exactly as domain.medicines.serials draws them; the
secondary indexes and foreign keys of `packs` are dropped for the load and recreated from their own definitions.

Run again with the same --packs, it reuses the database (re-writing the code sample only when it is missing or
--resample is given). A database of another size that this script made is dropped and made again; a database it did
not make is never dropped.

Writes, under bench/verify/.data/<database>/: code_key (`id:base64`, as GOVGRAPH_CODE_KEYS takes it), codes.txt
(a random sample of real element strings, one JSON string a line, GS written \\u001d) and checks.json (codes of every
verdict with the answer a correct server gives).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import random
import secrets
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import asyncpg
import orjson
from biip.checksums import gs1_standard_check_digit
from common import (
    DEFAULT_ADMIN_URL,
    DEFAULT_DATABASE,
    data_dir,
    database_url,
    element_string,
    read_code_key,
    today_in_almaty,
    verification_code,
)

from api import migrate
from api.demo import DEMO_ORGANISATIONS, seed_demo
from domain.medicines.serials import new_serials
from domain.shared.access import OrganisationKind
from domain.shared.db import async_url, create_engine, create_sessionmaker

KEY_ID = "BNCH"
CHUNK = 100_000  # rows per COPY, and codes per order (domain.medicines.issuing.MAX_CODES_PER_ORDER)
GOOD_BATCHES = 10  # per product, besides one expired and one recalled batch
_BIN = {kind: bin_ for bin_, _name, kind, _region in DEMO_ORGANISATIONS}
MANUFACTURER, IMPORTER = _BIN[OrganisationKind.MANUFACTURER], _BIN[OrganisationKind.IMPORTER]
WHOLESALER, PHARMACY, HOSPITAL = (
    _BIN[OrganisationKind.WHOLESALER],
    _BIN[OrganisationKind.PHARMACY],
    _BIN[OrganisationKind.HOSPITAL],
)
NOW = datetime(2025, 11, 1, 9, 0, tzinfo=UTC)  # when the seeded history "happened"

INNS = [
    ("Paracetamol", "tablets", "500 mg"),
    ("Ibuprofen", "film-coated tablets", "400 mg"),
    ("Amoxicillin", "capsules", "500 mg"),
    ("Metformin", "tablets", "850 mg"),
    ("Omeprazole", "gastro-resistant capsules", "20 mg"),
    ("Amlodipine", "tablets", "5 mg"),
    ("Atorvastatin", "film-coated tablets", "20 mg"),
    ("Losartan", "film-coated tablets", "50 mg"),
    ("Cetirizine", "film-coated tablets", "10 mg"),
    ("Azithromycin", "film-coated tablets", "500 mg"),
    ("Enalapril", "tablets", "10 mg"),
    ("Bisoprolol", "film-coated tablets", "5 mg"),
    ("Insulin glargine", "solution for injection", "100 U/ml"),
    ("Salbutamol", "pressurised inhalation", "100 µg/dose"),
    ("Ceftriaxone", "powder for solution for injection", "1 g"),
    ("Diclofenac", "gastro-resistant tablets", "50 mg"),
    ("Levothyroxine", "tablets", "100 µg"),
    ("Clopidogrel", "film-coated tablets", "75 mg"),
    ("Pantoprazole", "gastro-resistant tablets", "40 mg"),
    ("Metoprolol", "prolonged-release tablets", "50 mg"),
]
BRANDS = ["Дала", "Алтын", "Нұр", "Сарыарқа", "Тұмар", "Жібек", "Арна", "Шипа", "Медеу", "Көкше"]


@dataclass(frozen=True)
class Kind:
    """A kind of pack in the registry: its share, where and in which state it is, and what a scan of it says."""

    name: str
    weight: float
    state: str
    owner: str | None  # None: the product's own manufacturer or importer
    batch: str | None  # "good", "expired", "recalled", or None (no batch yet)
    verdict: str
    units_remaining: int | None = None
    write_off_reason: str | None = None


KINDS = [
    Kind("at pharmacy", 61, "ACTIVE", PHARMACY, "good", "GENUINE"),
    Kind("at hospital", 21, "ACTIVE", HOSPITAL, "good", "GENUINE"),
    Kind("at the manufacturer or importer", 4, "ACTIVE", None, "good", "NOT_RELEASED"),
    Kind("in transit to the wholesaler", 2, "IN_TRANSIT", WHOLESALER, "good", "NOT_RELEASED"),
    Kind("issued, not yet on a pack", 1, "ISSUED", None, None, "NOT_RELEASED"),
    Kind("dispensed", 5, "DISPENSED", PHARMACY, "good", "ALREADY_DISPENSED"),
    Kind("partly dispensed at hospital", 1, "PARTIALLY_DISPENSED", HOSPITAL, "good", "ALREADY_DISPENSED", 3),
    Kind("expired batch at pharmacy", 3, "ACTIVE", PHARMACY, "expired", "EXPIRED"),
    Kind("recalled batch at pharmacy", 1, "ACTIVE", PHARMACY, "recalled", "RECALLED"),
    Kind("written off", 1, "WRITTEN_OFF", PHARMACY, "good", "WRITTEN_OFF", None, "DAMAGED"),
]
SEVERITY = {
    "GENUINE": "GREEN",
    "NOT_RELEASED": "GREY",
    "ALREADY_DISPENSED": "GREY",
    "EXPIRED": "GREY",
}  # every other verdict is RED


def log(message: str) -> None:
    print(f"[seed {time.strftime('%H:%M:%S')}] {message}", flush=True)


def gtin_of(index: int) -> str:
    """A valid GTIN-14 under Kazakhstan's GS1 prefix 487."""
    body = f"0487{900_000_000 + index:09d}"
    return body + str(gs1_standard_check_digit(body))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--packs", type=int, default=10_000_000, help="packs to create (default 10,000,000)")
    parser.add_argument("--products", type=int, default=200)
    parser.add_argument("--database", default=DEFAULT_DATABASE)
    parser.add_argument("--admin-url", default=DEFAULT_ADMIN_URL, help="any database on the server, to create ours")
    parser.add_argument("--sample", type=int, default=100_000, help="real codes to write to codes.txt")
    parser.add_argument("--resample", action="store_true", help="write codes.txt and checks.json again")
    parser.add_argument("--force", action="store_true", help="drop and seed again even if it is complete")
    parser.add_argument("--seed", type=int, default=None, help="random seed for kinds and batches (not serials)")
    args = parser.parse_args()
    if args.packs < args.products:
        parser.error("--packs must be at least --products")

    started = time.perf_counter()
    url = database_url(args.admin_url, args.database)
    out = data_dir(args.database)
    out.mkdir(parents=True, exist_ok=True)
    key_file = out / "code_key"

    state = await _existing(args.admin_url, args.database)
    if state == "foreign":
        sys.exit(f"database {args.database} exists and was not made by this script; choose another --database")
    reuse = False
    if isinstance(state, tuple):
        complete, packs = state
        reuse = complete and packs == args.packs and not args.force
        if not reuse:
            why = "incomplete" if not complete else f"holds {packs:,} packs" if packs != args.packs else "--force"
            log(f"database {args.database}: {why}; dropping it")
    if reuse:
        log(f"database {args.database} already holds {args.packs:,} packs: reusing it")
        connection = await asyncpg.connect(url)
        try:
            key_id, secret = await _key_of_database(connection, key_file)
            if args.resample or not (out / "codes.txt").exists() or not (out / "checks.json").exists():
                await _write_sample(connection, out, key_id, secret, args.sample)
            log("ANALYZE")
            await connection.execute("ANALYZE")
        finally:
            await connection.close()
        log(f"done in {time.perf_counter() - started:.1f} s")
        return

    if isinstance(state, tuple):
        await _drop(args.admin_url, args.database)
    if state != "empty":
        admin = await asyncpg.connect(args.admin_url)
        try:
            await admin.execute(f'CREATE DATABASE "{args.database}"')
        finally:
            await admin.close()
    log(f"database {args.database} is new; migrating")
    await migrate.upgrade(url)
    engine = create_engine(async_url(url), pool_size=1)
    try:
        await seed_demo(create_sessionmaker(engine)())
    finally:
        await engine.dispose()

    secret = secrets.token_bytes(32)
    key_file.write_text(f"{KEY_ID}:{base64.b64encode(secret).decode()}\n")
    rng = random.Random(args.seed)
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(
            """
            CREATE SCHEMA bench_meta;
            CREATE TABLE bench_meta.seed (packs bigint NOT NULL, products int NOT NULL, complete boolean NOT NULL,
                                          seconds double precision, finished_at timestamptz);
            CREATE SCHEMA bench_private;
            CREATE TABLE bench_private.code_keys (key_id text PRIMARY KEY, secret bytea NOT NULL);
            """
        )
        await connection.execute(
            "INSERT INTO bench_meta.seed (packs, products, complete) VALUES ($1, $2, false)", args.packs, args.products
        )
        await connection.execute("INSERT INTO bench_private.code_keys VALUES ($1, $2)", KEY_ID, secret)
        products = await _registry(connection, args.products, rng)
        await _packs(connection, products, args.packs, rng)
        log("VACUUM ANALYZE")
        await connection.execute("VACUUM (ANALYZE) packs")
        await connection.execute("ANALYZE")
        seeding_s = time.perf_counter() - started
        await connection.execute(
            "UPDATE bench_meta.seed SET complete = true, seconds = $1, finished_at = now()", seeding_s
        )
        size = await connection.fetchval("SELECT pg_size_pretty(pg_database_size(current_database()))")
        packs_size = await connection.fetchval("SELECT pg_size_pretty(pg_total_relation_size('packs'))")
        log(f"seeded {args.packs:,} packs in {seeding_s:.1f} s; database {size}, packs with indexes {packs_size}")
        await _write_sample(connection, out, KEY_ID, secret, args.sample)
    finally:
        await connection.close()
    log(f"done in {time.perf_counter() - started:.1f} s")


async def _existing(admin_url: str, database: str) -> str | tuple[bool, int]:
    """'absent'; 'empty'; 'foreign' (not ours); or (complete, packs) of a bench database this script made."""
    admin = await asyncpg.connect(admin_url)
    try:
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
    finally:
        await admin.close()
    if not exists:
        return "absent"
    connection = await asyncpg.connect(database_url(admin_url, database))
    try:
        ours = await connection.fetchval("SELECT to_regclass('bench_meta.seed') IS NOT NULL")
        tables = await connection.fetchval("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        if not ours:
            return "foreign" if tables else "empty"  # an empty database may be used
        row = await connection.fetchrow("SELECT complete, packs FROM bench_meta.seed")
        return (bool(row["complete"]), int(row["packs"])) if row else (False, 0)
    finally:
        await connection.close()


async def _drop(admin_url: str, database: str) -> None:
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f'DROP DATABASE "{database}" WITH (FORCE)')
    finally:
        await admin.close()


async def _key_of_database(connection: asyncpg.Connection, key_file: Path) -> tuple[str, bytes]:
    row = await connection.fetchrow("SELECT key_id, secret FROM bench_private.code_keys")
    key_id, secret = row["key_id"], bytes(row["secret"])
    _keep_key_file(key_file, key_id, secret)
    return key_id, secret


def _keep_key_file(key_file: Path, key_id: str, secret: bytes) -> None:
    if not key_file.exists() or read_code_key(key_file) != (key_id, secret):
        key_file.write_text(f"{key_id}:{base64.b64encode(secret).decode()}\n")
        log(f"wrote {key_file} from the database")


@dataclass
class SeededProduct:
    gtin: str
    coder: str  # the organisation that orders its codes
    batches: dict[str, list[int]]  # "good" / "expired" / "recalled" -> batch ids


async def _registry(connection: asyncpg.Connection, count: int, rng: random.Random) -> list[SeededProduct]:
    """Products (one withdrawn, one suspended), three prices each (two past, one coming), and their batches."""
    registered = datetime(2023, 3, 1, 10, 0, tzinfo=UTC)
    products, prices, batches = [], [], []
    for i in range(count):
        inn, form, strength = INNS[i % len(INNS)]
        gtin = gtin_of(i)
        status = "WITHDRAWN" if i == count - 1 else "SUSPENDED" if i == count - 2 else "REGISTERED"
        domestic = i % 2 == 0
        products.append(
            (
                gtin,
                f"{BRANDS[(i // len(INNS)) % len(BRANDS)]}-{inn} {strength}",
                inn,
                form,
                strength,
                rng.choice([10, 20, 28, 30, 60]),
                "ТОО «Демо Фарм Завод»" if domestic else f"Bench Pharma {i} GmbH",
                f"РК-ЛС-5№{100000 + i:06d}",
                MANUFACTURER if domestic else None,
                None if domestic else IMPORTER,
                status,
                registered,
                registered if status == "REGISTERED" else NOW,
            )
        )
        base = rng.randrange(50_000, 2_000_000)  # tiyn: 500 to 20,000 tenge
        for effective, price in (
            (date(2024, 1, 1), base),
            (date(2025, 6, 1), base + base // 10),
            (today_in_almaty() + timedelta(days=365), base * 2),  # not yet in force
        ):
            prices.append((gtin, price, effective, registered, "bench"))
        for j in range(GOOD_BATCHES + 2):
            produced = date(2024, 1, 15) + timedelta(days=30 * j)
            expiry = date(2025, 3, 31) if j == 0 else date(2027 + j % 3, 1 + j % 12, 28)
            recalled = j == 1
            batches.append(
                (gtin, f"B{i:03d}-{j:02d}", expiry, produced, "RECALLED" if recalled else "RELEASED",
                 NOW if recalled else None)
            )  # fmt: skip
    await connection.copy_records_to_table(
        "products",
        records=products,
        columns=[
            "gtin", "trade_name", "inn", "dosage_form", "strength", "units_per_pack", "holder_name",
            "registration_number", "manufacturer_bin", "importer_bin", "status", "registered_at", "status_changed_at",
        ],
    )  # fmt: skip
    await connection.copy_records_to_table(
        "max_retail_prices", records=prices, columns=["gtin", "price_tiyn", "effective_from", "set_at", "set_by"]
    )
    await connection.copy_records_to_table(
        "batches", records=batches, columns=["gtin", "number", "expiry", "produced_on", "status", "recalled_at"]
    )
    ids: dict[str, dict[str, list[int]]] = {}
    for row in await connection.fetch("SELECT id, gtin, number FROM batches ORDER BY id"):
        j = int(row["number"].rsplit("-", 1)[1])
        kind = "expired" if j == 0 else "recalled" if j == 1 else "good"
        ids.setdefault(row["gtin"], {"good": [], "expired": [], "recalled": []})[kind].append(row["id"])
    log(f"registered {count} products, {len(prices)} prices, {len(batches)} batches")
    return [SeededProduct(p[0], p[8] or p[9], ids[p[0]]) for p in products]


async def _packs(connection: asyncpg.Connection, products: list[SeededProduct], total: int, rng: random.Random) -> None:
    """`total` packs spread evenly over the products, in orders (and COPYs) of at most CHUNK codes."""
    dropped = await _drop_pack_indexes(connection)
    started = time.perf_counter()
    cum_weights = []
    running = 0.0
    for kind in KINDS:
        running += kind.weight
        cum_weights.append(running)
    columns = [
        "gtin", "serial", "key_id", "order_id", "state", "owner_bin", "batch_id", "state_changed_at",
        "units_remaining", "write_off_reason",
    ]  # fmt: skip
    done = 0
    per_product, extra = divmod(total, len(products))
    for index, product in enumerate(products):
        remaining = per_product + (1 if index < extra else 0)
        # Per kind, everything but the serial and (for good batches) the batch.
        templates = [
            (
                kind.state,
                kind.owner or product.coder,
                kind.batch,
                product.batches[kind.batch][0] if kind.batch in ("expired", "recalled") else None,
                kind.units_remaining,
                kind.write_off_reason,
            )
            for kind in KINDS
        ]
        good = product.batches["good"]
        while remaining:
            quantity = min(CHUNK, remaining)
            remaining -= quantity
            order_id = await connection.fetchval(
                "INSERT INTO code_orders (gtin, organisation_bin, quantity, key_id, ordered_at, ordered_by) "
                "VALUES ($1, $2, $3, $4, $5, 'bench') RETURNING id",
                product.gtin,
                product.coder,
                quantity,
                KEY_ID,
                NOW,
            )
            kinds = rng.choices(templates, cum_weights=cum_weights, k=quantity)
            goods = rng.choices(good, k=quantity)
            gtin = product.gtin
            rows = [
                (gtin, serial, KEY_ID, order_id, st, owner, good_id if bk == "good" else fixed, NOW, units, reason)
                for serial, (st, owner, bk, fixed, units, reason), good_id in zip(
                    new_serials(quantity), kinds, goods, strict=True
                )
            ]
            await connection.copy_records_to_table("packs", records=rows, columns=columns)
            done += quantity
            if done % 1_000_000 < quantity or done == total:
                rate = done / (time.perf_counter() - started)
                log(f"  {done:,} packs copied ({rate:,.0f} a second)")
    await _restore_pack_indexes(connection, dropped)


async def _drop_pack_indexes(connection: asyncpg.Connection) -> tuple[list[str], list[str]]:
    """Drop the foreign keys, unique constraint and secondary indexes of `packs` (not its primary key); return how
    to make them again, as PostgreSQL itself prints their definitions."""
    constraints = await connection.fetch(
        """
        SELECT conname, pg_get_constraintdef(oid) AS definition, contype FROM pg_constraint
        WHERE conrelid = 'packs'::regclass AND contype IN ('f', 'u') ORDER BY contype DESC, conname
        """
    )  # unique first, then foreign keys
    indexes = await connection.fetch(
        """
        SELECT indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS definition FROM pg_index
        WHERE indrelid = 'packs'::regclass AND NOT indisprimary
          AND indexrelid NOT IN (SELECT conindid FROM pg_constraint WHERE conrelid = 'packs'::regclass)
        """
    )
    for row in constraints:
        await connection.execute(f'ALTER TABLE packs DROP CONSTRAINT "{row["conname"]}"')
    for row in indexes:
        await connection.execute(f"DROP INDEX {row['name']}")
    add_constraints = [f'ALTER TABLE packs ADD CONSTRAINT "{r["conname"]}" {r["definition"]}' for r in constraints]
    log(f"dropped {len(constraints)} constraints and {len(indexes)} indexes of packs for the load")
    return add_constraints, [row["definition"] for row in indexes]


async def _restore_pack_indexes(connection: asyncpg.Connection, dropped: tuple[list[str], list[str]]) -> None:
    add_constraints, create_indexes = dropped
    await connection.execute("SET maintenance_work_mem = '1GB'")
    for statement in [*create_indexes, *add_constraints]:
        started = time.perf_counter()
        await connection.execute(statement)
        log(f"  {statement[:100]} ({time.perf_counter() - started:.1f} s)")
    await connection.execute("RESET maintenance_work_mem")


def _tenge(tiyn: int | None) -> str | None:
    return None if tiyn is None else f"{tiyn // 100}.{tiyn % 100:02d}"


def expected_verdict(row: asyncpg.Record, today: date) -> str:
    """domain.medicines.verification._verdict, for a code without batch or expiry (as the sample codes are)."""
    if row["product_status"] == "WITHDRAWN":
        return "WITHDRAWN"
    if row["batch_status"] == "RECALLED":
        return "RECALLED"
    if row["state"] in ("WRITTEN_OFF", "EXPORTED"):
        return "WRITTEN_OFF"
    if row["state"] in ("DISPENSED", "PARTIALLY_DISPENSED"):
        return "ALREADY_DISPENSED"
    if row["expiry"] is not None and row["expiry"] < today:
        return "EXPIRED"
    if row["state"] != "ACTIVE" or row["holder_kind"] not in ("PHARMACY", "HOSPITAL"):
        return "NOT_RELEASED"
    return "GENUINE"


_VIEW = """
    SELECT p.gtin, p.serial, p.key_id, p.state::text AS state, pr.status::text AS product_status,
           pr.trade_name, pr.inn, b.number, b.expiry, b.status::text AS batch_status, o.name AS holder_name,
           o.kind::text AS holder_kind,
           (SELECT price_tiyn FROM max_retail_prices m WHERE m.gtin = p.gtin AND m.effective_from <= $1
            ORDER BY effective_from DESC LIMIT 1) AS price_tiyn
    FROM packs p JOIN products pr ON pr.gtin = p.gtin LEFT JOIN batches b ON b.id = p.batch_id
    JOIN organisations o ON o.bin = p.owner_bin
"""


async def _write_sample(connection: asyncpg.Connection, out: Path, key_id: str, secret: bytes, sample: int) -> None:
    """codes.txt: `sample` random real codes, shuffled; checks.json: a few of every verdict with their answers."""
    started = time.perf_counter()
    total = await connection.fetchval("SELECT packs FROM bench_meta.seed")
    percent = min(100.0, 100.0 * sample * 1.1 / total)
    rows = await connection.fetch(
        f"SELECT gtin, serial FROM packs TABLESAMPLE BERNOULLI ({percent}) REPEATABLE (7) LIMIT {sample}"
    )
    codes = [
        element_string(r["gtin"], r["serial"], key_id, verification_code(secret, r["gtin"], r["serial"])) for r in rows
    ]
    random.Random(11).shuffle(codes)
    (out / "codes.txt").write_bytes(b"\n".join(orjson.dumps(code) for code in codes) + b"\n")

    today = today_in_almaty()
    low, high = await connection.fetchrow("SELECT min(id), max(id) FROM packs")
    ids = random.Random(13).sample(range(low, high + 1), min(20_000, high - low + 1))
    found = await connection.fetch(_VIEW + " WHERE p.id = ANY($2::bigint[])", today, ids)
    by_verdict: dict[str, list[asyncpg.Record]] = {}
    for row in found:
        by_verdict.setdefault(expected_verdict(row, today), []).append(row)
    # The withdrawn product is 1 in 200: make sure it is there.
    withdrawn = await connection.fetch(_VIEW + " WHERE p.gtin = (SELECT gtin FROM products WHERE status = "
                                       "'WITHDRAWN' LIMIT 1) LIMIT 5", today)  # fmt: skip
    by_verdict.setdefault("WITHDRAWN", []).extend(withdrawn)
    checks = []
    for verdict, rows_of in sorted(by_verdict.items()):
        for row in rows_of[:5]:
            mac = verification_code(secret, row["gtin"], row["serial"])
            checks.append(
                {
                    "code": element_string(row["gtin"], row["serial"], key_id, mac),
                    "verdict": verdict,
                    "answer": {
                        "verdict": verdict,
                        "severity": SEVERITY.get(verdict, "RED"),
                        "product": {"tradeName": row["trade_name"], "inn": row["inn"]},
                        "batch": row["number"],
                        "expiry": row["expiry"].isoformat() if row["expiry"] else None,
                        "maxRetailPrice": _tenge(row["price_tiyn"]),
                        "location": {"organisation": {"name": row["holder_name"]}},
                    },
                }
            )
    # A code we never issued (signed with our key: only the registry can tell) and one whose AI 92 is forged.
    some = found[0]
    unknown_serial = new_serials(1)[0]
    checks.append(
        {
            "code": element_string(
                some["gtin"], unknown_serial, key_id, verification_code(secret, some["gtin"], unknown_serial)
            ),
            "verdict": "UNKNOWN_CODE",
        }
    )
    forged = verification_code(b"not the key" * 4, some["gtin"], some["serial"])
    checks.append({"code": element_string(some["gtin"], some["serial"], key_id, forged), "verdict": "INVALID_CODE"})
    (out / "checks.json").write_text(json.dumps(checks, ensure_ascii=False, indent=1) + "\n")
    counts = {verdict: len(rows_of) for verdict, rows_of in sorted(by_verdict.items())}
    log(
        f"wrote {len(codes):,} codes to {out / 'codes.txt'} and {len(checks)} checks "
        f"({time.perf_counter() - started:.1f} s); verdicts in a sample of {len(found):,} packs: {counts}"
    )


if __name__ == "__main__":
    asyncio.run(main())
