#!/usr/bin/env python3
"""Record-log compression benchmark: does zlib pay on the record-log stream?

Records the demo guest with QEMU 7.2 (the QemuCommandLine command line, no NIC) for each workload, tails the growing
log every 5 ms the way the streamer does (every size change = one DATA frame), and after boot + WINDOW seconds quits
QEMU. Over the steady-state part of the log (everything written after the boot phase) it reports:
  raw KB/s, whole-window zlib ratio (level 6: the best case, not reachable when streaming),
  per-frame independent zlib (level 6), and one zlib stream with a sync flush per frame (level 1 and 6: what a
  Netty ZlibEncoder + flush per frame would send), plus the CPU time zlib takes per MB.
Usage: benchmarks/recordlog_zlib_bench.py GUEST_DIR [--boot 14] [--window 20] [workload ...]
"""
import argparse, json, os, socket, subprocess, sys, tempfile, threading, time, zlib

KEYS = "echo hello world; ls -l /; cat /proc/cpuinfo | head\n"


def qmp(path, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            break
        except OSError:
            s.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    f = s.makefile('rb')
    f.readline()

    def cmd(name, **args):
        s.sendall(json.dumps({'execute': name, 'arguments': args}).encode() + b'\n')
        while True:
            m = json.loads(f.readline())
            if 'return' in m or 'error' in m:
                return m
    cmd('qmp_capabilities')
    return cmd


def key_name(ch):
    names = {' ': 'spc', '\n': 'ret', ';': 'semicolon', '/': 'slash', '|': 'shift-backslash', '-': 'minus',
             '.': 'dot'}
    return names.get(ch, ch)


def record(guest, workload, boot, window, d):
    disk = os.path.join(d, 'disk.qcow2')
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', disk, '64M'], check=True)
    log = os.path.join(d, 'record.log')
    cmd = ['qemu-system-x86_64', '-nodefaults', '-no-user-config', '-machine', 'pc', '-accel', 'tcg', '-smp', '1',
           '-m', '256', '-icount', 'shift=auto,rr=record,rrfile=' + log, '-rtc', 'base=utc,clock=vm',
           '-kernel', os.path.join(guest, 'vmlinuz'), '-initrd', os.path.join(guest, 'initrd.gz'),
           '-append', 'console=ttyS0 vga=0x312 quiet rd.wl=' + workload,
           '-drive', 'file=%s,format=qcow2,if=none,id=disk0-direct' % disk,
           '-drive', 'driver=blkreplay,if=none,image=disk0-direct,id=disk0', '-device', 'virtio-blk-pci,drive=disk0',
           '-vga', 'std', '-display', 'none', '-serial', 'file:' + os.path.join(d, 'serial.log'),
           '-qmp', 'unix:%s/qmp.sock,server=on,wait=off' % d, '-net', 'none']
    qemu = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    frames = []  # (t, offset_before, offset_after)
    stop = threading.Event()

    def tail():
        last = 0
        while not stop.is_set():
            try:
                size = os.path.getsize(log)
            except OSError:
                size = 0
            if size > last:
                frames.append((time.monotonic(), last, size))
                last = size
            time.sleep(0.005)
    t = threading.Thread(target=tail, daemon=True)
    try:
        c = qmp(os.path.join(d, 'qmp.sock'))
        t0 = time.monotonic()
        t.start()
        time.sleep(boot)
        steady_from = time.monotonic()
        if workload == 'type':
            end = time.monotonic() + window
            i = 0
            while time.monotonic() < end:
                c('send-key', keys=[{'type': 'qcode', 'data': q} for q in key_name(KEYS[i % len(KEYS)]).split('-')])
                i += 1
                time.sleep(0.1)
        else:
            time.sleep(window)
        steady_to = time.monotonic()
        stop.set()
        t.join()
        c('quit')
        qemu.wait(30)
    finally:
        if qemu.poll() is None:
            qemu.kill()
    data = open(log, 'rb').read()
    steady = [(a, b) for (ts, a, b) in frames if steady_from <= ts <= steady_to]
    return data, steady, steady_to - steady_from


def measure(data, steady, seconds):
    start, end = steady[0][0], steady[-1][1]
    part = data[start:end]
    res = {'raw_kbs': len(part) / 1024 / seconds, 'frames': len(steady), 'mean_frame': len(part) / len(steady)}
    t = time.process_time()
    res['whole6'] = len(zlib.compress(part, 6)) / len(part)
    res['whole_cpu_ms_per_mb'] = (time.process_time() - t) * 1000 / (len(part) / 1e6)
    res['frame6'] = sum(len(zlib.compress(data[a:b], 6)) for a, b in steady) / len(part)
    for level in (1, 6):
        z = zlib.compressobj(level)
        t = time.process_time()
        n = sum(len(z.compress(data[a:b])) + len(z.flush(zlib.Z_SYNC_FLUSH)) for a, b in steady)
        res['stream%d' % level] = n / len(part)
        res['stream%d_cpu_ms_per_mb' % level] = (time.process_time() - t) * 1000 / (len(part) / 1e6)
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('guest')
    ap.add_argument('--boot', type=float, default=14)
    ap.add_argument('--window', type=float, default=20)
    ap.add_argument('workloads', nargs='*', default=['anim', 'idle', 'type'])
    a = ap.parse_args()
    print('| workload | log KB/s | frames | mean frame B | zlib-6 whole | zlib-6 per frame | zlib-1 stream+sync '
          '| zlib-6 stream+sync | zlib-6 CPU ms/MB |')
    print('|---|---|---|---|---|---|---|---|---|')
    for w in a.workloads:
        with tempfile.TemporaryDirectory(prefix='rdlog-') as d:
            data, steady, seconds = record(os.path.abspath(a.guest), w, a.boot, a.window, d)
            r = measure(data, steady, seconds)
            print('| %s | %.1f | %d | %.0f | %.2f | %.2f | %.2f | %.2f | %.0f |' % (
                w, r['raw_kbs'], r['frames'], r['mean_frame'], r['whole6'], r['frame6'], r['stream1'],
                r['stream6'], r['stream6_cpu_ms_per_mb']), flush=True)


if __name__ == '__main__':
    main()
