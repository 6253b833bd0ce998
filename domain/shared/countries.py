from __future__ import annotations

from functools import cache

from babel import Locale

# Babel's territories that are groupings or placeholders, not countries (CLDR): the EU, the eurozone, the UN,
# outlying Oceania, the unknown region.
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "ZZ"})


@cache
def _countries() -> frozenset[str]:
    codes = (str(code) for code in Locale("en").territories)
    return frozenset(code for code in codes if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES)


def is_country(code: str) -> bool:
    """Whether `code` is an ISO 3166-1 alpha-2 code of a country (CLDR's list, as Babel carries it)."""
    return code in _countries()
