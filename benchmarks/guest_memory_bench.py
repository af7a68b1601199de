#!/usr/bin/env python3
"""Snapshot size of the demo guest with and without zeroing freed memory (kernel argument init_on_free=1).

Boots the demo guest under QEMU record (the product's machine: TCG, -icount shift=auto, 256 MiB, blkreplay over a
qcow2 overlay of video.raw, std VGA), waits for "RD: ready", lets the workload run, takes `savevm` over QMP and reads
the snapshot's VM SIZE (its vmstate) with `qemu-img snapshot -l`; once per variant, one after the other. Prints a
markdown table; docs/benchmarks.md "## Zeroing freed guest memory" holds a copy.

    benchmarks/guest_memory_bench.py [--guest native-hooks/target/guest] [--seconds 30] [--workload anim]

Needs qemu-system-x86_64, qemu-img and the built demo guest (mvn package builds it into native-hooks/target/guest).
"""
import argparse, json, os, re, shutil, socket, subprocess, sys, tempfile, time

DEFAULT_VARIANTS = "-;init_on_free=1;init_on_free=1 memtest=1"
WIRE_CHUNK = 32 * 1024  # the pager's average content-defined chunk


def wire_estimate(disk, work):
    """Bytes a first join would move: the vmstate in 32 KiB pieces, all-zero pieces skipped (the pager sends no
    data for them), the rest deflated at level 1 as the pager server does."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import contextlib, io, zlib
    import qcow2_vmstate
    out = os.path.join(work, "vmstate")
    with contextlib.redirect_stdout(io.StringIO()):
        qcow2_vmstate.main(disk, out)
    data = open(os.path.join(out, "s1.vmstate"), "rb").read()
    zero = bytes(WIRE_CHUNK)
    total = 0
    for offset in range(0, len(data), WIRE_CHUNK):
        piece = data[offset:offset + WIRE_CHUNK]
        if piece != zero[:len(piece)]:
            total += len(zlib.compress(piece, 1))
    return total


class Qmp:
    """Just enough QMP: connect, negotiate, run a command, skip events."""

    def __init__(self, path, timeout=60):
        deadline = time.time() + timeout
        self.sock = socket.socket(socket.AF_UNIX)
        while True:
            try:
                self.sock.connect(path)
                break
            except OSError:
                if time.time() > deadline:
                    sys.exit(f"QMP socket {path} did not open within {timeout} s")
                time.sleep(0.1)
        self.sock.settimeout(timeout)
        self.file = self.sock.makefile("rwb")
        self.file.readline()  # greeting
        self.run("qmp_capabilities")

    def run(self, command, **arguments):
        message = {"execute": command}
        if arguments:
            message["arguments"] = arguments
        self.file.write(json.dumps(message).encode() + b"\n")
        self.file.flush()
        while True:
            line = self.file.readline()
            if not line:
                sys.exit(f"QEMU closed QMP during {command}")
            reply = json.loads(line)
            if "event" not in reply:
                return reply


def measure(guest, work, label, extra, workload, seconds):
    d = os.path.join(work, re.sub(r"[^a-z0-9]+", "-", label))
    os.makedirs(d)
    disk = os.path.join(d, "disk.qcow2")
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-b", os.path.join(guest, "video.raw"), "-F", "raw",
                    disk], check=True)
    serial = os.path.join(d, "serial.log")
    cmd = ["qemu-system-x86_64", "-nodefaults", "-no-user-config", "-machine", "pc", "-accel", "tcg", "-smp", "1",
           "-m", "256", "-icount", f"shift=auto,rr=record,rrfile={d}/record.log", "-rtc", "base=utc,clock=vm",
           "-kernel", os.path.join(guest, "vmlinuz"), "-initrd", os.path.join(guest, "initrd.gz"),
           "-append", f"console=ttyS0 vga=0x312 quiet rd.wl={workload} {extra}".strip(),
           "-drive", f"file={disk},format=qcow2,if=none,id=d0", "-drive", "driver=blkreplay,if=none,image=d0,id=disk0",
           "-device", "virtio-blk-pci,drive=disk0", "-vga", "std", "-display", "none", "-serial", f"file:{serial}",
           "-qmp", f"unix:{d}/qmp.sock,server=on,wait=off", "-net", "none"]
    qemu = subprocess.Popen(cmd, stderr=open(os.path.join(d, "qemu.stderr"), "w"))
    try:
        qmp = Qmp(os.path.join(d, "qmp.sock"))
        start = time.time()
        while b"RD: ready" not in (open(serial, "rb").read() if os.path.exists(serial) else b""):
            if qemu.poll() is not None or time.time() - start > 180:
                sys.exit(f"{label}: the guest did not report ready (see {d})")
            time.sleep(0.5)
        ready = time.time() - start
        print(f"[{label}] ready after {ready:.0f} s; running {workload} for {seconds} s", file=sys.stderr)
        time.sleep(seconds)
        for _ in range(3000):  # record/replay refuses savevm between checkpoints; retry as the product does
            reply = qmp.run("human-monitor-command", **{"command-line": "savevm s1"})
            if "error" not in reply and not reply.get("return"):
                break
            time.sleep(0.003)
        else:
            sys.exit(f"{label}: savevm kept failing: {reply}")
        listing = subprocess.run(["qemu-img", "snapshot", "-l", "-U", disk], capture_output=True, text=True,
                                 check=True).stdout
        sizes = [l.split() for l in listing.splitlines() if re.match(r"\s*\d+\s+s1\s", l)]
        size = " ".join(max(sizes, key=lambda f: float(f[2]) if f[3] != "B" else 0)[2:4])
        qmp.run("quit")
        qemu.wait(30)
        return ready, size, wire_estimate(disk, d)
    finally:
        if qemu.poll() is None:
            qemu.kill()


def main():
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--guest", default=os.path.join(repo, "native-hooks", "target", "guest"))
    ap.add_argument("--seconds", type=int, default=30)
    ap.add_argument("--workload", default="anim")
    ap.add_argument("--variants", default=DEFAULT_VARIANTS,
                    help="kernel arguments per variant, ';' between variants, - for none (default: %(default)s)")
    args = ap.parse_args()
    for f in ("vmlinuz", "initrd.gz", "video.raw"):
        if not os.path.isfile(os.path.join(args.guest, f)):
            sys.exit(f"{args.guest}/{f} is missing: build the demo guest first (mvn package)")
    work = tempfile.mkdtemp(prefix="guest-memory-bench-")
    try:
        rows = [(label,) + measure(args.guest, work, label, extra, args.workload, args.seconds)
                for label, extra in parse_variants(args.variants)]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"Demo guest, 256 MiB, `{args.workload}` for {args.seconds} s after RD: ready, then savevm under record.\n")
    print("| kernel arguments | ready after s | snapshot vmstate | first join on the wire (estimate) |")
    print("|---|---:|---:|---:|")
    for label, ready, size, wire in rows:
        print(f"| {label} | {ready:.0f} | {size} | {wire / 2**20:.1f} MiB |")


def parse_variants(text):
    """"-;init_on_free=1;init_on_free=1 memtest=1": kernel arguments added per variant, "-" for none."""
    variants = []
    for item in (v.strip() for v in text.split(";")):
        if not item:
            sys.exit(f"--variants: empty variant in '{text}' (write - for no extra arguments)")
        variants.append(("default", "") if item == "-" else (item, item))
    return variants


if __name__ == "__main__":
    main()
