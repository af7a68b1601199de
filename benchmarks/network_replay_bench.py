#!/usr/bin/env python3
"""Which network cards' traffic QEMU 7.2 record/replay can replay: a determinism check, NIC by NIC.

For each NIC and case, records the demo guest's `net` workload (4 MiB HTTP downloads in a loop from a server in
this script, reached through QEMU's user-mode network and recorded with filter-replay, as the product does), then
replays the recording and watches the replayer's instruction count: it reaches the recorder's last instruction with
the recorder's screen (`END same`), or it stays at one instruction for 30 s (`STALL at N%`: the replay diverged).

Cases:
  steady    the recorder runs undisturbed; replayed from power-on
  snapshot  one savevm in the middle of the downloads; replayed from that snapshot (how a client joins)
  paused    the recorder is stopped and continued every ~0.25 s (as snapshots and pixel checks stop it);
            replayed from power-on through all those pauses

    benchmarks/network_replay_bench.py [--nics rtl8139,virtio-net,e1000] [--cases steady,snapshot,paused]
                                       [--seconds 40]

Prints a markdown table (docs/benchmarks.md, "Network traffic under record/replay"). Needs qemu-system-x86_64,
qemu-img and the built demo guest (mvn package). Each cell takes 1-2 minutes.
"""
import argparse, contextlib, http.server, os, random, shutil, socketserver, subprocess, sys, tempfile, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from guest_memory_bench import Qmp  # noqa: E402

DEVICES = {
    "rtl8139": "rtl8139,netdev=net0",
    "virtio-net": "virtio-net-pci,netdev=net0,guest_announce=off",
    "virtio-net-tx-timer": "virtio-net-pci,netdev=net0,guest_announce=off,tx=timer",
    "e1000": "e1000,netdev=net0",
}
PAYLOAD = random.Random(7).randbytes(4 << 20)
STALL_SECONDS = 30


class Payload(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", str(len(PAYLOAD)))
        self.end_headers()
        self.wfile.write(PAYLOAD)

    def log_message(self, *args):
        pass


class QuietServer(socketserver.ThreadingTCPServer):
    def handle_error(self, request, client_address):
        pass  # a recorder that quits mid-download resets its connection; that is expected


def qemu_command(guest, work, mode, disk, socket, port, device):
    return ["qemu-system-x86_64", "-nodefaults", "-no-user-config", "-machine", "pc", "-accel", "tcg", "-smp", "1",
            "-m", "256", "-icount", f"shift=auto,rr={mode},rrfile={work}/record.log", "-rtc", "base=utc,clock=vm",
            "-kernel", f"{guest}/vmlinuz", "-initrd", f"{guest}/initrd.gz",
            "-append", f"console=ttyS0 vga=0x312 quiet init_on_free=1 rd.wl=net rd.netport={port}",
            "-drive", f"file={disk},format=qcow2,if=none,id=d0", "-drive", "driver=blkreplay,if=none,image=d0,id=disk0",
            "-device", "virtio-blk-pci,drive=disk0", "-vga", "std", "-display", "none",
            "-serial", f"file:{work}/serial-{mode}.log", "-qmp", f"unix:{socket},server=on,wait=off",
            "-netdev", "user,id=net0" + (",restrict=on" if mode == "replay" else ""), "-device", device,
            "-object", "filter-replay,id=net0-replay,netdev=net0", "-action", "shutdown=pause"]


@contextlib.contextmanager
def qemu_running(line, stderr_path, socket):
    """Starts QEMU, yields its QMP connection; quits it (or kills it) on the way out."""
    qemu = subprocess.Popen(line, stderr=open(stderr_path, "w"))
    try:
        qmp = Qmp(socket)
        yield qemu, qmp
        qmp.run("quit")
        qemu.wait(30)
    finally:
        if qemu.poll() is None:
            qemu.kill()


def serial_text(work, mode):
    path = os.path.join(work, f"serial-{mode}.log")
    return open(path, "rb").read() if os.path.exists(path) else b""


def record(guest, work, port, device, case, seconds):
    """Records; returns (last icount, pauses, downloads)."""
    base = os.path.join(work, "base.qcow2")
    disk = os.path.join(work, "record.qcow2")
    shutil.copy(base, disk)
    socket = os.path.join(work, "record.sock")
    with qemu_running(qemu_command(guest, work, "record", disk, socket, port, device),
                      os.path.join(work, "record.stderr"), socket) as (qemu, qmp):
        start = time.time()
        while b"NET: dl 1 ok" not in serial_text(work, "record"):
            if qemu.poll() is not None or time.time() - start > 240:
                sys.exit(f"{device}: no first download within 240 s (see {work})")
            time.sleep(0.5)
        pauses = 0
        start = time.time()
        if case == "paused":
            while time.time() - start < seconds:
                qmp.run("stop")
                time.sleep(random.uniform(0.005, 0.05))
                qmp.run("cont")
                pauses += 1
                time.sleep(random.uniform(0.12, 0.38))
        elif case == "snapshot":
            time.sleep(seconds / 3)
            for _ in range(3000):
                reply = qmp.run("human-monitor-command", **{"command-line": "savevm s1"})
                if "error" not in reply and not reply.get("return"):
                    break
                time.sleep(0.003)
            else:
                sys.exit(f"savevm kept failing: {reply}")
            time.sleep(seconds * 2 / 3)
        else:
            time.sleep(seconds)
        qmp.run("stop")
        end = qmp.run("query-replay")["return"]["icount"]
        qmp.run("screendump", filename=os.path.join(work, "record.ppm"))
    return end, pauses, serial_text(work, "record").count(b" ok bytes=")


def replay(guest, work, port, device, case, end):
    """Replays to `end`; returns (outcome, seconds, downloads seen)."""
    disk = os.path.join(work, "replay.qcow2")
    shutil.copy(os.path.join(work, "record.qcow2" if case == "snapshot" else "base.qcow2"), disk)
    socket = os.path.join(work, "replay.sock")
    line = qemu_command(guest, work, "replay", disk, socket, port, device) + ["-S"]
    if case == "snapshot":
        line[line.index("-icount") + 1] += ",rrsnapshot=s1"
    with qemu_running(line, os.path.join(work, "replay.stderr"), socket) as (qemu, qmp):
        qmp.run("replay-break", icount=end)
        qmp.run("cont")
        start = time.time()
        last, since = -1, time.time()
        while True:
            time.sleep(1)
            status = qmp.run("query-status")["return"]["status"]
            icount = qmp.run("query-replay")["return"]["icount"]
            if status != "running":
                if icount != end:
                    outcome = f"PAUSED at {100.0 * icount / end:.1f}% ({status})"
                else:
                    qmp.run("screendump", filename=os.path.join(work, "replay.ppm"))
                    same = open(os.path.join(work, "replay.ppm"), "rb").read() == \
                        open(os.path.join(work, "record.ppm"), "rb").read()
                    outcome = "END, same screen" if same else "END, DIFFERENT screen"
                break
            if icount != last:
                last, since = icount, time.time()
            elif time.time() - since > STALL_SECONDS:
                outcome = f"STALL at {100.0 * icount / end:.1f}%"
                break
        took = time.time() - start
    return outcome, took, serial_text(work, "replay").count(b" ok bytes=")


def main():
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--guest", default=os.path.join(repo, "native-hooks", "target", "guest"))
    ap.add_argument("--nics", default="rtl8139,virtio-net,e1000", help="of: " + ", ".join(DEVICES))
    ap.add_argument("--cases", default="steady,snapshot,paused")
    ap.add_argument("--seconds", type=float, default=40, help="recording after the first download")
    args = ap.parse_args()
    for f in ("vmlinuz", "initrd.gz", "video.raw"):
        if not os.path.isfile(os.path.join(args.guest, f)):
            sys.exit(f"{args.guest}/{f} is missing: build the demo guest first (mvn package)")
    nics = args.nics.split(",")
    cases = args.cases.split(",")
    for n in nics:
        if n not in DEVICES:
            sys.exit(f"unknown NIC {n!r}; known: {', '.join(DEVICES)}")
    for c in cases:
        if c not in ("steady", "snapshot", "paused"):
            sys.exit(f"unknown case {c!r}; known: steady, snapshot, paused")
    server = QuietServer(("127.0.0.1", 0), Payload)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    rows = []
    for nic in nics:
        for case in cases:
            work = tempfile.mkdtemp(prefix=f"network-replay-{nic}-{case}-")
            try:
                subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-b",
                                os.path.join(args.guest, "video.raw"), "-F", "raw", os.path.join(work, "base.qcow2")],
                               check=True)
                print(f"{nic}, {case}: recording", file=sys.stderr, flush=True)
                end, pauses, downloads = record(args.guest, work, port, DEVICES[nic], case, args.seconds)
                print(f"{nic}, {case}: replaying {end} instructions ({downloads} downloads, {pauses} pauses)",
                      file=sys.stderr, flush=True)
                outcome, took, replayed = replay(args.guest, work, port, DEVICES[nic], case, end)
                print(f"{nic}, {case}: {outcome}", file=sys.stderr, flush=True)
                rows.append((nic, case, downloads, pauses, outcome, took, replayed))
            finally:
                shutil.rmtree(work, ignore_errors=True)
    server.shutdown()
    print(f"Demo guest, `net` workload (4 MiB downloads in a loop), {args.seconds:.0f} s recorded after the first "
          f"download; a replay that stays at one instruction for {STALL_SECONDS} s counts as stalled.\n")
    print("| NIC | case | downloads recorded | recorder pauses | replay | replay s | downloads replayed |")
    print("|---|---|---:|---:|---|---:|---:|")
    for nic, case, downloads, pauses, outcome, took, replayed in rows:
        print(f"| `{DEVICES[nic]}` | {case} | {downloads} | {pauses} | {outcome} | {took:.0f} | {replayed} |")


if __name__ == "__main__":
    main()
