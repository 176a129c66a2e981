#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Convert a serialised mapping log of format version 1 (as the module wrote
# the saved logs here) into version 2 (Documentation/log-format.md): the
# version field becomes 2 and a view's header gains its instance's
# commitment, computed from the view's own clear records.  Record bodies,
# leaves, batch digests and the PCR chain do not change.
#   v1-to-v2.py IN OUT
import hashlib
import struct
import sys


def convert(log):
    assert log[:8] == b"VTPMLOG\0" and struct.unpack(">H", log[8:10])[0] == 1
    kind = struct.unpack(">H", log[10:12])[0]
    nb = log[16]
    pos = 17 + 2 * nb
    uuid = log[pos:pos + 16]
    pos += 16 + 8
    nr_batches = struct.unpack(">Q", log[pos:pos + 8])[0]
    pos += 8
    hdr_end = pos
    records, chain = 0, bytes(32)
    for _ in range(nr_batches):
        n = struct.unpack(">I", log[pos + 8:pos + 12])[0]
        pos += 12
        for _ in range(n):
            form = log[pos]
            pos += 1
            if form == 0:
                pos += 32
                continue
            salt, tag = log[pos:pos + 32], log[pos + 32:pos + 64]
            blen = struct.unpack(">H", log[pos + 64:pos + 66])[0]
            body = log[pos + 66:pos + 66 + blen]
            pos += 66 + blen
            if kind == 2 and body[10:26] == uuid:
                leaf = hashlib.sha256(b"vtpm-mux leaf v1" + salt + tag +
                                      body).digest()
                chain = hashlib.sha256(b"vtpm-mux chain v1" + chain +
                                       leaf).digest()
                records += 1
    assert pos == len(log)
    out = log[:8] + struct.pack(">H", 2) + log[10:hdr_end]
    if kind == 2:
        out += struct.pack(">Q", records) + chain
    return out + log[hdr_end:]


with open(sys.argv[1], "rb") as f:
    data = convert(f.read())
with open(sys.argv[2], "wb") as f:
    f.write(data)
