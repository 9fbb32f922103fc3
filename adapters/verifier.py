"""Checkpoints and exported logs, as an inspector checks them: a stand-alone verifier.

A checkpoint file is JSON: ``statement`` (four lines of text, ``domain.integrity.
checkpoint_statement``: the log's size, its Merkle root, the time), ``public_key`` (the
raw Ed25519 key, base64) and ``signature`` (over the statement's bytes, base64). An
exported log (``recledger export-log``) is JSON lines: a header, one line per entry with
its hash, after the last entry of each write a line with the write's signature, and a
trailer with the size and the root.

This file needs only the standard library, the ``cryptography`` package and
``integrity.py`` (``domain/integrity.py``) beside it. On a machine without recledger::

    python verifier.py CHECKPOINT.json [--log LOG.jsonl] [--proof PROOF.json] [--key FP]

checks the checkpoint's signature (and that its key has the fingerprint ``FP`` recorded
when the checkpoint was taken), that every entry of the exported log is covered by a
write signed with that same key, that its first ``size`` entries hash to the checkpoint's
root, and that an inclusion proof (``recledger prove``) leads to that root.
Exit 0 when everything holds; 1 with one line saying what does not.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

try:
    from domain import integrity
except ImportError:  # run stand-alone, with integrity.py copied beside this file
    import integrity  # type: ignore[no-redef, import-not-found]


class VerificationFailed(Exception):
    """What does not hold, in one line."""


@dataclass(frozen=True)
class SignedCheckpoint:
    size: int
    root: bytes
    time: str
    fingerprint: str
    """SHA-256 of the raw public key, hex: what an inspector records to pin the key."""
    public_key: Ed25519PublicKey


def fingerprint(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def load_or_create_key(path: Path) -> tuple[Ed25519PrivateKey, bool]:
    """The signing key in ``path`` (PEM, PKCS#8), or a new one written there (mode 0600);
    and whether it is new."""
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise VerificationFailed(f"{path} holds no Ed25519 private key")
        return key, False
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.touch(mode=0o600, exist_ok=False)
    path.write_bytes(pem)
    return key, True


def signed_checkpoint(key: Ed25519PrivateKey, size: int, root: bytes, time: str) -> str:
    """The text of a checkpoint file."""
    statement = integrity.checkpoint_statement(size, root, time)
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    document = {
        "statement": statement.decode("utf-8"),
        "public_key": base64.b64encode(raw).decode("ascii"),
        "signature": base64.b64encode(key.sign(statement)).decode("ascii"),
    }
    return json.dumps(document, indent=2) + "\n"


def read_checkpoint(path: Path, expected_key: str | None = None) -> SignedCheckpoint:
    """A checkpoint file whose signature holds (by the key ``expected_key``, if given)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        statement = document["statement"].encode("utf-8")
        public_key = Ed25519PublicKey.from_public_bytes(
            base64.b64decode(document["public_key"], validate=True)
        )
        signature = base64.b64decode(document["signature"], validate=True)
        size, root, time = integrity.parse_checkpoint_statement(statement)
    except OSError as error:
        raise VerificationFailed(f"cannot read {path}: {error.strerror}") from None
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise VerificationFailed(f"{path} is not a recledger checkpoint ({error})") from None
    try:
        public_key.verify(signature, statement)
    except InvalidSignature:
        raise VerificationFailed(
            f"{path}: the signature does not match the statement: the file was altered"
        ) from None
    found = fingerprint(public_key)
    if expected_key is not None and found != expected_key.lower():
        raise VerificationFailed(
            f"{path} was signed by key {found}, not by the key {expected_key} you trust"
        )
    return SignedCheckpoint(size, root, time, found, public_key)


Item = integrity.Entry | integrity.WriteSignature


def read_export(path: Path) -> Iterator[Item]:
    """Every entry of an exported log, each checked against its stated hash, and every
    write signature, in file order; then the trailer's size and root against the
    entries. Refuses with the first bad line. (A ``recledger-log/1`` export, from before
    writes were signed, has no signature lines.)"""
    frontier = integrity.Frontier()
    try:
        with path.open(encoding="utf-8") as lines:
            header = next(lines, "").rstrip("\n")
            if header not in (integrity.header_line(), integrity.header_line(legacy=True)):
                raise VerificationFailed(f"{path}, line 1: not an exported recledger log")
            number = 1
            for number, line in enumerate(lines, start=2):
                if line.startswith('{"size":'):
                    _check_trailer(path, number, line, frontier)
                    if next(lines, None) is not None:
                        raise VerificationFailed(f"{path}, line {number + 1}: after the trailer")
                    return
                try:
                    if line.startswith('{"signed":'):
                        yield integrity.signature_from_line(line)
                        continue
                    entry = integrity.entry_from_line(line, frontier.size + 1)
                except integrity.BadLine as error:
                    raise VerificationFailed(f"{path}, line {number}: {error}") from None
                frontier.append(entry.leaf())
                yield entry
    except OSError as error:
        raise VerificationFailed(f"cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise VerificationFailed(f"{path} is not UTF-8 text") from None
    raise VerificationFailed(
        f"{path}, line {number + 1}: the export ends without its trailer: it was cut short"
    )


def _check_trailer(path: Path, number: int, line: str, frontier: integrity.Frontier) -> None:
    expected = integrity.trailer_line(frontier.size, frontier.root())
    if line.rstrip("\n") != expected:
        raise VerificationFailed(
            f"{path}, line {number}: the trailer does not state the {frontier.size:,} entries "
            "above and their root: an entry was removed, added or rewritten"
        )


def check_export(path: Path, checkpoint: SignedCheckpoint | None) -> tuple[int, bytes]:
    """The size and root of an exported log, which must extend the checkpoint, if given,
    and every entry of which a write signed with the checkpoint's key must cover."""
    frontier = integrity.Frontier()
    at_checkpoint = integrity.EMPTY_ROOT if checkpoint and not checkpoint.size else None
    pending: list[integrity.Entry] = []
    for item in read_export(path):
        if isinstance(item, integrity.WriteSignature):
            if checkpoint is not None:
                _check_write(path, item, pending, checkpoint)
            pending = []
            continue
        pending.append(item)
        frontier.append(item.leaf())
        if checkpoint is not None and frontier.size == checkpoint.size:
            at_checkpoint = frontier.root()
    if checkpoint is not None:
        if pending:
            raise VerificationFailed(_unsigned(path, pending))
        if frontier.size < checkpoint.size:
            raise VerificationFailed(
                f"{path} holds {frontier.size:,} entries, the checkpoint {checkpoint.size:,}"
            )
        if at_checkpoint != checkpoint.root:
            raise VerificationFailed(
                f"{path}: its first {checkpoint.size:,} entries do not hash to the "
                "checkpoint's root: the log was rewritten before the checkpoint"
            )
    return frontier.size, frontier.root()


def _check_write(
    path: Path,
    signed: integrity.WriteSignature,
    pending: list[integrity.Entry],
    checkpoint: SignedCheckpoint,
) -> None:
    """A write's signature, after its last entry: it covers every entry since the last
    signed write, and holds under the checkpoint's key."""
    if not pending:
        raise VerificationFailed(f"{path}: a signature line follows no entry")
    last = pending[-1].position
    if signed.count < len(pending):
        raise VerificationFailed(_unsigned(path, pending[: len(pending) - signed.count]))
    if signed.count > len(pending):
        raise VerificationFailed(
            f"{path}: the write signed after entry {last:,} claims {signed.count:,} entries, "
            f"but {len(pending):,} follow the last signed write"
        )
    if signed.key != checkpoint.fingerprint:
        raise VerificationFailed(
            f"{path}: the write ending at entry {last:,} is signed by key {signed.key}, not by "
            f"the checkpoint's key {checkpoint.fingerprint}"
        )
    statement = integrity.write_statement([entry.event_digest() for entry in pending])
    try:
        checkpoint.public_key.verify(signed.signature, statement)
    except InvalidSignature:
        raise VerificationFailed(
            f"{path}: the signature of entries {pending[0].position:,}-{last:,} does not hold: "
            "they were changed, or written without the key"
        ) from None


def _unsigned(path: Path, entries: list[integrity.Entry]) -> str:
    return (
        f"{path}: entries {entries[0].position:,}-{entries[-1].position:,} are not covered by "
        "a write signed with the checkpoint's key"
    )


def check_proof(path: Path, checkpoint: SignedCheckpoint) -> integrity.Entry:
    """The entry an inclusion proof carries, proven to be in the checkpoint's log."""
    try:
        proof = json.loads(path.read_text(encoding="utf-8"))
        entry = integrity.entry_from_line(proof["entry"], int(proof["position"]))
        path_hashes = [bytes.fromhex(sibling) for sibling in proof["path"]]
        if int(proof["size"]) != checkpoint.size:
            raise VerificationFailed(
                f"{path} proves inclusion in a log of {proof['size']} entries, the checkpoint "
                f"has {checkpoint.size:,}: ask for a proof at that size (prove --size)"
            )
        root = integrity.root_from_inclusion(
            entry.leaf(), entry.position - 1, checkpoint.size, path_hashes
        )
    except OSError as error:
        raise VerificationFailed(f"cannot read {path}: {error.strerror}") from None
    except (ValueError, KeyError, TypeError) as error:
        raise VerificationFailed(f"{path} is not a recledger inclusion proof ({error})") from None
    if root != checkpoint.root:
        raise VerificationFailed(f"{path}: the proof does not lead to the checkpoint's root")
    return entry


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verify a recledger checkpoint.")
    parser.add_argument("checkpoint", type=Path, help="a checkpoint file (recledger checkpoint)")
    parser.add_argument("--log", type=Path, help="an exported log (recledger export-log)")
    parser.add_argument("--proof", type=Path, help="an inclusion proof (recledger prove)")
    parser.add_argument("--key", help="the fingerprint of the signing key you trust")
    args = parser.parse_args(argv)
    try:
        checkpoint = read_checkpoint(args.checkpoint, args.key)
        print(
            f"checkpoint: {checkpoint.size:,} entries, root {checkpoint.root.hex()}, "
            f"at {checkpoint.time}, signed by key {checkpoint.fingerprint}"
        )
        if args.log is not None:
            size, root = check_export(args.log, checkpoint)
            print(f"log: {size:,} entries, root {root.hex()}; extends the checkpoint unchanged")
        if args.proof is not None:
            entry = check_proof(args.proof, checkpoint)
            print(
                f"proof: entry {entry.position:,} ({entry.originator_id}/"
                f"{entry.originator_version}) is in the checkpoint's log"
            )
    except VerificationFailed as failure:
        print(f"FAILED: {failure}", file=sys.stderr)
        return 1
    if args.key is None:
        print("note: compare the key's fingerprint with the one you recorded (or pass --key)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
