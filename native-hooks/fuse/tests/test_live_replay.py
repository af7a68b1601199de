#!/usr/bin/python3
"""Live replay through rdfuse with the exact ReplayDesk QEMU command line (QemuCommandLine.java, no NIC).
usage: test_live_replay.py RDFUSE_BINARY GUEST_DIR
Record the demo guest (anim), savevm s1 after boot, copy the qcow2, replay from s1 with rrfile=<mnt>/record.log
while a feeder streams the recorder's growing log into rdfuse; stop the recorder after ~20 s, feed the rest + END,
replay-break the replayer at the recorder's final icount and compare screendumps. The replayer's disk is the
copied qcow2 served by the same rdfuse as a lazily fetched IMAGE (chunks sent on NEED from the copy, what the Java
pager will do); afterwards the test checks that QEMU's writes went to the overlay and the fetched chunks are
unchanged. Exit 1 on any failure."""
import json, os, shutil, socket, subprocess, sys, tempfile, threading, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rdclient import Rdfuse

BIN, GUEST = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
LIVE_SECONDS = float(os.environ.get('RD_LIVE_SECONDS', '20'))
IMAGE_CHUNK = 256 * 1024
T0 = time.monotonic()


def say(*a):
    print('[%6.2f]' % (time.monotonic() - T0), *a, flush=True)


class Qmp:
    def __init__(self, path, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.s.connect(path)
                break
            except OSError:
                self.s.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self.s.settimeout(60)
        self.f = self.s.makefile('rb')
        self._read()                                  # greeting
        self.cmd('qmp_capabilities')

    def _read(self):
        line = self.f.readline()
        if not line:
            raise EOFError('QMP closed')
        return json.loads(line)

    def cmd(self, name, **args):
        self.s.sendall(json.dumps({'execute': name, 'arguments': args}).encode() + b'\n')
        while True:
            m = self._read()
            if 'return' in m:
                return m['return']
            if 'error' in m:
                raise RuntimeError('%s: %s' % (name, m['error']))

    def hmp(self, line):
        return self.cmd('human-monitor-command', **{'command-line': line})


def qemu_cmd(d, name, disk, icount, extra=()):
    """QemuCommandLine.build() for a kernel-booted demo guest, 256 MiB, no network."""
    return ['qemu-system-x86_64', '-name', name, '-nodefaults', '-no-user-config',
            '-machine', 'pc', '-accel', 'tcg', '-smp', '1', '-m', '256',
            '-icount', icount, '-rtc', 'base=utc,clock=vm',
            '-kernel', os.path.join(GUEST, 'vmlinuz'), '-initrd', os.path.join(GUEST, 'initrd.gz'),
            '-append', 'console=ttyS0 vga=0x312 quiet rd.wl=anim',
            '-drive', 'file=%s,format=qcow2,if=none,id=disk0-direct' % disk,
            '-drive', 'driver=blkreplay,if=none,image=disk0-direct,id=disk0',
            '-device', 'virtio-blk-pci,drive=disk0',
            '-vga', 'std', '-display', 'none', '-vnc', 'unix:%s/%s.vnc' % (d, name),
            '-chardev', 'socket,id=serial0,path=%s/%s.serial,server=on,wait=off,logfile=%s/%s.serial.log,logappend=on'
            % (d, name, d, name),
            '-serial', 'chardev:serial0',
            '-qmp', 'unix:%s/%s.qmp,server=on,wait=off' % (d, name),
            '-qmp', 'unix:%s/%s.mon,server=on,wait=off' % (d, name),
            '-net', 'none', '-pidfile', '%s/%s.pid' % (d, name)] + list(extra)


class Feeder(threading.Thread):
    """Tails the recorder's growing log and sends it to rdfuse (what the Java side will do)."""
    def __init__(self, rd, lock, path, name):
        super().__init__(daemon=True)
        self.rd, self.lock, self.path, self.name = rd, lock, path, name
        self.sent, self.finish, self.error, self.max_chunk = 0, threading.Event(), None, 0
        self.start()

    def pump(self, f):
        while True:
            b = f.read(1 << 20)
            if not b:
                return
            with self.lock:
                r = self.rd.data(self.name, self.sent, b)
            if r != 'OK %d' % (self.sent + len(b)):
                raise RuntimeError('DATA: ' + r)
            self.sent += len(b)
            self.max_chunk = max(self.max_chunk, len(b))

    def run(self):
        try:
            while not os.path.exists(self.path):
                time.sleep(0.02)
            with open(self.path, 'rb', buffering=0) as f:
                while not self.finish.is_set():
                    self.pump(f)
                    time.sleep(0.05)
                self.pump(f)                          # recorder has exited: the rest
            with self.lock:
                r = self.rd.cmd('END ' + self.name)
            if r != 'OK %d' % self.sent:
                raise RuntimeError('END: ' + r)
        except Exception as e:                        # noqa
            self.error = e


def main():
    for f in ('vmlinuz', 'initrd.gz', 'video.raw'):
        if not os.path.exists(os.path.join(GUEST, f)):
            raise RuntimeError('guest file missing: %s/%s (make guest)' % (GUEST, f))
    d = tempfile.mkdtemp(prefix='rdfuse-live-')
    procs, rd = [], None
    try:
        subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', '-b', os.path.join(GUEST, 'video.raw'),
                        '-F', 'raw', d + '/disk.qcow2'], check=True)
        rd = Rdfuse(BIN, d, 'rdfuse')
        lock = threading.Lock()
        assert rd.cmd('LOG record.log') == 'OK'
        rec_log = d + '/record.log'
        rec = subprocess.Popen(qemu_cmd(d, 'rec', d + '/disk.qcow2', 'shift=auto,rr=record,rrfile=' + rec_log),
                               stdout=open(d + '/rec.out', 'wb'), stderr=subprocess.STDOUT)
        procs.append(rec)
        feeder = Feeder(rd, lock, rec_log, 'record.log')
        qr = Qmp(d + '/rec.qmp')
        say('recorder started')
        deadline = time.monotonic() + 60
        while True:
            if rec.poll() is not None:
                raise RuntimeError('recorder exited: ' + open(d + '/rec.out').read())
            try:
                if 'RD: ready' in open(d + '/rec.serial.log', errors='replace').read():
                    break
            except FileNotFoundError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError('guest did not boot within 60 s')
            time.sleep(0.2)
        say('guest ready (RD: ready), icount', qr.cmd('query-replay')['icount'])
        time.sleep(2)
        for attempt in range(50):
            out = qr.hmp('savevm s1')
            if 'does not allow' not in out:
                break
            time.sleep(0.2)
        if out.strip():
            raise RuntimeError('savevm: ' + out)
        shutil.copyfile(d + '/disk.qcow2', d + '/rep.qcow2')
        s1_icount = qr.cmd('query-replay')['icount']
        say('savevm s1 done (%d retries), icount ~%d, log %d bytes, disk copied' % (attempt, s1_icount,
                                                                                    os.path.getsize(rec_log)))
        mnt_log = os.path.join(rd.mnt, 'record.log')
        img_size = os.path.getsize(d + '/rep.qcow2')
        src_check = subprocess.run(['qemu-img', 'check', '-U', d + '/rep.qcow2'], stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT)
        say('qemu-img check of the copied qcow2: exit %d %s' % (src_check.returncode, ' | '.join(
            l for l in src_check.stdout.decode().splitlines() if 'leak' in l.lower() or 'error' in l.lower())))
        with lock:
            r = rd.cmd('IMAGE rep.qcow2 %d %d' % (img_size, IMAGE_CHUNK))
        if not r.startswith('OK chunks='):
            raise RuntimeError('IMAGE: ' + r)
        rd.serve_image('rep.qcow2', d + '/rep.qcow2', IMAGE_CHUNK)
        say('replayer disk: %s, %d bytes in %s chunks of %d, fetched on demand' % (
            os.path.join(rd.mnt, 'rep.qcow2'), img_size, r.split('=')[1], IMAGE_CHUNK))
        rep = subprocess.Popen(qemu_cmd(d, 'rep', os.path.join(rd.mnt, 'rep.qcow2'),
                                        'shift=auto,rr=replay,rrfile=%s,rrsnapshot=s1' % mnt_log,
                                        # The log ends with the recorder's QMP-quit shutdown event at the final
                                        # icount; replaying it would exit the replayer (racing replay-break).
                                        # shutdown=pause keeps it alive and paused there (host-side only).
                                        ('-action', 'shutdown=pause')),
                               stdout=open(d + '/rep.out', 'wb'), stderr=subprocess.STDOUT)
        procs.append(rep)
        t_rep = time.monotonic()
        qp = Qmp(d + '/rep.qmp')
        say('replayer QMP up after %.2f s, icount %d' % (time.monotonic() - t_rep, qp.cmd('query-replay')['icount']))
        with lock:
            si = rd.stat('rep.qcow2')
        say('image after loadvm: %d of %d chunks fetched (%d KiB), %d writes to the overlay' % (
            si['present'], si['chunks'], si['present'] * IMAGE_CHUNK // 1024, si['writes']))
        lags, t_end = [], time.monotonic() + LIVE_SECONDS
        while time.monotonic() < t_end:
            time.sleep(1)
            if rep.poll() is not None:
                raise RuntimeError('replayer exited: ' + open(d + '/rep.out').read())
            ir = qr.cmd('query-replay')['icount']
            ip = qp.cmd('query-replay')['icount']
            with lock:
                st = rd.stat('record.log')
            lags.append(ir - ip)
            say('live: rec icount %d rep icount %d lag %.3f G insns | rdfuse received %d asked %d blocked %d '
                'reads %d maxread %d' % (ir, ip, (ir - ip) / 1e9, st['received'], st['asked'], st['blocked'],
                                         st['reads'], st['maxread']))
        qr.cmd('stop')
        final = qr.cmd('query-replay')['icount']
        qr.cmd('screendump', filename=d + '/rec.png', format='png')
        qr.cmd('screendump', filename=d + '/rec.ppm')
        qr.cmd('quit')
        rec.wait(timeout=30)
        t_stop = time.monotonic()
        feeder.finish.set()
        feeder.join(30)
        if feeder.error or feeder.is_alive():
            raise RuntimeError('feeder failed: %s' % feeder.error)
        say('recorder stopped at icount %d; log %d bytes, all sent + END' % (final, feeder.sent))
        qp.cmd('replay-break', icount=final)
        deadline = time.monotonic() + 60
        while True:
            status = qp.cmd('query-status')
            if not status['running'] and qp.cmd('query-replay')['icount'] == final:
                break
            if rep.poll() is not None:
                raise RuntimeError('replayer exited: ' + open(d + '/rep.out').read())
            if time.monotonic() > deadline:
                raise RuntimeError('replayer did not reach icount %d (at %d)' % (final, qp.cmd('query-replay')['icount']))
            time.sleep(0.05)
        t_reached = time.monotonic() - t_stop
        say('replayer stopped, status %s' % status['status'])
        qp.cmd('screendump', filename=d + '/rep.png', format='png')
        qp.cmd('screendump', filename=d + '/rep.ppm')
        st = rd.stat('record.log')
        qp.cmd('quit')
        rep.wait(timeout=30)
        si = rd.stat('rep.qcow2')
        say('image at the end: %d of %d chunks fetched (%d KiB of %d KiB), %d NEED indices, %d reads (largest %d), '
            '%d writes (%d bytes) -> %d overlay blocks, size %d -> %d' % (
                si['present'], si['chunks'], si['present'] * IMAGE_CHUNK // 1024, img_size // 1024, si['needs'],
                si['reads'], si['maxread'], si['writes'], si['byteswritten'], si['cowblocks'], si['imagesize'],
                si['size']))
        if si['writes'] == 0 or si['cowblocks'] == 0:
            raise RuntimeError('expected QEMU (loadvm) to write to the image overlay')
        with open(d + '/rep.qcow2', 'rb') as a, open(os.path.join(rd.spool, 'rep.qcow2.img'), 'rb') as b:
            sa, sb = a.read(), b.read()
        bad = [i for i in range(si['chunks']) if sb[i * IMAGE_CHUNK:(i + 1) * IMAGE_CHUNK] not in (
            sa[i * IMAGE_CHUNK:(i + 1) * IMAGE_CHUNK], bytes(len(sa[i * IMAGE_CHUNK:(i + 1) * IMAGE_CHUNK])))]
        if len(sa) != len(sb) or bad:
            raise RuntimeError('spool chunks differ from the source: %s' % bad[:10])
        say('spool of pristine chunks unchanged (every fetched chunk equals the source)')
        r = subprocess.run(['qemu-img', 'check', os.path.join(rd.mnt, 'rep.qcow2')], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        # exit 3 = only leaked clusters (wasted space, "no harm to data"); 2 would be corruption
        if r.returncode not in (0, 3):
            raise RuntimeError('qemu-img check of the replayed image: ' + r.stdout.decode())
        say('qemu-img check of the image (with the overlay) after replay: exit %d %s' % (r.returncode, ' | '.join(
            l for l in r.stdout.decode().splitlines() if 'leak' in l.lower() or 'error' in l.lower())))
        same_png = open(d + '/rec.png', 'rb').read() == open(d + '/rep.png', 'rb').read()
        same_ppm = open(d + '/rec.ppm', 'rb').read() == open(d + '/rep.ppm', 'rb').read()
        say('replayer reached icount %d %.2f s after the recorder stopped; screendumps: png identical=%s, '
            'pixels (ppm) identical=%s' % (final, t_reached, same_png, same_ppm))
        say('lag during live replay: min %.3f max %.3f mean %.3f G insns over %d samples' %
            (min(lags) / 1e9, max(lags) / 1e9, sum(lags) / len(lags) / 1e9, len(lags)))
        say('replayer reads via rdfuse: %d requests, largest %d bytes, %d bytes served (log %d bytes); '
            'largest DATA chunk %d' % (st['reads'], st['maxread'], st['bytesread'], st['received'], feeder.max_chunk))
        if not (same_png or same_ppm):
            raise RuntimeError('screendumps differ')
        if os.path.getsize(d + '/rec.ppm') < 640 * 480 * 3:
            raise RuntimeError('screendump too small')
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        if rd:
            rd.close()
        if os.environ.get('RD_KEEP') != '1':
            shutil.rmtree(d, ignore_errors=True)
        else:
            print('kept', d)
    print('PASS test_live_replay (%.1f s)' % (time.monotonic() - T0))


if __name__ == '__main__':
    try:
        main()
    except Exception as e:
        import traceback
        traceback.print_exc()
        print('FAIL test_live_replay:', e)
        sys.exit(1)
