from __future__ import annotations

import secrets
import string

SERIAL_LENGTH = 13
# medicines.md: 0-9 A-Z a-z only, none of the characters that collide with the text forms; 13 of 62 ≈ 77 bits.
SERIAL_ALPHABET = string.digits + string.ascii_uppercase + string.ascii_lowercase

# Random bytes below 248 map evenly onto the 62 characters (248 = 4 × 62); the 8 above are dropped, so every
# character is equally likely. bytes.translate does the mapping and the dropping in C.
_USABLE = 4 * len(SERIAL_ALPHABET)
_TABLE = bytes(ord(SERIAL_ALPHABET[b % len(SERIAL_ALPHABET)]) if b < _USABLE else 0 for b in range(256))
_DROP = bytes(range(_USABLE, 256))


def new_serials(count: int) -> list[str]:
    """`count` serials drawn from the operating system's cryptographic random source."""
    wanted = count * SERIAL_LENGTH
    text = b""
    while len(text) < wanted:
        text += secrets.token_bytes(int((wanted - len(text)) * 1.04) + 16).translate(_TABLE, _DROP)
    characters = text[:wanted].decode("ascii")
    return [characters[i : i + SERIAL_LENGTH] for i in range(0, wanted, SERIAL_LENGTH)]
