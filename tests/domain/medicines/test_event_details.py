from __future__ import annotations

from datetime import date

from domain.medicines.event_details import EventDetails
from domain.shared.money import Money


def test_the_conventions_are_read_into_typed_values():
    details = EventDetails.read(
        {"shipment": 42, "sender": "050140000011", "price": "1234.5", "expiry": "2029-01-31", "units": "3"}
    )

    assert (details.shipment, details.sender, details.units) == (42, "050140000011", 3)
    assert details.price == Money.parse("1234.50")
    assert details.expiry == date(2029, 1, 31)
    assert details.understood == {"shipment", "sender", "price", "expiry", "units"}


def test_a_null_is_understood_as_nothing_said():
    details = EventDetails.read({"price": "10", "maxRetailPrice": None})

    assert details.max_retail_price is None
    assert "maxRetailPrice" in details.understood


def test_values_of_another_shape_are_left_unread():
    details = EventDetails.read(
        {"shipment": True, "sender": "5", "price": 12.5, "units": -1, "parent": "box", "reason": " ", "other": 1}
    )

    assert details == EventDetails()
    assert details.understood == frozenset()
