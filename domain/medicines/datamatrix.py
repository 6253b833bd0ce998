from __future__ import annotations

import ctypes
import io
import math
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import zxingcpp
from PIL import Image, ImageOps
from pylibdmtx import wrapper as dmtx

# Medicines rules, "The code on a pack": GS (0x1D) separates variable-length fields. Given to libdmtx as its FNC1
# character, it is written as FNC1 and read back as GS; a leading one becomes the FNC1 that makes the symbol GS1.
GS = "\x1d"
# ISO/IEC 16022, ASCII encodation: the codeword for FNC1.
_FNC1_CODEWORD = 232
# GS1 General Specifications, character set 82 (what AI values may hold), with GS between fields.
_ELEMENT_STRING = re.compile(r'[!"%-?A-Z_a-z]+(?:\x1d[!"%-?A-Z_a-z]+)*\x1d?')

# What a phone or a scanner app sends; Pillow opens nothing else (its rarer formats have had more parser bugs).
# "JPEG" also opens the JPEGs with a second picture inside (MPO) that many phones write.
_PHOTO_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "BMP")
# Photos are read at two sizes, their longest side shrunk to these. Measured on 40 synthetic 3000×4000 phone photos
# (the tests make 20 of them and print the figures): zxing-cpp read 36 at 1600 px in ≈45 ms, 38 at 2400 px in ≈70 ms,
# 38 at full size in ≈320 ms, and all 40 at 1600 then 2400 px; libdmtx (800 ms each) read 13 at 1000 px, 16 at
# 1600 px, 15 at 2400 px. A filtered downscale also beats libdmtx's own `shrink`, which skips pixels: on clearer
# photos it read 20 of 20 at 1600 px and 16 with shrink 2.
_WORKING_SIDE_PX = 1600
_CLOSER_SIDE_PX = 2400
# libdmtx goes first but gets at most this slice of the budget: a miss costs all the time it is given, and zxing-cpp
# reads what it misses in ≈50 ms. On those photos it made 15 of its 17 reads within 230 ms; with 300 ms a hard
# photo took ≈345 ms in all (median), over issue 4's 300 ms for a phone photo, so it gets 150 ms: clear photos are
# still its own (they read in tens of milliseconds), hard ones reach zxing-cpp within budget.
_LIBDMTX_SLICE_MS = 150
# zxing-cpp takes no timeout; its time grows with the pixels (at most 37 ms a megapixel in those measurements),
# so a pass is started only when this estimate still fits the budget.
_ZXING_MS_PER_MEGAPIXEL = 40
# No autocontrast or sharpening: on those photos autocontrast lost reads for both (libdmtx 16 → 10, zxing-cpp
# 36 → 29 of 40; it clips glare and stretches JPEG noise), and an unsharp mask cost zxing-cpp more than a second
# size did.

_Modules = tuple[tuple[bool, ...], ...]  # dark modules True, top row first


class NotAnImage(Exception):
    """Raised when the bytes are not a JPEG, PNG, WebP, GIF or BMP image that can be read."""


class ImageTooLarge(Exception):
    """Raised when an image has more pixels than allowed; the pixels are then never decoded."""


class NoCodeFound(Exception):
    """Raised when no Data Matrix was read from an image within the time budget."""


@dataclass(frozen=True, slots=True)
class DecodedSymbol:
    """A Data Matrix read from an image: its text, with GS for every separator, and whether it began with FNC1."""

    text: str
    gs1: bool  # FNC1 came first: the symbol is a GS1 Data Matrix (`]d2`), and `text` holds no leading GS for it


def render_png(element_string: str, *, module_px: int = 8, quiet_zone_modules: int = 2) -> bytes:
    """A black-on-white PNG of the GS1 Data Matrix for `element_string`."""
    _check_layout(module_px, quiet_zone_modules)
    modules = _encode(element_string)
    size = len(modules[0]), len(modules)
    symbol = Image.new("1", size, 1)
    symbol.putdata([0 if dark else 1 for row in modules for dark in row])
    framed = ImageOps.expand(symbol, quiet_zone_modules, fill=1)
    sharp = framed.resize((framed.width * module_px, framed.height * module_px), Image.Resampling.NEAREST)
    out = io.BytesIO()
    sharp.save(out, "PNG", optimize=True)
    return out.getvalue()


def render_svg(element_string: str, *, module_px: int = 8, quiet_zone_modules: int = 2) -> str:
    """An SVG of the same symbol as `render_png`: a white square and one black path, one unit per module."""
    _check_layout(module_px, quiet_zone_modules)
    modules = _encode(element_string)
    width, height = len(modules[0]) + 2 * quiet_zone_modules, len(modules) + 2 * quiet_zone_modules
    runs = []
    for y, row in enumerate(modules, start=quiet_zone_modules):
        x = 0
        while x < len(row):
            if not row[x]:
                x += 1
                continue
            start = x
            while x < len(row) and row[x]:
                x += 1
            runs.append(f"M{start + quiet_zone_modules} {y}h{x - start}v1h-{x - start}z")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width * module_px}" height="{height * module_px}"'
        f' viewBox="0 0 {width} {height}" shape-rendering="crispEdges">'
        f'<rect width="{width}" height="{height}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(runs)}"/>'
        "</svg>"
    )


def decode(image_bytes: bytes, *, timeout_ms: int = 1500, max_pixels: int = 40_000_000) -> list[DecodedSymbol]:
    """The Data Matrix symbols in a photo: libdmtx's first read, else all that zxing-cpp reads at one of two sizes."""
    # Thread-safe, and worth a thread: nothing is shared, and Pillow, libdmtx (through ctypes) and zxing-cpp all
    # release the GIL while they work.
    deadline = time.monotonic() + timeout_ms / 1000
    photo = _grayscale(image_bytes, max_pixels)
    working = _shrunk(photo, _WORKING_SIDE_PX)
    zxing_ms = _zxing_ms(working.size) + _zxing_ms(_shrunk_size(photo.size, _CLOSER_SIDE_PX))
    libdmtx_ms = min(_LIBDMTX_SLICE_MS, _ms_left(deadline) - zxing_ms)
    if libdmtx_ms > 0 and (symbol := _read_with_libdmtx(working, libdmtx_ms)) is not None:
        return [symbol]
    if symbols := _read_with_zxing(working):  # always tried: ≈50 ms, even when libdmtx overran its slice
        return symbols
    closer = _shrunk(photo, _CLOSER_SIDE_PX)
    if (
        closer.size != working.size
        and _zxing_ms(closer.size) <= _ms_left(deadline)
        and (symbols := _read_with_zxing(closer))
    ):
        return symbols
    raise NoCodeFound(f"no Data Matrix found within {timeout_ms} ms")


def _check_layout(module_px: int, quiet_zone_modules: int) -> None:
    if module_px < 1:
        raise ValueError(f"module_px must be at least 1, got {module_px}")
    # ISO/IEC 16022 asks for a quiet zone of at least one module; zero is for callers that draw their own margin.
    if quiet_zone_modules < 0:
        raise ValueError(f"quiet_zone_modules must not be negative, got {quiet_zone_modules}")


def _encode(element_string: str) -> _Modules:
    """The modules of the smallest square GS1 Data Matrix for `element_string`, dark ones True, top row first."""
    if not _ELEMENT_STRING.fullmatch(element_string):
        raise ValueError(f"not a GS1 element string (GS1 characters, fields separated by GS): {element_string!r}")
    message = (GS + element_string).encode("ascii")
    with _encoder() as encoder:
        # ASCII encodation writes every FNC1 as codeword 232, which every reader knows; libdmtx's AutoBest picks
        # ASCII for our codes anyway (same 36×36 symbol) and would put FNC1 inside C40 for others.
        dmtx.dmtxEncodeSetProp(encoder, dmtx.DmtxProperty.DmtxPropScheme, dmtx.DmtxScheme.DmtxSchemeAscii)
        dmtx.dmtxEncodeSetProp(encoder, dmtx.DmtxProperty.DmtxPropSizeRequest, dmtx.DmtxSymbolSize.DmtxSymbolSquareAuto)
        # libdmtx drops FNC1 unless told which byte stands for it; without this the GS after the serial (AI 21)
        # is written as data, the symbol reads `]d1`, and scanners see no GS1 code.
        dmtx.dmtxEncodeSetProp(encoder, dmtx.DmtxProperty.DmtxPropFnc1, ord(GS))
        # One pixel per module and no margin: the image libdmtx draws is then the module matrix itself.
        dmtx.dmtxEncodeSetProp(encoder, dmtx.DmtxProperty.DmtxPropModuleSize, 1)
        dmtx.dmtxEncodeSetProp(encoder, dmtx.DmtxProperty.DmtxPropMarginSize, 0)
        dmtx.dmtxEncodeSetProp(encoder, dmtx.DmtxProperty.DmtxPropPixelPacking, dmtx.DmtxPackOrder.DmtxPack8bppK)
        buffer = ctypes.create_string_buffer(message, len(message))
        if not dmtx.dmtxEncodeDataMatrix(encoder, len(message), ctypes.cast(buffer, dmtx.c_ubyte_p)):
            raise ValueError(f"too long for a Data Matrix: {len(element_string)} characters")
        image = encoder.contents.image
        width = int(dmtx.dmtxImageGetProp(image, dmtx.DmtxProperty.DmtxPropWidth))
        height = int(dmtx.dmtxImageGetProp(image, dmtx.DmtxProperty.DmtxPropHeight))
        row_bytes = int(dmtx.dmtxImageGetProp(image, dmtx.DmtxProperty.DmtxPropRowSizeBytes))
        pixels = ctypes.string_at(image.contents.pxl, row_bytes * height)
    return tuple(tuple(pixels[y * row_bytes + x] < 128 for x in range(width)) for y in range(height))


def _grayscale(image_bytes: bytes, max_pixels: int) -> Image.Image:
    """The photo in grayscale and flattened onto white, refused before decoding when it has too many pixels."""
    try:
        # Pillow refuses over twice its own MAX_IMAGE_PIXELS (and warns over it) while reading the header. That
        # limit is process-wide, so it is left alone; our own bound is checked before any pixel is decoded.
        photo = Image.open(io.BytesIO(image_bytes), formats=_PHOTO_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as too_large:
        raise ImageTooLarge(str(too_large)) from None
    except (OSError, ValueError, SyntaxError, EOFError) as unreadable:  # Pillow's UnidentifiedImageError is an OSError
        raise NotAnImage(str(unreadable)) from None
    with photo:
        width, height = photo.size
        if width * height > max_pixels:
            raise ImageTooLarge(f"{width}×{height} pixels is over {max_pixels}")
        # A JPEG is then decoded from its luminance alone, and at 1/2, 1/4 or 1/8 of its size where that still
        # leaves the larger reading size: faster, and less memory. Other formats ignore it.
        photo.draft("L", _shrunk_size(photo.size, _CLOSER_SIDE_PX))
        try:
            # Orientation (EXIF) is not applied: a Data Matrix reads in any rotation.
            return _flattened(photo).convert("L")
        except (OSError, ValueError, SyntaxError, EOFError) as broken:  # truncated or corrupt pixel data
            raise NotAnImage(str(broken)) from None


def _shrunk(gray: Image.Image, longest_side_px: int) -> Image.Image:
    if max(gray.size) <= longest_side_px:
        return gray
    return gray.resize(_shrunk_size(gray.size, longest_side_px), Image.Resampling.BILINEAR, reducing_gap=2.0)


def _shrunk_size(size: tuple[int, int], longest_side_px: int) -> tuple[int, int]:
    width, height = size
    scale = min(1.0, longest_side_px / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _zxing_ms(size: tuple[int, int]) -> int:
    return math.ceil(size[0] * size[1] / 1_000_000 * _ZXING_MS_PER_MEGAPIXEL)


def _ms_left(deadline: float) -> int:
    return int((deadline - time.monotonic()) * 1000)


def _flattened(photo: Image.Image) -> Image.Image:
    """The image over a white background: transparent pixels would otherwise turn black in grayscale."""
    if photo.mode not in ("RGBA", "LA", "PA") and "transparency" not in photo.info:
        return photo
    rgba = photo.convert("RGBA")
    return Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba)


def _read_with_libdmtx(gray: Image.Image, timeout_ms: int) -> DecodedSymbol | None:
    """The first symbol libdmtx reads in `gray` before the timeout, or None; pylibdmtx.decode, with FNC1 kept."""
    pixels = gray.tobytes()
    buffer = ctypes.create_string_buffer(pixels, len(pixels))
    timeout = dmtx.dmtxTimeAdd(dmtx.dmtxTimeNow(), timeout_ms)
    with _dmtx_image(buffer, gray.width, gray.height) as image, _decoder(image) as decoder:
        # Without this libdmtx skips every FNC1: the GS between fields is lost and the key id (AI 91) reads
        # as part of the serial (AI 21).
        dmtx.dmtxDecodeSetProp(decoder, dmtx.DmtxProperty.DmtxPropFnc1, ord(GS))
        while True:  # a region that looks like a symbol but does not decode is skipped for the next one
            with _region(decoder, timeout) as region:
                if region is None:
                    return None  # the whole image was searched, or the time is up
                with _message(decoder, region) as message:
                    if message is not None:
                        return _symbol_from(message)


def _symbol_from(message: Any) -> DecodedSymbol:
    # libdmtx writes the leading FNC1 as a GS like the others; its first codeword tells it apart from a GS that
    # was encoded as data. ISO/IEC 16022 reads bytes as Latin-1, so any byte decodes.
    output = ctypes.string_at(message.contents.output, message.contents.outputIdx).decode("latin-1")
    gs1 = message.contents.code[0] == _FNC1_CODEWORD
    return DecodedSymbol(output.removeprefix(GS) if gs1 else output, gs1)


def _read_with_zxing(gray: Image.Image) -> list[DecodedSymbol]:
    """The Data Matrix symbols zxing-cpp reads in `gray`, GS between fields and no leading GS."""
    barcodes = zxingcpp.read_barcodes(
        gray,
        formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.DataMatrix),
        text_mode=zxingcpp.TextMode.Plain,  # the default (HRI) writes `(01)…(21)…` instead of GS
    )
    return [DecodedSymbol(barcode.text, barcode.symbology_identifier == "]d2") for barcode in barcodes]


# pylibdmtx's wrapper has no types: the handles below are ctypes pointers, Any to mypy. Each is destroyed in the
# same order and by the same calls as in pylibdmtx.decode and pylibdmtx.encode.


@contextmanager
def _encoder() -> Iterator[Any]:
    encoder = dmtx.dmtxEncodeCreate()
    if not encoder:
        raise MemoryError("libdmtx could not create an encoder")
    try:
        yield encoder
    finally:
        dmtx.dmtxEncodeDestroy(ctypes.byref(encoder))


@contextmanager
def _dmtx_image(buffer: ctypes.Array[ctypes.c_char], width: int, height: int) -> Iterator[Any]:
    # `buffer` must outlive the image: libdmtx reads the pixels in place.
    image = dmtx.dmtxImageCreate(ctypes.cast(buffer, dmtx.c_ubyte_p), width, height, dmtx.DmtxPackOrder.DmtxPack8bppK)
    if not image:
        raise MemoryError("libdmtx could not create an image")
    try:
        yield image
    finally:
        dmtx.dmtxImageDestroy(ctypes.byref(image))


@contextmanager
def _decoder(image: Any) -> Iterator[Any]:
    decoder = dmtx.dmtxDecodeCreate(image, 1)  # shrink 1: the image is already at its working size
    if not decoder:
        raise MemoryError("libdmtx could not create a decoder")
    try:
        yield decoder
    finally:
        dmtx.dmtxDecodeDestroy(ctypes.byref(decoder))


@contextmanager
def _region(decoder: Any, timeout: Any) -> Iterator[Any]:
    region = dmtx.dmtxRegionFindNext(decoder, ctypes.byref(timeout))
    try:
        yield region or None
    finally:
        if region:
            dmtx.dmtxRegionDestroy(ctypes.byref(region))


@contextmanager
def _message(decoder: Any, region: Any) -> Iterator[Any]:
    message = dmtx.dmtxDecodeMatrixRegion(decoder, region, dmtx.DmtxUndefined)  # as many corrections as possible
    try:
        yield message or None
    finally:
        if message:
            dmtx.dmtxMessageDestroy(ctypes.byref(message))
