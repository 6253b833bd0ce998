from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from domain.medicines import datamatrix
from domain.medicines.codes import PackCode, UnreadableCode, parse_pack_code
from domain.medicines.errors import InvalidCode, InvalidQuantity, NotOwner, PackNotFound
from domain.medicines.keys import CodeKeys
from domain.medicines.models import CodeOrder, Pack
from domain.shared.access import OrganisationKind, Principal, require_organisation

MAX_IMAGES_PER_REQUEST = 100
MIN_MODULE_PX, MAX_MODULE_PX = 2, 40  # below 2 px a printer smears modules; above 40 a symbol outgrows any pack


class ImageFormat(StrEnum):
    PNG = "PNG"
    SVG = "SVG"


@dataclass(frozen=True, slots=True)
class CodeImage:
    element_string: str
    content: bytes  # PNG bytes, or the SVG document in UTF-8


async def pack_code_images(
    principal: Principal,
    session: AsyncSession,
    *,
    codes: Sequence[str],
    image_format: ImageFormat,
    module_px: int,
    keys: CodeKeys,
) -> list[CodeImage]:
    """The organisation that ordered codes gets them as GS1 Data Matrix symbols to print.

    What is printed is the code as issued (its key id and verification code computed here): a code sent with a
    verification code that does not match is refused, so that no one prints a symbol every scan would call invalid.
    """
    staff = require_organisation(principal, OrganisationKind.MANUFACTURER, OrganisationKind.IMPORTER)
    if not MIN_MODULE_PX <= module_px <= MAX_MODULE_PX:
        raise InvalidQuantity(module_px, minimum=MIN_MODULE_PX, maximum=MAX_MODULE_PX, field=("module_size",))
    if not 1 <= len(codes) <= MAX_IMAGES_PER_REQUEST:
        raise InvalidQuantity(len(codes), minimum=1, maximum=MAX_IMAGES_PER_REQUEST, field=("codes",))
    parsed = [_parsed(text, index) for index, text in enumerate(codes)]
    rows = await session.execute(
        select(Pack.gtin, Pack.serial, CodeOrder.organisation_bin, Pack.key_id)
        .join(CodeOrder, CodeOrder.id == Pack.order_id)
        .where(tuple_(Pack.gtin, Pack.serial).in_([(c.gtin, c.serial) for c in parsed]))
    )
    issued = {(gtin, serial): (orderer, key_id) for gtin, serial, orderer, key_id in rows}
    printable: list[str] = []
    for index, code in enumerate(parsed):
        orderer, key_id = issued.get((code.gtin, code.serial), (None, None))
        if orderer is None or key_id is None:
            raise PackNotFound(code.gtin, code.serial, field=("codes", str(index)))
        if orderer != str(staff.organisation_bin):
            raise NotOwner(code.gtin, code.serial, field=("codes", str(index)))
        verification_code = keys.code_for(key_id, code.gtin, code.serial)
        if verification_code is None or (
            code.verification_code is not None and (code.key_id, code.verification_code) != (key_id, verification_code)
        ):
            raise InvalidCode("VERIFICATION_CODE_MISMATCH", "the verification code (92) does not match", index=index)
        printable.append(replace(code, key_id=key_id, verification_code=verification_code).element_string())
    return await asyncio.to_thread(_render_all, printable, image_format, module_px)


def _parsed(text: str, index: int) -> PackCode:
    try:
        return parse_pack_code(text)
    except UnreadableCode as unreadable:
        raise InvalidCode(unreadable.problem.value, unreadable.message, index=index) from None


def _render_all(element_strings: list[str], image_format: ImageFormat, module_px: int) -> list[CodeImage]:
    # Rendering is CPU work in libdmtx and Pillow; it runs in a worker thread so the event loop keeps serving scans.
    if image_format is ImageFormat.SVG:
        return [CodeImage(s, datamatrix.render_svg(s, module_px=module_px).encode()) for s in element_strings]
    return [CodeImage(s, datamatrix.render_png(s, module_px=module_px)) for s in element_strings]
