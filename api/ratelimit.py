from __future__ import annotations

import math
from dataclasses import dataclass

from domain.shared import access
from domain.shared.access import Principal

# api.md: a rate limit per principal (per client IP for anonymous callers) in cost points per window, as
# Shopify's leaky bucket. The buckets live in each instance: a shared counter would put a database round trip
# on every request, and the hot path's whole budget is ~50 µs. With N instances behind a balancer a client may
# spend up to N buckets; the limit is a guard against floods, not a quota, so that bound is good enough.


@dataclass(frozen=True, slots=True)
class Spend:
    allowed: bool
    remaining: int
    retry_after_s: int  # when refused: seconds until the cost fits again


class CostBudget:
    """Buckets of cost points per caller, refilled at a steady rate; a request whose cost does not fit is refused."""

    def __init__(self, *, capacity: int, restore_per_s: float, max_callers: int = 200_000) -> None:
        self.capacity = capacity
        self.restore_per_s = restore_per_s
        self._max_callers = max_callers
        self._buckets: dict[str, tuple[float, float]] = {}  # caller -> (points left, when last counted)

    def spend(self, caller: str, cost: int, now: float) -> Spend:
        points, at = self._buckets.get(caller, (float(self.capacity), now))
        points = min(float(self.capacity), points + (now - at) * self.restore_per_s)
        if cost > points:
            wait = math.ceil((cost - points) / self.restore_per_s) if cost <= self.capacity else 0
            self._remember(caller, points, now)
            return Spend(allowed=False, remaining=int(points), retry_after_s=wait)
        self._remember(caller, points - cost, now)
        return Spend(allowed=True, remaining=int(points - cost), retry_after_s=0)

    def _remember(self, caller: str, points: float, now: float) -> None:
        if len(self._buckets) >= self._max_callers and caller not in self._buckets:
            # Forgetting a caller only gives it a full bucket again; a full bucket is what it would have soon anyway.
            self._buckets.clear()
        self._buckets[caller] = (points, now)


def caller_key(principal: Principal, client_ip: str | None) -> str:
    match principal:
        case access.Citizen(iin=iin):
            return f"citizen:{iin}"
        case access.OrganisationUser():
            return f"organisation:{principal.organisation_bin}:{principal.user_id}"
        case access.BankClient():
            return f"bank:{principal.client_id}"
        case access.AuthorityUser():
            return f"authority:{principal.user_id}"
    return f"ip:{client_ip or 'unknown'}"
