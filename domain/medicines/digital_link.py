from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote, unquote

# The URL side of a GS1 Digital Link: which parts of the URL carry which AI. What the values may hold is decided by
# codes.py with the rest of GS1 syntax. Medicines decisions, "Reading a code": http or https in any letter case, any
# host and path prefix, key qualifiers in the path in the order 22, 10, 21, other AIs in the query, `+` a literal
# plus, a malformed percent-escape an error. biip's own reader is lenient where we may not be (it reads `+` as a
# space, keeps a malformed escape as text, lets the last of two query values win silently) and gives no offsets.
_SCHEME_AND_HOST = re.compile(r"https?://[^/?#]*", re.IGNORECASE)
# The primary keys a link to a pack can start with, and their qualifiers in the order GS1 fixes; an SSCC (00) is
# read so that it can be refused as not a pack.
_QUALIFIERS = {"01": ("22", "10", "21"), "00": ()}
_SHORT_GTIN_LENGTHS = (8, 12, 13)
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


class InvalidDigitalLink(ValueError):
    """A URL is not a GS1 Digital Link to a trade item: no /01/ key, qualifiers out of order, or a bad escape."""

    def __init__(self, message: str, *, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position  # offset in the link


@dataclass(frozen=True, slots=True)
class LinkElement:
    """One AI and its decoded value, with where the value was written in the link."""

    ai: str
    value: str
    ai_at: int
    raw: str  # the value as written, escapes and all
    raw_at: int
    padding: int = 0  # zeros put before a short GTIN

    def place(self, index: int) -> int:
        """Offset in the link of the value's character at `index`, or of the value's end; worked out for errors only."""
        at = 0
        for _ in range(index - self.padding):
            if self.raw[at] != "%":
                at += 1
                continue
            lead = int(self.raw[at + 1 : at + 3], 16)  # a UTF-8 lead byte says how many escapes make the character
            at += 3 * (1 if lead < 0xC0 else 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4)
        return self.raw_at + at


def is_digital_link(text: str, start: int = 0, end: int | None = None) -> bool:
    return _SCHEME_AND_HOST.match(text, start, len(text) if end is None else end) is not None


def link_elements(text: str, start: int, end: int) -> list[LinkElement]:
    """The AIs the link in text[start:end] carries: key and qualifiers from the path, then numeric query parameters."""
    head = _SCHEME_AND_HOST.match(text, start, end)
    if head is None:
        raise InvalidDigitalLink("expected a link beginning with http:// or https://", position=start)
    link = text[:end]
    fragment_at = link.find("#", head.end())
    link_end = fragment_at if fragment_at >= 0 else len(link)
    query_at = link.find("?", head.end(), link_end)
    path_end = query_at if query_at >= 0 else link_end
    elements = _path_elements(link, head.end(), path_end)
    if query_at >= 0:
        elements += _query_elements(link, query_at + 1, link_end)
    return elements


def format_link(base: str, path: Sequence[tuple[str, str]], query: Sequence[tuple[str, str]]) -> str:
    """A Digital Link under `base` with these AIs in the path and the query, every reserved character escaped."""
    # quote(safe="") escapes the `+ / =` of a base64 verification code too, as the decisions ask.
    path_text = "".join(f"/{ai}/{quote(value, safe='')}" for ai, value in path)
    query_text = "&".join(f"{ai}={quote(value, safe='')}" for ai, value in query)
    return base.rstrip("/") + path_text + (f"?{query_text}" if query_text else "")


def _path_elements(link: str, start: int, end: int) -> list[LinkElement]:
    segments: list[tuple[int, str]] = []
    offset = start
    for raw in link[start:end].split("/"):
        if raw:  # the leading "/", a trailing one, and "//" give empty segments
            segments.append((offset, raw))
        offset += len(raw) + 1
    # The key is the leftmost /01/ (or /00/) followed by pairs up to the end, so a prefix like /2025/01/ is passed over.
    for index, (_, raw) in enumerate(segments):
        if raw in _QUALIFIERS and (len(segments) - index) % 2 == 0:
            break
    else:
        raise InvalidDigitalLink("expected /01/ and a GTIN in the path", position=start)
    key_at, key = segments[index]
    raw_at, raw = segments[index + 1]
    value = _decoded(raw, raw_at)
    padding = 0
    if key == "01" and len(value) in _SHORT_GTIN_LENGTHS and value.isascii() and value.isdigit():
        padding = 14 - len(value)
        value = "0" * padding + value
    elements = [LinkElement(key, value, key_at, raw, raw_at, padding)]
    expected = list(_QUALIFIERS[key])
    pairs = segments[index + 2 :]
    for (qualifier_at, qualifier), (raw_at, raw) in zip(pairs[::2], pairs[1::2], strict=True):
        if qualifier not in expected:
            order = ", ".join(_QUALIFIERS[key]) or "none"
            raise InvalidDigitalLink(
                f"after /{key}/ the path may hold the qualifiers {order}, each once and in that order;"
                f" found /{qualifier}/",
                position=qualifier_at,
            )
        del expected[: expected.index(qualifier) + 1]
        elements.append(LinkElement(qualifier, _decoded(raw, raw_at), qualifier_at, raw, raw_at))
    return elements


def _query_elements(link: str, start: int, end: int) -> list[LinkElement]:
    elements = []
    offset = start
    for parameter in link[start:end].split("&"):
        key, _, raw = parameter.partition("=")
        # Only numeric keys are AIs; others (linkType, utm_source …) belong to the resolver and are not ours to read.
        if key.isascii() and key.isdigit():
            raw_at = offset + len(key) + 1
            elements.append(LinkElement(key, _decoded(raw, raw_at), offset, raw, raw_at))
        offset += len(parameter) + 1
    return elements


def _decoded(raw: str, offset: int) -> str:
    """A segment or parameter value with its percent-escapes decoded strictly; `+` stays a plus."""
    if "%" not in raw:
        return raw
    if bad := _BAD_ESCAPE.search(raw):
        found = raw[bad.start() : bad.start() + 3]
        message = f"'%' must be followed by two hexadecimal digits, found {found!r}"
        raise InvalidDigitalLink(message, position=offset + bad.start())
    try:
        return unquote(raw, errors="strict")
    except UnicodeDecodeError:
        raise InvalidDigitalLink("percent-escapes that are not UTF-8", position=offset + raw.index("%")) from None
