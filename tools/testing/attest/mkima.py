#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""mkima.py: SYNTHETIC Linux IMA runtime measurement lists, written as
Linux 6.1 writes them (security/integrity/ima/ima_fs.c and
ima_template_lib.c), for the tests of vtpm-verify --ima-log.  It shares no
code with tools/vtpm-verify/ima.c.

    mkima.py DIR [--list-alg sha1|sha256] [--drop N] [--swap N]
             [--rename N] [--only N]

writes DIR/binary (binary_runtime_measurements), DIR/ascii
(ascii_runtime_measurements), DIR/extends (one line per entry, in order:
"PCR SHA1HEX SHA256HEX", what IMA extends into each bank) and DIR/pcrs
("PCR ALG HEX" for PCR 10 and 11, every entry replayed from zeros).
--list-alg: the algorithm of the lists' template hashes (sha256: the
lists per bank of newer kernels).  The mutations change the lists only,
never DIR/extends and DIR/pcrs: --drop N leaves entry N out, --swap N
swaps entries N and N+1, --rename N changes entry N's file name (its
template hash kept), --only N keeps the first N entries.  Entries are
numbered from 1.
"""
import hashlib
import struct
import sys


def h(alg, data):
    return hashlib.new(alg, data).digest()


def digest_ng(alg, digest, kind=None):
    """a d-ng (d-ngv2 with kind) field: "[KIND:]ALG:" NUL DIGEST"""
    prefix = (kind + ":" if kind else "") + alg + ":"
    return ("digest", prefix.encode() + b"\0" + digest)


def name_ng(name):
    """an n-ng field: the name, spaces as '_', and its NUL"""
    return ("string", name.replace(" ", "_").encode() + b"\0")


def hexfield(data):
    return ("hex", data)


def entries():
    """(pcr, template, fields, violation) of each entry"""
    s256 = lambda m: h("sha256", m)
    return [
        (10, "ima-ng", [digest_ng("sha256", s256(b"boot")),
                        name_ng("boot_aggregate")], False),
        (10, "ima-ng", [digest_ng("sha256", s256(b"bin")),
                        name_ng("/usr/bin/with space")], False),
        (10, "ima-sig", [digest_ng("sha256", s256(b"signed")),
                         name_ng("/usr/lib/signed.so"),
                         hexfield(bytes.fromhex("030204a1b2c3d4") + b"\x5a" * 64)],
         False),
        (10, "ima-sig", [digest_ng("sha256", s256(b"unsigned")),
                         name_ng("/etc/unsigned"), hexfield(b"")], False),
        (10, "ima-buf", [digest_ng("sha256", s256(b"root=/dev/vda ro")),
                         name_ng("kexec-cmdline"),
                         hexfield(b"root=/dev/vda ro")], False),
        # a violation: digests zero, the template hash zero in the list
        (10, "ima-ng", [digest_ng("sha256", bytes(32)),
                        name_ng("/var/log/opened-for-write")], True),
        # the original template: a SHA-1 digest and a name (no lengths)
        (10, "ima", [("legacy-d", h("sha1", b"legacy")),
                     ("legacy-n", b"/sbin/legacy")], False),
        (11, "ima-ng", [digest_ng("sha512", h("sha512", b"pcr11")),
                        name_ng("/opt/pcr11")], False),
        (10, "ima-ngv2", [digest_ng("sha256", s256(b"verity"), "verity"),
                          name_ng("/usr/bin/verity")], False),
        (10, "ima-modsig", [digest_ng("sha256", s256(b"mod")),
                            name_ng("/lib/modules/x.ko"), hexfield(b""),
                            ("digest", b""), hexfield(b"")], False),
        (10, "ima-ng", [digest_ng("sha1", h("sha1", b"sha1 file")),
                        name_ng("/usr/bin/last")], False),
    ]


def template_data(template, fields):
    """the bytes IMA hashes (ima_calc_field_array_hash)"""
    if template == "ima":
        d, n = fields[0][1], fields[1][1]
        return d + (n + b"\0").ljust(256, b"\0")
    return b"".join(struct.pack("<I", len(f[1])) + f[1] for f in fields)


def ascii_field(kind, data):
    if not data:
        return ""
    if kind == "digest":
        cut = data.rindex(b":\0") + 1
        return data[:cut].decode() + data[cut + 1:].hex()
    if kind == "string":
        return data.rstrip(b"\0").decode()
    if kind == "legacy-n":
        return data.decode()
    return data.hex()


def binary_entry(pcr, template, fields, thash):
    out = struct.pack("<I", pcr) + thash
    out += struct.pack("<I", len(template)) + template.encode()
    if template == "ima":
        d, n = fields[0][1], fields[1][1]
        return out + d + struct.pack("<I", len(n)) + n
    data = b"".join(struct.pack("<I", len(f[1])) + f[1] for f in fields)
    return out + struct.pack("<I", len(data)) + data


def main(argv):
    out = argv[1]
    opts = {}
    i = 2
    while i < len(argv):
        opts[argv[i].lstrip("-")] = argv[i + 1]
        i += 2
    list_alg = opts.get("list-alg", "sha1")
    es = entries()
    rows, extends = [], []
    pcrs = {(p, a): bytes(hashlib.new(a).digest_size)
            for p in (10, 11) for a in ("sha1", "sha256")}
    for pcr, template, fields, violation in es:
        data = template_data(template, fields)
        ext = {a: (b"\xff" * hashlib.new(a).digest_size) if violation
               else h(a, data) for a in ("sha1", "sha256")}
        for a in ("sha1", "sha256"):
            pcrs[(pcr, a)] = h(a, pcrs[(pcr, a)] + ext[a])
        extends.append("%d %s %s" % (pcr, ext["sha1"].hex(),
                                     ext["sha256"].hex()))
        thash = bytes(hashlib.new(list_alg).digest_size) if violation \
            else h(list_alg, data)
        rows.append([pcr, template, fields, thash])
    if "rename" in opts:
        r = rows[int(opts["rename"]) - 1]
        r[2] = list(r[2])
        kind, data = r[2][1]
        r[2][1] = (kind, data.replace(b"/", b"/x", 1) if b"/" in data
                   else b"x" + data)
    if "swap" in opts:
        k = int(opts["swap"]) - 1
        rows[k], rows[k + 1] = rows[k + 1], rows[k]
    if "drop" in opts:
        del rows[int(opts["drop"]) - 1]
    if "only" in opts:
        rows = rows[:int(opts["only"])]
    with open(out + "/binary", "wb") as f:
        for pcr, template, fields, thash in rows:
            f.write(binary_entry(pcr, template, fields, thash))
    with open(out + "/ascii", "w") as f:
        for pcr, template, fields, thash in rows:
            line = "%2d %s %s" % (pcr, thash.hex(), template)
            for kind, data in fields:
                line += " " + ascii_field(kind, data)
            f.write(line + "\n")
    with open(out + "/extends", "w") as f:
        f.write("".join(e + "\n" for e in extends))
    with open(out + "/pcrs", "w") as f:
        for (p, a), v in sorted(pcrs.items()):
            f.write("%d %s %s\n" % (p, a, v.hex()))


if __name__ == "__main__":
    main(sys.argv)
