"""The ledger's key: an Ed25519 key kept in a file outside the database.

It signs every write as it is stored (``adapters/stores/signed.py``), so a database
writer without the key cannot add events that ``verify`` accepts; it signs checkpoints;
and a secret derived from it keys the read models' digests (``projections/digest.py``),
so their rows cannot be edited unnoticed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from domain.errors import StorageUnavailable

if TYPE_CHECKING:  # cryptography loads only to sign, check a signature or seal
    from cryptography.fernet import Fernet
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

_PKCS8_ED25519 = bytes.fromhex("302e020100300506032b657004220420")
"""What comes before the 32 bytes of an Ed25519 private key in PKCS#8 (RFC 8410), as the
key's file holds it (``adapters.verifier.load_or_create_key`` writes it so)."""


@dataclass(frozen=True)
class LedgerKey:
    """An Ed25519 private key, as the ledger uses it (``domain.integrity.Signer``): its 32
    raw bytes. cryptography loads when the key first signs, checks or seals: a command
    that only reads needs no more than the read models' digest key (``derived``)."""

    raw: bytes = field(repr=False)

    @classmethod
    def of(cls, private: Ed25519PrivateKey) -> LedgerKey:
        from cryptography.hazmat.primitives import serialization

        return cls(
            private.private_bytes(
                serialization.Encoding.Raw,
                serialization.PrivateFormat.Raw,
                serialization.NoEncryption(),
            )
        )

    @classmethod
    def generate(cls) -> LedgerKey:
        """A key of its own, for a ledger in memory that ends with the process (an Ed25519
        private key is 32 random bytes)."""
        return cls(secrets.token_bytes(32))

    @cached_property
    def private(self) -> Ed25519PrivateKey:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        return Ed25519PrivateKey.from_private_bytes(self.raw)

    @cached_property
    def fingerprint(self) -> str:
        from adapters.verifier import fingerprint

        return fingerprint(self.private.public_key())

    def sign(self, message: bytes) -> bytes:
        return self.private.sign(message)

    def holds(self, message: bytes, signature: bytes) -> bool:
        from cryptography.exceptions import InvalidSignature

        try:
            self.private.public_key().verify(signature, message)
        except InvalidSignature:
            return False
        return True

    def encrypt(self, data: bytes) -> str:
        return self._fernet().encrypt(data).decode("ascii")

    def decrypt(self, token: str) -> bytes | None:
        from cryptography.fernet import InvalidToken

        try:
            return self._fernet().decrypt(token.encode("ascii"))
        except (InvalidToken, ValueError):
            return None

    def _fernet(self) -> Fernet:
        """Authenticated encryption (AES-CBC and HMAC) under a key derived from this one."""
        from cryptography.fernet import Fernet

        return Fernet(base64.urlsafe_b64encode(self.derived("sealed-references")))

    def derived(self, purpose: str) -> bytes:
        """A 32-byte secret for ``purpose``, derived from the private key (HMAC-SHA256
        of the purpose under the raw key): what keys the read models' digests."""
        return hmac.digest(self.raw, f"recledger/{purpose}".encode(), hashlib.sha256)


def load_key(path: Path, *, create: bool) -> tuple[LedgerKey, bool]:
    """The key in ``path`` and whether it was made now (only where ``create``); a file
    that is missing, unreadable or no Ed25519 key is refused in one line."""
    if not path.exists() and not create:
        raise StorageUnavailable(
            f"the ledger's signing key {path} is missing: this ledger's writes are signed "
            "with it; restore the file, or point RECLEDGER_SIGNING_KEY at it"
        )
    try:
        raw = _raw_key(path.read_bytes()) if path.exists() else None
    except OSError as error:
        raise _unreadable(path, error) from None
    if raw is not None:
        return LedgerKey(raw), False
    return _load_or_create(path)


def _raw_key(pem: bytes) -> bytes | None:
    """The 32 raw bytes of an Ed25519 private key in PEM as recledger writes it (PKCS#8,
    no header, no public key), read without cryptography; None for any other file, which
    cryptography reads or refuses (``_load_or_create``)."""
    lines = [line.strip() for line in pem.strip().splitlines()]
    if len(lines) < 3 or lines[0] != b"-----BEGIN PRIVATE KEY-----":
        return None
    if lines[-1] != b"-----END PRIVATE KEY-----":
        return None
    try:
        der = base64.b64decode(b"".join(lines[1:-1]), validate=True)
    except binascii.Error:
        return None
    if len(der) != len(_PKCS8_ED25519) + 32 or not der.startswith(_PKCS8_ED25519):
        return None
    return der[len(_PKCS8_ED25519) :]


def _load_or_create(path: Path) -> tuple[LedgerKey, bool]:
    """The key in ``path`` as cryptography reads it, or a new one written there."""
    from adapters.verifier import VerificationFailed, load_or_create_key

    try:
        private, made = load_or_create_key(path)
    except (VerificationFailed, ValueError, TypeError) as error:
        raise StorageUnavailable(f"the signing key {path}: {error}") from None
    except OSError as error:
        raise _unreadable(path, error) from None
    return LedgerKey.of(private), made


def _unreadable(path: Path, error: OSError) -> StorageUnavailable:
    return StorageUnavailable(f"cannot read the signing key {path}: {error.strerror}")
