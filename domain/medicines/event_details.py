from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from domain.shared.errors import InvalidMoney
from domain.shared.money import Money

T = TypeVar("T")

_BIN = re.compile(r"[0-9]{12}")
_SSCC = re.compile(r"[0-9]{18}")
_GTIN = re.compile(r"[0-9]{14}")


@dataclass(frozen=True, slots=True)
class EventDetails:
    """What a pack event's `details` say in the conventions the pack operations write, read without trusting them.

    The conventions: commissioning `gtin, batch, expiry, producedOn, count`; shipping, receiving and void_shipping
    `shipment, sender, receiver`; packing and unpacking `parent`; retail_selling `price, maxRetailPrice`; dispensing
    `units, remaining`; decommissioning and destroying `reason`. A value of another shape than its convention's is
    left unread, never an error: the history of a pack must stay readable whatever an older or newer writer put there.
    """

    shipment: int | None = None
    sender: str | None = None  # BIN
    receiver: str | None = None  # BIN
    parent: str | None = None  # the SSCC of the box or pallet
    price: Money | None = None
    max_retail_price: Money | None = None
    units: int | None = None
    remaining: int | None = None
    reason: str | None = None
    gtin: str | None = None
    batch: str | None = None
    expiry: date | None = None
    produced_on: date | None = None
    count: int | None = None
    understood: frozenset[str] = frozenset()  # the keys read above, a null among them; any other key is not

    @classmethod
    def read(cls, details: Mapping[str, object]) -> EventDetails:
        understood: set[str] = set()

        def take(key: str, reader: Callable[[object], T | None]) -> T | None:
            if key not in details:
                return None
            raw = details[key]
            value = None if raw is None else reader(raw)
            if raw is None or value is not None:  # a null says "nothing here", as maxRetailPrice without a maximum
                understood.add(key)
            return value

        shipment = take("shipment", _whole_number)
        sender, receiver = take("sender", _bin), take("receiver", _bin)
        parent = take("parent", _sscc)
        price, max_retail_price = take("price", _money), take("maxRetailPrice", _money)
        units, remaining = take("units", _whole_number), take("remaining", _whole_number)
        reason = take("reason", _text)
        gtin, batch = take("gtin", _gtin), take("batch", _text)
        expiry, produced_on = take("expiry", _date), take("producedOn", _date)
        count = take("count", _whole_number)
        return cls(
            shipment=shipment,
            sender=sender,
            receiver=receiver,
            parent=parent,
            price=price,
            max_retail_price=max_retail_price,
            units=units,
            remaining=remaining,
            reason=reason,
            gtin=gtin,
            batch=batch,
            expiry=expiry,
            produced_on=produced_on,
            count=count,
            understood=frozenset(understood),
        )


def _whole_number(value: object) -> int | None:
    if isinstance(value, bool):  # JSON true is no count
        return None
    if isinstance(value, int) and value >= 0:
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None


def _matching(pattern: re.Pattern[str], value: object) -> str | None:
    return value if isinstance(value, str) and pattern.fullmatch(value) else None


def _bin(value: object) -> str | None:
    return _matching(_BIN, value)


def _sscc(value: object) -> str | None:
    return _matching(_SSCC, value)


def _gtin(value: object) -> str | None:
    return _matching(_GTIN, value)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _money(value: object) -> Money | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return Money.from_tenge(value)
    if not isinstance(value, str):
        return None  # a float is no amount of money
    try:
        return Money.parse(value)
    except InvalidMoney:
        return None


def _date(value: object) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None
