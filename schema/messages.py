from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

from domain.shared.errors import DomainError

_LOCALES_DIR = Path(__file__).parent / "locales"


class Locale(StrEnum):
    KK = "kk"
    RU = "ru"
    EN = "en"


# Kazakh is the state language: a client that states no preference is answered in it.
DEFAULT_LOCALE = Locale.KK


def _load(locale: Locale) -> dict[str, str]:
    with (_LOCALES_DIR / locale.value / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalogue = read_po(po, locale=locale.value)
    return {str(message.id): str(message.string) for message in catalogue if message.id and message.string}


# Catalogues are keyed by the stable code, so a message can be reworded in one language without touching code.
CATALOGUES: Mapping[Locale, Mapping[str, str]] = {locale: _load(locale) for locale in Locale}


class _KeepUnknown(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render(code: str, locale: Locale, **details: object) -> str:
    """The person-readable message for `code` in `locale`, falling back to English and then to the code."""
    template = CATALOGUES[locale].get(code) or CATALOGUES[Locale.EN].get(code) or code
    details = {name: _word(name, value, locale) for name, value in details.items()}
    return template.format_map(_KeepUnknown(details))


# Codes quoted in a message ("expired", "WRITTEN_OFF") have words of their own in each language; a sentence or a
# value without an entry is quoted as it is.
_WORDED = {"reason": "REASON_", "state": "STATE_", "status": "STATE_", "kind": "KIND_"}


def _word(name: str, value: object, locale: Locale) -> object:
    prefix = _WORDED.get(name)
    if prefix is None or not isinstance(value, str):
        return value
    return CATALOGUES[locale].get(prefix + value.upper().replace(" ", "_")) or value


def render_error(error: DomainError, locale: Locale) -> str:
    return render(error.code.value, locale, **error.details)


@lru_cache(maxsize=512)
def negotiate(accept_language: str | None) -> Locale:
    """The best of our locales for an Accept-Language header (RFC 9110 weights), Kazakh when none fits."""
    if not accept_language:
        return DEFAULT_LOCALE
    best: tuple[float, int, Locale] | None = None
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        language = tag.strip().split("-")[0].lower()
        if weight <= 0 or language not in Locale._value2member_map_:
            continue
        candidate = (weight, -position, Locale(language))
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    return best[2] if best else DEFAULT_LOCALE
