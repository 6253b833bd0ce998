from __future__ import annotations

from enum import StrEnum


class Region(StrEnum):
    """Kazakhstan's 17 regions and 3 cities of republican significance, by ISO 3166-2:KZ code (2023 revision)."""

    ABAI = "KZ-10"
    AKMOLA = "KZ-11"
    AKTOBE = "KZ-15"
    ALMATY_REGION = "KZ-19"
    ATYRAU = "KZ-23"
    WEST_KAZAKHSTAN = "KZ-27"
    JAMBYL = "KZ-31"
    JETISU = "KZ-33"
    KARAGANDA = "KZ-35"
    KOSTANAY = "KZ-39"
    KYZYLORDA = "KZ-43"
    MANGYSTAU = "KZ-47"
    PAVLODAR = "KZ-55"
    NORTH_KAZAKHSTAN = "KZ-59"
    TURKISTAN = "KZ-61"
    ULYTAU = "KZ-62"
    EAST_KAZAKHSTAN = "KZ-63"
    ASTANA = "KZ-71"
    ALMATY = "KZ-75"
    SHYMKENT = "KZ-79"
