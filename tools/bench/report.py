#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the measurements of `make bench` into a table, a JSON file and a plot.

    report.py RESULTS.jsonl OUTDIR [--tap]

RESULTS.jsonl holds one JSON object per measurement (tools/bench/vtpm-bench
and the host's replay line of run.sh).  Writes OUTDIR/bench.txt (the table
and the targets, as ratios within this run), OUTDIR/bench.json,
OUTDIR/extends.dat and OUTDIR/extends.png (gnuplot: aggregate extends/s
against N).  With --tap, also prints TAP lines that check the run is
complete and error-free (never its timings) for make check.
"""
import json
import os
import subprocess
import sys


def load(path):
    runs = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                runs.append(json.loads(line))
    return runs


def pick(runs, bench, label=None, n=None):
    for r in runs:
        if r.get("bench") != bench:
            continue
        if label is not None and r.get("label") != label:
            continue
        if n is not None and r.get("n") != n:
            continue
        return r
    return None


def series(runs, label):
    return sorted((r["n"], r) for r in runs
                  if r.get("bench") == "extend" and r.get("label") == label)


def fmt_rate(x):
    return "%.0f" % x


def targets(runs):
    """Every target of issue 5 as (name, measured, goal, met, note)."""
    out = []
    hw = pick(runs, "extend", "hw", 1)
    mux1 = pick(runs, "extend", "mux", 1)
    if hw and mux1:
        ratio = mux1["latency"]["p50_us"] / hw["latency"]["p50_us"]
        out.append(("one instance's extend latency / raw hardware extend (p50)",
                    "%.3fx" % ratio, "<= 1.15x", ratio <= 1.15, ""))
    for n, goal in ((16, 8), (64, 24)):
        m = pick(runs, "extend", "mux", n)
        if hw and m:
            ratio = m["ops_per_s"] / hw["ops_per_s"]
            out.append(("aggregate extends/s at N=%d / raw hardware extends/s" % n,
                        "%.1fx" % ratio, ">= %dx" % goal, ratio >= goal,
                        "%.1f extends per hardware extend" %
                        m.get("extends_per_hw_extend", 0)))
    worst = None
    for n, m in series(runs, "mux"):
        p = pick(runs, "extend", "proxy", n)
        if not p:
            continue
        ratio = m["ops_per_s"] / p["ops_per_s"]
        if worst is None or ratio < worst[1]:
            worst = (n, ratio)
    if worst:
        out.append(("vtpm-mux / vtpm_proxy+swtpm extends/s, worst N (N=%d)" % worst[0],
                    "%.2fx" % worst[1], "> 1x at every N", worst[1] > 1, ""))
    rhw = pick(runs, "read", "hw")
    rmux = pick(runs, "read", "mux")
    if rhw and rmux:
        ratio = rhw["latency"]["p50_us"] / rmux["latency"]["p50_us"]
        out.append(("PCR_Read: hardware latency / instance latency (p50)",
                    "%.0fx" % ratio, ">= 20x", ratio >= 20, ""))
    c = pick(runs, "create")
    if c:
        b = c["per_instance"]["kernel_bytes"]
        out.append(("kernel memory per idle instance", "%.0f bytes" % b,
                    "<= 16384 bytes", b <= 16384,
                    "slab %.0f bytes" % c["per_instance"]["slab_bytes"]))
    rec = pick(runs, "records")
    if rec:
        b = rec["per_record"]["kernel_bytes"] - rec["digest_bytes"]
        out.append(("kernel memory per log record beyond its digests",
                    "%.0f bytes" % b, "<= 64 bytes", b <= 64,
                    "%.0f bytes in all, %d-byte digest" %
                    (rec["per_record"]["kernel_bytes"], rec["digest_bytes"])))
    rp = pick(runs, "replay")
    if rp:
        out.append(("vtpm-verify log replay on the host", "%.0f records/s" %
                    rp["records_per_s"], ">= 1000000 records/s",
                    rp["records_per_s"] >= 1e6,
                    "%d records, best of %d" % (rp["records"], rp["repeats"])))
    return out


def table(runs):
    lines = []
    m = pick(runs, "machine")
    if m:
        lines.append("guest: %s, %d vCPUs (%s), %d MiB; %s s per extend run"
                     % (m["kernel"], m["cpus"], m["cpu"], m["mem_kb"] // 1024,
                        m["secs"]))
        lines.append("")
    hw = pick(runs, "extend", "hw", 1)
    hw_rate = hw["ops_per_s"] if hw else 0
    lines.append("TPM2_PCR_Extend (SHA-256), one process per device")
    hdr = "%-22s %4s %10s %9s %9s %8s %10s" % (
        "path", "N", "extends/s", "p50 us", "p99 us", "x hw", "per hw ext")
    lines.append(hdr)
    lines.append("-" * len(hdr))
    names = {"hw": "hardware /dev/tpm0", "tpmrm": "hardware /dev/tpmrm0",
             "mux": "vtpm-mux", "mux-nogather": "vtpm-mux, no gathering",
             "proxy": "vtpm_proxy + swtpm", "mux-sw": "vtpm-mux, sw backend"}
    for label in ("hw", "tpmrm", "mux", "mux-nogather", "mux-sw", "proxy"):
        for n, r in series(runs, label):
            per = r.get("extends_per_hw_extend")
            lines.append("%-22s %4d %10s %9.0f %9.0f %8.2f %10s" % (
                names[label], n, fmt_rate(r["ops_per_s"]),
                r["latency"]["p50_us"], r["latency"]["p99_us"],
                r["ops_per_s"] / hw_rate if hw_rate else 0,
                "%.2f" % per if per else "-"))
    lines.append("")
    lines.append("TPM2_PCR_Read, one process")
    for label in ("hw", "mux", "mux-sw", "proxy"):
        r = pick(runs, "read", label)
        if r:
            lines.append("%-22s p50 %8.1f us  p99 %8.1f us  %10s reads/s" % (
                names[label], r["latency"]["p50_us"], r["latency"]["p99_us"],
                fmt_rate(r["ops_per_s"])))
    lines.append("")
    lines.append("Attestation (VTPM_IOC_ATTEST, one process per instance)")
    for label in ("single", "concurrent"):
        r = pick(runs, "attest", label)
        if r:
            lines.append("%-10s %2d instances x %2d: p50 %7.1f ms, max %7.1f ms, "
                         "%d requests answered by %d hardware quotes" % (
                             label, r["n"], r["rounds"],
                             r["latency"]["p50_us"] / 1e3,
                             r["latency"]["max_us"] / 1e3,
                             r["requests"], r["quotes"]))
    lines.append("")
    c = pick(runs, "create")
    if c:
        lines.append("create %d instances: %.2f s (%.0f/s); destroy: %.2f s; "
                     "kernel memory per idle instance %.0f bytes (slab %.0f)" % (
                         c["created"], c["create_secs"], c["create_per_s"],
                         c["destroy_secs"], c["per_instance"]["kernel_bytes"],
                         c["per_instance"]["slab_bytes"]))
    r = pick(runs, "records")
    if r:
        lines.append("%d records (%d batches): kernel memory %.1f bytes per "
                     "record (%d of them digest)" % (
                         r["records"], r["batches"],
                         r["per_record"]["kernel_bytes"], r["digest_bytes"]))
    r = pick(runs, "replay")
    if r:
        lines.append("vtpm-verify --log on the host: %d records, %d batches: "
                     "%.0f records/s (best of %d; %s)" % (
                         r["records"], r["batches"], r["records_per_s"],
                         r["repeats"], r["host"]))
    lines.append("")
    lines.append("Targets (ratios within this run)")
    for name, val, goal, met, note in targets(runs):
        lines.append("  %-6s %-62s %-18s (target %s)%s" % (
            "MET" if met else "MISSED", name, val, goal,
            "; " + note if note else ""))
    return "\n".join(lines) + "\n"


def plot(runs, outdir):
    hw = pick(runs, "extend", "hw", 1)
    mux = dict(series(runs, "mux"))
    proxy = dict(series(runs, "proxy"))
    nog = dict(series(runs, "mux-nogather"))
    ns = sorted(set(mux) | set(proxy))
    dat = os.path.join(outdir, "extends.dat")
    with open(dat, "w") as f:
        f.write("# N vtpm-mux vtpm_proxy+swtpm hardware vtpm-mux-no-gathering\n")
        for n in ns:
            f.write("%d %s %s %s %s\n" % (
                n,
                "%.1f" % mux[n]["ops_per_s"] if n in mux else "NaN",
                "%.1f" % proxy[n]["ops_per_s"] if n in proxy else "NaN",
                "%.1f" % hw["ops_per_s"] if hw else "NaN",
                "%.1f" % nog[n]["ops_per_s"] if n in nog else "NaN"))
    png = os.path.join(outdir, "extends.png")
    m = pick(runs, "machine") or {}
    script = """
set terminal pngcairo size 900,560 font ",11"
set output '%s'
set title "Aggregate TPM2\\\\_PCR\\\\_Extend rate, N tenants extending at once\\n{/*0.8 %s, %s vCPUs under QEMU TCG, swtpm as the hardware TPM}"
set xlabel "N (tenants, one process each)"
set ylabel "extends/s (all tenants)"
set logscale x 2
set xtics (1,2,4,8,16,32,64)
set xrange [0.9:72]
set key top left
set grid
plot '%s' using 1:2 with linespoints lw 2 pt 7 title "vtpm-mux (every extend in the hardware PCR)", \\
     '' using 1:5 with linespoints lw 1 pt 6 dt 2 title "vtpm-mux without gathering", \\
     '' using 1:3 with linespoints lw 2 pt 5 title "vtpm\\\\_proxy + one swtpm per tenant", \\
     '' using 1:4 with lines lw 2 dt 3 title "hardware TPM, raw /dev/tpm0 (N=1)"
""" % (png, m.get("kernel", "?"), m.get("cpus", "?"), dat)
    subprocess.run(["gnuplot"], input=script.encode(), check=True)
    return png


def tap(runs):
    n = 0
    fails = 0

    def ok(cond, what):
        nonlocal n, fails
        n += 1
        if not cond:
            fails += 1
        print("%sok %d - bench: %s" % ("" if cond else "not ", n, what))

    for label in ("hw", "tpmrm", "mux", "mux-sw", "proxy"):
        rs = series(runs, label)
        ok(rs and all(r["ops"] > 0 and r["errors"] == 0 for _, r in rs),
           "%s extends ran without errors (N = %s)" %
           (label, ",".join(str(k) for k, _ in rs)))
    rs = series(runs, "mux")
    ok(rs and all(r.get("records", 0) >= r["ops"] for _, r in rs),
       "every acknowledged mux extend is a log record")
    for label in ("hw", "mux", "mux-sw", "proxy"):
        r = pick(runs, "read", label)
        ok(r and r["ops"] > 0 and r["errors"] == 0, "%s PCR_Read ran" % label)
    for label in ("single", "concurrent"):
        r = pick(runs, "attest", label)
        ok(r and r["errors"] == 0 and r["requests"] == r["n"] * r["rounds"]
           and r["quotes"] == r["quotes_status"],
           "%s attestation: every request answered, quotes counted" % label)
    c = pick(runs, "create")
    ok(c and c["created"] == c["n"], "created and destroyed %s instances" %
       (c["created"] if c else "no"))
    r = pick(runs, "records")
    ok(r and r["errors"] == 0 and r["records"] >= r["extends"],
       "record memory measured over %s records" % (r["records"] if r else 0))
    r = pick(runs, "replay")
    ok(r and r["pcr_matches"],
       "the guest's whole log replays to its hardware PCR on the host")
    print("1..%d" % n)
    return fails


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 2:
        sys.stderr.write(__doc__)
        return 2
    runs = load(args[0])
    outdir = args[1]
    os.makedirs(outdir, exist_ok=True)
    text = table(runs)
    with open(os.path.join(outdir, "bench.txt"), "w") as f:
        f.write(text)
    doc = {"runs": runs,
           "targets": [{"target": t[0], "measured": t[1], "goal": t[2],
                        "met": t[3], "note": t[4]} for t in targets(runs)]}
    with open(os.path.join(outdir, "bench.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    plot(runs, outdir)
    if "--tap" in sys.argv:
        for line in text.splitlines():
            print("# " + line)
        return 1 if tap(runs) else 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
