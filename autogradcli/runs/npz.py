""".npz archives (what np.savez writes: a zip of stored .npy files), written fast and the same
every time.

A run rewrites model.npz and checkpoint.npz after every epoch, and most of their arrays never
change (names, scaling, the initial parameters). So each array becomes an Entry once (its .npy
bytes and their CRC), and an archive is its entries laid out with a fixed date: the same arrays
always give the same bytes. np.load reads them as any .npz.
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
    """One array of an archive, serialised: NAME.npy's bytes and their CRC-32."""

    name: bytes
    data: bytes
    crc: int


def entries(arrays: dict) -> list[Entry]:
    """Each array as the .npy file np.save writes, named by its key (+ .npy) in the archive."""
    found = []
    for name, value in arrays.items():
        buffer = io.BytesIO()
        np.lib.format.write_array(buffer, np.asanyarray(value), allow_pickle=False)
        data = buffer.getvalue()
        found.append(Entry(f"{name}.npy".encode(), data, zlib.crc32(data)))
    return found


def archive(items: Iterable[Entry]) -> bytes:
    """The .npz archive of these entries, in this order."""
    items = list(items)
    if len(items) >= 0xFFFF or sum(len(e.data) + 100 + 2 * len(e.name) for e in items) >= _LIMIT:
        return _zip64(items)
    parts, central, offset = [], [], 0
    for entry in items:
        size, name = len(entry.data), entry.name
        parts += (_LOCAL.pack(0x04034B50, 20, 0, 0, 0, _DATE, entry.crc, size, size, len(name), 0),
                  name, entry.data)
        central += (_CENTRAL.pack(0x02014B50, 20, 20, 0, 0, 0, _DATE, entry.crc, size, size,
                                  len(name), 0, 0, 0, 0, 0o600 << 16, offset), name)
        offset += _LOCAL.size + len(name) + size
    directory = b"".join(central)
    end = _END.pack(0x06054B50, 0, 0, len(items), len(items), len(directory), offset, 0)
    return b"".join(parts) + directory + end


def _zip64(items: list[Entry]) -> bytes:
    """A very large archive, by zipfile (which writes the zip64 records it needs)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED, allowZip64=True) as out:
        for entry in items:
            info = zipfile.ZipInfo(entry.name.decode(), (1980, 1, 1, 0, 0, 0))
            with out.open(info, "w", force_zip64=True) as handle:
                handle.write(entry.data)
    return buffer.getvalue()
