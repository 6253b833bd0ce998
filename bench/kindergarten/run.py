"""The kindergarten queue at the scale of a region (issue "Kindergarten queue", scale target):

    .venv/bin/python bench/kindergarten/run.py [--children 200000] [--kindergartens 1000] [--samples 1000] [--rounds 3]

Makes the database `govgraph_bench_kindergarten` anew (PostgreSQL on 127.0.0.1:5432, --admin-url), migrates it and
loads, with COPY and INSERT … SELECT (no use case per child), one region (Almaty) of --kindergartens kindergartens
(organisation, kindergarten, capacity per cohort) and --children waiting children born 2020–2025, each with 1–4
ranked choices among kindergartens near home that have a group in the child's language, ~10% first-priority and ~1%
extraordinary benefits: the parent–child links, the applications (QUEUED), their choices (waiting), the SUBMITTED
events and the JOINED entries of the queue log, as `submit_application` writes them. Then VACUUM ANALYZE, and:

1. `queries.my_applications` (positions and their changes) for --samples random parents, one session a call as a
   request has, --rounds times, and `myKindergartenApplications` over HTTP against `govgraph serve` (a citizen token
   each, one request at a time): median, p95, p99;
2. publishing through the real `staff.publish_places` use case, each publication on its own session and committed,
   rounds interleaved: 1,000 kindergartens × 1 place, 100 kindergartens × 10 places and 1 kindergarten × 100 places
   one publication after the other, then 1,000 × 1 with 8 publications at once; each in the kindergartens' biggest
   orders: wall time, offers made, the slowest publication, deadlocks broken (and retried by the use case);
3. `my_applications` and HTTP again, now that 9,300 children hold offers (no vacuum since);
4. the deadlines' sweep with nothing due, as every instance runs it once a minute.

The whole run takes a few minutes (loading about one).
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import math
import os
import random
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from serving import percentile, start_server  # noqa: E402  # bench/serving.py

from api import migrate  # noqa: E402  # the project's modules, from the checkout this script is in
from api.devkeys import DevelopmentKey  # noqa: E402
from api.settings import Settings  # noqa: E402
from domain.kindergarten import queries, staff  # noqa: E402
from domain.kindergarten.models import BenefitCategory, Language  # noqa: E402
from domain.kindergarten.sweep import sweep  # noqa: E402
from domain.shared.access import Citizen, OrganisationKind, OrganisationUser  # noqa: E402
from domain.shared.bin import Bin  # noqa: E402
from domain.shared.db import async_url, create_engine, create_sessionmaker  # noqa: E402
from domain.shared.iin import Iin, iin_check_digit  # noqa: E402
from domain.shared.regions import Region  # noqa: E402

REGION = Region.ALMATY
NOW = datetime(2026, 1, 12, 5, 0, tzinfo=UTC)  # Monday 12 January 2026, 10:00 in Almaty
ALMATY = timedelta(hours=5)
WIDTH_KM, HEIGHT_KM = 40.0, 25.0  # the city, roughly
CELL_KM = 0.5  # children's homes are placed in cells; each cell knows its nearest kindergartens
NEAREST = 8  # a family picks among the 8 nearest kindergartens with a group in its language
# Waiting children by birth year: the older ones are mostly in a kindergarten already.
COHORTS = {2020: 0.04, 2021: 0.09, 2022: 0.16, 2023: 0.23, 2024: 0.26, 2025: 0.22}
CHOICES = {1: 0.20, 2: 0.30, 3: 0.25, 4: 0.25}
EXTRAORDINARY = {BenefitCategory.SERVICEMAN_CHILD: 0.7, BenefitCategory.SPECIAL_STATE_BODY_CHILD: 0.3}
FIRST = {
    BenefitCategory.LARGE_FAMILY: 0.50, BenefitCategory.TEACHER_CHILD: 0.15,
    BenefitCategory.DISABLED_CHILD_FAMILY: 0.10, BenefitCategory.DISABLED_PARENT: 0.08,
    BenefitCategory.SPECIAL_EDUCATIONAL_NEEDS: 0.08, BenefitCategory.WITHOUT_PARENTAL_CARE: 0.05,
    BenefitCategory.ORPHAN: 0.04,
}  # fmt: skip
SHARE_EXTRAORDINARY, SHARE_FIRST = 0.01, 0.10
KK_SHARE = 0.70  # children waiting for a Kazakh group
BIG_ORDER_PLACES = 100
AT_ONCE = 8  # publications running together in the concurrent case


def log(message: str) -> None:
    print(f"[kindergarten {time.strftime('%H:%M:%S')}] {message}", flush=True)


def weighted(rng: random.Random, table: dict[Any, float]) -> Any:
    return rng.choices(list(table), weights=list(table.values()))[0]


@dataclass(slots=True)
class Garden:
    bin: str
    x: float
    y: float
    languages: tuple[Language, ...]
    appeal: float  # how much parents want it, beyond being near
    groups: int  # groups a cohort (25 children each)
    id: int = 0


@dataclass(slots=True)
class Child:
    iin: str
    parent: str
    born: date
    language: Language
    queued_at: datetime
    benefit: BenefitCategory | None
    choices: list[int]  # indexes into the gardens, best first


def _complete(first_eleven: str) -> str | None:
    digit = iin_check_digit(first_eleven)
    return None if digit is None else first_eleven + str(digit)


def _person(rng: random.Random, born: date, taken: set[str]) -> str:
    century = ("3", "4") if born.year < 2000 else ("5", "6")
    while True:
        made = _complete(f"{born:%y%m%d}{rng.choice(century)}{rng.randrange(10_000):04d}")
        if made is not None and made not in taken:
            taken.add(made)
            return made


def _bins(count: int) -> list[str]:
    found: list[str] = []
    n = 0
    while len(found) < count:
        made = _complete(f"{(n // 90_000) % 25:02d}{1 + n % 12:02d}40{n % 100_000:05d}")
        n += 1
        if made is not None:
            found.append(str(Bin.parse(made)))
    return found


def gardens(rng: random.Random, count: int) -> list[Garden]:
    """Kindergartens over the city: most have Kazakh and Russian groups, some one language only; the appealing ones
    are the big ones (1–5 groups a cohort)."""
    made = []
    for bin_ in _bins(count):
        languages = weighted(rng, {(Language.KK, Language.RU): 0.55, (Language.KK,): 0.35, (Language.RU,): 0.10})
        appeal = rng.lognormvariate(0, 0.6)
        groups = 1 + min(4, int(appeal * 1.6))
        made.append(Garden(bin_, rng.uniform(0, WIDTH_KM), rng.uniform(0, HEIGHT_KM), languages, appeal, groups))
    return made


def _nearest_by_cell(places: list[Garden]) -> dict[tuple[int, int, Language], list[tuple[int, float]]]:
    """For every cell of the city and language, the NEAREST kindergartens with such a group and their distance."""
    nearest: dict[tuple[int, int, Language], list[tuple[int, float]]] = {}
    for cx in range(int(WIDTH_KM / CELL_KM) + 1):
        for cy in range(int(HEIGHT_KM / CELL_KM) + 1):
            x, y = (cx + 0.5) * CELL_KM, (cy + 0.5) * CELL_KM
            by_distance = sorted(range(len(places)), key=lambda i: (places[i].x - x) ** 2 + (places[i].y - y) ** 2)
            for language in Language:
                near = [i for i in by_distance[: NEAREST * 4] if language in places[i].languages][:NEAREST]
                nearest[cx, cy, language] = [(i, math.hypot(places[i].x - x, places[i].y - y)) for i in near]
    return nearest


def _birth_date(rng: random.Random) -> date:
    year = weighted(rng, COHORTS)
    first = max(date(year, 1, 1), (NOW + ALMATY).date().replace(year=NOW.year - 6) + timedelta(days=1))
    last = min(date(year, 12, 31), (NOW + ALMATY).date() - timedelta(days=1))
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def _queued_at(rng: random.Random, born: date) -> datetime:
    """Most parents apply in the first months; some a year or more later."""
    delay = weighted(rng, {(1, 90): 0.60, (90, 365): 0.25, (365, 1100): 0.15})
    at = (
        datetime(born.year, born.month, born.day, tzinfo=UTC)
        - ALMATY
        + timedelta(days=rng.uniform(*delay), hours=rng.uniform(8, 23))
    )
    return min(at, NOW - timedelta(minutes=rng.uniform(1, 600)))


def children(rng: random.Random, count: int, places: list[Garden]) -> list[Child]:
    """Families placed around the kindergartens (districts with more kindergartens have more children); a family's
    children share a home, a parent and a language; each child picks 1–4 of the nearest kindergartens, the nearer
    and the more appealing ones first."""
    nearest = _nearest_by_cell(places)
    taken: set[str] = set()
    made: list[Child] = []
    while len(made) < count:
        around = rng.choice(places)
        x = min(max(rng.gauss(around.x, 1.5), 0.0), WIDTH_KM)
        y = min(max(rng.gauss(around.y, 1.5), 0.0), HEIGHT_KM)
        language = Language.KK if rng.random() < KK_SHARE else Language.RU
        near = nearest[int(x / CELL_KM), int(y / CELL_KM), language]
        parent = _person(rng, date(1980, 1, 1) + timedelta(days=rng.randrange(7000)), taken)
        for _ in range(weighted(rng, {1: 0.88, 2: 0.11, 3: 0.01})):
            born = _birth_date(rng)
            roll = rng.random()
            benefit = (
                weighted(rng, EXTRAORDINARY) if roll < SHARE_EXTRAORDINARY
                else weighted(rng, FIRST) if roll < SHARE_EXTRAORDINARY + SHARE_FIRST
                else None
            )  # fmt: skip
            pool = list(near)
            weights = [places[i].appeal / (0.5 + d) ** 2 for i, d in pool]
            picked: list[int] = []
            for _ in range(min(weighted(rng, CHOICES), len(pool))):
                index = bisect.bisect(list(_running(weights)), rng.random() * sum(weights))
                picked.append(pool[index][0])
                del pool[index], weights[index]
            made.append(Child(_person(rng, born, taken), parent, born, language, _queued_at(rng, born), benefit,
                              picked))  # fmt: skip
    return made[:count]


def _running(values: list[float]) -> list[float]:
    total, out = 0.0, []
    for value in values:
        total += value
        out.append(total)
    return out


def _desired_start(born: date, queued_at: datetime) -> date:
    """1 September of the year the child turns 2 or later, never before the day of the application."""
    start = date(born.year + 2, 9, 1)
    day = (queued_at + ALMATY).date()
    while start < day:
        start = start.replace(year=start.year + 1)
    return start


async def load(url: str, places: list[Garden], kids: list[Child]) -> None:
    connection = await asyncpg.connect(url)
    try:
        async with connection.transaction():
            await connection.copy_records_to_table(
                "organisations",
                records=[(g.bin, f"Балабақша №{n}", "KINDERGARTEN", REGION.value) for n, g in enumerate(places, 1)],
                columns=("bin", "name", "kind", "region"),
            )
            rows = await connection.fetch(
                """INSERT INTO kindergartens (bin, name, address, region, languages)
                   SELECT bin, name, 'Алматы, ' || bin, region, string_to_array(languages, ',')::kindergarten_language[]
                     FROM unnest($1::text[], $2::text[], $3::text[]) AS g(bin, name, languages),
                          (SELECT $4::region AS region) r
                   RETURNING id, bin""",
                [g.bin for g in places],
                [f"Балабақша №{n}" for n in range(1, len(places) + 1)],
                [",".join(g.languages) for g in places],
                REGION.value,
            )
            ids = {row["bin"]: row["id"] for row in rows}
            for g in places:
                g.id = ids[g.bin]
            await connection.copy_records_to_table(
                "kindergarten_capacities",
                records=[(g.id, cohort, 25 * g.groups) for g in places for cohort in range(2020, 2027)],
                columns=("kindergarten_id", "cohort", "capacity"),
            )
            await connection.copy_records_to_table(
                "parent_children", records=[(k.parent, k.iin) for k in kids], columns=("parent_iin", "child_iin")
            )
            # Application ids are drawn at submission, so they grow with the queue date.
            ordered = sorted(kids, key=lambda k: k.queued_at)
            await connection.copy_records_to_table(
                "kindergarten_applications",
                records=[
                    (n, k.iin, k.parent, k.born, k.born.year, REGION.value, k.language.value,
                     _desired_start(k.born, k.queued_at), "QUEUED", k.queued_at, k.benefit.value if k.benefit else None,
                     f"DOC-{n}" if k.benefit else None, False, False, k.queued_at)
                    for n, k in enumerate(ordered, 1)
                ],
                columns=("id", "child_iin", "parent_iin", "birth_date", "cohort", "region", "language",
                         "desired_start", "status", "queued_at", "benefit", "benefit_document", "benefit_confirmed",
                         "reactivation_used", "updated_at"),
            )  # fmt: skip
            await connection.execute(
                "SELECT setval(pg_get_serial_sequence('kindergarten_applications', 'id'), $1)", len(ordered)
            )
            await connection.copy_records_to_table(
                "kindergarten_choices",
                records=[
                    (n, rank, places[i].id, k.born.year, k.language.value,
                     k.benefit.priority.value if k.benefit else "GENERAL", k.queued_at, True)
                    for n, k in enumerate(ordered, 1) for rank, i in enumerate(k.choices, 1)
                ],
                columns=("application_id", "rank", "kindergarten_id", "cohort", "language", "priority", "queued_at",
                         "waiting"),
            )  # fmt: skip
            # What submit_application writes besides: the SUBMITTED event and a JOINED entry in each order.
            await connection.execute(
                """INSERT INTO kindergarten_application_events (application_id, parent_iin, kind, status, at, by,
                       details)
                   SELECT id, parent_iin, 'SUBMITTED', 'QUEUED', queued_at, parent_iin, '{}'
                     FROM kindergarten_applications ORDER BY id"""
            )
            await connection.execute(
                """INSERT INTO kindergarten_queue_log (kindergarten_id, cohort, language, kind, reason,
                       application_id, priority, queued_at, at)
                   SELECT kindergarten_id, cohort, language, 'JOINED', 'NEW', application_id, priority, queued_at,
                          queued_at
                     FROM kindergarten_choices ORDER BY application_id, rank"""
            )
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()


def summary(values: list[float]) -> str:
    return (
        f"median {statistics.median(values) * 1000:.2f} ms, p95 {percentile(values, 0.95) * 1000:.2f} ms, "
        f"p99 {percentile(values, 0.99) * 1000:.2f} ms"
    )


async def time_my_applications(sessions: Any, parents: list[str], rng: random.Random, samples: int) -> list[float]:
    """One use-case call a sample, each on a fresh session from the pool, as a request gets one."""
    figures: list[float] = []
    for n in range(samples + 100):
        citizen = Citizen(Iin(rng.choice(parents)))
        started = time.perf_counter()
        async with sessions() as session:
            views = await queries.my_applications(citizen, session)
        if n >= 100:  # the first hundred warm the pool and the statement caches
            figures.append(time.perf_counter() - started)
        assert views, citizen
    return figures


@dataclass(frozen=True, slots=True)
class Order:
    kindergarten_id: int
    bin: str
    cohort: int
    language: Language
    waiting: int


async def biggest_orders(url: str) -> list[Order]:
    """Each kindergarten's biggest order (cohort and language) with places left, biggest first."""
    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetch(
            """
            SELECT DISTINCT ON (c.kindergarten_id) c.kindergarten_id, k.bin, c.cohort, c.language::text, c.n
            FROM (SELECT kindergarten_id, cohort, language, count(*) AS n FROM kindergarten_choices WHERE waiting
                  GROUP BY 1, 2, 3) c
            JOIN kindergartens k ON k.id = c.kindergarten_id
            ORDER BY c.kindergarten_id, c.n DESC
            """
        )
    finally:
        await connection.close()
    orders = [Order(r["kindergarten_id"], r["bin"], r["cohort"], Language(r["language"]), r["n"]) for r in rows]
    return sorted(orders, key=lambda o: -o.waiting)


async def publish(sessions: Any, orders: list[Order], places: int, at: datetime, *, at_once: int = 1) -> Published:
    """Each order's kindergarten publishes `places` places through the use case, each publication on its own session
    and committed; `at_once` publications run together (staff of several kindergartens at the same moment)."""
    pending = list(enumerate(orders))
    offers, durations = 0, []

    async def publisher() -> None:
        nonlocal offers
        while pending:
            n, order = pending.pop(0)
            principal = OrganisationUser("bench-staff", Bin.parse(order.bin), OrganisationKind.KINDERGARTEN)
            started = time.perf_counter()
            async with sessions() as session:
                made = await staff.publish_places(principal, session, cohort=order.cohort, language=order.language,
                                                  count=places, now=at + timedelta(seconds=n))  # fmt: skip
            durations.append(time.perf_counter() - started)
            offers += len(made.offers)

    started = time.perf_counter()
    await asyncio.gather(*(publisher() for _ in range(at_once)))
    return Published(time.perf_counter() - started, offers, len(orders) * places, max(durations))


@dataclass(frozen=True, slots=True)
class Published:
    wall: float
    offers: int
    places: int
    slowest: float


async def deadlocks(url: str) -> int:
    """Deadlocks PostgreSQL broke in the database so far (the use cases retry them)."""
    connection = await asyncpg.connect(url)
    try:
        return int(
            await connection.fetchval("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        )
    finally:
        await connection.close()


async def check_positions(sessions: Any, url: str, order: Order) -> None:
    """Every child waiting in one order reads a different position, 1 to n: the counts make a whole order."""
    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetch(
            """SELECT a.id, a.parent_iin FROM kindergarten_choices c JOIN kindergarten_applications a
               ON a.id = c.application_id
               WHERE c.kindergarten_id = $1 AND c.cohort = $2 AND c.language = $3 AND c.waiting""",
            order.kindergarten_id, order.cohort, order.language.value,
        )  # fmt: skip
    finally:
        await connection.close()
    seen = []
    for row in rows:
        async with sessions() as session:
            [view] = await queries.my_applications(Citizen(Iin(row["parent_iin"])), session, ids=[row["id"]],
                                                   with_changes=False)  # fmt: skip
        seen += [c.position for c in view.choices if c.kindergarten_id == order.kindergarten_id]
    assert sorted(seen) == list(range(1, len(rows) + 1)), "positions of one order are not 1..n"
    log(f"  positions in the order of kindergarten {order.kindergarten_id} ({len(rows)} waiting) are 1..{len(rows)}")


# What a parent's screen asks: each application with its choices, positions, why they moved, and the offer.
_MY_APPLICATIONS = """{ myKindergartenApplications { id status queuedAt cohort language
  choices { rank position waitingInOrder kindergarten { name }
            positionChanges { at change reason own movesBack } }
  offer { status confirmBy kindergarten { name } } } }"""


async def time_over_http(port: int, key: DevelopmentKey, parents: list[str], rng: random.Random,
                         samples: int) -> list[float]:  # fmt: skip
    """`myKindergartenApplications` for random parents (a citizen token each), one request at a time."""
    figures: list[float] = []
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        for n in range(samples + 100):
            citizen = key.sign({"role": "citizen", "sub": rng.choice(parents)}, issuer="govgraph-dev",
                               audience="govgraph")  # fmt: skip
            started = time.perf_counter()
            answer = await client.post("/graphql", json={"query": _MY_APPLICATIONS},
                                       headers={"Authorization": f"Bearer {citizen}"})  # fmt: skip
            if n >= 100:  # the first hundred warm the server
                figures.append(time.perf_counter() - started)
            assert answer.json()["data"]["myKindergartenApplications"], answer.text
    return figures


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database", default="govgraph_bench_kindergarten")
    parser.add_argument("--children", type=int, default=200_000)
    parser.add_argument("--kindergartens", type=int, default=1_000)
    parser.add_argument("--samples", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    admin = await asyncpg.connect(args.admin_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{args.database}"')
    finally:
        await admin.close()
    url = args.admin_url.rsplit("/", 1)[0] + f"/{args.database}"
    await migrate.upgrade(url)

    started = time.perf_counter()
    places = gardens(rng, args.kindergartens)
    kids = children(rng, args.children, places)
    log(f"made {len(places):,} kindergartens and {len(kids):,} children in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    await load(url, places, kids)
    log(f"loaded and analysed in {time.perf_counter() - started:.1f} s")
    choices = Counter(len(k.choices) for k in kids)
    priorities = Counter(k.benefit.priority.value if k.benefit else "GENERAL" for k in kids)
    log(f"  choices per child {dict(sorted(choices.items()))}, priorities {dict(priorities)}, "
        f"parents {len({k.parent for k in kids}):,}")  # fmt: skip
    orders = await biggest_orders(url)
    sizes = sorted(o.waiting for o in orders)
    log(f"  each kindergarten's biggest order: median {statistics.median(sizes):.0f} waiting, biggest {sizes[-1]:,}")

    engine = create_engine(async_url(url), pool_size=AT_ONCE)
    sessions = create_sessionmaker(engine)
    parents = sorted({k.parent for k in kids})
    with tempfile.TemporaryDirectory(prefix="govgraph-bench-kindergarten-") as tmp:
        folder = Path(tmp)
        key = DevelopmentKey.load_or_create(Settings(data_dir=folder).dev_keys_dir)
        # The served instance's own sweep is off: it would run beside the publications; its cost is timed apart.
        server, port = start_server(folder, DATABASE_URL=url, GOVGRAPH_CLOCK_START=NOW.isoformat(),
                                    GOVGRAPH_SWEEP_INTERVAL_S="0")  # fmt: skip
        try:
            await check_positions(sessions, url, orders[0])
            await reads(sessions, port, key, parents, rng, args, "before publishing")
            await publications(sessions, url, places, orders, args.rounds)
            await reads(sessions, port, key, parents, rng, args, "after publishing")
            await check_positions(sessions, url, (await biggest_orders(url))[0])
            log("the sweep with nothing due (every instance runs it once a minute):")
            for round_ in range(args.rounds):
                started = time.perf_counter()
                report = await sweep(sessions, now=NOW + timedelta(hours=6, minutes=round_))
                log(f"  round {round_ + 1}: {(time.perf_counter() - started) * 1000:.0f} ms, {report}")
        finally:
            await engine.dispose()
            os.killpg(server.pid, signal.SIGINT)
            server.wait(timeout=30)


async def reads(sessions: Any, port: int, key: DevelopmentKey, parents: list[str], rng: random.Random,
                args: argparse.Namespace, when: str) -> None:  # fmt: skip
    log(f"my_applications (use case) for {args.samples:,} random parents, {when}:")
    for round_ in range(args.rounds):
        log(f"  round {round_ + 1}: {summary(await time_my_applications(sessions, parents, rng, args.samples))}")
    log(f"myKindergartenApplications over HTTP for {args.samples:,} random parents, {when}:")
    for round_ in range(args.rounds):
        log(f"  round {round_ + 1}: {summary(await time_over_http(port, key, parents, rng, args.samples))}")


async def publications(sessions: Any, url: str, places: list[Garden], orders: list[Order], rounds: int) -> None:
    # The orders used: every kindergarten's biggest for 1 place each; 100 others (ten places each round, a fresh
    # hundred every round); the biggest orders whose cohort holds 100 more places, one a round.
    big = [o for o in orders if o.waiting >= BIG_ORDER_PLACES and o.bin in _five_groups(places)]
    tens = [o for o in orders if o not in big[:rounds]]
    log("publish_places (use case; each publication on its own session, committed):")
    for round_ in range(rounds):
        at = NOW + timedelta(hours=round_ + 1)
        for label, chosen, count, at_once in (
            (f"{len(orders[:1000]):,} kindergartens × 1 place", orders[:1000], 1, 1),
            ("100 kindergartens × 10 places", tens[100 * round_ : 100 * (round_ + 1)], 10, 1),
            (f"1 kindergarten × {BIG_ORDER_PLACES} places", big[round_ : round_ + 1], BIG_ORDER_PLACES, 1),
            (f"{len(orders[:1000]):,} kindergartens × 1 place, {AT_ONCE} at once", orders[:1000], 1, AT_ONCE),
        ):
            broken = await deadlocks(url)
            done = await publish(sessions, chosen, count, at, at_once=at_once)
            broken = await deadlocks(url) - broken
            log(f"  round {round_ + 1}, {label}: {done.wall:.2f} s, {done.offers:,} offers of {done.places:,}"
                f" places, slowest publication {done.slowest * 1000:.0f} ms"
                + (f", {broken} deadlocks retried" if broken else ""))  # fmt: skip
            at += timedelta(minutes=15)


def _five_groups(places: list[Garden]) -> set[str]:
    """The kindergartens whose cohorts hold 125 children: room for the hundred and the rounds' single places."""
    return {g.bin for g in places if g.groups * 25 >= BIG_ORDER_PLACES + 10}


if __name__ == "__main__":
    asyncio.run(main())
