from __future__ import annotations

import base64
import json
import secrets
import time
import uuid
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

from domain.medicines.keys import CodeKeys

# Development and test only: a local ES256 key stands in for the egov identity provider, so a newcomer can mint
# tokens for any role. Production mode never reads or writes these files, and refuses to mint.
_KEY_FILE = "signing-key.pem"
_KID_FILE = "kid"
JWKS_FILE = "jwks.json"
_CODE_KEYS_FILE = "code-keys"
_DEV_CODE_KEY_ID = "0001"


class DevelopmentKey:
    def __init__(self, private_key: ec.EllipticCurvePrivateKey, kid: str) -> None:
        self.private_key = private_key
        self.kid = kid

    @classmethod
    def load_or_create(cls, directory: Path) -> DevelopmentKey:
        key_path, kid_path = directory / _KEY_FILE, directory / _KID_FILE
        if key_path.exists() and kid_path.exists():
            loaded = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
            if not isinstance(loaded, ec.EllipticCurvePrivateKey):
                raise TypeError(f"{key_path} is not an EC private key")
            key = cls(loaded, kid_path.read_text().strip())
        else:
            key = cls.generate()
            directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            key_path.touch(mode=0o600)
            key_path.write_bytes(
                key.private_key.private_bytes(
                    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
                )
            )
            kid_path.write_text(key.kid)
        (directory / JWKS_FILE).write_text(json.dumps(key.jwks()))
        return key

    @classmethod
    def generate(cls) -> DevelopmentKey:
        return cls(ec.generate_private_key(ec.SECP256R1()), f"dev-{uuid.uuid4().hex[:12]}")

    def jwks(self) -> dict[str, Any]:
        public = ECAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        return {"keys": [{**public, "kid": self.kid, "alg": "ES256", "use": "sig"}]}

    def sign(self, claims: dict[str, Any], *, issuer: str, audience: str, lifetime_s: int = 3600) -> str:
        now = int(time.time())
        payload = {"iss": issuer, "aud": audience, "iat": now, "nbf": now, "exp": now + lifetime_s, **claims}
        return jwt.encode(payload, self.private_key, algorithm="ES256", headers={"kid": self.kid})


def development_code_keys(directory: Path) -> CodeKeys:
    """A local key for AI 92, made once and kept, so that development codes verify across restarts."""
    path = directory / _CODE_KEYS_FILE
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.touch(mode=0o600)
        path.write_text(f"{_DEV_CODE_KEY_ID}:{base64.b64encode(secrets.token_bytes(32)).decode()}")
    return CodeKeys.parse(path.read_text(), _DEV_CODE_KEY_ID)
