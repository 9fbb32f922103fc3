"""The ledger's key: an Ed25519 key kept in a file outside the database.

It signs every write as it is stored (``adapters/stores/signed.py``), so a database
writer without the key cannot add events that ``verify`` accepts; it signs checkpoints;
and a secret derived from it keys the read models' digests (``projections/digest.py``),
so their rows cannot be edited unnoticed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from adapters.verifier import VerificationFailed, fingerprint, load_or_create_key
from domain.errors import StorageUnavailable


@dataclass(frozen=True)
class LedgerKey:
    """An Ed25519 private key, as the ledger uses it (``domain.integrity.Signer``)."""

    private: Ed25519PrivateKey
    fingerprint: str

    @classmethod
    def of(cls, private: Ed25519PrivateKey) -> LedgerKey:
        return cls(private, fingerprint(private.public_key()))

    @classmethod
    def generate(cls) -> LedgerKey:
        """A key of its own, for a ledger in memory that ends with the process."""
        return cls.of(Ed25519PrivateKey.generate())

    def sign(self, message: bytes) -> bytes:
        return self.private.sign(message)

    def holds(self, message: bytes, signature: bytes) -> bool:
        try:
            self.private.public_key().verify(signature, message)
        except InvalidSignature:
            return False
        return True

    def encrypt(self, data: bytes) -> str:
        return self._fernet().encrypt(data).decode("ascii")

    def decrypt(self, token: str) -> bytes | None:
        try:
            return self._fernet().decrypt(token.encode("ascii"))
        except (InvalidToken, ValueError):
            return None

    def _fernet(self) -> Fernet:
        """Authenticated encryption (AES-CBC and HMAC) under a key derived from this one."""
        return Fernet(base64.urlsafe_b64encode(self.derived("sealed-references")))

    def derived(self, purpose: str) -> bytes:
        """A 32-byte secret for ``purpose``, derived from the private key (HMAC-SHA256
        of the purpose under the raw key): what keys the read models' digests."""
        raw = self.private.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        return hmac.digest(raw, f"recledger/{purpose}".encode(), hashlib.sha256)


def load_key(path: Path, *, create: bool) -> tuple[LedgerKey, bool]:
    """The key in ``path`` and whether it was made now (only where ``create``); a file
    that is missing, unreadable or no Ed25519 key is refused in one line."""
    if not path.exists() and not create:
        raise StorageUnavailable(
            f"the ledger's signing key {path} is missing: this ledger's writes are signed "
            "with it; restore the file, or point RECLEDGER_SIGNING_KEY at it"
        )
    try:
        private, made = load_or_create_key(path)
    except (VerificationFailed, ValueError, TypeError) as error:
        raise StorageUnavailable(f"the signing key {path}: {error}") from None
    except OSError as error:
        raise StorageUnavailable(f"cannot read the signing key {path}: {error.strerror}") from None
    return LedgerKey.of(private), made
