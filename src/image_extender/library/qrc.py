"""Read files out of a Qt binary resource bundle (``.rcc``), with nothing but the standard library.

GCompris (Debian ``gcompris-qt-data``) ships its photos and recordings inside such bundles
(read by ``eval.photos`` and ``library.starter.gcompris``). The layout is
the one Qt's ``rcc`` tool writes (``RCCResourceLibrary::output`` in qtbase
``src/tools/rcc/rcc.cpp``): a ``qres`` header (version, then offsets of the tree, the data
and the names, all big-endian 32-bit), a tree of fixed-size nodes (14 bytes in format 1,
22 from format 2 on, which adds a 64-bit modification time), names as UTF-16BE with a
16-bit length and a 32-bit hash, and data blobs with a 32-bit length. A blob flagged
``Compressed`` is zlib data behind a 4-byte uncompressed length (``qCompress``); one flagged
``CompressedZstd`` would need zstd, which GCompris does not use, so it is refused by name.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

COMPRESSED = 0x01
DIRECTORY = 0x02
COMPRESSED_ZSTD = 0x04


class ResourceError(ValueError):
    """A bundle that is not a Qt resource file, or a member it does not have."""


def members(path: Path) -> Iterator[tuple[str, bytes]]:
    """Yield ``(member path without the leading '/', bytes)`` for every file in the bundle."""
    path = Path(path)
    data = path.read_bytes()
    if data[:4] != b"qres" or len(data) < 20:
        raise ResourceError(f"{path}: not a Qt resource bundle (no 'qres' header)")
    version, tree, blobs, names = struct.unpack(">IIII", data[4:20])
    node_size = 22 if version >= 2 else 14

    def name_at(offset: int) -> str:
        (length,) = struct.unpack(">H", data[names + offset : names + offset + 2])
        start = names + offset + 6  # length, then a 32-bit hash, then the characters
        return data[start : start + 2 * length].decode("utf-16-be")

    def walk(index: int, prefix: str) -> Iterator[tuple[str, bytes]]:
        base = tree + index * node_size
        name_offset, flags = struct.unpack(">IH", data[base : base + 6])
        name = name_at(name_offset) if index else ""
        if flags & DIRECTORY:
            count, first = struct.unpack(">II", data[base + 6 : base + 14])
            for child in range(first, first + count):
                yield from walk(child, f"{prefix}{name}/" if name else prefix)
            return
        (offset,) = struct.unpack(">I", data[base + 10 : base + 14])
        (size,) = struct.unpack(">I", data[blobs + offset : blobs + offset + 4])
        blob = data[blobs + offset + 4 : blobs + offset + 4 + size]
        if flags & COMPRESSED_ZSTD:
            raise ResourceError(f"{path}: member {prefix}{name} is zstd-compressed (not supported)")
        if flags & COMPRESSED:
            blob = zlib.decompress(blob[4:])
        yield prefix + name, blob

    yield from walk(0, "")


def read_member(path: Path, member: str) -> bytes:
    """The bytes of one file of the bundle (``member`` as listed by :func:`members`)."""
    wanted = member.lstrip("/")
    for name, blob in members(path):
        if name == wanted:
            return blob
    raise ResourceError(f"{path}: no member '{wanted}'")
