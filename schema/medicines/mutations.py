from __future__ import annotations

import strawberry

from schema.medicines.alerts import UpdateMedicineAlertPayload, update_medicine_alert
from schema.medicines.change_product_status import ChangeProductStatusPayload, change_product_status
from schema.medicines.commission_packs import CommissionPacksPayload, commission_packs
from schema.medicines.order_pack_codes import OrderPackCodesPayload, order_pack_codes
from schema.medicines.register_product import RegisterProductPayload, register_product
from schema.medicines.report_suspicious_pack import ReportSuspiciousPackPayload, report_suspicious_pack
from schema.medicines.set_max_retail_price import SetMaxRetailPricePayload, set_max_retail_price


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
