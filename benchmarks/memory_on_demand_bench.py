#!/usr/bin/env python3
"""How much of a snapshot's memory a replay really reads, when RAM is kept out of the vmstate.

Records the demo guest the way the product's driver does (RAM in a shared tmpfs file, migration capability
x-ignore-shared), runs the workload, takes two snapshots: `full` with RAM inside the vmstate (the old way) and `s1`
with the guest stopped around savevm and a sparse copy of the RAM file (the product's way). Records on for a while,
then replays from `s1` to the recorder's last instruction twice, mapping the copy privately as the product's replayer
does: once with QEMU's defaults, once with librrpace (native-hooks/rrpace: MADV_RANDOM, and MADV_HUGEPAGE turned
into NOHUGEPAGE on that mapping). Before each replay the copy is dropped from the page cache; afterwards mincore()
tells which of its pages were read. Prints a markdown table; docs/benchmarks.md "Snapshot memory on demand" holds one.

    benchmarks/memory_on_demand_bench.py [--seconds 20] [--replay-seconds 15] [--workload anim]

Needs qemu-system-x86_64, qemu-img, the built demo guest and native-hooks/target/rrpace/librrpace.so (mvn package
builds both). The copy lives in a temporary folder on the disk (a page-cache file, so mincore can see reads).
"""
import argparse, ctypes, hashlib, os, re, shutil, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from guest_memory_bench import Qmp  # noqa: E402

PAGE = 4096


def qemu_command(guest, work, mode, disk, socket, memory, share, workload):
    return ["qemu-system-x86_64", "-nodefaults", "-no-user-config", "-machine", "pc,memory-backend=pc.ram",
            "-accel", "tcg", "-smp", "1", "-m", "256",
            "-object", f"memory-backend-file,id=pc.ram,size=256M,mem-path={memory},share={share}",
            "-icount", f"shift=auto,rr={mode},rrfile={work}/record.log", "-rtc", "base=utc,clock=vm",
            "-kernel", os.path.join(guest, "vmlinuz"), "-initrd", os.path.join(guest, "initrd.gz"),
            "-append", f"console=ttyS0 vga=0x312 quiet init_on_free=1 rd.wl={workload}",
            "-drive", f"file={disk},format=qcow2,if=none,id=d0", "-drive", "driver=blkreplay,if=none,image=d0,id=disk0",
            "-device", "virtio-blk-pci,drive=disk0", "-vga", "std", "-display", "none",
            "-serial", f"file:{work}/serial-{mode}.log", "-qmp", f"unix:{socket},server=on,wait=off", "-net", "none"]


def ignore_shared(qmp, on):
    reply = qmp.run("migrate-set-capabilities", capabilities=[{"capability": "x-ignore-shared", "state": on}])
    if "error" in reply:
        sys.exit(f"migrate-set-capabilities: {reply['error']}")


def savevm(qmp, tag, while_stopped=None):
    """savevm, retried while record/replay refuses; with while_stopped, the guest is stopped around it."""
    for _ in range(3000):
        if while_stopped:
            qmp.run("stop")
        reply = qmp.run("human-monitor-command", **{"command-line": f"savevm {tag}"})
        ok = "error" not in reply and not reply.get("return")
        if ok and while_stopped:
            while_stopped()
        if while_stopped:
            qmp.run("cont")
        if ok:
            return
        time.sleep(0.003)
    sys.exit(f"savevm {tag} kept failing: {reply}")


def sparse_copy(source, target):
    zero = bytes(65536)
    with open(source, "rb") as src, open(target, "wb") as dst:
        while True:
            block = src.read(65536)
            if not block:
                break
            if block == zero:
                dst.seek(len(block), 1)
            else:
                dst.write(block)
        dst.truncate()


def vm_sizes(disk):
    listing = subprocess.run(["qemu-img", "snapshot", "-l", "-U", disk], capture_output=True, text=True,
                             check=True).stdout
    sizes = {}
    for line in listing.splitlines():
        m = re.match(r"\s*\d+\s+(\S+)\s+([\d.]+ \w?i?B)\s", line)
        if m and not m.group(2).startswith("0 "):
            sizes[m.group(1)] = m.group(2)
    return sizes


def resident_pages(path):
    """Indexes of the file's pages in the page cache (mincore)."""
    size = os.path.getsize(path)
    fd = os.open(path, os.O_RDONLY)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.mmap.restype = ctypes.c_void_p
        libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
        libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
        addr = libc.mmap(None, size, 1, 1, fd, 0)  # PROT_READ, MAP_SHARED
        pages = (size + PAGE - 1) // PAGE
        vec = (ctypes.c_ubyte * pages)()
        if libc.mincore(ctypes.c_void_p(addr), ctypes.c_size_t(size), vec) != 0:
            sys.exit(f"mincore failed: errno {ctypes.get_errno()}")
        libc.munmap(ctypes.c_void_p(addr), size)
        return [i for i in range(pages) if vec[i] & 1]
    finally:
        os.close(fd)


def drop_cache(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def replay(guest, work, image, end_icount, workload, preload, label):
    disk = os.path.join(work, f"replay-{label}.qcow2")
    shutil.copy(os.path.join(work, "disk.qcow2"), disk)
    drop_cache(image)
    socket = os.path.join(work, f"replay-{label}.sock")
    env = dict(os.environ)
    if preload:
        env["LD_PRELOAD"] = preload
        env["RD_RANDOM_ACCESS_FILE"] = image
    qemu = subprocess.Popen(qemu_command(guest, work, "replay", disk, socket, image, "off", workload) + ["-S"],
                            env=env, stderr=open(os.path.join(work, f"replay-{label}.stderr"), "w"))
    try:
        qmp = Qmp(socket)
        ignore_shared(qmp, True)
        qmp.run("human-monitor-command", **{"command-line": "loadvm s1"})
        qmp.run("replay-break", icount=end_icount)
        start = time.time()
        qmp.run("cont")
        while qmp.run("query-status")["return"]["status"] == "running":
            if time.time() - start > 300:
                sys.exit(f"{label}: the replay did not reach icount {end_icount} within 300 s")
            time.sleep(0.1)
        took = time.time() - start
        icount = qmp.run("query-replay")["return"]["icount"]
        screen = os.path.join(work, f"replay-{label}.ppm")
        qmp.run("screendump", filename=screen)
        qmp.run("quit")
        qemu.wait(30)
    finally:
        if qemu.poll() is None:
            qemu.kill()
    touched = resident_pages(image)
    return took, icount, screen, touched


def main():
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--guest", default=os.path.join(repo, "native-hooks", "target", "guest"))
    ap.add_argument("--rrpace", default=os.path.join(repo, "native-hooks", "target", "rrpace", "librrpace.so"))
    ap.add_argument("--seconds", type=int, default=20, help="workload time before the snapshots")
    ap.add_argument("--replay-seconds", type=int, default=15, help="recording after the snapshots, then replayed")
    ap.add_argument("--workload", default="anim")
    args = ap.parse_args()
    for f in ("vmlinuz", "initrd.gz", "video.raw"):
        if not os.path.isfile(os.path.join(args.guest, f)):
            sys.exit(f"{args.guest}/{f} is missing: build the demo guest first (mvn package)")
    if not os.path.isfile(args.rrpace):
        sys.exit(f"{args.rrpace} is missing: build it first (make -C native-hooks rrpace, or mvn package)")
    work = tempfile.mkdtemp(prefix="memory-on-demand-", dir=os.path.join(repo, "target")
                            if os.path.isdir(os.path.join(repo, "target")) else None)
    live = tempfile.mktemp(prefix="memory-on-demand-", suffix=".ram", dir="/dev/shm")
    try:
        disk = os.path.join(work, "disk.qcow2")
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-b", os.path.join(args.guest, "video.raw"),
                        "-F", "raw", disk], check=True)
        socket = os.path.join(work, "record.sock")
        qemu = subprocess.Popen(qemu_command(args.guest, work, "record", disk, socket, live, "on", args.workload),
                                stderr=open(os.path.join(work, "record.stderr"), "w"))
        try:
            qmp = Qmp(socket)
            serial = os.path.join(work, "serial-record.log")
            start = time.time()
            while b"RD: ready" not in (open(serial, "rb").read() if os.path.exists(serial) else b""):
                if qemu.poll() is not None or time.time() - start > 180:
                    sys.exit(f"the guest did not report ready (see {work})")
                time.sleep(0.5)
            print(f"ready after {time.time() - start:.0f} s; {args.workload} for {args.seconds} s", file=sys.stderr)
            time.sleep(args.seconds)
            ignore_shared(qmp, False)
            savevm(qmp, "full")
            ignore_shared(qmp, True)
            image = os.path.join(work, "memory-s1.ram")
            stall = []

            def copy():
                t = time.time()
                sparse_copy(live, image)
                stall.append(time.time() - t)
            t0 = time.time()
            savevm(qmp, "s1", copy)
            stopped = time.time() - t0
            print(f"snapshots taken; recording {args.replay_seconds} s more", file=sys.stderr)
            time.sleep(args.replay_seconds)
            qmp.run("stop")
            end = qmp.run("query-replay")["return"]["icount"]
            recorded_screen = os.path.join(work, "record.ppm")
            qmp.run("screendump", filename=recorded_screen)
            qmp.run("quit")
            qemu.wait(30)
        finally:
            if qemu.poll() is None:
                qemu.kill()
        sizes = vm_sizes(disk)
        data = open(image, "rb").read()
        nonzero = sum(1 for i in range(0, len(data), PAGE) if data[i:i + PAGE].count(0) != PAGE)
        rows = []
        for label, preload in (("QEMU defaults", None), ("librrpace", args.rrpace)):
            print(f"replaying from s1 ({label})", file=sys.stderr)
            took, icount, screen, touched = replay(args.guest, work, image, end, args.workload, preload,
                                                   re.sub(r"\W+", "-", label))
            same = hashlib.sha256(open(screen, "rb").read()).digest() == \
                hashlib.sha256(open(recorded_screen, "rb").read()).digest()
            rows.append((label, took, icount == end, same, len(touched) * PAGE))
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if os.path.exists(live):
            os.unlink(live)
    print(f"Demo guest, 256 MiB, `{args.workload}` for {args.seconds} s, then snapshot `full` (RAM in the vmstate) and "
          f"`s1` (RAM kept out, copied with the guest stopped: {stopped * 1000:.0f} ms, of it the copy "
          f"{stall[0] * 1000:.0f} ms), then {args.replay_seconds} s more recorded and replayed from `s1`.\n")
    print(f"- vmstate of `full`: {sizes.get('full', '?')}; of `s1`: {sizes.get('s1', '?')}; "
          f"`s1`'s memory image: 256 MiB sparse, {nonzero * PAGE / 2**20:.1f} MiB of non-zero pages\n")
    print("| replayer maps the memory image with | replay time s | reached the end | same screen | pages read |")
    print("|---|---:|---|---|---:|")
    for label, took, reached, same, touched in rows:
        print(f"| {label} | {took:.1f} | {'yes' if reached else 'NO'} | {'yes' if same else 'NO'} | "
              f"{touched / 2**20:.1f} MiB |")


if __name__ == "__main__":
    main()
