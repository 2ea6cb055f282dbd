#!/usr/bin/env python3
"""Check the overcommit system test's scheduler figures in a Tandem serial log.

Each guest runs a CPU-bound period on all its vCPUs between its console
marks TANDEM-MARK 1 and TANDEM-MARK 2 (tests/linux/init, tandem.share=S).
At every mark Tandem prints every guest's run time since the previous mark
of any guest ("sched-share:" lines) and, per vCPU of the marking guest, its
run and steal time since that guest's previous mark.

    scripts/check-sched-share.py [--tolerance 0.10] LOG

Checks, printing what it saw:
  share   in the window where every guest is busy (from the last guest's
          mark 1 to the first guest's mark 2), each guest's share of the run
          time is within the tolerance (relative) of its weight's share;
  steal   each guest's steal time over its own busy period, as Tandem
          accounted it, is non-zero, and the guest's own count (the steal
          column of /proc/stat, printed as TANDEM-GUEST-STEAL) agrees with it
          within the tolerance or 3 guest ticks per vCPU, whichever is more.
Exit status 0 when every check passes, 1 otherwise.
"""
import argparse
import re
import sys

HEAD = re.compile(r"sched-share: mark (\d+) by (\S+), (\d+) ms since")
ROW = re.compile(r"sched-share:\s+(\S+) weight (\d+): ran (\d+) ms \([0-9.]+%\), steal (\d+) ms")
VCPU = re.compile(r"tandem: (\S+): vCPU (\d+): mark 2: ran (\d+) ms, steal (\d+) ms")
GUEST = re.compile(r"^(\S+)\| TANDEM-GUEST-STEAL: (\d+) ms")
TICK_MS = 10  # USER_HZ


def parse(lines):
    marks, tandem_steal, tandem_vcpus, guest_steal = [], {}, {}, {}
    for line in lines:
        line = line.rstrip("\r\n")
        m = HEAD.search(line)
        if m:
            marks.append({"mark": int(m.group(1)), "by": m.group(2), "ms": int(m.group(3)), "rows": {}})
            continue
        m = ROW.search(line)
        if m and marks:
            marks[-1]["rows"][m.group(1)] = (int(m.group(2)), int(m.group(3)), int(m.group(4)))
            continue
        m = VCPU.search(line)
        if m:
            tandem_steal[m.group(1)] = tandem_steal.get(m.group(1), 0) + int(m.group(4))
            tandem_vcpus[m.group(1)] = tandem_vcpus.get(m.group(1), 0) + 1
            continue
        m = GUEST.search(line)
        if m:
            guest_steal[m.group(1)] = int(m.group(2))
    return marks, tandem_steal, tandem_vcpus, guest_steal


def check_share(marks, tol):
    ends = [i for i, m in enumerate(marks) if m["mark"] == 2]
    if not ends:
        print("share: FAIL no guest reached mark 2")
        return False
    end = marks[ends[0]]
    guests = set(end["rows"])
    started = {m["by"] for m in marks[: ends[0]] if m["mark"] == 1}
    if started != guests or marks[ends[0] - 1]["mark"] != 1:
        print(f"share: FAIL the busy periods do not overlap (started: {sorted(started)})")
        return False
    rows = end["rows"]
    total_run = sum(r[1] for r in rows.values())
    total_w = sum(r[0] for r in rows.values())
    print(f"share: window of {end['ms']} ms, from {marks[ends[0] - 1]['by']}'s mark 1 to {end['by']}'s mark 2")
    ok = total_run > 0 and end["ms"] >= 1000
    for name in sorted(rows):
        w, run, _ = rows[name]
        want = w / total_w
        got = run / total_run if total_run else 0
        err = abs(got - want) / want
        good = err <= tol
        ok = ok and good
        print(f"share:   {name} weight {w}: ran {run} ms = {got:.1%} of the run time, "
              f"entitled {want:.1%}, error {err:.1%} {'ok' if good else 'FAIL'}")
    if len(rows) == 2:
        (a, ra), (b, rb) = sorted(rows.items(), key=lambda kv: -kv[1][0])
        if rb[1]:
            print(f"share:   ratio {a}:{b} = {ra[1] / rb[1]:.2f} (weights {ra[0] / rb[0]:.2f})")
    return ok


def check_steal(tandem_steal, tandem_vcpus, guest_steal, tol):
    ok = bool(tandem_steal)
    for name in sorted(tandem_steal):
        t, g = tandem_steal[name], guest_steal.get(name)
        slack = max(tol * t, 3 * TICK_MS * tandem_vcpus[name])
        good = g is not None and t > 0 and g > 0 and abs(g - t) <= slack
        ok = ok and good
        print(f"steal: {name}: Tandem {t} ms over {tandem_vcpus[name]} vCPU(s), guest /proc/stat "
              f"{g if g is not None else '-'} ms, allowed difference {slack:.0f} ms {'ok' if good else 'FAIL'}")
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tolerance", type=float, default=0.10)
    ap.add_argument("log")
    a = ap.parse_args()
    with open(a.log, errors="replace") as f:
        marks, ts, tv, gs = parse(f)
    share = check_share(marks, a.tolerance)
    steal = check_steal(ts, tv, gs, a.tolerance)
    return 0 if share and steal else 1


if __name__ == "__main__":
    sys.exit(main())
