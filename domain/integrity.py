"""The log as a Merkle tree (RFC 9162, Certificate Transparency 2.0): what makes its
history verifiable.

Entry ``n`` (1-based: its position in the log) is hashed over its canonical bytes:
``position, aggregate id, version, topic, state``. The tree hash of the first ``n``
entries is RFC 9162's MTH with SHA-256: ``leaf = H(0x00 || entry)``, ``node = H(0x01 ||
left || right)``. One hash, the *root* at size ``n``, commits to every entry up to ``n``,
its content and its order; a signed (size, root) is a checkpoint.

Standard library only, on purpose: the stand-alone verifier (``adapters/verifier.py``)
is this file and that one, copied to a machine that has nothing else of recledger.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

EXPORT_FORMAT = "recledger-log/2"
"""The first line of an exported log (``/1``: from before writes were signed)."""
LEGACY_EXPORT_FORMAT = "recledger-log/1"

_ENTRY_TAG = b"recledger-entry/1\n"
_EVENT_TAG = b"recledger-event/1\n"
_WRITE_TAG = b"recledger-write/1\n"


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return _sha256(b"\x01" + left + right)


EMPTY_ROOT = _sha256(b"")
"""The root of the empty tree (RFC 9162, 2.1.1)."""


@dataclass(frozen=True)
class Entry:
    """One stored event as the log holds it, at its position."""

    position: int
    originator_id: UUID
    originator_version: int
    topic: str
    state: bytes

    def canonical(self) -> bytes:
        topic = self.topic.encode("utf-8")
        return b"".join(
            (
                _ENTRY_TAG,
                struct.pack(">QQ", self.position, self.originator_version),
                self.originator_id.bytes,
                struct.pack(">I", len(topic)),
                topic,
                struct.pack(">Q", len(self.state)),
                self.state,
            )
        )

    def leaf(self) -> bytes:
        return _sha256(b"\x00" + self.canonical())

    def event_digest(self) -> bytes:
        """The event's hash wherever it stands in the log (its position left out): what
        the writer's signature covers, since a write is signed before its position is
        known."""
        return event_digest(self.originator_id, self.originator_version, self.topic, self.state)

    def to_line(self) -> str:
        """The entry as one line of an exported log (JSON; the state as text when it is
        UTF-8, as the ledger's JSON states are, else base64)."""
        record: dict[str, object] = {
            "position": self.position,
            "originator_id": str(self.originator_id),
            "originator_version": self.originator_version,
            "topic": self.topic,
        }
        try:
            record["state"] = self.state.decode("utf-8")
        except UnicodeDecodeError:
            record["state_base64"] = base64.b64encode(self.state).decode("ascii")
        record["hash"] = self.leaf().hex()
        return json.dumps(record, separators=(",", ":"))


class BadLine(ValueError):
    """A line of an exported log that is not what the log held."""


def event_digest(originator_id: UUID, originator_version: int, topic: str, state: bytes) -> bytes:
    """SHA-256 of ``"recledger-event/1\\n" || u64 version || 16-byte id || u32 length ||
    topic || u64 length || state`` (big-endian)."""
    encoded = topic.encode("utf-8")
    return _sha256(
        b"".join(
            (
                _EVENT_TAG,
                struct.pack(">Q", originator_version),
                originator_id.bytes,
                struct.pack(">I", len(encoded)),
                encoded,
                struct.pack(">Q", len(state)),
                state,
            )
        )
    )


def write_statement(digests: Sequence[bytes]) -> bytes:
    """The exact bytes a write's signature covers: its events' digests, in log order
    (``"recledger-write/1\\n" || u64 count || SHA-256 of the digests concatenated``)."""
    return _WRITE_TAG + struct.pack(">Q", len(digests)) + _sha256(b"".join(digests))


@dataclass(frozen=True)
class WriteSignature:
    """The signature of one write: the ``count`` events ending at the one stored as
    ``last_id`` (its notification id), signed by the key whose fingerprint is ``key``."""

    last_id: int
    count: int
    key: str
    signature: bytes

    def to_line(self) -> str:
        """The signature as a line of an exported log, after the last entry it covers."""
        record = {
            "signed": self.count,
            "key": self.key,
            "signature": base64.b64encode(self.signature).decode("ascii"),
        }
        return json.dumps(record, separators=(",", ":"))


def signature_from_line(line: str) -> WriteSignature:
    """A signature line of an exported log (its ``last_id`` is not exported: 0)."""
    try:
        record = json.loads(line)
        found = WriteSignature(
            0,
            int(record["signed"]),
            str(record["key"]),
            base64.b64decode(record["signature"], validate=True),
        )
    except (ValueError, KeyError, TypeError, binascii.Error) as error:
        raise BadLine(f"not a signature line ({type(error).__name__}: {error})") from None
    if found.count < 1 or len(found.signature) != 64:
        raise BadLine("not a signature line (no events, or not an Ed25519 signature)")
    return found


def entry_from_line(line: str, position: int) -> Entry:
    """Parse one exported entry, expected at ``position``; refuse it unless its stated
    hash is the hash of its content at that position."""
    try:
        record = json.loads(line)
        if "state" in record:
            state = record["state"].encode("utf-8")
        else:
            state = base64.b64decode(record["state_base64"], validate=True)
        entry = Entry(
            position=int(record["position"]),
            originator_id=UUID(record["originator_id"]),
            originator_version=int(record["originator_version"]),
            topic=str(record["topic"]),
            state=state,
        )
        stated = bytes.fromhex(record["hash"])
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error) as error:
        why = f"{type(error).__name__}: {error}"
        raise BadLine(f"not an entry of an exported log ({why})") from None
    if entry.position != position:
        raise BadLine(f"entry at position {entry.position} where {position} was due")
    if entry.leaf() != stated:
        raise BadLine(f"entry {position}: its content does not hash to its stated hash")
    return entry


def header_line(*, legacy: bool = False) -> str:
    """The first line of an exported log."""
    return json.dumps(
        {"format": LEGACY_EXPORT_FORMAT if legacy else EXPORT_FORMAT}, separators=(",", ":")
    )


def trailer_line(size: int, root: bytes) -> str:
    """The last line of an exported log: how many entries, and their root."""
    return json.dumps({"size": size, "root": root.hex()}, separators=(",", ":"))


class Frontier:
    """The roots of the perfect subtrees covering the first ``size`` leaves (a compact
    range): appending a leaf costs one hash and, on average, one more; the root of the
    whole tree folds at most log2(size) of them."""

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()) -> None:
        if len(hashes) != bin(size).count("1"):
            raise ValueError(f"a frontier of size {size} has {bin(size).count('1')} hashes")
        self.size = size
        self.hashes = list(hashes)  # largest subtree first

    def append(self, leaf: bytes) -> None:
        carry, size = leaf, self.size
        while size & 1:
            carry = node_hash(self.hashes.pop(), carry)
            size >>= 1
        self.hashes.append(carry)
        self.size += 1

    def root(self) -> bytes:
        if not self.hashes:
            return EMPTY_ROOT
        root = self.hashes[-1]
        for left in reversed(self.hashes[:-1]):
            root = node_hash(left, root)
        return root

    def to_bytes(self) -> bytes:
        return b"".join(self.hashes)

    @classmethod
    def from_bytes(cls, size: int, data: bytes) -> Frontier:
        return cls(size, [data[i : i + 32] for i in range(0, len(data), 32)])


def root_of(leaves: Iterable[bytes]) -> bytes:
    frontier = Frontier()
    for leaf in leaves:
        frontier.append(leaf)
    return frontier.root()


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def inclusion_path(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """RFC 9162 2.1.3.1: the audit path of leaf ``index`` (0-based) in the tree of
    ``leaves``, nearest sibling first."""
    if not 0 <= index < len(leaves):
        raise ValueError(f"no leaf {index} in a tree of {len(leaves)}")
    if len(leaves) == 1:
        return []
    k = _split(len(leaves))
    if index < k:
        return [*inclusion_path(leaves[:k], index), root_of(leaves[k:])]
    return [*inclusion_path(leaves[k:], index - k), root_of(leaves[:k])]


def root_from_inclusion(leaf: bytes, index: int, size: int, path: Sequence[bytes]) -> bytes:
    """RFC 9162 2.1.3.2: the root that ``leaf`` at ``index`` (0-based) of a tree of
    ``size`` leaves and its audit ``path`` imply. Equal to a trusted root: included."""
    if not 0 <= index < size:
        raise ValueError(f"no leaf {index} in a tree of {size}")
    fn, sn, root = index, size - 1, leaf
    for sibling in path:
        if sn == 0:
            raise ValueError("the path is longer than the tree is deep")
        if fn & 1 or fn == sn:
            root = node_hash(sibling, root)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            root = node_hash(root, sibling)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ValueError("the path is shorter than the tree is deep")
    return root


# Checkpoints: a signed statement of (size, root, time).

CHECKPOINT_HEADER = "recledger checkpoint/1"


def checkpoint_statement(size: int, root: bytes, time: str) -> bytes:
    """The exact bytes a checkpoint's signature covers: four lines of text."""
    return f"{CHECKPOINT_HEADER}\nsize {size}\nroot {root.hex()}\ntime {time}\n".encode()


def parse_checkpoint_statement(statement: bytes) -> tuple[int, bytes, str]:
    """(size, root, time) of a checkpoint statement; ValueError when it is not one."""
    lines = statement.decode("utf-8").split("\n")
    if len(lines) != 5 or lines[0] != CHECKPOINT_HEADER or lines[4]:
        raise ValueError("not a recledger checkpoint statement")
    fields = dict(line.split(" ", 1) for line in lines[1:4])
    size, root, time = int(fields["size"]), bytes.fromhex(fields["root"]), fields["time"]
    if size < 0 or len(root) != 32:
        raise ValueError("not a recledger checkpoint statement")
    return size, root, time


# Signed writes: only a holder of the ledger's key can add events.


class Signer(Protocol):
    """The ledger's key, kept outside the database (an Ed25519 key in the adapters)."""

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the raw public key, hex."""
        ...

    def sign(self, message: bytes) -> bytes: ...

    def holds(self, message: bytes, signature: bytes) -> bool:
        """Whether ``signature`` is this key's over ``message``."""
        ...

    def encrypt(self, data: bytes) -> str:
        """``data`` sealed so that only this key reads it back (text, URL-safe)."""
        ...

    def decrypt(self, token: str) -> bytes | None:
        """What ``encrypt`` sealed; None for anything this key did not seal."""
        ...


class StoredLike(Protocol):
    """An event as stored (the eventsourcing library's ``StoredEvent`` or a notification)."""

    @property
    def originator_id(self) -> UUID: ...
    @property
    def originator_version(self) -> int: ...
    @property
    def topic(self) -> str: ...
    @property
    def state(self) -> bytes: ...


def sign_write(signer: Signer, stored: Sequence[StoredLike], last_id: int) -> WriteSignature:
    """The signature of a write of ``stored`` events, the last of them stored as ``last_id``."""
    digests = [
        event_digest(e.originator_id, e.originator_version, e.topic, e.state) for e in stored
    ]
    return WriteSignature(
        last_id, len(digests), signer.fingerprint, signer.sign(write_statement(digests))
    )
