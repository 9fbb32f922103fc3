"""The log's Merkle tree (RFC 9162): the published test vectors, the definition, proofs,
exported lines and checkpoint statements."""

from __future__ import annotations

import contextlib
import hashlib
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.integrity import (
    BadLine,
    Entry,
    Frontier,
    checkpoint_statement,
    entry_from_line,
    inclusion_path,
    node_hash,
    parse_checkpoint_statement,
    root_from_inclusion,
    root_of,
)

# Certificate Transparency's reference inputs and roots (RFC 6962 implementations' tests).
CT_INPUTS = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    bytes(range(0x50, 0x58)),
    bytes(range(0x60, 0x70)),
]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
CT_LEAVES = [hashlib.sha256(b"\x00" + data).digest() for data in CT_INPUTS]


def test_roots_match_certificate_transparencys_test_vectors() -> None:
    assert [root_of(CT_LEAVES[:n]).hex() for n in range(1, 9)] == CT_ROOTS
    assert root_of([]).hex() == hashlib.sha256(b"").hexdigest()


def test_the_inclusion_path_matches_certificate_transparencys_test_vector() -> None:
    assert [h.hex() for h in inclusion_path(CT_LEAVES, 0)] == [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ]


def mth(leaves: list[bytes]) -> bytes:
    """RFC 9162 2.1.1, as written: the definition the streaming frontier must agree with."""
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


leaf_lists = st.lists(st.binary(min_size=32, max_size=32), min_size=1, max_size=70)


@given(leaf_lists)
def test_streaming_root_equals_the_rfc_9162_definition_at_every_size(leaves: list[bytes]) -> None:
    frontier = Frontier()
    for n, leaf in enumerate(leaves, start=1):
        frontier.append(leaf)
        assert frontier.root() == mth(leaves[:n])
    again = Frontier.from_bytes(frontier.size, frontier.to_bytes())
    assert again.root() == frontier.root()


@given(leaf_lists, st.data())
def test_every_inclusion_proof_leads_to_the_root_and_no_other_leaf_does(
    leaves: list[bytes], data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, len(leaves) - 1))
    path = inclusion_path(leaves, index)
    root = root_of(leaves)
    assert root_from_inclusion(leaves[index], index, len(leaves), path) == root
    forged = hashlib.sha256(leaves[index]).digest()
    assert root_from_inclusion(forged, index, len(leaves), path) != root
    if len(leaves) > 1:
        other = (index + 1) % len(leaves)
        if leaves[other] != leaves[index]:
            with contextlib.suppress(ValueError):  # a path of the wrong depth is refused
                assert root_from_inclusion(leaves[index], other, len(leaves), path) != root


ENTRY = Entry(
    position=7,
    originator_id=UUID("25255f24-ba20-5c40-b173-649c6d6d9173"),
    originator_version=3,
    topic="domain.plan:Plan.Opened",
    state=b'{"title":"DHR Case No 2 \xe2\x80\x94 caf\xc3\xa9"}',
)


def test_an_exported_line_reads_back_as_the_same_entry_with_the_same_hash() -> None:
    assert entry_from_line(ENTRY.to_line(), 7) == ENTRY
    binary = Entry(7, ENTRY.originator_id, 3, "t", b"\xff\x00")
    assert entry_from_line(binary.to_line(), 7) == binary


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda line: line.replace("DHR", "DVR"), "does not hash to its stated hash"),
        (lambda line: line.replace('"position":7', '"position":8'), "where 7 was due"),
        (lambda line: line[:-10], "not an entry"),
    ],
)
def test_a_changed_exported_line_is_refused(edit: object, message: str) -> None:
    with pytest.raises(BadLine, match=message):
        entry_from_line(edit(ENTRY.to_line()), 7)  # type: ignore[operator]


def test_every_field_of_an_entry_is_in_its_hash() -> None:
    changed = [
        Entry(8, ENTRY.originator_id, 3, ENTRY.topic, ENTRY.state),
        Entry(7, UUID(int=1), 3, ENTRY.topic, ENTRY.state),
        Entry(7, ENTRY.originator_id, 4, ENTRY.topic, ENTRY.state),
        Entry(7, ENTRY.originator_id, 3, ENTRY.topic + "x", ENTRY.state),
        Entry(7, ENTRY.originator_id, 3, ENTRY.topic, ENTRY.state + b" "),
    ]
    assert len({ENTRY.leaf(), *(entry.leaf() for entry in changed)}) == 6


def test_a_checkpoint_statement_reads_back_and_nothing_else_does() -> None:
    root = CT_LEAVES[3]
    statement = checkpoint_statement(12, root, "2026-11-26T23:00:00Z")
    assert parse_checkpoint_statement(statement) == (12, root, "2026-11-26T23:00:00Z")
    for bad in (statement + b"extra\n", statement.replace(b"size 12", b"size -1"), b""):
        with pytest.raises(ValueError):
            parse_checkpoint_statement(bad)
