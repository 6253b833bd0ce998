"""What seed.py, bare.py and run.py share: where things live, the bench database's URL, and the code layout."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent.parent
DATA = HERE / ".data"  # git-ignored (bench/verify/.gitignore): keys, sample codes, logs, profiles

DEFAULT_DATABASE = "govgraph_bench"
DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"

# The document every client of the benchmark sends; PostGraphile answers the very same text (bench_api types).
QUERY = (
    "query($code: String!) { verifyPack(code: $code) { verdict severity product { tradeName inn } "
    "batch expiry maxRetailPrice location { organisation { name } } } }"
)

GS = "\x1d"
ALMATY = timezone(timedelta(hours=5))

# The Kazakhstan pack code as a scanner sends it, less `]d2`:
#   01 + GTIN(14) + 21 + serial(13) + GS + 91 + key id(4) + GS + 92 + verification code(44)  = 85 characters.
CODE_LENGTH = 85


def database_url(admin_url: str, database: str) -> str:
    """`admin_url` (any database on the server) pointed at `database`."""
    parts = urlsplit(admin_url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, parts.fragment))


def data_dir(database: str) -> Path:
    """Everything seed.py writes for one bench database: code_key, codes.txt, checks.json."""
    return DATA / database


def read_code_key(path: Path) -> tuple[str, bytes]:
    """The bench's code key from its file, written as GOVGRAPH_CODE_KEYS takes it: `id:base64`."""
    key_id, secret = path.read_text().strip().split(":", 1)
    return key_id, base64.b64decode(secret)


def verification_code(secret: bytes, gtin: str, serial: str) -> str:
    """AI 92, as domain.medicines.keys computes it (base64 of HMAC-SHA256 over GTIN + serial)."""
    return base64.b64encode(hmac.digest(secret, (gtin + serial).encode(), hashlib.sha256)).decode()


def element_string(gtin: str, serial: str, key_id: str, mac: str) -> str:
    return f"01{gtin}21{serial}{GS}91{key_id}{GS}92{mac}"


def today_in_almaty() -> date:
    return datetime.now(UTC).astimezone(ALMATY).date()
