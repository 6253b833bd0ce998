from __future__ import annotations

import re


def sample(metrics: str, name: str, labels: str = "") -> float:
    """The value of one sample in Prometheus' text format, e.g. sample(text, "db_pool_size")."""
    match = re.search(rf"^{re.escape(name + labels)} (\S+)$", metrics, re.MULTILINE)
    assert match is not None, f"{name}{labels} is not in the metrics"
    return float(match.group(1))
