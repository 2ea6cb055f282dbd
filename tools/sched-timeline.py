#!/usr/bin/env python3
"""Render a Tandem scheduler trace as a vCPU timeline PNG.

The trace is the text the hypervisor's scheduler dump prints over serial, or
what `schedsim --trace FILE` writes (include/sched_trace.h):

    sched-trace: <pcpu> <t_ns> <event> <dom>.<vcpu> [<from_pcpu>]

Lines may carry a prefix (a serial log's); other lines are ignored. The
picture has one row per vCPU, a bar for each interval it ran, coloured by
the pCPU it ran on; ticks mark wakes and triangles migrations.

    tools/sched-timeline.py [-o OUT.png] [--from MS] [--to MS] [--max-vcpus N] [TRACE...]

Without TRACE it reads standard input. A per-vCPU summary (run time, runs,
migrations) is printed on standard output; only the picture needs matplotlib
(Debian: python3-matplotlib). Without it the summary is still printed, then
a message, and the exit status is 2.
"""
import argparse
import re
import sys

LINE = re.compile(r"sched-trace: (\d+) (\d+) ([a-z]+) (-|\d+\.\d+)(?: (\d+))?\s*$")
ENDS_RUN = {"preempt", "yield", "block", "park"}


def parse(stream):
    """Yields (pcpu, t_ns, event, (dom, vcpu) or None, from_pcpu or None)."""
    for line in stream:
        m = LINE.search(line)
        if not m:
            continue
        who = None if m.group(4) == "-" else tuple(int(x) for x in m.group(4).split("."))
        arg = int(m.group(5)) if m.group(5) is not None else None
        yield int(m.group(1)), int(m.group(2)), m.group(3), who, arg


def intervals(events):
    """Running intervals (vcpu, pcpu, start, end), wakes and migrations (vcpu, t, pcpu)."""
    running = {}  # pcpu -> (vcpu, since)
    runs, wakes, migrations = [], [], []
    events = sorted(events, key=lambda e: e[1])  # stable: same-time order kept
    end = events[-1][1] if events else 0

    def close(pcpu, t):
        if pcpu in running:
            vcpu, since = running.pop(pcpu)
            runs.append((vcpu, pcpu, since, t))

    for pcpu, t, ev, who, _ in events:
        if ev in ("run", "idle"):
            close(pcpu, t)
            if ev == "run":
                running[pcpu] = (who, t)
        elif ev in ENDS_RUN:
            if pcpu in running and running[pcpu][0] == who:
                close(pcpu, t)
        elif ev == "wake":
            wakes.append((who, t, pcpu))
        elif ev == "migrate":
            migrations.append((who, t, pcpu))
    for pcpu in list(running):
        close(pcpu, end)
    return runs, wakes, migrations


def summary(runs, migrations, out):
    total = {}
    count = {}
    for vcpu, _, start, end in runs:
        total[vcpu] = total.get(vcpu, 0) + end - start
        count[vcpu] = count.get(vcpu, 0) + 1
    moved = {}
    for vcpu, _, _ in migrations:
        moved[vcpu] = moved.get(vcpu, 0) + 1
    span = (max(e for _, _, _, e in runs) - min(s for _, _, s, _ in runs)) if runs else 0
    out.write("vcpu      run_ms   share  runs  migrations\n")
    for vcpu in sorted(total):
        share = 100.0 * total[vcpu] / span if span else 0.0
        out.write("%3d.%-3d %9.3f %6.1f%% %5d %11d\n" % (vcpu[0], vcpu[1], total[vcpu] / 1e6,
                                                      share, count[vcpu], moved.get(vcpu, 0)))


def render(runs, wakes, migrations, args):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.patches import Patch
    except ImportError:
        sys.stderr.write("sched-timeline: matplotlib is missing, so no picture "
                         "(Debian: apt-get install python3-matplotlib)\n")
        return 2

    lo = args.t_from * 1e6 if args.t_from is not None else None
    hi = args.t_to * 1e6 if args.t_to is not None else None

    def visible(start, end):
        return (lo is None or end >= lo) and (hi is None or start <= hi)

    vcpus = sorted({r[0] for r in runs if visible(r[2], r[3])})[: args.max_vcpus]
    row = {v: i for i, v in enumerate(vcpus)}
    pcpus = sorted({r[1] for r in runs})
    cmap = plt.get_cmap("tab20" if len(pcpus) <= 20 else "hsv")
    colour = {p: cmap(i / max(1, len(pcpus)) if len(pcpus) > 20 else i % 20)
              for i, p in enumerate(pcpus)}

    fig, ax = plt.subplots(figsize=(12, 1.2 + 0.28 * max(1, len(vcpus))))
    bars = {}
    for vcpu, pcpu, start, end in runs:
        if vcpu in row and visible(start, end):
            bars.setdefault((vcpu, pcpu), []).append((start / 1e6, (end - start) / 1e6))
    for (vcpu, pcpu), spans in bars.items():
        ax.broken_barh(spans, (row[vcpu] - 0.4, 0.8), facecolors=colour[pcpu], linewidth=0)
    wx = [t / 1e6 for v, t, _ in wakes if v in row and visible(t, t)]
    wy = [row[v] - 0.45 for v, t, _ in wakes if v in row and visible(t, t)]
    ax.plot(wx, wy, linestyle="none", marker="|", markersize=4, color="black", label="wake")
    mx = [t / 1e6 for v, t, _ in migrations if v in row and visible(t, t)]
    my = [row[v] + 0.45 for v, t, _ in migrations if v in row and visible(t, t)]
    ax.plot(mx, my, linestyle="none", marker="v", markersize=4, color="red", label="migrate")

    ax.set_yticks(range(len(vcpus)))
    ax.set_yticklabels(["%d.%d" % v for v in vcpus], fontsize=7)
    ax.set_ylim(-0.6, len(vcpus) - 0.4)
    ax.invert_yaxis()
    if lo is not None or hi is not None:
        ax.set_xlim(left=lo / 1e6 if lo is not None else None,
                    right=hi / 1e6 if hi is not None else None)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("vCPU (dom.vcpu)")
    ax.set_title(args.title or "vCPU schedule, coloured by pCPU")
    if len(pcpus) <= 16:
        handles = [Patch(color=colour[p], label="pCPU %d" % p) for p in pcpus]
        ax.legend(handles=handles + ax.get_legend_handles_labels()[0], fontsize=7,
                  loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    fig.savefig(args.output, dpi=120)
    sys.stderr.write("sched-timeline: wrote %s (%d vCPUs, %d intervals)\n"
                     % (args.output, len(vcpus), sum(len(s) for s in bars.values())))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("trace", nargs="*", help="trace files (default: standard input)")
    ap.add_argument("-o", "--output", default="sched-timeline.png")
    ap.add_argument("--from", dest="t_from", type=float, help="start of the window, ms")
    ap.add_argument("--to", dest="t_to", type=float, help="end of the window, ms")
    ap.add_argument("--max-vcpus", type=int, default=64, help="rows at most (default 64)")
    ap.add_argument("--title")
    ap.add_argument("--no-summary", action="store_true")
    args = ap.parse_args()

    events = []
    if args.trace:
        for name in args.trace:
            with open(name) as f:
                events.extend(parse(f))
    else:
        events.extend(parse(sys.stdin))
    if not events:
        sys.stderr.write("sched-timeline: no sched-trace lines in the input\n")
        return 1
    runs, wakes, migrations = intervals(events)
    if not args.no_summary:
        summary(runs, migrations, sys.stdout)
    return render(runs, wakes, migrations, args)


if __name__ == "__main__":
    sys.exit(main())
