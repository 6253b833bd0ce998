from __future__ import annotations

import strawberry

from schema.medicines.aggregation import (
    AggregatePacksPayload,
    DisaggregatePacksPayload,
    aggregate_packs,
    disaggregate_packs,
)
from schema.medicines.alerts import UpdateMedicineAlertPayload, update_medicine_alert
from schema.medicines.borders import ExportPacksPayload, ImportPacksPayload, export_packs, import_packs
from schema.medicines.change_product_status import ChangeProductStatusPayload, change_product_status
from schema.medicines.commission_packs import CommissionPacksPayload, commission_packs
from schema.medicines.dispensing import (
    AdministerUnitsPayload,
    ReversePackOperationPayload,
    SellPacksPayload,
    administer_units,
    reverse_pack_operation,
    sell_packs,
)
from schema.medicines.order_pack_codes import OrderPackCodesPayload, order_pack_codes
from schema.medicines.recall_batch import RecallBatchPayload, recall_batch
from schema.medicines.register_product import RegisterProductPayload, register_product
from schema.medicines.report_suspicious_pack import ReportSuspiciousPackPayload, report_suspicious_pack
from schema.medicines.set_max_retail_price import SetMaxRetailPricePayload, set_max_retail_price
from schema.medicines.shipments import (
    CancelShipmentPayload,
    ReceiveShipmentPayload,
    ShipPacksPayload,
    cancel_shipment,
    receive_shipment,
    ship_packs,
)
from schema.medicines.stock import SetShortageThresholdPayload, set_shortage_threshold
from schema.medicines.write_off_packs import WriteOffPacksPayload, write_off_packs


@strawberry.type
class MedicinesMutation:
    register_product: RegisterProductPayload = strawberry.mutation(
        resolver=register_product, description="The regulator enters a product into the registry."
    )
    change_product_status: ChangeProductStatusPayload = strawberry.mutation(
        resolver=change_product_status,
        description="The regulator suspends, reinstates or withdraws a product; a withdrawal is final.",
    )
    set_max_retail_price: SetMaxRetailPricePayload = strawberry.mutation(
        resolver=set_max_retail_price,
        description="The regulator sets a maximum retail price from a coming day; earlier prices stay as they were.",
    )
    order_pack_codes: OrderPackCodesPayload = strawberry.mutation(
        resolver=order_pack_codes,
        description="The product's manufacturer or importer orders new pack codes (up to 100,000 at once).",
    )
    commission_packs: CommissionPacksPayload = strawberry.mutation(
        resolver=commission_packs,
        description="The manufacturer or importer attaches batch and dates to issued codes: the packs now exist.",
    )
    report_suspicious_pack: ReportSuspiciousPackPayload = strawberry.mutation(
        resolver=report_suspicious_pack,
        description="Anyone reports a suspected counterfeit or an overcharge; the regulator sees it.",
    )
    update_medicine_alert: UpdateMedicineAlertPayload = strawberry.mutation(
        resolver=update_medicine_alert,
        description="The regulator takes an alert into investigation or closes it with a reason.",
    )
    aggregate_packs: AggregatePacksPayload = strawberry.mutation(
        resolver=aggregate_packs,
        description="The owner packs packs (or boxes) into a box or pallet with a new SSCC; it then moves as one.",
    )
    disaggregate_packs: DisaggregatePacksPayload = strawberry.mutation(
        resolver=disaggregate_packs, description="The owner opens a box or pallet: its contents are loose again."
    )
    ship_packs: ShipPacksPayload = strawberry.mutation(
        resolver=ship_packs,
        description="The owner sends packs, boxes or pallets to another organisation; they are in transit until "
        "received.",
    )
    receive_shipment: ReceiveShipmentPayload = strawberry.mutation(
        resolver=receive_shipment,
        description="The receiver accepts all of a shipment or what it scanned; differences alert the regulator.",
    )
    cancel_shipment: CancelShipmentPayload = strawberry.mutation(
        resolver=cancel_shipment, description="The sender calls a shipment back before it is received."
    )
    sell_packs: SellPacksPayload = strawberry.mutation(
        resolver=sell_packs,
        description="A pharmacy sells packs; a price above the maximum in force is recorded and alerts the regulator.",
    )
    administer_units: AdministerUnitsPayload = strawberry.mutation(
        resolver=administer_units,
        description="A hospital gives a patient units of a pack; the pack stays in stock until it is empty.",
    )
    reverse_pack_operation: ReversePackOperationPayload = strawberry.mutation(
        resolver=reverse_pack_operation,
        description="The organisation takes back its last sale, administration, write-off or export of a pack "
        "within 10 days; both events stay in the history.",
    )
    write_off_packs: WriteOffPacksPayload = strawberry.mutation(
        resolver=write_off_packs, description="The owner takes packs out of circulation, with the reason."
    )
    recall_batch: RecallBatchPayload = strawberry.mutation(
        resolver=recall_batch,
        description="The regulator recalls a batch: its packs answer RECALLED and only their destruction is accepted.",
    )
    set_shortage_threshold: SetShortageThresholdPayload = strawberry.mutation(
        resolver=set_shortage_threshold,
        description="The regulator sets the stock of a substance under which a region has a shortage (0: none).",
    )
    import_packs: ImportPacksPayload = strawberry.mutation(
        resolver=import_packs,
        description="The importer brings packs made abroad into circulation once customs has cleared them.",
    )
    export_packs: ExportPacksPayload = strawberry.mutation(
        resolver=export_packs,
        description="The owner sends packs abroad: they leave the national circulation.",
    )
