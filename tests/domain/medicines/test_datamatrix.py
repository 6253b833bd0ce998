from __future__ import annotations

import io
import random
import re
import statistics
import struct
import time
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from xml.etree import ElementTree

import pylibdmtx.pylibdmtx as pylibdmtx
import pytest
import zxingcpp
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps

from domain.medicines import datamatrix
from domain.medicines.datamatrix import (
    GS,
    DecodedSymbol,
    ImageTooLarge,
    NoCodeFound,
    NotAnImage,
    decode,
    render_png,
    render_svg,
)

GTIN = "04601234567893"  # 0·3 + 4·1 + 6·3 + 0·1 + 1·3 + 2·1 + 3·3 + 4·1 + 5·3 + 6·1 + 7·3 + 8·1 + 9·3 = 117 → 3
SERIAL = "aB3dE5gH7jK9m"
KEY_ID = "EE06"
MAC = "LALYh+lacWlWRxzheIPOTmT28S7CjSh+QSdSjG/dT/g="  # base64 of an HMAC-SHA256: it holds + / and =
PACK_CODE = f"01{GTIN}21{SERIAL}{GS}91{KEY_ID}{GS}92{MAC}"
SYMBOL_MODULES = 36  # 73 codewords in ASCII encodation, FNC1 and digit pairs included: 32×32 holds 62, 36×36 86

PHOTO_COUNT = 20
PHOTO_SIZE = (3000, 4000)  # a 12 MP phone photo, portrait


def test_an_independent_reader_sees_a_gs1_data_matrix_holding_our_element_string() -> None:
    png = Image.open(io.BytesIO(render_png(PACK_CODE)))

    plain = zxingcpp.read_barcodes(png, text_mode=zxingcpp.TextMode.Plain)
    human = zxingcpp.read_barcodes(png, text_mode=zxingcpp.TextMode.HRI)

    assert [(b.format, b.symbology_identifier, b.text) for b in plain] == [
        (zxingcpp.BarcodeFormat.DataMatrix, "]d2", PACK_CODE)  # zxing-cpp reports each separator FNC1 as GS
    ]
    assert [b.text for b in human] == [f"(01){GTIN}(21){SERIAL}(91){KEY_ID}(92){MAC}"]  # it ended every field


@pytest.mark.parametrize("reader", ["libdmtx", "zxing-cpp"])
def test_our_decoder_reads_our_symbol_back_with_its_separators(reader: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _only(reader, monkeypatch)

    symbols = decode(render_png(PACK_CODE))

    assert symbols == [DecodedSymbol(PACK_CODE, gs1=True)]


@pytest.mark.parametrize("reader", ["libdmtx", "zxing-cpp"])
def test_a_plain_data_matrix_is_read_as_not_gs1(reader: str, monkeypatch: pytest.MonkeyPatch) -> None:
    encoded = pylibdmtx.encode(PACK_CODE.encode("ascii"))  # pylibdmtx's own encoder knows no FNC1
    plain = Image.frombytes("RGB", (encoded.width, encoded.height), encoded.pixels)
    _only(reader, monkeypatch)

    symbols = decode(_png_bytes(plain))

    assert symbols == [DecodedSymbol(PACK_CODE, gs1=False)]


@pytest.mark.parametrize(("module_px", "quiet_zone_modules"), [(1, 0), (3, 1), (8, 2), (10, 4)])
def test_the_png_is_black_and_white_with_the_module_size_and_quiet_zone_asked_for(
    module_px: int, quiet_zone_modules: int
) -> None:
    png = Image.open(io.BytesIO(render_png(PACK_CODE, module_px=module_px, quiet_zone_modules=quiet_zone_modules)))

    modules = _modules_of_png(png, module_px)
    side = SYMBOL_MODULES + 2 * quiet_zone_modules
    symbol = [row[quiet_zone_modules : side - quiet_zone_modules] for row in modules]
    symbol = symbol[quiet_zone_modules : side - quiet_zone_modules]

    assert png.format == "PNG"
    assert png.size == (side * module_px, side * module_px)
    assert sorted(colour for _, colour in png.convert("L").getcolors() or []) == [0, 255]
    assert sum(map(sum, modules)) == sum(map(sum, symbol))  # the quiet zone is all white
    assert all(row[0] for row in symbol)  # the solid L of the finder: down the left …
    assert all(symbol[-1])  # … and along the bottom
    assert symbol[0] == [column % 2 == 0 for column in range(SYMBOL_MODULES)]  # the clock track along the top


def test_rendering_is_deterministic() -> None:
    assert render_png(PACK_CODE) == render_png(PACK_CODE)
    assert render_svg(PACK_CODE) == render_svg(PACK_CODE)


@pytest.mark.parametrize(("module_px", "quiet_zone_modules"), [(1, 0), (8, 2), (5, 4)])
def test_the_svg_is_xml_drawing_the_same_modules_as_the_png(module_px: int, quiet_zone_modules: int) -> None:
    svg = render_svg(PACK_CODE, module_px=module_px, quiet_zone_modules=quiet_zone_modules)
    png = Image.open(io.BytesIO(render_png(PACK_CODE, module_px=module_px, quiet_zone_modules=quiet_zone_modules)))

    root = ElementTree.fromstring(svg)

    side = SYMBOL_MODULES + 2 * quiet_zone_modules
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert (root.get("width"), root.get("height")) == (str(side * module_px), str(side * module_px))
    assert root.get("viewBox") == f"0 0 {side} {side}"
    assert _modules_of_svg(root, side) == _modules_of_png(png, module_px)


@pytest.mark.parametrize(
    "element_string",
    [
        "",
        f"{GS}01{GTIN}",  # the leading FNC1 is ours to add
        f"01{GTIN}21{SERIAL}{GS}{GS}91{KEY_ID}",
        f"01{GTIN}21 {SERIAL}",
        f"01{GTIN}21{SERIAL}\n",
        f"01{GTIN}21Ä{SERIAL}",
        f"]d201{GTIN}",
    ],
)
def test_only_gs1_element_strings_are_rendered(element_string: str) -> None:
    with pytest.raises(ValueError, match="not a GS1 element string"):
        render_png(element_string)
    with pytest.raises(ValueError, match="not a GS1 element string"):
        render_svg(element_string)


def test_an_element_string_too_long_for_the_largest_symbol_is_refused() -> None:
    with pytest.raises(ValueError, match="too long for a Data Matrix"):
        render_png("A" * 1600)  # the 144×144 symbol holds 1,558 codewords, one per letter in ASCII


@pytest.mark.parametrize(("module_px", "quiet_zone_modules"), [(0, 2), (8, -1)])
def test_a_symbol_without_size_or_with_a_negative_margin_is_a_programming_error(
    module_px: int, quiet_zone_modules: int
) -> None:
    with pytest.raises(ValueError, match=r"module_px|quiet_zone_modules"):
        render_png(PACK_CODE, module_px=module_px, quiet_zone_modules=quiet_zone_modules)


def test_a_code_on_a_transparent_background_is_read() -> None:
    black_on_white = Image.open(io.BytesIO(render_png(PACK_CODE))).convert("L")
    transparent = Image.new("LA", black_on_white.size, (0, 0))
    transparent.putalpha(ImageOps.invert(black_on_white))  # black modules, nothing elsewhere

    symbols = decode(_png_bytes(transparent))

    assert symbols == [DecodedSymbol(PACK_CODE, gs1=True)]


def test_decoding_in_several_threads_at_once_reads_each_photo(photos: list[tuple[str, bytes]]) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        read = list(pool.map(decode, [photo for _, photo in photos[:8]]))

    assert [symbols[0].text for symbols in read] == [code for code, _ in photos[:8]]


def test_phone_photos_of_a_pack_are_read_and_the_time_is_reported(photos: list[tuple[str, bytes]]) -> None:
    readers: dict[str, Callable[[bytes], list[DecodedSymbol]]] = {
        "libdmtx alone, in its slice": _libdmtx_alone,
        "zxing-cpp alone, 2 sizes": _zxing_alone,
        "decode (libdmtx, then zxing-cpp)": decode,
    }

    outcomes = {name: _read_all(reader, photos) for name, reader in readers.items()}

    print(f"\n{len(photos)} synthetic {PHOTO_SIZE[0]}×{PHOTO_SIZE[1]} JPEG photos, one core:")
    for name, (read, wrong, times) in outcomes.items():
        print(
            f"  {name:34} read {read:2}/{len(photos)}, wrong {wrong};"
            f" ms median {statistics.median(times):4.0f}, max {max(times):5.0f}"
        )
    read, wrong, _ = outcomes["decode (libdmtx, then zxing-cpp)"]
    assert wrong == 0
    assert read >= len(photos) - 1


def test_bytes_that_are_no_image_are_refused() -> None:
    jpeg = _jpeg_bytes(Image.new("L", (400, 400), 200))
    tiff = io.BytesIO()
    Image.new("L", (40, 40), 255).save(tiff, "TIFF")

    for data in (b"", b"%PDF-1.7\n" + bytes(200), jpeg[: len(jpeg) // 2], tiff.getvalue()):
        with pytest.raises(NotAnImage):
            decode(data)


@pytest.mark.parametrize(
    ("width", "height"),
    # Over twice Pillow's own limit (89 MP), which refuses it; over its limit, where it warns; over ours (40 MP) only.
    [(100_000, 100_000), (10_000, 10_000), (7_000, 7_000)],
)
def test_an_image_claiming_too_many_pixels_is_refused_before_its_pixels_are_read(width: int, height: int) -> None:
    bomb = _png_header_only(width, height)

    started = time.perf_counter()
    with pytest.raises(ImageTooLarge):
        decode(bomb)
    elapsed_s = time.perf_counter() - started

    assert elapsed_s < 0.5  # decoding 10^10 pixels would take minutes and 10 GB


def test_a_photo_with_no_code_is_answered_within_the_time_budget() -> None:
    white = _jpeg_bytes(Image.new("L", PHOTO_SIZE, 255))
    # Noise is where libdmtx finds edges everywhere and runs until its timeout.
    noise = _jpeg_bytes(Image.effect_noise((1600, 1200), 60))

    for photo in (white, noise):
        started = time.perf_counter()
        with pytest.raises(NoCodeFound):
            decode(photo, timeout_ms=800)
        elapsed_s = time.perf_counter() - started

        assert elapsed_s < 0.8 + 0.5  # the budget, and slack for a busy machine


@pytest.fixture(scope="module")
def photos() -> list[tuple[str, bytes]]:
    rng = random.Random(20261125)
    codes = [_pack_code(rng) for _ in range(PHOTO_COUNT)]
    noise = Image.effect_noise(PHOTO_SIZE, 10)  # made once: it is the slowest part of a photo
    return [(code, _phone_photo(code, noise, random.Random(seed))) for seed, code in enumerate(codes)]


def _pack_code(rng: random.Random) -> str:
    letters = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    serial = "".join(rng.choice(letters) for _ in range(13))
    mac = "".join(rng.choice(letters + "+/") for _ in range(43)) + "="
    return f"01{GTIN}21{serial}{GS}91{KEY_ID}{GS}92{mac}"


def _phone_photo(code: str, noise: Image.Image, rng: random.Random) -> bytes:
    """A JPEG like a phone's photo of a pack: the code small, tilted, skewed, unevenly lit, glared, blurred, noisy."""
    side = rng.randint(300, 800)  # the symbol with its quiet zone, in pixels of a 3000 × 4000 photo
    dark, light = rng.randint(30, 110), rng.randint(160, 235)
    symbol = Image.open(io.BytesIO(render_png(code, module_px=10))).convert("L")
    symbol = symbol.resize((side, side), Image.Resampling.BILINEAR).point(lambda v: dark + (light - dark) * v // 255)
    label = ImageOps.expand(symbol, side // 8, fill=light)
    jitter = side // 14  # perspective: each corner of the label moves by up to 7 % of the code's side
    corners = [(x + rng.randint(-jitter, jitter), y + rng.randint(-jitter, jitter)) for x, y in _square(label.width)]
    label = label.transform(label.size, Image.Transform.QUAD, [c for xy in corners for c in xy], fillcolor=light)
    angle = rng.uniform(10, 30) * rng.choice((-1, 1))
    mask = Image.new("L", label.size, 255).rotate(angle, expand=True)
    label = label.rotate(angle, expand=True, resample=Image.Resampling.BICUBIC, fillcolor=light)

    photo = Image.linear_gradient("L").resize(PHOTO_SIZE).point(lambda v: 90 + v // 3)  # the carton
    draw = ImageDraw.Draw(photo)
    for line in range(12):  # printing on the carton
        draw.text((rng.randint(0, 2000), rng.randint(0, 3900)), f"Paracetamol 500 mg LOT {line:05}", fill=40)
    x, y = rng.randint(100, PHOTO_SIZE[0] - label.width - 100), rng.randint(100, PHOTO_SIZE[1] - label.height - 100)
    photo.paste(label, (x, y), mask)
    shade = Image.linear_gradient("L").rotate(rng.uniform(0, 360)).resize(PHOTO_SIZE).point(lambda v: 150 + v * 2 // 5)
    photo = ImageChops.multiply(photo, shade)  # uneven light: up to 40 % darker on one side

    # Glare, then focus blur, on the label and around it only: the rest of the frame is merely background.
    box = (x - 50, y - 50, x + label.width + 50, y + label.height + 50)
    around = photo.crop(box)
    radius = side // 4
    centre = rng.randint(radius, around.width - radius), rng.randint(radius, around.height - radius)
    glare = Image.new("L", around.size, 0)
    spot = [c - radius for c in centre] + [c + radius for c in centre]
    ImageDraw.Draw(glare).ellipse(spot, fill=rng.randint(60, 140))
    around = ImageChops.add(around, glare.filter(ImageFilter.GaussianBlur(radius / 2)))
    module_px = side / (SYMBOL_MODULES + 4)
    photo.paste(around.filter(ImageFilter.GaussianBlur(module_px * rng.uniform(0.1, 0.35))), box)

    shifted = ImageChops.offset(noise, rng.randrange(PHOTO_SIZE[0]), rng.randrange(PHOTO_SIZE[1]))
    photo = ImageChops.add(photo, shifted, offset=-128)  # sensor noise
    warm = Image.merge("RGB", (photo, photo.point(lambda v: v * 95 // 100), photo.point(lambda v: v * 85 // 100)))
    return _jpeg_bytes(warm, quality=rng.randint(55, 85))


def _square(side: int) -> list[tuple[int, int]]:
    return [(0, 0), (0, side), (side, side), (side, 0)]  # the order Image.Transform.QUAD takes corners in


def _only(reader: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Let decode use this one reader: the other finds nothing."""
    if reader == "libdmtx":
        monkeypatch.setattr(datamatrix, "_read_with_zxing", lambda gray: [])
    else:
        monkeypatch.setattr(datamatrix, "_read_with_libdmtx", lambda gray, timeout_ms: None)


def _read_all(
    reader: Callable[[bytes], list[DecodedSymbol]], photos: list[tuple[str, bytes]]
) -> tuple[int, int, list[float]]:
    """How many photos the reader read right, how many wrong, and the milliseconds each took."""
    read = wrong = 0
    times = []
    for code, photo in photos:
        started = time.perf_counter()
        try:
            symbols = reader(photo)
        except NoCodeFound:
            symbols = []
        times.append((time.perf_counter() - started) * 1000)
        read += symbols == [DecodedSymbol(code, gs1=True)]
        wrong += bool(symbols) and symbols != [DecodedSymbol(code, gs1=True)]
    return read, wrong, times


def _libdmtx_alone(photo: bytes) -> list[DecodedSymbol]:
    """libdmtx as decode uses it: at the first reading size, in its slice of the budget."""
    gray = datamatrix._shrunk(datamatrix._grayscale(photo, 40_000_000), datamatrix._WORKING_SIDE_PX)
    symbol = datamatrix._read_with_libdmtx(gray, datamatrix._LIBDMTX_SLICE_MS)
    return [] if symbol is None else [symbol]


def _zxing_alone(photo: bytes) -> list[DecodedSymbol]:
    """zxing-cpp at the first reading size, then at the second, as decode would use it without libdmtx."""
    gray = datamatrix._grayscale(photo, 40_000_000)
    for side in (datamatrix._WORKING_SIDE_PX, datamatrix._CLOSER_SIDE_PX):
        if symbols := datamatrix._read_with_zxing(datamatrix._shrunk(gray, side)):
            return symbols
    return []


def _modules_of_png(png: Image.Image, module_px: int) -> list[list[bool]]:
    """Dark (True) or light, sampled at the centre of each module."""
    gray = png.convert("L")
    side = gray.width // module_px
    centre = module_px // 2
    return [
        [gray.getpixel((x * module_px + centre, y * module_px + centre)) == 0 for x in range(side)] for y in range(side)
    ]


def _modules_of_svg(root: ElementTree.Element, side: int) -> list[list[bool]]:
    """The modules the SVG's path fills: it draws each run of dark modules as `M x y h n v1 h-n z`."""
    path = root.find("{http://www.w3.org/2000/svg}path")
    assert path is not None
    modules = [[False] * side for _ in range(side)]
    runs = re.findall(r"M(\d+) (\d+)h(\d+)v1h-\3z", path.get("d", ""))
    assert "".join(f"M{x} {y}h{n}v1h-{n}z" for x, y, n in runs) == path.get("d")  # nothing else is drawn
    for x, y, length in runs:
        for column in range(int(x), int(x) + int(length)):
            modules[int(y)][column] = True
    return modules


def _png_bytes(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _jpeg_bytes(image: Image.Image, quality: int = 80) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims `width` × `height` 8-bit gray pixels, followed by almost no pixel data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8 bits, gray, deflate, no filter, no interlace
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 1024))
        + chunk(b"IEND", b"")
    )
