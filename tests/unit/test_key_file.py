"""The ledger's key file is read without cryptography when it is as recledger writes it
(``adapters.signing``): the same key as cryptography reads; any other file is left to
cryptography, which reads it or refuses it in one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from adapters.signing import LedgerKey, load_key
from domain.errors import StorageUnavailable


def raw(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )


def test_a_key_recledger_made_is_read_as_cryptography_reads_it(tmp_path: Path) -> None:
    made, created = load_key(tmp_path / "ledger.key", create=True)
    assert created
    read, created = load_key(tmp_path / "ledger.key", create=False)
    on_disk = serialization.load_pem_private_key((tmp_path / "ledger.key").read_bytes(), None)
    assert isinstance(on_disk, Ed25519PrivateKey)
    assert not created and read.raw == made.raw == raw(on_disk)
    assert read.fingerprint == LedgerKey.of(on_disk).fingerprint
    assert read.holds(b"event", on_disk.sign(b"event"))


@pytest.mark.parametrize(
    "form",
    [serialization.PrivateFormat.OpenSSH, serialization.PrivateFormat.PKCS8],
    ids=["openssh", "pkcs8-with-crlf"],
)
def test_a_key_file_laid_out_otherwise_gives_the_same_key_or_is_refused(
    tmp_path: Path, form: object
) -> None:
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, form, serialization.NoEncryption())  # type: ignore[arg-type]
    (tmp_path / "ledger.key").write_bytes(pem.replace(b"\n", b"\r\n"))
    if form is serialization.PrivateFormat.OpenSSH:  # cryptography reads no OpenSSH key as PEM
        with pytest.raises(StorageUnavailable, match="the signing key"):
            load_key(tmp_path / "ledger.key", create=False)
        return
    read, _ = load_key(tmp_path / "ledger.key", create=False)
    assert read.raw == raw(key)


def test_a_file_that_is_no_key_is_refused_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "ledger.key").write_bytes(
        b"-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n"
    )
    with pytest.raises(StorageUnavailable, match="the signing key") as refused:
        load_key(tmp_path / "ledger.key", create=False)
    assert "\n" not in str(refused.value)
