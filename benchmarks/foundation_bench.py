#!/usr/bin/env python3
"""Foundation benchmark: boot time, record slowdown and record-log growth per demo workload.

Drives a running ReplayDesk distribution through its shell (bin/client -b), exactly as an
operator would, and reads the VMs' files for measurements. Prints a table and rewrites the
"foundation" section of docs/benchmarks.md.

Usage: benchmarks/foundation_bench.py [--home run/replaydesk] [--window 20] [--no-write]
The distribution must be running (./demo.sh --no-build starts it).
"""
import argparse, os, re, subprocess, sys, time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def client(home, *commands):
    env = dict(os.environ)
    env.setdefault("JAVA_HOME", os.path.dirname(os.path.dirname(os.path.realpath(subprocess.check_output(["sh", "-c", "command -v java"]).decode().strip()))))
    p = subprocess.run([os.path.join(home, "bin", "client"), "-u", "karaf", "-p", "karaf", "-r", "3", "-b"],
                       input="\n".join(commands) + "\n", capture_output=True, text=True, env=env, timeout=300)
    out = p.stdout + p.stderr
    if p.returncode != 0 or "Error executing command" in out:
        raise RuntimeError(f"{commands}: {out.strip()}")
    return out


def vm_dir(home, name):
    return os.path.join(home, "data", "replaydesk", "vms", name)


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("latin-1")
    except OSError:
        return ""


def wait_for(pred, timeout, step=0.05):
    t0 = time.time()
    while time.time() - t0 < timeout:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return None


def run_case(home, name, workload, record, window, append="", network=False, typing=False):
    opts = f"--workload {workload} --memory 256"
    if not record:
        opts += " --no-record"
    if network:
        opts += " --network"
    if append:
        opts += f' --append "{append}"'
    try:
        client(home, f"desk:vm-stop {name}", f"desk:vm-delete {name}")
    except RuntimeError:
        pass
    client(home, f"desk:vm-create {opts} {name}")
    d = vm_dir(home, name)
    t0 = time.time()
    client(home, f"desk:vm-start {name}")
    ready = wait_for(lambda: "RD: ready" in read(os.path.join(d, "serial.log")) and time.time(), 180)
    if not ready:
        raise RuntimeError(f"{name}: guest never reported ready")
    boot = ready - t0
    boot_log = os.path.getsize(os.path.join(d, "record.log")) if record else 0
    time.sleep(5)
    log = os.path.join(d, "record.log")
    s1, t1 = (os.path.getsize(log) if record else 0), time.time()
    keys = 0
    if typing:
        while time.time() - t1 < window:
            text = "echo replaydesk typing test 0123456789"
            client(home, f'desk:vm-type --enter {name} "{text}"')
            keys += len(text) + 1
        fps = None
    else:
        fps = wall_fps(os.path.join(d, "serial.log"), window)
    s2, t2 = (os.path.getsize(log) if record else 0), time.time()
    client(home, f"desk:vm-stop {name}", f"desk:vm-delete {name}")
    return {
        "name": name, "workload": workload, "record": record, "boot_s": boot, "boot_log_mb": boot_log / 1e6,
        "log_kb_s": (s2 - s1) / (t2 - t1) / 1000 if record else None,
        "fps": fps, "keys_per_s": keys / (t2 - t1) if typing else None,
    }


def wall_fps(serial_log, window):
    """Frames per wall-clock second: the guest prints its frame counter ("STAT: ... frames=N") every
    5 s of guest time; each line is stamped with the wall time it first appeared. Guest-reported fps
    would be measured on the guest's own clock, which icount ties to executed instructions."""
    seen, stamps, t0 = 0, [], time.time()
    while time.time() - t0 < window:
        frames = [int(m) for m in re.findall(r"STAT: \w+ frames=(\d+)", read(serial_log))]
        if len(frames) > seen:
            stamps.append((time.time(), frames[-1]))
            seen = len(frames)
        time.sleep(0.1)
    if len(stamps) < 2:
        return None
    (ta, fa), (tb, fb) = stamps[0], stamps[-1]
    return (fb - fa) / (tb - ta)


def run_plain_tcg(home, window):
    """Reference only, outside the product: the same guest on plain TCG without -icount, which is
    what a VM that can never be recorded or replayed would cost."""
    import tempfile
    d = tempfile.mkdtemp(prefix="rd-bench-")
    serial = os.path.join(d, "serial.log")
    guest = os.path.join(home, "guest")
    cmd = ["qemu-system-x86_64", "-nodefaults", "-machine", "pc", "-accel", "tcg", "-smp", "1", "-m", "256",
           "-kernel", os.path.join(guest, "vmlinuz"), "-initrd", os.path.join(guest, "initrd.gz"),
           "-append", "console=ttyS0 vga=0x312 quiet rd.wl=anim rd.stats=1 rd.fps=0", "-vga", "std",
           "-display", "none", "-serial", "file:" + serial, "-net", "none"]
    t0 = time.time()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        ready = wait_for(lambda: "RD: ready" in read(serial) and time.time(), 180)
        time.sleep(5)
        fps = wall_fps(serial, window)
    finally:
        p.kill()
        p.wait()
    return {"name": "b-anim0-tcg", "workload": "anim", "record": False, "boot_s": (ready or time.time()) - t0,
            "boot_log_mb": 0, "log_kb_s": None, "fps": fps, "keys_per_s": None}


def svg_bars(title, unit, items, path):
    """A plain SVG bar chart on a log scale (net is 100x the rest; no plotting library needed)."""
    import math
    w, bar_h, gap, left = 640, 26, 10, 150
    h = 50 + len(items) * (bar_h + gap)
    top = max(v for _, v in items) or 1
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="13">',
           f'<rect width="{w}" height="{h}" fill="white"/>',
           f'<text x="10" y="22" font-size="15" font-weight="bold">{title}</text>']
    for i, (label, v) in enumerate(items):
        y = 40 + i * (bar_h + gap)
        bw = (w - left - 90) * math.log10(1 + v) / math.log10(1 + top)
        out.append(f'<text x="10" y="{y + 18}">{label}</text>')
        out.append(f'<rect x="{left}" y="{y}" width="{bw:.1f}" height="{bar_h}" fill="#3b7dd8"/>')
        out.append(f'<text x="{left + bw + 6:.1f}" y="{y + 18}">{v:.1f} {unit}</text>')
    out.append('</svg>')
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def fmt(v, f="{:.1f}"):
    return "-" if v is None else f.format(v)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--home", default=os.path.join(REPO, "run", "replaydesk"))
    ap.add_argument("--window", type=float, default=20.0, help="seconds of steady state measured per workload")
    ap.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    args = ap.parse_args()
    home = os.path.abspath(args.home)
    client(home, "desk:vm-list")

    rows = []
    cases = [
        ("b-idle", "idle", True, "", False, False),
        ("b-anim", "anim", True, "rd.stats=1", False, False),
        ("b-video", "video", True, "rd.stats=1", False, False),
        ("b-type", "type", True, "", False, True),
        ("b-cpu", "cpu", True, "", False, False),
        ("b-net", "net", True, "", True, False),
        # Record slowdown: the same unthrottled animation with and without record, measured by the guest.
        ("b-anim0-rec", "anim", True, "rd.stats=1 rd.fps=0", False, False),
        ("b-anim0-plain", "anim", False, "rd.stats=1 rd.fps=0", False, False),
    ]
    for name, wl, rec, append, net, typing in cases:
        r = run_case(home, name, wl, rec, args.window, append, net, typing)
        rows.append(r)
        print(f"{name:14} boot {r['boot_s']:5.1f} s  log {fmt(r['log_kb_s'])} KB/s  fps {fmt(r['fps'])}", flush=True)

    r = run_plain_tcg(home, args.window)
    rows.append(r)
    print(f"{'b-anim0-tcg':14} boot {r['boot_s']:5.1f} s  fps {fmt(r['fps'])}", flush=True)

    by = {r["name"]: r for r in rows}
    rec0, plain0, tcg0 = by["b-anim0-rec"], by["b-anim0-plain"], by["b-anim0-tcg"]
    slowdown = plain0["fps"] / rec0["fps"] if rec0["fps"] and plain0["fps"] else None
    slowdown_tcg = tcg0["fps"] / rec0["fps"] if rec0["fps"] and tcg0["fps"] else None
    boot_slowdown = rec0["boot_s"] / plain0["boot_s"]

    lines = ["<!-- foundation-bench:start -->",
             f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on this machine (2 cores), QEMU "
             f"{subprocess.check_output(['qemu-system-x86_64', '--version']).decode().split()[3]}, TCG, "
             f"`-icount shift=auto`, 256 MiB, {args.window:.0f} s steady-state window after 5 s of settling.",
             "Reproduce: `./demo.sh --no-build && benchmarks/foundation_bench.py`.", "",
             "| workload | boot to ready (s) | log at ready (MB) | log growth (KB/s) | frames per wall second | notes |",
             "|---|---|---|---|---|---|"]
    notes = {"b-type": lambda r: f"typing {r['keys_per_s']:.1f} keys/s", "b-anim": lambda r: "fps=25",
             "b-video": lambda r: "target 25 fps, frames read from disk", "b-net": lambda r: "4 MiB downloads in a loop",
             "b-anim0-rec": lambda r: "unthrottled, record", "b-anim0-plain": lambda r: "unthrottled, icount without record",
             "b-anim0-tcg": lambda r: "unthrottled, plain TCG without icount (raw QEMU, reference)"}
    for r in rows:
        note = notes.get(r["name"], lambda r: "")(r)
        mode = "" if r["record"] else (" (plain TCG)" if r["name"] == "b-anim0-tcg" else " (no record)")
        lines.append(f"| {r['workload']}{mode} | {r['boot_s']:.1f} | "
                     f"{fmt(r['boot_log_mb']) if r['record'] else '-'} | {fmt(r['log_kb_s'])} | {fmt(r['fps'])} | {note} |")
    chart = "bench-foundation-log-growth.svg"
    lines += ["", f"![record-log growth per workload]({chart})"]
    lines += ["", f"Record slowdown, unthrottled anim, frames per wall second: icount without record / record = "
                  f"**{fmt(slowdown, '{:.2f}')}x**; plain TCG / record = **{fmt(slowdown_tcg, '{:.2f}')}x** "
                  f"(so the cost is icount, which every ReplayDesk VM uses, more than the logging); "
                  f"boot to ready, record / no record: **{boot_slowdown:.2f}x**.",
              "<!-- foundation-bench:end -->"]
    section = "\n".join(lines)
    print(section)
    if not args.no_write:
        svg_bars("Record-log growth in steady state (KB/s, log scale)", "KB/s",
                 [(r["workload"], r["log_kb_s"]) for r in rows if r["log_kb_s"] is not None and r["name"] != "b-anim0-rec"],
                 os.path.join(REPO, "docs", chart))
        path = os.path.join(REPO, "docs", "benchmarks.md")
        text = read(path)
        if "<!-- foundation-bench:start -->" in text:
            text = re.sub(r"<!-- foundation-bench:start -->.*<!-- foundation-bench:end -->", lambda m: section, text, flags=re.S)
        else:
            text += "\n## Foundation: boot, record slowdown, log growth\n\n" + section + "\n"
        with open(path, "w") as f:
            f.write(text)
        print(f"updated {path}")


if __name__ == "__main__":
    sys.exit(main())
