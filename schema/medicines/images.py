from __future__ import annotations

import base64
from typing import Annotated

import strawberry
from strawberry.file_uploads import Upload

from domain.medicines import printing, verification
from domain.medicines.errors import NotAnImage
from domain.medicines.printing import ImageFormat
from domain.medicines.signals import VerificationRecord
from domain.shared.regions import Region
from schema.context import Context
from schema.medicines.verify_pack import PackVerification

strawberry.enum(ImageFormat, name="CodeImageFormat")


@strawberry.type(description="A pack code as a GS1 Data Matrix symbol, ready to print.")
class PackCodeImage:
    code: str = strawberry.field(description="The GS1 element string encoded (GS as U+001D).")
    format: ImageFormat
    media_type: str
    data: str = strawberry.field(description="PNG as base64, or the SVG document itself.")


@strawberry.type
class ImageQueries:
    @strawberry.field(description="The ordering organisation's codes as GS1 Data Matrix images (up to 100 at once).")
    async def pack_code_images(
        self,
        info: strawberry.Info[Context, None],
        codes: list[str],
        format: ImageFormat = ImageFormat.PNG,
        module_size: Annotated[int, strawberry.argument(description="Pixels per module, 2 to 40.")] = 8,
    ) -> list[PackCodeImage]:
        ctx = info.context
        images = await printing.pack_code_images(
            ctx.principal, ctx.session, codes=codes, image_format=format, module_px=module_size, keys=ctx.code_keys
        )
        if format is ImageFormat.SVG:
            return [
                PackCodeImage(code=i.element_string, format=format, media_type="image/svg+xml", data=i.content.decode())
                for i in images
            ]
        return [
            PackCodeImage(
                code=i.element_string, format=format, media_type="image/png", data=base64.b64encode(i.content).decode()
            )
            for i in images
        ]

    @strawberry.field(description="Anyone: the verdict for the code in a photo of a pack (a multipart upload).")
    async def verify_pack_image(
        self,
        info: strawberry.Info[Context, None],
        image: Upload,
        region: Annotated[
            Region | None, strawberry.argument(description="The region the app is in, if it may say; nothing finer.")
        ] = None,
    ) -> PackVerification:
        ctx = info.context
        now = ctx.clock.now()
        if not isinstance(image, bytes):  # a JSON value where a multipart request's file belongs
            raise NotAnImage()
        result = await verification.verify_pack_photo(ctx.reads, image=image, keys=ctx.code_keys, now=now)
        ctx.verification_log.record(VerificationRecord.of(result, region=region.value if region else None, at=now))
        return PackVerification.from_domain(result, ctx.locale)
