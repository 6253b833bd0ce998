from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field

KEY_ID_LENGTH = 4


@dataclass(frozen=True)
class CodeKeys:
    """The secrets behind AI 92: the current one signs new codes, every one keeps verifying the codes it signed."""

    current_id: str
    secrets: Mapping[str, bytes]
    # Each key's HMAC with its pads already hashed: a copy per code costs ~1.8 µs against ~2.7 µs from scratch,
    # on the busiest path of the service.
    _keyed: dict[str, hmac.HMAC] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.current_id not in self.secrets:
            raise ValueError(f"the current code key {self.current_id!r} is not among the keys")
        for key_id, secret in self.secrets.items():
            if len(key_id) != KEY_ID_LENGTH or not key_id.isascii() or not key_id.isalnum():
                raise ValueError(f"a code key id is {KEY_ID_LENGTH} letters or digits, not {key_id!r}")
            if len(secret) < 32:
                raise ValueError(f"code key {key_id} is shorter than 32 bytes")
        keyed = {key_id: hmac.new(secret, digestmod=hashlib.sha256) for key_id, secret in self.secrets.items()}
        object.__setattr__(self, "_keyed", keyed)

    @classmethod
    def parse(cls, text: str, current_id: str) -> CodeKeys:
        """Keys written as `id:base64secret,id:base64secret` (how settings carry them)."""
        pairs = (item.strip().split(":", 1) for item in text.split(",") if item.strip())
        return cls(current_id, {key_id: base64.b64decode(secret) for key_id, secret in pairs})

    def sign(self, gtin: str, serial: str) -> tuple[str, str]:
        """(key id, verification code) for a new pack code."""
        return self.current_id, _mac(self._keyed[self.current_id], gtin, serial)

    def code_for(self, key_id: str, gtin: str, serial: str) -> str | None:
        """The verification code that key `key_id` gives this GTIN and serial; None for a key we do not hold."""
        keyed = self._keyed.get(key_id)
        return _mac(keyed, gtin, serial) if keyed is not None else None

    def verifies(self, key_id: str, gtin: str, serial: str, code: str) -> bool:
        """Whether `code` is the verification code that key `key_id` gives this GTIN and serial."""
        keyed = self._keyed.get(key_id)
        return keyed is not None and hmac.compare_digest(_mac(keyed, gtin, serial), code)


def _mac(keyed: hmac.HMAC, gtin: str, serial: str) -> str:
    # medicines.md: AI 92 is the standard base64 of HMAC-SHA256 over GTIN + serial, 44 characters, as on EAEU packs.
    mac = keyed.copy()
    mac.update((gtin + serial).encode())
    return base64.b64encode(mac.digest()).decode()
