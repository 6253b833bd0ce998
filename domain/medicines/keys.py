from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass

KEY_ID_LENGTH = 4


@dataclass(frozen=True)
class CodeKeys:
    """The secrets behind AI 92: the current one signs new codes, every one keeps verifying the codes it signed."""

    current_id: str
    secrets: Mapping[str, bytes]

    def __post_init__(self) -> None:
        if self.current_id not in self.secrets:
            raise ValueError(f"the current code key {self.current_id!r} is not among the keys")
        for key_id, secret in self.secrets.items():
            if len(key_id) != KEY_ID_LENGTH or not key_id.isascii() or not key_id.isalnum():
                raise ValueError(f"a code key id is {KEY_ID_LENGTH} letters or digits, not {key_id!r}")
            if len(secret) < 32:
                raise ValueError(f"code key {key_id} is shorter than 32 bytes")

    @classmethod
    def parse(cls, text: str, current_id: str) -> CodeKeys:
        """Keys written as `id:base64secret,id:base64secret` (how settings carry them)."""
        pairs = (item.strip().split(":", 1) for item in text.split(",") if item.strip())
        return cls(current_id, {key_id: base64.b64decode(secret) for key_id, secret in pairs})

    def sign(self, gtin: str, serial: str) -> tuple[str, str]:
        """(key id, verification code) for a new pack code."""
        return self.current_id, _mac(self.secrets[self.current_id], gtin, serial)

    def verifies(self, key_id: str, gtin: str, serial: str, code: str) -> bool:
        """Whether `code` is the verification code that key `key_id` gives this GTIN and serial."""
        secret = self.secrets.get(key_id)
        return secret is not None and hmac.compare_digest(_mac(secret, gtin, serial), code)


def _mac(secret: bytes, gtin: str, serial: str) -> str:
    # medicines.md: AI 92 is the standard base64 of HMAC-SHA256 over GTIN + serial, 44 characters, as on EAEU packs.
    return base64.b64encode(hmac.new(secret, (gtin + serial).encode(), hashlib.sha256).digest()).decode()
