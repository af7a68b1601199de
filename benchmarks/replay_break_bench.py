#!/usr/bin/env python3
"""Does stopping a replayer at a replay break make QEMU 7.2's replay diverge? A determinism check of pixel checks.

Records the demo guest's `anim` workload while stopping the recorder every ~0.3-0.8 s, as pixel checks (and
snapshots) do, and keeps each stop's instruction count. Then replays the recording several ways and watches the
replayer's instruction count: it reaches the recorder's last instruction (`END`), or it stays at one instruction for
20 s (`STALL`: the replay diverged).

Modes:
  straight   no break until the end: the replayer runs through every stop of the recorder
  breaks     replay-break at every stop's instruction count, wait there ~50 ms (a screendump's time), cont
  past       as breaks, but at the stop's count + 1: the replayer handles what the recorder logged at that
             instruction while running, and stops one instruction later

    benchmarks/replay_break_bench.py [--seconds 60] [--modes straight,breaks,past] [--replays 2]

Prints one line per replay and a markdown table (docs/benchmarks.md, "Replay breaks"). Needs qemu-system-x86_64,
qemu-img, the built demo guest and librrpace (mvn package).
"""
import argparse, contextlib, os, random, shutil, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from guest_memory_bench import Qmp  # noqa: E402

STALL_SECONDS = 20


def qemu_command(guest, work, mode, disk, socket):
    return ["qemu-system-x86_64", "-nodefaults", "-no-user-config", "-machine", "pc", "-accel", "tcg", "-smp", "1",
            "-m", "256", "-icount", f"shift=auto,rr={mode},rrfile={work}/record.log", "-rtc", "base=utc,clock=vm",
            "-kernel", f"{guest}/vmlinuz", "-initrd", f"{guest}/initrd.gz",
            "-append", "console=ttyS0 vga=0x312 quiet init_on_free=1 rd.wl=anim",
            "-drive", f"file={disk},format=qcow2,if=none,id=d0", "-drive", "driver=blkreplay,if=none,image=d0,id=disk0",
            "-device", "virtio-blk-pci,drive=disk0", "-vga", "std", "-display", "none",
            "-serial", f"file:{work}/serial-{mode}.log", "-qmp", f"unix:{socket},server=on,wait=off",
            "-net", "none", "-action", "shutdown=pause"]


@contextlib.contextmanager
def qemu_running(line, stderr_path, socket, env=None):
    qemu = subprocess.Popen(line, stderr=open(stderr_path, "w"), env=env)
    try:
        yield qemu, Qmp(socket)
    finally:
        qemu.kill()
        qemu.wait(30)


def record(guest, work, seconds):
    """Records; returns (stop icounts, last icount)."""
    disk = os.path.join(work, "record.qcow2")
    shutil.copy(os.path.join(work, "base.qcow2"), disk)
    socket = os.path.join(work, "record.sock")
    with qemu_running(qemu_command(guest, work, "record", disk, socket), os.path.join(work, "record.stderr"),
                      socket) as (qemu, qmp):
        start = time.time()
        serial = os.path.join(work, "serial-record.log")
        while not (os.path.exists(serial) and b"RD: ready" in open(serial, "rb").read()):
            if qemu.poll() is not None or time.time() - start > 240:
                sys.exit(f"the guest did not get ready within 240 s (see {work})")
            time.sleep(0.5)
        time.sleep(5)
        stops = []
        start = time.time()
        while time.time() - start < seconds:
            qmp.run("stop")
            stops.append(qmp.run("query-replay")["return"]["icount"])
            time.sleep(random.uniform(0.02, 0.1))
            qmp.run("cont")
            time.sleep(random.uniform(0.3, 0.8))
        qmp.run("stop")
        end = qmp.run("query-replay")["return"]["icount"]
        qmp.run("human-monitor-command", **{"command-line": "quit"})
    return stops, end


def replay(guest, work, mode, stops, end, rrpace):
    """Replays to `end`, stopping at the breaks `mode` asks for; returns (outcome, seconds)."""
    disk = os.path.join(work, "replay.qcow2")
    shutil.copy(os.path.join(work, "base.qcow2"), disk)
    socket = os.path.join(work, "replay.sock")
    env = dict(os.environ, LD_PRELOAD=rrpace) if rrpace else None
    line = qemu_command(guest, work, "replay", disk, socket) + ["-S"]
    targets = ([] if mode == "straight" else [s + (1 if mode == "past" else 0) for s in stops]) + [end]
    targets = sorted(set(t for t in targets if t <= end))
    with qemu_running(line, os.path.join(work, f"replay-{mode}.stderr"), socket, env) as (qemu, qmp):
        start = time.time()
        for k, target in enumerate(targets):
            icount = qmp.run("query-replay")["return"]["icount"]
            if icount < target:
                qmp.run("replay-break", icount=target)
            if qmp.run("query-status")["return"]["status"] != "running":
                qmp.run("cont")
            last, since = -1, time.time()
            while True:
                status = qmp.run("query-status")["return"]["status"]
                icount = qmp.run("query-replay")["return"]["icount"]
                if status != "running":
                    break
                if icount != last:
                    last, since = icount, time.time()
                elif time.time() - since > STALL_SECONDS:
                    previous = targets[k - 1] if k else None
                    return (f"STALL at {icount} before break {k + 1}/{len(targets)} ({target}; "
                            f"previous break {previous}, {icount - previous if previous else 0} instructions after it)",
                            time.time() - start)
                time.sleep(0.01)
            if icount != target:
                return f"PAUSED at {icount} instead of {target}", time.time() - start
            time.sleep(0.05)  # a screendump's time, stopped
        return f"END after {len(targets)} breaks", time.time() - start


def main():
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--guest", default=os.path.join(repo, "native-hooks", "target", "guest"))
    ap.add_argument("--rrpace", default=os.path.join(repo, "native-hooks", "target", "rrpace", "librrpace.so"))
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--modes", default="straight,breaks,past")
    ap.add_argument("--replays", type=int, default=2, help="replays per mode of the one recording")
    ap.add_argument("--recordings", type=int, default=1)
    args = ap.parse_args()
    rrpace = args.rrpace if os.path.exists(args.rrpace) else None
    rows = []
    for r in range(args.recordings):
        work = tempfile.mkdtemp(prefix="rd-break-")
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", os.path.join(work, "base.qcow2"), "64M"],
                       check=True)
        stops, end = record(args.guest, work, args.seconds)
        print(f"recording {r + 1}: {len(stops)} stops, last icount {end} ({work})", flush=True)
        for mode in args.modes.split(","):
            for i in range(args.replays):
                outcome, took = replay(args.guest, work, mode, stops, end, rrpace)
                print(f"  {mode:8s} replay {i + 1}: {outcome} ({took:.0f} s)", flush=True)
                rows.append((r + 1, len(stops), mode, i + 1, outcome, took))
        shutil.rmtree(work, ignore_errors=True)
    print("\n| recording | recorder stops | replay | outcome | time |\n|---|---|---|---|---|")
    for r, n, mode, i, outcome, took in rows:
        print(f"| {r} | {n} | {mode} #{i} | {outcome} | {took:.0f} s |")


if __name__ == "__main__":
    main()
