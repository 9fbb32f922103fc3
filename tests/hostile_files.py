"""Hostile import files, built in the test: an XLSX decompression bomb, a zip member that
lies about its size, and workbooks past the importer's limits; and a process's peak memory.

Each is a real file that the format allows; none is held whole in memory while built.
"""

from __future__ import annotations

import os
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from unittest import mock

from openpyxl import Workbook

HEADER = ["No", "Recommendation", "Lead agency", "Target date", "Progress update"]
A_RECOMMENDATION = ["1", "Review the referral pathway", "Police", "March 2015", ""]
SHARED_STRINGS = "xl/sharedStrings.xml"
MiB = 1024 * 1024


def workbook(path: Path, rows: Iterable[Sequence[object]] = (A_RECOMMENDATION,)) -> Path:
    """A plan's table in an ordinary workbook, its text in shared strings as Excel keeps it."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Plan"
    sheet.append(HEADER)
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


def long_workbook(path: Path, rows: Iterable[Sequence[object]]) -> Path:
    """A workbook of many rows, streamed as it is written (openpyxl's write-only mode)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Plan")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


class _Deflate:
    """Raw deflate that compresses each piece on its own, ending it with a full flush (after
    which no block refers back): so one chunk written again and again is compressed once, and
    its block stands for every repeat."""

    def __init__(self, repeated: bytes) -> None:
        self.repeated = repeated
        self.block = self._alone(repeated)

    @staticmethod
    def _alone(data: bytes) -> bytes:
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        return compressor.compress(data) + compressor.flush(zlib.Z_FULL_FLUSH)

    def compress(self, data: bytes) -> bytes:
        return self.block if data is self.repeated else self._alone(data)

    def flush(self) -> bytes:
        return zlib.compressobj(9, zlib.DEFLATED, -15).flush()  # the final, empty block


_SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
_ADDED = {
    "[Content_Types].xml": (
        "</Types>",
        f'<Override PartName="/{SHARED_STRINGS}" ContentType="{_SST_TYPE}"/></Types>',
    ),
    "xl/_rels/workbook.xml.rels": (
        "</Relationships>",
        f'<Relationship Id="rIdStrings" Type="{_SST_REL}" Target="sharedStrings.xml"/>'
        "</Relationships>",
    ),
}


def _padded_strings(source: Path, target: Path, padding: int) -> None:
    """``source``'s workbook as ``target``, with a shared strings part of ``padding`` bytes
    (1 MiB runs of 1,000-character strings), streamed through the zip as it is compressed."""
    chunk = (b"<si><t>" + b"A" * 1000 + b"</t></si>") * (MiB // 1016)
    with zipfile.ZipFile(source) as book, zipfile.ZipFile(target, "w") as out:
        for info in book.infolist():
            content = book.read(info.filename)
            if info.filename in _ADDED:
                old, new = _ADDED[info.filename]
                content = content.decode().replace(old, new).encode()
            out.writestr(info, content)
        compressor = _Deflate(chunk)
        member = zipfile.ZipInfo(SHARED_STRINGS, date_time=(2024, 1, 1, 0, 0, 0))
        member.compress_type = zipfile.ZIP_DEFLATED
        with mock.patch.object(zipfile, "_get_compressor", lambda *_: compressor):
            stream = out.open(member, "w", force_zip64=True)
        with stream:
            stream.write(
                b'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="http://schemas.'
                b'openxmlformats.org/spreadsheetml/2006/main">'
            )
            for _ in range(padding // len(chunk)):
                stream.write(chunk)
            stream.write(b"</sst>")


def bomb(path: Path, expanded: int = 2 * 1024 * MiB) -> Path:
    """A real XLSX of a few MB whose sharedStrings.xml expands to ``expanded`` bytes (2 GiB):
    a plan's workbook, its shared strings padded with 1,000-character strings. Built in about
    a second; the 2 GiB never exist, in memory or on disk."""
    source = workbook(path.with_name(f"{path.stem}-plain.xlsx"))
    _padded_strings(source, path, expanded)
    source.unlink()
    return path


def lying(path: Path, expanded: int = 200 * MiB, declared: int = 1_000) -> Path:
    """A workbook whose sharedStrings.xml says, in the zip's local header and in its central
    directory, that it is ``declared`` bytes, when it expands to ``expanded``."""
    bomb(path, expanded)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as book:
        info, position = book.getinfo(SHARED_STRINGS), book.start_dir
    _declare(data, info.header_offset, declared, local=True)
    while data[position : position + 4] == b"PK\x01\x02":
        n, m, k = struct.unpack_from("<HHH", data, position + 28)
        if data[position + 46 : position + 46 + n] == SHARED_STRINGS.encode():
            _declare(data, position, declared, local=False)
        position += 46 + n + m + k
    path.write_bytes(data)
    return path


def _declare(data: bytearray, header: int, size: int, *, local: bool) -> None:
    """Make a local or central header declare ``size`` uncompressed bytes: in its own field
    and in a zip64 extra field, where it has one."""
    size_at, lengths_at, extra_at = (22, 26, 30) if local else (24, 28, 46)
    struct.pack_into("<L", data, header + size_at, size)
    name_length, extra_length = struct.unpack_from("<HH", data, header + lengths_at)
    extra = header + extra_at + name_length
    while extra + 4 <= header + extra_at + name_length + extra_length:
        tag, length = struct.unpack_from("<HH", data, extra)
        if tag == 1:  # the zip64 extra field: the uncompressed size comes first
            struct.pack_into("<Q", data, extra + 4, size)
        extra += 4 + length


def giant_cell(path: Path, text: str) -> Path:
    """A plan's workbook whose progress update is ``text``, however long: openpyxl cuts a
    cell at Excel's 32,767 characters when it writes one, so the sheet's XML is edited."""
    plain = workbook(path.with_name(f"{path.stem}-plain.xlsx"), [[*A_RECOMMENDATION[:4], "@@"]])
    with zipfile.ZipFile(plain) as book, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in book.infolist():
            content = book.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b">@@<", b">" + text.encode() + b"<")
            out.writestr(info.filename, content)
    plain.unlink()
    return path


_MEASURED = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as found:
    found.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""
"""Runs a command as its own child and writes down that child's peak memory. The kernel
counts into a process's peak the memory of the process that started it as it was when it
started it (the address space it replaced); started from this small process rather than
from the test's (hundreds of MB after other tests), the count is the command's own."""


def run_measured(
    args: Sequence[str], timeout: float = 120, **options: Any
) -> tuple[subprocess.CompletedProcess[str], int]:
    """Run a command to its end: its result, and its peak resident memory in bytes (the
    kernel's count for that one process, from wait4, started by a small process)."""
    with (
        tempfile.TemporaryFile("w+") as out,
        tempfile.TemporaryFile("w+") as err,
        tempfile.TemporaryDirectory() as scratch,
    ):
        peak = Path(scratch) / "peak"
        command = [sys.executable, "-c", _MEASURED, str(peak), *args]
        process = subprocess.Popen(
            command, stdout=out, stderr=err, text=True, start_new_session=True, **options
        )
        timer = threading.Timer(timeout, lambda: os.killpg(process.pid, signal.SIGKILL))
        timer.start()
        try:
            process.wait()
        finally:
            timer.cancel()
        out.seek(0)
        err.seek(0)
        result = subprocess.CompletedProcess(args, process.returncode, out.read(), err.read())
        kilobytes = int(peak.read_text()) if peak.exists() else 0
    return result, kilobytes * 1024


def peak_rss(pid: int) -> int:
    """A live process's peak resident memory so far, in bytes (VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmHWM for process {pid}")
