from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from urllib.parse import quote

from domain.medicines.digital_link import format_link
from domain.medicines.event_details import EventDetails
from domain.medicines.models import PackEvent
from domain.shared.calendar import ALMATY

# A pack's history as a GS1 EPCIS 2.0 document in JSON-LD: what the standard calls an EPCISDocument, with one event
# for each of our pack events. Pure: the events come in loaded, the document goes out as plain JSON values.

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
NAMESPACE = "https://govgraph.kz/epcis/"  # our extension fields, as `govgraph:price`
CONTEXT: list[object] = [
    EPCIS_CONTEXT,
    {
        "govgraph": NAMESPACE,
        # What a writer put in `details` that the export does not read is passed on as it is, a JSON literal, so
        # that keys of any spelling keep the document valid JSON-LD and valid against the EPCIS JSON Schema.
        "govgraph:details": {"@id": f"{NAMESPACE}details", "@type": "@json"},
        "govgraph:corrects": {"@id": f"{NAMESPACE}corrects", "@type": "@id"},  # the eventID of the event corrected
    },
]
_DIGITAL_LINK_BASE = "https://id.gs1.org"
_TIME_ZONE_OFFSET = "+05:00"  # calendar.ALMATY: Kazakhstan is one zone at UTC+5
_EVENT_IDS = uuid.uuid5(uuid.NAMESPACE_URL, f"{NAMESPACE}events")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# CBV 2.0 business steps and dispositions, written as bare words; a value outside them becomes a URI of ours.
CBV_BUSINESS_STEPS = _words(
    "accepting arriving assembling collecting commissioning consigning creating_class_instance cycle_counting "
    "decommissioning departing destroying disassembling dispensing encoding entering_exiting holding inspecting "
    "installing killing loading other packing picking receiving removing repackaging repairing replacing reserving "
    "retail_selling sampling sensor_reporting shipping staging_outbound stock_taking stocking storing transporting "
    "unloading unpacking void_shipping"
)
CBV_DISPOSITIONS = _words(
    "active available completeness_inferred completeness_verified conformant container_closed container_open damaged "
    "destroyed dispensed disposed encoded expired in_progress in_transit inactive mismatch_class mismatch_instance "
    "mismatch_quantity needs_replacement no_pedigree_match non_conformant non_sellable_other partially_dispensed "
    "recalled reserved retail_sold returned sellable_accessible sellable_not_accessible stolen unavailable unknown"
)
# CBV 2.0: these steps end an object's life (action DELETE); commissioning begins it (ADD); the rest observe it.
_ACTIONS = {"commissioning": "ADD", "decommissioning": "DELETE", "destroying": "DELETE"}
_AGGREGATION_ACTIONS = {"packing": "ADD", "unpacking": "DELETE"}
_TRANSFERS = frozenset({"shipping", "receiving", "void_shipping"})
# Each step's own details, given fields of ours; other steps' keys on it stay in govgraph:details.
_EXTENSIONS = {
    "commissioning": ("count",),
    "retail_selling": ("price", "maxRetailPrice"),
    "dispensing": ("units", "remaining"),
    "decommissioning": ("reason",),
    "destroying": ("reason",),
}

Json = dict[str, object]


def pack_document(events: Sequence[PackEvent], *, gtin: str, serial: str, created_at: datetime) -> Json:
    """The EPCIS 2.0 document of one pack's events, oldest first; a corrected event carries its error declaration."""
    corrections: dict[int, list[PackEvent]] = {}
    for event in events:
        if event.corrects_id is not None:
            corrections.setdefault(event.corrects_id, []).append(event)
    pack = pack_uri(gtin, serial)
    return {
        "@context": CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": _time(created_at),
        "epcisBody": {"eventList": [_event(event, pack, corrections.get(event.id, [])) for event in events]},
    }


def event_uri(event_id: int) -> str:
    """The EPCIS eventID of a pack event: the same URI in every export, derived from the event's key."""
    return f"urn:uuid:{uuid.uuid5(_EVENT_IDS, str(event_id))}"


def pack_uri(gtin: str, serial: str) -> str:
    """A pack as a GS1 Digital Link URI, the serial percent-encoded."""
    return format_link(_DIGITAL_LINK_BASE, [("01", gtin), ("21", serial)], [])


def logistic_unit_uri(sscc: str) -> str:
    """A box or pallet as a GS1 Digital Link URI of its SSCC."""
    return f"{_DIGITAL_LINK_BASE}/00/{sscc}"


def party_uri(bin_: str) -> str:
    """An organisation by its BIN; we know no GLNs, so the same URI stands for its premises in readPoint."""
    return f"urn:kz:bin:{bin_}"


def shipment_uri(shipment_id: int) -> str:
    return f"urn:kz:govgraph:shipment:{shipment_id}"


# What an event keeps for its own organisation only: a hospital's patient record number goes to no partner.
PRIVATE_DETAILS = frozenset({"patientRecord"})


def _event(event: PackEvent, pack: str, corrected_by: Sequence[PackEvent]) -> Json:
    step = str(event.biz_step)
    raw: Mapping[str, object] = event.details if isinstance(event.details, Mapping) else {}
    details = EventDetails.read(raw)
    read: set[str] = set()  # the details keys this event's fields say; the rest go on in govgraph:details
    parent = details.parent if step in _AGGREGATION_ACTIONS else None
    document: Json = {
        "type": "ObjectEvent" if parent is None else "AggregationEvent",
        "eventID": event_uri(event.id),
        "eventTime": _time(event.occurred_at),
        "eventTimeZoneOffset": _TIME_ZONE_OFFSET,
    }
    if event.recorded_at is not None:
        document["recordTime"] = _time(event.recorded_at)
    if parent is not None:
        document["parentID"] = logistic_unit_uri(parent)
        document["childEPCs"] = [pack]
        document["action"] = _AGGREGATION_ACTIONS[step]
        read.add("parent")
    else:  # a packing without a box we can name is still an observation of the pack
        document["epcList"] = [pack]
        document["action"] = _ACTIONS.get(step, "OBSERVE")
    document["bizStep"] = _word_or_uri(step, CBV_BUSINESS_STEPS, "bizStep")
    if event.disposition:
        document["disposition"] = _word_or_uri(event.disposition, CBV_DISPOSITIONS, "disposition")
    document["readPoint"] = {"id": party_uri(event.organisation_bin)}
    if step != "shipping":  # CBV: a shipped object is in transit, at no business location
        document["bizLocation"] = {"id": party_uri(event.organisation_bin)}
    if step in _TRANSFERS:
        document.update(_transfer(details, read))
    if step == "commissioning":
        document.update(_lot(details, read))
    document.update(_extensions(step, details, read))
    if corrected_by:
        document["errorDeclaration"] = {
            "declarationTime": _time(min(correction.occurred_at for correction in corrected_by)),
            "reason": "incorrect_data",
            "correctiveEventIDs": [event_uri(correction.id) for correction in corrected_by],
        }
    if event.corrects_id is not None:
        document["govgraph:corrects"] = event_uri(event.corrects_id)
    unread: object = {key: value for key, value in raw.items() if key not in read and key not in PRIVATE_DETAILS}
    if not isinstance(event.details, Mapping):  # not the object the conventions write: passed on whole
        unread = event.details
    if unread:
        document["govgraph:details"] = unread
    return document


def _word_or_uri(value: str, vocabulary: frozenset[str], kind: str) -> str:
    """A CBV word as it is; anything else (a step of ours CBV lacks) as a URI under our namespace."""
    return value if value in vocabulary else f"{NAMESPACE}{kind}/{quote(value, safe='')}"


def _transfer(details: EventDetails, read: set[str]) -> Json:
    """Who the pack passes from and to, and the shipment (a despatch advice) it travels in."""
    fields: Json = {}
    if details.shipment is not None:
        fields["bizTransactionList"] = [{"type": "desadv", "bizTransaction": shipment_uri(details.shipment)}]
        read.add("shipment")
    if details.sender is not None:
        fields["sourceList"] = [{"type": "owning_party", "source": party_uri(details.sender)}]
        read.add("sender")
    if details.receiver is not None:
        fields["destinationList"] = [{"type": "owning_party", "destination": party_uri(details.receiver)}]
        read.add("receiver")
    return fields


def _lot(details: EventDetails, read: set[str]) -> Json:
    """Commissioning's instance/lot master data: CBV's names for lot and expiry, ours for the production date."""
    ilmd: Json = {}
    if details.batch is not None:
        ilmd["cbvmda:lotNumber"] = details.batch
        read.add("batch")
    if details.expiry is not None:
        ilmd["cbvmda:itemExpirationDate"] = details.expiry.isoformat()
        read.add("expiry")
    if details.produced_on is not None:
        ilmd["govgraph:producedOn"] = details.produced_on.isoformat()
        read.add("producedOn")
    if details.gtin is not None:
        read.add("gtin")  # the pack's URI says it
    return {"ilmd": ilmd} if ilmd else {}


def _extensions(step: str, details: EventDetails, read: set[str]) -> Json:
    """The step's own details as fields of ours: amounts as decimal strings in tenge, counts as numbers."""
    values: dict[str, object] = {
        "count": details.count,
        "price": str(details.price) if details.price is not None else None,
        "maxRetailPrice": str(details.max_retail_price) if details.max_retail_price is not None else None,
        "units": details.units,
        "remaining": details.remaining,
        "reason": details.reason,
    }
    fields: Json = {}
    for key in _EXTENSIONS.get(step, ()):
        if key in details.understood:
            read.add(key)
            if values[key] is not None:  # a null (no maximum price) says nothing
                fields[f"govgraph:{key}"] = values[key]
    return fields


def _time(moment: datetime) -> str:
    return moment.astimezone(ALMATY).isoformat()
