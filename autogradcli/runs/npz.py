""".npz archives (what np.savez writes: a zip of stored .npy files), written fast, without a
copy of the arrays, and the same every time.

A run rewrites model.npz and checkpoint.npz as it trains, and most of their arrays never change
(names, scaling, the initial parameters). So each array becomes an Entry once: its .npy header, a
view of its bytes (no copy), their CRC-32. An archive is its entries laid out as pieces, with a
fixed date, that write_atomic writes one after another: the same arrays always give the same
bytes, and a large model is never copied whole into memory. np.load reads them as any .npz.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterable
from typing import NamedTuple

import numpy as np

_LOCAL = struct.Struct("<IHHHHHIIIHH")  # local file header, then the name and the data
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")  # central directory record, then the name
_END = struct.Struct("<IHHHHIIH")  # end of central directory
_DATE = 1 << 5 | 1  # 1980-01-01, zip's earliest date, at 00:00
_LIMIT = 0xFFFFFFFF  # beyond this size (or 65,535 entries) an archive needs zip64


class Entry(NamedTuple):
    """One array of an archive: NAME.npy's pieces (header, the array's bytes), size and CRC.
    It holds a view of the array: an array changed later must not be written from it."""

    name: bytes
    pieces: tuple
    size: int
    crc: int


def entries(arrays: dict) -> list[Entry]:
    """Each array as the .npy file np.save writes, named by its key (+ .npy) in the archive."""
    found = []
    for name, value in arrays.items():
        array = np.asanyarray(value)
        if not array.flags.c_contiguous:
            array = array.copy(order="C")
        header = io.BytesIO()
        np.lib.format.write_array_header_1_0(
            header, np.lib.format.header_data_from_array_1_0(array))
        data = memoryview(array).cast("B") if array.size else b""
        head = header.getvalue()
        crc = zlib.crc32(data, zlib.crc32(head))
        found.append(Entry(f"{name}.npy".encode(), (head, data), len(head) + len(data), crc))
    return found


def archive(items: Iterable[Entry]) -> list:
    """The .npz archive of these entries, in this order, as pieces to write one after another."""
    items = list(items)
    if len(items) >= 0xFFFF or sum(e.size + 100 + 2 * len(e.name) for e in items) >= _LIMIT:
        return [_zip64(items)]
    pieces, central, offset = [], [], 0
    for entry in items:
        name = entry.name
        pieces += (_LOCAL.pack(0x04034B50, 20, 0, 0, 0, _DATE, entry.crc, entry.size,
                               entry.size, len(name), 0), name, *entry.pieces)
        central += (_CENTRAL.pack(0x02014B50, 20, 20, 0, 0, 0, _DATE, entry.crc, entry.size,
                                  entry.size, len(name), 0, 0, 0, 0, 0o600 << 16, offset), name)
        offset += _LOCAL.size + len(name) + entry.size
    directory = b"".join(central)
    end = _END.pack(0x06054B50, 0, 0, len(items), len(items), len(directory), offset, 0)
    return [*pieces, directory, end]


def _zip64(items: list[Entry]) -> bytes:
    """A very large archive, by zipfile (which writes the zip64 records it needs)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED, allowZip64=True) as out:
        for entry in items:
            info = zipfile.ZipInfo(entry.name.decode(), (1980, 1, 1, 0, 0, 0))
            with out.open(info, "w", force_zip64=True) as handle:
                for piece in entry.pieces:
                    handle.write(piece)
    return buffer.getvalue()
