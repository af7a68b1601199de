#!/usr/bin/env python3
"""Sequence experiment (issue 5; record/replay paper section 5, Figure 4): one recording demo VM goes through the
workload phases anim, idle, video, net, type, anim while three ways of showing it are measured side by side:

- display-only: a TigerVNC viewer (Tight, JPEG quality 6) on the VM's own relay display;
- adaptive: a second TigerVNC viewer (same settings) on an adaptive session's display; its traffic is the display
  bytes while the session shows the server's display plus the replay bytes (record log on the wire + join chunks)
  while it replays;
- replay-only: a replay client that joins once (the chunk bytes of the adaptive session's first join, else the BOOT
  snapshot's image) and then streams the whole record log; the log is measured on the wire by a replay-less
  record-log subscriber of our own (protocol v1, zlib on, exactly as a replayer subscribes).

Display bytes are counted by a TCP relay of our own between each viewer and its display (what crosses the network
to the viewer), so no server counter is trusted alone; the session's own counters are sampled next to them.

Drives the built distribution (karaf-assembly/target/*.tar.gz) started with bin/start in a folder of its own with
its own ports, through SSH (a key added to etc/keys.properties: an ssh call costs ~5 ms of CPU where bin/client
starts a JVM, which would load the 2-core machine every 2 s).

Usage: benchmarks/sequence_bench.sh [--phase-seconds 120] [--phases anim:300,idle:100,...] [--no-write]
A phase may carry its own length: --phases anim:300,idle:100,video:300,net:60,type:60,anim:300 (the paper's
sequence experiment ran 5-minute video and game phases and 100 s of idle).
"""
import argparse, datetime, json, math, os, re, shutil, signal, socket, struct, subprocess, sys, tempfile, threading, time, zlib

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VM = "seq"
SECTION = "## Sequence experiment (adaptive sessions, Figure 4)"
START_MARK, END_MARK = "<!-- sequence-bench:start -->", "<!-- sequence-bench:end -->"
# The paper's sequence experiment (section 5) ran 5-minute video and game phases and 100 s of idle; 120 s phases
# leave too little time to amortize a switch (20 s of display before the decision, then a join).
DEFAULT_PHASES = "anim:300,idle:100,video:300,net:60,type:60,anim:300"
DISPLAY_MODES = ("DISPLAY", "SNAPSHOTTING", "DUAL")  # the session's viewers see the server's display in these


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_port_pair():
    """Two consecutive free ports: the record-log streamer's and the chunk server's (the replay client finds the
    chunk server at the streamer's port + 1)."""
    for _ in range(100):
        p = free_port()
        try:
            with socket.socket() as s:
                s.bind(("127.0.0.1", p + 1))
            return p
        except OSError:
            continue
    raise RuntimeError("no two consecutive free ports")


def free_port_range(n, first=20000, last=60000):
    """A base port with n free ports after it (display and VNC port bases hand out base+0, +1, ...)."""
    for base in range(first, last, 7):
        ok = True
        for p in range(base, base + n):
            try:
                with socket.socket() as s:
                    s.bind(("127.0.0.1", p))
            except OSError:
                ok = False
                break
        if ok:
            return base
    raise RuntimeError(f"no {n} consecutive free ports")


class Cleanup:
    """Everything the run started, stopped in reverse order on success, failure and Ctrl-C."""

    def __init__(self):
        self.actions = []

    def add(self, what, fn):
        self.actions.append((what, fn))

    def run(self):
        while self.actions:
            what, fn = self.actions.pop()
            try:
                fn()
            except Exception as e:  # keep stopping the rest
                log(f"cleanup: {what} failed: {e}")


def stop_process(p, timeout=10):
    if p.poll() is None:
        p.terminate()
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


class Karaf:
    def __init__(self, home, key, ssh_port):
        self.home, self.key, self.ssh_port = home, key, ssh_port
        self.env = dict(os.environ)
        java = os.path.realpath(shutil.which("java") or sys.exit("java is not on PATH: install a JDK 17"))
        self.env.setdefault("JAVA_HOME", os.path.dirname(os.path.dirname(java)))

    def set(self, cfg, key, value):
        path = os.path.join(self.home, "etc", cfg)
        lines = open(path).read().splitlines() if os.path.exists(path) else []
        pat = re.compile(r"\s*" + re.escape(key) + r"\s*=")
        out = [f"{key} = {value}" if pat.match(l) else l for l in lines]
        if not any(pat.match(l) for l in lines):
            out.append(f"{key} = {value}")
        with open(path, "w") as f:
            f.write("\n".join(out) + "\n")

    def ssh(self, command, check=True, timeout=300):
        p = subprocess.run(["ssh", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                            "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "-i", self.key, "-p", str(self.ssh_port),
                            "karaf@127.0.0.1", command], capture_output=True, text=True, timeout=timeout)
        out = re.sub(r"\x1b\[[0-9;]*m", "", p.stdout + p.stderr)
        # ssh's own notice when Karaf closes the channel after a command: not command output.
        out = "\n".join(l for l in out.splitlines() if not l.startswith("Connection to 127.0.0.1 closed"))
        if check and (p.returncode != 0 or "Error executing command" in out):
            raise RuntimeError(f"'{command}' failed ({p.returncode}): {out.strip()}")
        return out

    def start(self):
        subprocess.run([os.path.join(self.home, "bin", "start")], env=self.env, check=True, cwd=self.home)
        deadline = time.time() + 180
        while time.time() < deadline:
            try:
                if "Name\tState" in self.ssh("desk:vm-list --no-format"):
                    return
            except Exception:
                pass
            time.sleep(1)
        raise RuntimeError("the distribution did not answer desk:vm-list within 180 s; see " +
                           os.path.join(self.home, "data", "log", "karaf.log"))

    def stop(self):
        subprocess.run([os.path.join(self.home, "bin", "stop")], env=self.env, cwd=self.home,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
        deadline = time.time() + 60
        lib = os.path.join(self.home, "lib")
        while time.time() < deadline:
            if subprocess.run(["pgrep", "-f", lib], capture_output=True).returncode != 0:
                return
            time.sleep(0.5)
        # Only the JVM of this run's folder: its command line names our lib folder.
        for pid in subprocess.run(["pgrep", "-f", lib], capture_output=True, text=True).stdout.split():
            os.kill(int(pid), signal.SIGKILL)


class CountingRelay:
    """A TCP relay between one viewer and its display that counts the bytes the display sends the viewer."""

    def __init__(self, target_port):
        self.target_port = target_port
        self.down = 0  # display -> viewer
        self.up = 0
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(4)
        self.port = self.server.getsockname()[1]
        self.closed = False
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.closed:
            try:
                viewer, _ = self.server.accept()
            except OSError:
                return
            display = socket.create_connection(("127.0.0.1", self.target_port))
            for s in (viewer, display):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=self._pump, args=(display, viewer, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(viewer, display, False), daemon=True).start()

    def _pump(self, src, dst, down):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
                with self.lock:
                    if down:
                        self.down += len(data)
                    else:
                        self.up += len(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self):
        self.closed = True
        self.server.close()


def hello_frame(vm, offset, token="", zlib_on=True):
    """The record-log HELLO (protocol v1, bundles/org.replaydesk.recordlog/README.md)."""
    name, tok = vm.encode(), token.encode()
    payload = (b"RDLG" + struct.pack(">HHQH", 1, 1 if zlib_on else 0, offset, len(tok)) + tok
               + struct.pack(">B", len(name)) + name)
    return struct.pack(">BI", 1, len(payload)) + payload


class FrameReader:
    """Splits the (decompressed) server stream into (type, payload) frames, whatever the read boundaries."""

    def __init__(self):
        self.buffer = b""

    def feed(self, data):
        self.buffer += data
        frames = []
        while len(self.buffer) >= 5:
            ftype, length = struct.unpack(">BI", self.buffer[:5])
            if ftype not in (2, 3, 4, 5) or length > 65536 + 8:
                raise ValueError(f"record-log stream: unexpected frame type {ftype} or length {length}")
            if len(self.buffer) < 5 + length:
                break
            frames.append((ftype, self.buffer[5:5 + length]))
            self.buffer = self.buffer[5 + length:]
        return frames


class LogWireCounter:
    """A replay-less record-log subscriber (protocol v1, zlib on, as the replay client subscribes): counts the bytes
    the streamer sends on the wire and, decompressed, the log bytes they carry."""

    def __init__(self, port, vm, offset):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.sendall(hello_frame(vm, offset))
        self.wire = 0
        self.log_bytes = 0
        self.error = None
        self.inflater = zlib.decompressobj()
        self.frames = FrameReader()
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        try:
            while True:
                data = self.sock.recv(65536)
                if not data:
                    return
                for ftype, body in self.frames.feed(self.inflater.decompress(data)):
                    if ftype == 2:
                        with self.lock:
                            self.log_bytes += len(body) - 8
                    elif ftype == 5:
                        self.error = body[3:].decode(errors="replace")
                with self.lock:
                    self.wire += len(data)
        except (OSError, ValueError, zlib.error) as e:
            self.error = self.error or str(e)

    def close(self):
        self.sock.close()


def self_test():
    """Golden bytes for the HELLO (the README's example) and the frame reader fed a byte at a time."""
    golden = bytes.fromhex("01 00000018 52444c47 0001 0001 0000000000001234 0002 746b 03 766d31".replace(" ", ""))
    assert hello_frame("vm1", 0x1234, "tk") == golden, hello_frame("vm1", 0x1234, "tk").hex()
    stream = (struct.pack(">BI", 2, 11) + struct.pack(">Q", 7) + b"abc"
              + struct.pack(">BI", 3, 24) + struct.pack(">QQQ", 1, 10, 2 ** 64 - 1))
    deflater = zlib.compressobj(6)
    wire = deflater.compress(stream) + deflater.flush(zlib.Z_SYNC_FLUSH)
    reader, inflater, frames = FrameReader(), zlib.decompressobj(), []
    for i in range(len(wire)):
        frames += reader.feed(inflater.decompress(wire[i:i + 1]))
    assert [f[0] for f in frames] == [2, 3] and frames[0][1][8:] == b"abc", frames
    try:
        FrameReader().feed(b"\x09\x00\x00\x00\x00")
        raise AssertionError("a frame of unknown type was accepted")
    except ValueError as e:
        assert "type 9" in str(e)
    print("self-test passed: HELLO golden bytes, frames byte at a time, bad frame type refused")


def start_xvfb(work, cleanup, name):
    r, w = os.pipe()
    errlog = open(os.path.join(work, f"xvfb-{name}.log"), "w")
    p = subprocess.Popen(["Xvfb", "-displayfd", str(w), "-screen", "0", "640x480x24", "-nolisten", "tcp"],
                         pass_fds=(w,), stdout=errlog, stderr=errlog)
    os.close(w)
    cleanup.add(f"Xvfb {name}", lambda: stop_process(p))
    number = b""
    deadline = time.time() + 15
    while not number.endswith(b"\n") and time.time() < deadline:
        chunk = os.read(r, 16)
        if not chunk:
            break
        number += chunk
    os.close(r)
    if not number.strip():
        raise RuntimeError(f"Xvfb did not start; see {errlog.name}")
    return ":" + number.decode().strip()


def start_viewer(work, cleanup, name, port):
    """xtigervncviewer full screen on its own Xvfb: Tight, JPEG quality 6 (as in the display bundle's TigerVNC
    tests; CompressLevel needs CustomCompressLevel or the viewer asks for level 2 anyway)."""
    display = start_xvfb(work, cleanup, name)
    out = open(os.path.join(work, f"viewer-{name}.log"), "w")
    env = dict(os.environ, DISPLAY=display)
    p = subprocess.Popen(["xtigervncviewer", "-FullScreen", "-MenuKey=", "-AutoSelect=0", "-PreferredEncoding=Tight",
                          "-FullColor", "-QualityLevel=6", "-CustomCompressLevel=1", "-CompressLevel=2",
                          f"127.0.0.1::{port}"], env=env, stdout=out, stderr=out)
    cleanup.add(f"viewer {name}", lambda: stop_process(p))
    return display, p


def kv(line):
    return dict(m.groups() for m in re.finditer(r"(\w+)=(\S*)", line))


def loadavg():
    return open("/proc/loadavg").read().split()[:3]


# ---------------------------------------------------------------------------------------------------------------- run

def run(args, work, cleanup):
    assembly = args.assembly or next(iter(sorted(
        os.path.join(REPO, "karaf-assembly", "target", f) for f in os.listdir(os.path.join(REPO, "karaf-assembly",
                                                                                          "target"))
        if f.endswith(".tar.gz"))), None)
    if not assembly:
        sys.exit("no karaf-assembly/target/*.tar.gz: build it (benchmarks/sequence_bench.sh does)")
    for program, package in (("Xvfb", "xvfb"), ("xtigervncviewer", "tigervnc-viewer"), ("xdotool", "xdotool"),
                             ("ssh", "openssh-client"), ("ssh-keygen", "openssh-client")):
        if not shutil.which(program):
            sys.exit(f"{program} is missing: install the Debian package {package} (scripts/packages.sh)")

    home = os.path.join(work, "karaf")
    os.makedirs(home)
    subprocess.run(["tar", "xzf", assembly, "-C", home, "--strip-components=1"], check=True)
    key = os.path.join(work, "benchkey")
    subprocess.run(["ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", key], check=True)
    with open(os.path.join(home, "etc", "keys.properties"), "a") as f:
        f.write("\nkaraf=" + open(key + ".pub").read().split()[1] + ",_g_:admingroup\n")
    karaf = Karaf(home, key, free_port())
    log_port = free_port_pair()
    karaf.set("org.apache.karaf.shell.cfg", "sshPort", karaf.ssh_port)
    karaf.set("org.replaydesk.hypervisor.qemu.cfg", "net.server.port", free_port())
    karaf.set("org.replaydesk.hypervisor.qemu.cfg", "vnc.loopback.port.base", free_port_range(8, 5910, 6900))
    karaf.set("org.replaydesk.recordlog.cfg", "port", log_port)
    karaf.set("org.replaydesk.pager.cfg", "port", log_port + 1)
    karaf.set("org.replaydesk.session.cfg", "record.log.port", log_port)
    base = free_port_range(16)
    karaf.set("org.replaydesk.display.vnc.cfg", "port.base", base)
    karaf.set("org.replaydesk.display.vnc.cfg", "websocket.port.base", base + 8)
    if args.policy:
        karaf.set("org.replaydesk.session.cfg", "policy.name", args.policy)
    log(f"starting the distribution in {home} (ssh {karaf.ssh_port}, record log {log_port})")
    cleanup.add("Karaf", karaf.stop)
    karaf.start()

    policies = karaf.ssh("desk:policy-list")
    policy_installed = "No policy installed" not in policies
    log("policies: " + policies.strip().replace("\n", " | "))

    karaf.ssh(f"desk:vm-create --network --workload {args.phases[0]} {VM}")
    karaf.ssh(f"desk:vm-start {VM}")
    cleanup.add("VM", lambda: karaf.ssh(f"desk:vm-stop {VM}", check=False, timeout=60))
    log("waiting for the guest (RD: ready) and its BOOT snapshot")
    deadline = time.time() + 300
    snapshots = ""
    while time.time() < deadline:
        snapshots = karaf.ssh(f"desk:snapshot-list {VM}", check=False)
        if "BOOT" in snapshots:
            break
        time.sleep(2)
    else:
        raise RuntimeError(f"no BOOT snapshot within 300 s: {snapshots}")
    boot_image = parse_boot_image_bytes(snapshots)
    log(f"BOOT snapshot: {snapshots.strip()}")

    out = karaf.ssh(f"desk:session-open {VM}")
    m = re.search(r"Session (\S+) on .*vncviewer 127\.0\.0\.1::(\d+)", out)
    if not m:
        raise RuntimeError(f"session-open printed no session and port: {out}")
    session, session_port = m.group(1), int(m.group(2))
    cleanup.add("session", lambda: karaf.ssh(f"desk:session-close {session}", check=False, timeout=60))
    own_port = None
    for line in karaf.ssh("desk:display-list --no-format").splitlines():
        cols = line.split("\t")
        if cols and cols[0] == VM:
            own_port = int(cols[1].rsplit(":", 1)[1])
    if own_port is None:
        raise RuntimeError("the VM has no display in display-list")
    log(f"session {session} on port {session_port}; the VM's own display on port {own_port}")

    adaptive_relay, display_relay = CountingRelay(session_port), CountingRelay(own_port)
    cleanup.add("relays", lambda: (adaptive_relay.close(), display_relay.close()))
    adaptive_x, _ = start_viewer(work, cleanup, "adaptive", adaptive_relay.port)
    display_x, _ = start_viewer(work, cleanup, "display", display_relay.port)
    deadline = time.time() + 60
    while time.time() < deadline:
        viewers = kv(session_line(karaf.ssh("desk:session-list --no-format"), session)).get("viewers", "0")
        if viewers != "0" and display_relay.down > 0:
            break
        time.sleep(1)
    else:
        raise RuntimeError(f"the viewers did not connect within 60 s; see {work}/viewer-*.log")
    if not policy_installed:
        # Without a policy the session stays in display mode: pin it to replay so the benchmark still exercises
        # the adaptive path (noted in the write-up).
        karaf.ssh(f"desk:session-mode {session} replay")

    vm_dir = os.path.join(home, "data", "replaydesk", "vms", VM)
    record_log = os.path.join(vm_dir, "record.log")
    log_counter = LogWireCounter(log_port, VM, os.path.getsize(record_log))
    cleanup.add("log subscriber", log_counter.close)

    samples, phases = [], []
    t0 = time.time()
    first_join, first_join_over = [0], [False]
    stop_sampling = threading.Event()

    def sample(phase):
        out = karaf.ssh(f"desk:session-list --no-format; desk:display-stats --no-format {VM}; "
                        "desk:replay-status --no-format", check=False, timeout=30)
        s = kv(session_line(out, session))
        stats = dict(l.split("\t", 1) for l in out.splitlines() if "\t" in l)
        replay = next((kv(l) for l in out.splitlines() if l.startswith(f"vm={VM} ")), {})
        # Wire bytes (chunks compressed on the network); a build from before pager protocol 2 has chunkBytes only.
        chunk = int(replay.get("chunkWireBytes", replay.get("chunkBytes", "0")) or 0)
        # The first join's chunk bytes: the first replay session's, for as long as it lives (it pages on demand).
        if not first_join_over[0]:
            if replay and chunk >= first_join[0]:
                first_join[0] = chunk
            elif first_join[0] > 0:
                first_join_over[0] = True
        with log_counter.lock:
            wire, log_bytes = log_counter.wire, log_counter.log_bytes
        samples.append({
            "t": round(time.time() - t0, 2), "phase": phase, "mode": s.get("mode", "?"),
            "display_only_bytes": display_relay.down, "adaptive_viewer_bytes": adaptive_relay.down,
            "session_display_bytes": int(s.get("displayBytes", 0) or 0),
            "session_replay_bytes": int(s.get("replayBytes", 0) or 0), "switches": int(s.get("switches", 0) or 0),
            "record_log_size": os.path.getsize(record_log), "log_wire_bytes": wire, "log_stream_bytes": log_bytes,
            "replay_chunk_bytes": chunk, "replay_state": replay.get("state", "-"),
            "replay_log_wire_bytes": int(replay.get("logWireBytes", "0") or 0), "replayer": replay.get("replayer", "-"),
            "display_stats_total": parse_bytes(stats.get("Total bytes", "0")), "load1": loadavg()[0]})

    typing = threading.Event()

    def typist():
        # A few keys per second into the session's viewer: the viewer forwards them to the session, which sends
        # them to the VM (input metrics see them).
        env = dict(os.environ, DISPLAY=adaptive_x)
        subprocess.run(["xdotool", "mousemove", "320", "240", "click", "1"], env=env, check=False)
        while not stop_sampling.is_set():
            if typing.is_set():
                subprocess.run(["xdotool", "type", "--delay", "250", "the quick brown fox "], env=env, check=False)
            else:
                time.sleep(0.2)

    threading.Thread(target=typist, daemon=True).start()
    load_start = loadavg()
    try:
        for i, phase in enumerate(args.phases):
            start = time.time() - t0
            if i > 0 or phase != args.phases[0]:
                karaf.ssh(f"desk:vm-workload {VM} {phase}")
            seconds = args.phase_lengths[i]
            log(f"phase {i + 1}/{len(args.phases)}: {phase} ({seconds} s)")
            typing.set() if phase == "type" else typing.clear()
            end = start + seconds
            sample(phase)
            while time.time() - t0 < end:
                time.sleep(max(0.0, min(args.sample_seconds - (time.time() - t0 - samples[-1]["t"]),
                                        end - (time.time() - t0))))
                sample(phase)
                last = samples[-1]
                if len(samples) % 10 == 0:
                    log(f"  t={last['t']:.0f}s mode={last['mode']} display-only={last['display_only_bytes']} "
                        f"adaptive-viewer={last['adaptive_viewer_bytes']} log={last['record_log_size']} "
                        f"log-wire={last['log_wire_bytes']} load={last['load1']}")
            phases.append((phase, start, time.time() - t0))
    finally:
        typing.clear()
        stop_sampling.set()
    history = karaf.ssh(f"desk:session-history --no-format {session}", check=False)
    timeline_dir = os.path.join(home, "data", "replaydesk", "sessions")
    timeline = ""
    if os.path.isdir(timeline_dir):
        for f in os.listdir(timeline_dir):
            if f.startswith(session + "-"):
                timeline = open(os.path.join(timeline_dir, f)).read()
    return {"samples": samples, "phases": phases, "history": history, "timeline": timeline, "session": session,
            "policy_installed": policy_installed, "policies": policies, "boot_image": boot_image,
            "join_bytes": first_join[0], "load_start": load_start, "load_end": loadavg(), "assembly": assembly,
            "log_error": log_counter.error}


def session_line(out, session):
    return next((l for l in out.splitlines() if l.startswith(f"id={session} ")), "")


def parse_bytes(text):
    m = re.match(r"\s*([\d.,]+)\s*([KMG]i?B|B|bytes)?", text)
    if not m:
        return 0
    n = float(m.group(1).replace(",", ""))
    unit = (m.group(2) or "B")[0]
    return int(n * {"K": 1024, "M": 1024 ** 2, "G": 1024 ** 3}.get(unit, 1))


def parse_boot_image_bytes(snapshots):
    """The BOOT snapshot's image size from snapshot-list: TAG TRIGGER date time ICOUNT LOG-OFFSET STALL IMAGE-MiB."""
    m = re.search(r"BOOT\s+\S+\s+\S+\s+\d+\s+\d+\s+\d+\s+([\d.]+)", snapshots)
    return int(float(m.group(1)) * 1024 ** 2) if m else 0


# ------------------------------------------------------------------------------------------------------------ analyse

def analyse(result):
    """Per sample interval: display-only bytes (its relay), adaptive bytes (the session viewer's relay bytes while
    the session showed the server's display, plus the session's replay bytes), replay-only bytes (the log on the
    wire; the join is added once at the start)."""
    s = result["samples"]
    join = result["join_bytes"] or result["boot_image"]
    rows = []
    cum = {"display": 0, "adaptive": 0, "replay": join}
    for prev, cur in zip(s, s[1:]):
        d_display = cur["display_only_bytes"] - prev["display_only_bytes"]
        d_viewer = cur["adaptive_viewer_bytes"] - prev["adaptive_viewer_bytes"]
        d_replay = replay_delta(prev, cur)
        # An interval with a switch at either end counts the viewer's bytes in full: at most one sample interval per
        # switch is over-counted, never a display interval missed.
        shows_server = prev["mode"] in DISPLAY_MODES or cur["mode"] in DISPLAY_MODES
        d_adaptive = (d_viewer if shows_server else 0) + d_replay
        d_log = cur["log_wire_bytes"] - prev["log_wire_bytes"]
        cum["display"] += d_display
        cum["adaptive"] += d_adaptive
        cum["replay"] += d_log
        rows.append(dict(cur, d_display=d_display, d_adaptive=d_adaptive, d_replay_only=d_log,
                         d_log_raw=cur["record_log_size"] - prev["record_log_size"],
                         cum_display=cum["display"], cum_adaptive=cum["adaptive"], cum_replay=cum["replay"]))
    per_phase = []
    for i, (phase, start, end) in enumerate(result["phases"]):
        pr = [r for r in rows if start < r["t"] <= end + 0.01]
        modes = []
        for r in pr:
            if not modes or modes[-1] != r["mode"]:
                modes.append(r["mode"])
        first = next((x for x in s if x["t"] >= start - 0.01), s[0])
        last = pr[-1] if pr else first
        per_phase.append({
            "n": i + 1, "phase": phase, "seconds": end - start,
            "display": sum(r["d_display"] for r in pr), "adaptive": sum(r["d_adaptive"] for r in pr),
            "replay": sum(r["d_replay_only"] for r in pr) + (join if i == 0 else 0),
            "log_raw": sum(r["d_log_raw"] for r in pr), "modes": modes,
            "switches": last["switches"] - first["switches"],
            "decisions": decisions(rows, pr)})
    return rows, per_phase, join


def decisions(rows, phase_rows):
    """Mode decisions in a phase: each time the session starts an attempt at replay (DISPLAY -> SNAPSHOTTING) or
    returns to the server's display. One attempt goes through three transitions (snapshotting, dual, replay) but is
    one decision; flapping is several decisions back and forth."""
    if not phase_rows:
        return 0
    i = rows.index(phase_rows[0])
    side = lambda m: "display" if m == "DISPLAY" else "replay"
    before = side(rows[i - 1]["mode"]) if i > 0 else side(phase_rows[0]["mode"])
    n = 0
    for r in phase_rows:
        if side(r["mode"]) != before:
            n += 1
            before = side(r["mode"])
    return n


def replay_delta(prev, cur):
    """The adaptive session's replay traffic between two samples, from replay-status (log on the wire + chunks):
    a replay session that appears (or restarts: counters went down) counts from zero, since its counters start at
    zero when it starts fetching."""
    if cur["replay_state"] == "-":
        return 0
    now = cur["replay_log_wire_bytes"] + cur["replay_chunk_bytes"]
    before = prev["replay_log_wire_bytes"] + prev["replay_chunk_bytes"] if prev["replay_state"] != "-" else 0
    return now - before if now >= before else now


def targets(per_phase):
    total_d = sum(p["display"] for p in per_phase)
    total_r = sum(p["replay"] for p in per_phase)
    total_a = sum(p["adaptive"] for p in per_phase)
    better = min(total_d, total_r)
    out = []
    ok = total_a <= better * 1.10
    out.append((ok, f"adaptive total {kb(total_a)} within 10% of the better fixed mode "
                    f"({'display' if total_d <= total_r else 'replay'}-only {kb(better)}): "
                    f"{total_a / better:.2f}x" if better else "no traffic"))
    for p in per_phase:
        if p["phase"] in ("anim", "video"):
            ratio = p["display"] / p["adaptive"] if p["adaptive"] else float("inf")
            out.append((ratio >= 5, f"phase {p['n']} {p['phase']}: display-only / adaptive = {ratio:.1f}x (>= 5x)"))
    worst = max(per_phase, key=lambda p: p["decisions"])
    out.append((worst["decisions"] <= 2, "no flapping: at most 2 mode decisions per phase (an attempt at replay, a "
                                         f"return to display; most: {worst['decisions']} in phase {worst['n']} "
                                         f"{worst['phase']})"))
    return out, (total_d, total_r, total_a)


def kb(n):
    return f"{n / 1024:,.0f} KiB" if n < 10 * 1024 ** 2 else f"{n / 1024 ** 2:,.1f} MiB"


# --------------------------------------------------------------------------------------------------------- write-up

MODE_COLOURS = {"DISPLAY": "#f4c7a1", "SNAPSHOTTING": "#f2e394", "DUAL": "#c9e4a6", "REPLAY": "#a9cbe8"}


def svg_chart(rows, phases, path, join):
    w, h, left, right, top, bottom = 900, 420, 80, 170, 40, 60
    pw, ph = w - left - right, h - top - bottom
    t_end = max(r["t"] for r in rows) if rows else 1
    values = [v for r in rows for v in (r["cum_display"], r["cum_adaptive"], r["cum_replay"]) if v > 0]
    lo = 10 ** int(math.floor(math.log10(max(1000, min(values) if values else 1000))))
    hi = max(values) * 1.5 if values else 10 * lo

    def x(t):
        return left + pw * t / t_end

    def y(v):
        v = max(v, lo)
        return top + ph - ph * (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" '
           f'font-size="12">', f'<rect width="{w}" height="{h}" fill="white"/>',
           f'<text x="{w / 2}" y="20" text-anchor="middle" font-size="14">Sequence experiment: cumulative bytes '
           f'(log scale), adaptive session mode as bands</text>']
    # Mode bands: the adaptive session's mode in each sample interval, one rectangle per run of equal modes (touching
    # rectangles would leave anti-aliasing seams).
    runs = []
    prev_t = 0
    for r in rows:
        if runs and runs[-1][0] == r["mode"]:
            runs[-1][2] = r["t"]
        else:
            runs.append([r["mode"], prev_t, r["t"]])
        prev_t = r["t"]
    for mode, start, end in runs:
        out.append(f'<rect x="{x(start):.1f}" y="{top}" width="{max(0.5, x(end) - x(start)):.1f}" height="{ph}" '
                   f'fill="{MODE_COLOURS.get(mode, "#dddddd")}" opacity="0.45"/>')
    # Decades.
    d = lo
    while d <= hi:
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{y(d):.1f}" y2="{y(d):.1f}" stroke="#bbb" '
                   f'stroke-dasharray="2,3"/>')
        out.append(f'<text x="{left - 6}" y="{y(d) + 4:.1f}" text-anchor="end">{decimal(d)}</text>')
        d *= 10
    for name, start, end in phases:
        out.append(f'<line x1="{x(start):.1f}" x2="{x(start):.1f}" y1="{top}" y2="{top + ph}" stroke="#333"/>')
        out.append(f'<text x="{(x(start) + x(end)) / 2:.1f}" y="{top + 14}" text-anchor="middle" '
                   f'font-weight="bold">{name}</text>')
    out.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#333"/>')
    for t in range(0, int(t_end) + 1, max(30, int(t_end / 10) // 30 * 30 or 30)):
        out.append(f'<text x="{x(t):.1f}" y="{top + ph + 16}" text-anchor="middle">{t}</text>')
    out.append(f'<text x="{left + pw / 2}" y="{top + ph + 34}" text-anchor="middle">seconds</text>')
    series = [("display-only", "cum_display", "#d62728"), ("replay-only", "cum_replay", "#1f77b4"),
              ("adaptive", "cum_adaptive", "#2ca02c")]
    for i, (label, key, colour) in enumerate(series):
        pts = [(0, join if key == "cum_replay" else 0)] + [(r["t"], r[key]) for r in rows]
        path_d = " ".join(f"{'M' if j == 0 else 'L'}{x(t):.1f},{y(v):.1f}" for j, (t, v) in enumerate(pts))
        out.append(f'<path d="{path_d}" fill="none" stroke="{colour}" stroke-width="2"/>')
        out.append(f'<line x1="{left + pw + 12}" x2="{left + pw + 32}" y1="{top + 20 + 18 * i}" '
                   f'y2="{top + 20 + 18 * i}" stroke="{colour}" stroke-width="2"/>')
        out.append(f'<text x="{left + pw + 38}" y="{top + 24 + 18 * i}">{label}</text>')
    for i, (mode, colour) in enumerate(MODE_COLOURS.items()):
        yy = top + 90 + 18 * i
        out.append(f'<rect x="{left + pw + 12}" y="{yy - 10}" width="20" height="12" fill="{colour}"/>')
        out.append(f'<text x="{left + pw + 38}" y="{yy}">{mode.lower()}</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def decimal(n):
    """A power of ten as an axis label (decimal units: the axis has decades)."""
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}"
        n /= 1000


def write_csv(rows, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    cols = ["t", "phase", "mode", "display_only_bytes", "adaptive_viewer_bytes", "session_display_bytes",
            "session_replay_bytes", "replay_state", "replay_log_wire_bytes", "switches", "record_log_size", "log_wire_bytes", "log_stream_bytes",
            "replay_chunk_bytes", "display_stats_total", "cum_display", "cum_adaptive",
            "cum_replay", "load1"]
    with open(path, "w") as f:
        f.write(",".join(cols) + "\n")
        for r in rows:
            f.write(",".join(str(r[c]) for c in cols) + "\n")


def parse_phases(text, default_seconds):
    """'anim,idle:100' -> (['anim', 'idle'], [default_seconds, 100]); a bad entry exits with a message naming it."""
    names, lengths = [], []
    for entry in text.split(","):
        name, _, seconds = entry.strip().partition(":")
        if not re.fullmatch(r"[a-z]+", name) or (seconds and not re.fullmatch(r"[1-9][0-9]*", seconds)):
            sys.exit(f"--phases: '{entry}' is not WORKLOAD or WORKLOAD:SECONDS (e.g. anim:300)")
        names.append(name)
        lengths.append(int(seconds) if seconds else default_seconds)
    return names, lengths


def phase_lengths_text(args):
    if len(set(args.phase_lengths)) == 1:
        return f"{args.phase_lengths[0]} s per phase"
    return "phases of " + ", ".join(f"{n} {s} s" for n, s in zip(args.phases, args.phase_lengths))


def report(args, result, rows, per_phase, join, started):
    checks, (total_d, total_r, total_a) = targets(per_phase)
    policy = "paper" if result["policy_installed"] else None
    loads = [float(x["load1"]) for x in result["samples"]]
    mean_load, max_load = sum(loads) / max(1, len(loads)), max(loads or [0])
    installed = "; ".join(l.strip() for l in result["policies"].splitlines()[1:] if l.strip())
    lines = [START_MARK,
             f"Measured {started:%Y-%m-%d %H:%M} UTC on this machine (2 cores, shared), QEMU 7.2 TCG "
             f"`-icount shift=auto`, one recording demo VM (256 MiB, `--network`), {phase_lengths_text(args)}, "
             f"samples every {args.sample_seconds:g} s; load average (1/5/15 min) at the start "
             f"{'/'.join(result['load_start'])}, at the end {'/'.join(result['load_end'])}, 1-minute load over the "
             f"samples {mean_load:.1f} on average (max {max_load:.1f}).",
             "Policy: " + (f"`{args.policy or 'paper'}` (`desk:policy-list`: {installed})" if policy else
                           "**none installed in this build**: the session was pinned to replay "
                           "(`desk:session-mode ID replay`) once its viewer connected, so the adaptive column shows "
                           "a session that replays whenever it can, not the paper policy's choices") + ".",
             "Reproduce: `benchmarks/sequence_bench.sh"
             + ("" if all(":" in p for p in args.phases_arg.split(",")) else f" --phase-seconds {args.phase_seconds}")
             + ("" if args.phases_arg == DEFAULT_PHASES else f" --phases {args.phases_arg}")
             + "`.",
             "",
             "| # | phase | display-only | replay-only | adaptive | record log (raw) | adaptive modes | switches |",
             "|---|---|---:|---:|---:|---:|---|---:|"]
    for p in per_phase:
        lines.append(f"| {p['n']} | {p['phase']} | {kb(p['display'])} | {kb(p['replay'])} | {kb(p['adaptive'])} | "
                     f"{kb(p['log_raw'])} | {' → '.join(m.lower() for m in p['modes'])} | {p['switches']} |")
    lines.append(f"| | **total** | **{kb(total_d)}** | **{kb(total_r)}** | **{kb(total_a)}** | "
                 f"{kb(sum(p['log_raw'] for p in per_phase))} | | "
                 f"{sum(p['switches'] for p in per_phase)} |")
    lines += ["", f"Replay-only includes one join of {kb(join)} in phase 1 "
                  f"({'chunk bytes of the adaptive session' + chr(39) + 's first join' if result['join_bytes'] else 'the BOOT snapshot image'}; "
                  f"the BOOT snapshot's image is {kb(result['boot_image'])}).",
              "", "Targets:", ""]
    for ok, text in checks:
        lines.append(f"- {'PASS' if ok else 'MISS'}: {text}")
    switches = [kv(l) for l in result["history"].splitlines() if l.startswith("decidedAt=")]
    if switches:
        lines += ["", "Switch log (`desk:session-history`):", "",
                  "| decided (UTC) | from | to | by | latency ms | stall ms | reason |", "|---|---|---|---|---:|---:|---|"]
        for sw in switches:
            lines.append(f"| {sw.get('decidedAt', '')[11:19]} | {sw.get('from', '')} | {sw.get('to', '')} | "
                         f"{sw.get('decidedBy', '')} | {sw.get('latencyMillis', '')} | {sw.get('stallMillis', '')} | "
                         f"{sw.get('reason', '').replace('_', ' ')} |")
    lines += ["", "![cumulative bytes, adaptive mode bands](bench-sequence.svg)", "", END_MARK]
    return "\n".join(lines), checks


def write_docs(section):
    path = os.path.join(REPO, "docs", "benchmarks.md")
    text = open(path).read()
    if START_MARK in text:
        text = re.sub(re.escape(START_MARK) + ".*" + re.escape(END_MARK), lambda m: section, text, flags=re.S)
    else:
        text = text.rstrip("\n") + f"\n\n{SECTION}\n\n" + HOW_TO_READ + "\n" + section + "\n"
    with open(path, "w") as f:
        f.write(text)
    log(f"updated {path}")


HOW_TO_READ = """One recording demo VM with networking goes through the phases anim, idle, video, net, type, anim.
Side by side in the same run: a TigerVNC viewer (Tight, JPEG quality 6) on the VM's own display (**display-only**),
a second one on an adaptive session's display (**adaptive**: display bytes while the session shows the server's
display, snapshot and dual modes included, plus log and chunk bytes while it replays), and **replay-only** (one join's
chunk bytes plus the whole record log as the streamer sends it, zlib on, counted by a replay-less subscriber). Display
bytes are counted by a TCP relay in the benchmark between each viewer and its display. Typing in the `type` phase goes
through the session's viewer (xdotool, about 4 keys/s). Raw CSV: `target/sequence-bench.csv`.
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--phase-seconds", type=int, default=120)
    ap.add_argument("--phases", default=DEFAULT_PHASES)
    ap.add_argument("--sample-seconds", type=float, default=2.0)
    ap.add_argument("--policy", default=None, help="policy.name for sessions (default: the distribution's, paper)")
    ap.add_argument("--assembly", default=None)
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the work folder (target/sequence-bench)")
    ap.add_argument("--report-only", action="store_true",
                    help="no run: rebuild the table, chart and docs from the last run's target/sequence-bench.json")
    ap.add_argument("--self-test", action="store_true", help="check the record-log wire code and exit")
    args = ap.parse_args()
    if args.self_test:
        self_test()
        return 0
    args.phases_arg = args.phases
    args.phases, args.phase_lengths = parse_phases(args.phases, args.phase_seconds)
    work = os.path.join(REPO, "target", "sequence-bench")
    saved = os.path.join(REPO, "target", "sequence-bench.json")
    if args.report_only:
        with open(saved) as f:
            result = json.load(f)
        started = datetime.datetime.fromisoformat(result["started"])
        args.phase_seconds = result["phase_seconds"]
        args.phases_arg = result.get("phases_arg", DEFAULT_PHASES)
        args.phases, args.phase_lengths = parse_phases(args.phases_arg, args.phase_seconds)
        args.sample_seconds = result["sample_seconds"]
        args.policy = result["policy"]
    else:
        if os.path.exists(work):
            shutil.rmtree(work)
        os.makedirs(work)
        cleanup = Cleanup()

        def interrupted(signum, frame):
            raise KeyboardInterrupt()

        # SIGINT explicitly too: a shell starting the benchmark in the background leaves SIGINT ignored.
        signal.signal(signal.SIGTERM, interrupted)
        signal.signal(signal.SIGINT, interrupted)
        started = datetime.datetime.utcnow()
        try:
            result = run(args, work, cleanup)
        except KeyboardInterrupt:
            log("interrupted")
            return 130
        finally:
            log("stopping everything this run started")
            cleanup.run()
        result.update(started=started.isoformat(), phase_seconds=args.phase_seconds,
                      sample_seconds=args.sample_seconds, policy=args.policy, phases_arg=args.phases_arg)
        with open(saved, "w") as f:
            json.dump(result, f)
    rows, per_phase, join = analyse(result)
    csv = os.path.join(REPO, "target", "sequence-bench.csv")
    write_csv(rows, csv)
    with open(os.path.join(REPO, "target", "sequence-bench-history.txt"), "w") as f:
        f.write(result["history"] + "\n" + result["timeline"])
    section, checks = report(args, result, rows, per_phase, join, started)
    print(section)
    print("\nSwitch log:\n" + result["history"])
    if result["log_error"]:
        log(f"the record-log subscriber got an ERROR: {result['log_error']}")
    svg_chart(rows, result["phases"], os.path.join(REPO, "target", "sequence-bench.svg"), join)
    if not args.no_write:
        shutil.copy(os.path.join(REPO, "target", "sequence-bench.svg"), os.path.join(REPO, "docs", "bench-sequence.svg"))
        write_docs(section)
    if not args.keep and not args.report_only:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if all(ok for ok, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
