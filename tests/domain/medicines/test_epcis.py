from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.medicines import epcis
from domain.medicines.models import BusinessStep, PackEvent
from tests.domain.medicines.conftest import MANUFACTURER_BIN, PHARMACY_BIN, WHOLESALER_BIN
from tests.standards.epcis_schema import schema_problems

GTIN, SERIAL = "04601234567893", "Ab3dE5gH7jK9m"
PACK = f"https://id.gs1.org/01/{GTIN}/21/{SERIAL}"
SSCC = "046012345000000018"
AT = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)  # 11:00 in Almaty


def event(
    key: int,
    step: BusinessStep | str,
    disposition: str = "active",
    *,
    organisation: str = MANUFACTURER_BIN,
    details: dict[str, Any] | None = None,
    hours: int = 0,
    corrects: int | None = None,
) -> PackEvent:
    return PackEvent(
        id=key,
        biz_step=step,
        disposition=disposition,
        occurred_at=AT + timedelta(hours=hours),
        recorded_at=AT + timedelta(hours=hours, seconds=1),
        organisation_bin=organisation,
        actor="someone",
        corrects_id=corrects,
        details=details if details is not None else {},
    )


COMMISSIONING = event(
    1,
    BusinessStep.COMMISSIONING,
    details={"gtin": GTIN, "batch": "LOT1", "expiry": "2029-01-31", "producedOn": "2026-01-15", "count": 100},
)
SHIPMENT = {"shipment": 42, "sender": MANUFACTURER_BIN, "receiver": PHARMACY_BIN}
A_LIFE = [
    COMMISSIONING,
    event(2, BusinessStep.PACKING, "in_progress", details={"parent": SSCC}, hours=1),
    event(3, BusinessStep.SHIPPING, "in_transit", details=SHIPMENT, hours=2),
    event(4, BusinessStep.RECEIVING, "in_progress", organisation=PHARMACY_BIN, details=SHIPMENT, hours=30),
    event(5, BusinessStep.UNPACKING, "in_progress", organisation=PHARMACY_BIN, details={"parent": SSCC}, hours=31),
    event(
        6,
        BusinessStep.RETAIL_SELLING,
        "retail_sold",
        organisation=PHARMACY_BIN,
        details={"price": "1234.50", "maxRetailPrice": None},
        hours=50,
    ),
    event(7, BusinessStep.RETAIL_SELLING, "sellable_accessible", organisation=PHARMACY_BIN, hours=51, corrects=6),
    event(8, BusinessStep.DESTROYING, "destroyed", organisation=PHARMACY_BIN, details={"reason": "EXPIRED"}, hours=90),
]


def document(events: list[PackEvent], serial: str = SERIAL) -> dict[str, Any]:
    return epcis.pack_document(events, gtin=GTIN, serial=serial, created_at=AT + timedelta(days=10))


def only_event(one: PackEvent) -> dict[str, Any]:
    [mapped] = document([one])["epcisBody"]["eventList"]
    return mapped


def test_a_whole_life_is_a_valid_epcis_document():
    mapped = document(A_LIFE)

    assert schema_problems(mapped) == []
    assert mapped["type"] == "EPCISDocument"
    assert mapped["schemaVersion"] == "2.0"
    assert mapped["@context"][0] == "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
    assert mapped["@context"][1]["govgraph"] == "https://govgraph.kz/epcis/"
    assert mapped["creationDate"] == "2026-12-05T11:00:00+05:00"
    assert [e["bizStep"] for e in mapped["epcisBody"]["eventList"]] == [
        "commissioning",
        "packing",
        "shipping",
        "receiving",
        "unpacking",
        "retail_selling",
        "retail_selling",
        "destroying",
    ]


def test_commissioning_adds_the_pack_with_its_lot_as_instance_master_data():
    mapped = only_event(COMMISSIONING)

    assert mapped["type"] == "ObjectEvent"
    assert (mapped["action"], mapped["bizStep"], mapped["disposition"]) == ("ADD", "commissioning", "active")
    assert mapped["epcList"] == [PACK]
    assert mapped["ilmd"] == {
        "cbvmda:lotNumber": "LOT1",
        "cbvmda:itemExpirationDate": "2029-01-31",
        "govgraph:producedOn": "2026-01-15",
    }
    assert mapped["govgraph:count"] == 100
    assert "govgraph:details" not in mapped  # the GTIN is in the pack's URI


def test_times_are_given_in_almaty_with_their_offset():
    mapped = only_event(COMMISSIONING)

    assert mapped["eventTime"] == "2026-11-25T11:00:00+05:00"
    assert mapped["recordTime"] == "2026-11-25T11:00:01+05:00"
    assert mapped["eventTimeZoneOffset"] == "+05:00"


def test_the_organisation_is_the_read_point_and_business_location():
    mapped = only_event(COMMISSIONING)

    assert mapped["readPoint"] == mapped["bizLocation"] == {"id": f"urn:kz:bin:{MANUFACTURER_BIN}"}


def test_a_shipment_names_owners_on_both_sides_and_its_despatch_advice():
    mapped = only_event(event(3, BusinessStep.SHIPPING, "in_transit", details=SHIPMENT))

    assert (mapped["type"], mapped["action"]) == ("ObjectEvent", "OBSERVE")
    assert mapped["sourceList"] == [{"type": "owning_party", "source": f"urn:kz:bin:{MANUFACTURER_BIN}"}]
    assert mapped["destinationList"] == [{"type": "owning_party", "destination": f"urn:kz:bin:{PHARMACY_BIN}"}]
    assert mapped["bizTransactionList"] == [{"type": "desadv", "bizTransaction": "urn:kz:govgraph:shipment:42"}]
    assert "bizLocation" not in mapped  # in transit


@pytest.mark.parametrize(("step", "action"), [(BusinessStep.PACKING, "ADD"), (BusinessStep.UNPACKING, "DELETE")])
def test_packing_and_unpacking_aggregate_the_pack_into_its_box(step, action):
    mapped = only_event(event(2, step, "in_progress", details={"parent": SSCC}))

    assert mapped["type"] == "AggregationEvent"
    assert mapped["parentID"] == f"https://id.gs1.org/00/{SSCC}"
    assert mapped["childEPCs"] == [PACK]
    assert mapped["action"] == action
    assert "epcList" not in mapped


def test_a_packing_without_a_readable_box_stays_an_observation_with_what_was_written():
    packing = event(2, BusinessStep.PACKING, "in_progress", details={"parent": "box 7"})

    mapped = only_event(packing)

    assert (mapped["type"], mapped["action"], mapped["epcList"]) == ("ObjectEvent", "OBSERVE", [PACK])
    assert mapped["govgraph:details"] == {"parent": "box 7"}
    assert schema_problems(document([packing])) == []


def test_a_sale_keeps_its_price_in_tenge_under_our_namespace():
    mapped = only_event(
        event(6, BusinessStep.RETAIL_SELLING, "retail_sold", details={"price": "1234.5", "maxRetailPrice": "1200"})
    )

    assert (mapped["govgraph:price"], mapped["govgraph:maxRetailPrice"]) == ("1234.50", "1200.00")
    assert mapped["action"] == "OBSERVE"


def test_a_sale_without_a_maximum_price_says_nothing_of_it():
    mapped = only_event(
        event(6, BusinessStep.RETAIL_SELLING, "retail_sold", details={"price": "99", "maxRetailPrice": None})
    )

    assert "govgraph:maxRetailPrice" not in mapped
    assert "govgraph:details" not in mapped


def test_dispensing_counts_units():
    mapped = only_event(event(9, BusinessStep.DISPENSING, "partially_dispensed", details={"units": 2, "remaining": 8}))

    assert (mapped["govgraph:units"], mapped["govgraph:remaining"], mapped["action"]) == (2, 8, "OBSERVE")


@pytest.mark.parametrize("step", [BusinessStep.DECOMMISSIONING, BusinessStep.DESTROYING])
def test_a_write_off_ends_the_pack_with_its_reason(step):
    mapped = only_event(event(8, step, "inactive", details={"reason": "STOLEN"}))

    assert (mapped["action"], mapped["govgraph:reason"]) == ("DELETE", "STOLEN")


def test_a_reversed_sale_is_declared_in_error_and_points_to_its_correction():
    events = document(A_LIFE)["epcisBody"]["eventList"]
    sale, reversal = events[5], events[6]

    assert sale["errorDeclaration"] == {
        "declarationTime": reversal["eventTime"],
        "reason": "incorrect_data",
        "correctiveEventIDs": [reversal["eventID"]],
    }
    assert reversal["govgraph:corrects"] == sale["eventID"]
    assert "errorDeclaration" not in reversal


def test_a_step_cbv_does_not_know_is_an_observation_with_its_details_as_written():
    odd = {"declaration": "ДТ 10000000/010126/0000001", "weird key!": [1, {"x": None}], "sender": WHOLESALER_BIN}
    importing = event(10, "importing", "in_customs", organisation=WHOLESALER_BIN, details=odd)  # a step yet to come

    mapped = only_event(importing)

    assert (mapped["type"], mapped["action"]) == ("ObjectEvent", "OBSERVE")
    assert mapped["bizStep"] == "https://govgraph.kz/epcis/bizStep/importing"
    assert mapped["disposition"] == "https://govgraph.kz/epcis/disposition/in_customs"
    assert mapped["govgraph:details"] == odd
    assert schema_problems(document([importing])) == []


@pytest.mark.parametrize(
    "details",
    [
        {"shipment": "forty-two", "sender": 42, "receiver": None},
        {"shipment": True, "sender": "not a BIN"},
        {"price": 12.5, "reason": ""},
        {"expiry": "tomorrow", "batch": 7, "count": -1},
        {"nested": {"deeply": [[{}]]}, "": "an empty key", "a b": "spaced"},
    ],
    ids=["wrong shapes", "a boolean", "a float price", "bad lot", "strange keys"],
)
@pytest.mark.parametrize("step", [*BusinessStep, "exporting"])
def test_details_of_any_shape_never_break_the_document(details, step):
    mapped = document([event(11, step, details=details)])

    assert schema_problems(mapped) == []


def test_what_was_written_in_another_shape_stays_in_the_details():
    mapped = only_event(
        event(3, BusinessStep.SHIPPING, "in_transit", details={"shipment": "forty-two", "sender": MANUFACTURER_BIN})
    )

    assert mapped["govgraph:details"] == {"shipment": "forty-two"}
    assert "bizTransactionList" not in mapped
    assert mapped["sourceList"] == [{"type": "owning_party", "source": f"urn:kz:bin:{MANUFACTURER_BIN}"}]


def test_an_event_keeps_its_id_in_every_export():
    first, again, other = epcis.event_uri(1), epcis.event_uri(1), epcis.event_uri(2)

    assert first == again != other
    assert first.startswith("urn:uuid:")
    assert only_event(COMMISSIONING)["eventID"] == first


def test_a_serial_is_percent_encoded_in_the_packs_uri():
    mapped = document([COMMISSIONING], serial="AB/C+D%")

    assert mapped["epcisBody"]["eventList"][0]["epcList"] == [f"https://id.gs1.org/01/{GTIN}/21/AB%2FC%2BD%25"]
    assert schema_problems(mapped) == []


def test_a_pack_without_events_is_an_empty_document():
    mapped = document([])

    assert mapped["epcisBody"] == {"eventList": []}
    assert schema_problems(mapped) == []


def test_details_that_are_not_an_object_are_passed_on_whole():
    odd = event(12, BusinessStep.RECEIVING, "in_progress")
    odd.details = ["written", "by", "mistake"]

    mapped = document([odd])

    assert mapped["epcisBody"]["eventList"][0]["govgraph:details"] == ["written", "by", "mistake"]
    assert schema_problems(mapped) == []
