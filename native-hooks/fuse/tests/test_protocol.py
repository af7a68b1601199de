#!/usr/bin/python3
"""Protocol and read-semantics test of rdfuse. usage: test_protocol.py RDFUSE_BINARY
Fails (exit 1) on the first error; never skips. Leaves nothing mounted."""
import errno, hashlib, os, signal, socket, subprocess, sys, tempfile, threading, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rdclient import Rdfuse

VER = bytes.fromhex('00e0200c')
BIN = os.path.abspath(sys.argv[1])
results = []


def check(cond, what):
    if not cond:
        raise AssertionError(what)
    print('  ok:', what)


class Reader(threading.Thread):
    """pread in a thread; result is bytes or an OSError."""
    def __init__(self, path, size, off):
        super().__init__(daemon=True)
        self.path, self.size, self.off, self.result, self.t_done = path, size, off, None, None
        self.start()

    def run(self):
        try:
            fd = os.open(self.path, os.O_RDONLY)
            try:
                self.result = os.pread(fd, self.size, self.off)
            finally:
                os.close(fd)
        except OSError as e:
            self.result = e
        self.t_done = time.monotonic()


def blocked(r, secs=0.4):
    r.join(secs)
    return r.is_alive()


def errno_of(x):
    return x.errno if isinstance(x, OSError) else None


def test_semantics(rd):
    mnt = rd.mnt
    check(rd.cmd('PING').startswith('OK PONG'), 'PING')
    check(rd.cmd('LOG rec') == 'OK', 'LOG rec')
    check(rd.cmd('LOG rec').startswith('ERR exists'), 'LOG twice rejected')
    check(rd.cmd('LOG ../x').startswith('ERR bad name'), 'bad name rejected')
    check(rd.cmd('FOO').startswith('ERR'), 'unknown command rejected')
    p = os.path.join(mnt, 'rec')
    check(sorted(os.listdir(mnt)) == ['rec'], 'directory lists the declared file')
    st = os.stat(p)
    check(st.st_size == 1 << 40, 'live size is 2^40')
    check(st.st_blksize == 1 << 20, 'st_blksize 1 MiB (stdio buffer size)')
    try:
        open(p, 'r+b')
        check(False, 'open for writing refused')
    except OSError as e:
        check(e.errno == errno.EACCES, 'open for writing refused (EACCES)')
    # header available before any data
    fd = os.open(p, os.O_RDONLY)
    check(os.pread(fd, 4, 0) == VER, 'bytes 0-3 read as 00 e0 20 0c before any DATA')
    # blocking read completes when DATA arrives
    r = Reader(p, 1 << 20, 4)
    check(blocked(r), 'read at 4 blocks while nothing has arrived')
    s = rd.stat('rec')
    check(s['blocked'] == 1 and s['asked'] == 4, 'STAT shows the blocked reader (blocked=1 asked=4)')
    payload = b'ABCDEFGHIJKL' + bytes(range(256)) * 4     # 1036 bytes, header "ABCD" must be patched
    t0 = time.monotonic()
    check(rd.data('rec', 0, payload) == 'OK 1036', 'DATA 0 1036 -> OK 1036')
    r.join(5)
    check(not r.is_alive() and r.result == payload[4:], 'blocked read returned the new bytes (short read, %d bytes)'
          % len(r.result))
    print('    wake-up latency %.2f ms' % ((r.t_done - t0) * 1000))
    check(os.pread(fd, 16, 0) == VER + payload[4:16], 'header patched, rest as received')
    with open(os.path.join(rd.spool, 'rec.log'), 'rb') as f:
        check(f.read() == payload, 'spool file holds the bytes as received')
    # gap / overlap rejected, payload consumed, state unchanged
    check(rd.data('rec', 2000, b'x' * 10).startswith('ERR gap expected=1036 got=2000'), 'gap rejected')
    check(rd.data('rec', 1000, b'y' * 100).startswith('ERR overlap expected=1036 got=1000'), 'overlap rejected')
    check(rd.data('nope', 0, b'z' * 5).startswith('ERR no such file'), 'DATA to unknown file rejected')
    check(rd.stat('rec')['received'] == 1036, 'received unchanged after rejected DATA')
    check(rd.cmd('PING').startswith('OK PONG'), 'stream still in sync after rejected payloads')
    check(rd.data('rec', 1036, b'') == 'OK 1036', 'empty DATA accepted')
    # DATA split over many small socket writes
    part = os.urandom(5000)
    rd.sock.sendall(b'DATA rec 1036 5000\n')
    for i in range(0, 5000, 700):
        rd.sock.sendall(part[i:i + 700])
        time.sleep(0.005)
    check(rd.reply() == 'OK 6036', 'DATA payload arriving in pieces')
    check(os.pread(fd, 10000, 1036) == part, 'pieces stored in order')
    # EOF only after END
    r1 = Reader(p, 4096, 6036)
    r2 = Reader(p, 4096, 100000)
    check(blocked(r1) and blocked(r2, 0.05), 'reads at/after the received end block (no EOF while live)')
    check(rd.cmd('END rec') == 'OK 6036', 'END -> OK 6036')
    r1.join(5); r2.join(5)
    check(r1.result == b'' and r2.result == b'', 'blocked reads return EOF after END')
    check(os.stat(p).st_size == 6036, 'size is the real size after END')
    check(os.fstat(fd).st_size == 6036, 'fstat on an open fd sees the real size too')
    os.lseek(fd, 0, 0)
    allb = b''
    while True:
        b = os.read(fd, 1 << 20)
        if not b:
            break
        allb += b
    check(allb == VER + payload[4:] + part, 'sequential read to EOF gives patched log')
    check(rd.data('rec', 6036, b'x').startswith('ERR ended'), 'DATA after END rejected')
    os.close(fd)
    # ABORT
    check(rd.cmd('LOG ab') == 'OK', 'LOG ab')
    rd.data('ab', 0, b'\0' * 100)
    pa = os.path.join(mnt, 'ab')
    r = Reader(pa, 4096, 100)
    check(blocked(r), 'read blocks on ab')
    check(rd.cmd('ABORT ab recorder died: exit 1') == 'OK', 'ABORT with a reason')
    r.join(5)
    check(errno_of(r.result) == errno.EIO, 'blocked read fails with EIO after ABORT')
    r = Reader(pa, 10, 0)
    r.join(5)
    check(errno_of(r.result) == errno.EIO, 'later read fails with EIO after ABORT')
    check(rd.stat('ab')['state'] == 'aborted', 'STAT state=aborted')
    # a reader killed with SIGKILL while blocked must not hang (FUSE interrupt -> EINTR reply)
    check(rd.cmd('LOG kill') == 'OK', 'LOG kill')
    child = subprocess.Popen([sys.executable, '-c',
                              'import os,sys; fd=os.open(sys.argv[1], os.O_RDONLY); os.pread(fd, 4096, 4)',
                              os.path.join(mnt, 'kill')])
    deadline = time.monotonic() + 5
    while rd.stat('kill')['blocked'] != 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    check(rd.stat('kill')['blocked'] == 1, 'child blocked in read')
    t0 = time.monotonic()
    child.kill()
    try:
        child.wait(timeout=5)
        killed = True
    except subprocess.TimeoutExpired:
        killed = False
    check(killed, 'SIGKILLed blocked reader exits (%.0f ms)' % ((time.monotonic() - t0) * 1000))
    time.sleep(0.1)
    check(rd.stat('kill')['blocked'] == 0, 'interrupted read removed from the wait list')
    # a second control connection is refused, the first keeps working
    s2 = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s2.connect(rd.sock_path)
    s2.settimeout(5)
    check(s2.recv(100).startswith(b'ERR busy'), 'second control connection refused with ERR busy')
    s2.close()
    check(oct(os.stat(rd.sock_path).st_mode & 0o777) == '0o600', 'control socket mode 0600')


def test_big(rd):
    """100 MB streamed while a reader follows it, then a cat of the finished file."""
    mnt = rd.mnt
    size = 100 * 1024 * 1024
    check(rd.cmd('LOG big') == 'OK', 'LOG big')
    p = os.path.join(mnt, 'big')
    blob = os.urandom(1 << 20)
    expect = hashlib.md5()
    follower = subprocess.Popen('dd if=%s bs=4M iflag=fullblock status=none | md5sum' % p, shell=True,
                                stdout=subprocess.PIPE)
    t0 = time.monotonic()
    off = 0
    while off < size:
        chunk = blob  # 1 MiB DATA commands
        r = rd.data('big', off, chunk)
        assert r == 'OK %d' % (off + len(chunk)), r
        expect.update(VER + chunk[4:] if off == 0 else chunk)
        off += len(chunk)
    t_feed = time.monotonic() - t0
    s_live = rd.stat('big')
    check(rd.cmd('END big') == 'OK %d' % size, 'END big')
    out, _ = follower.communicate(timeout=60)
    t_follow = time.monotonic() - t0
    check(out.split()[0].decode() == expect.hexdigest(), 'live follower (dd bs=4M) read all 100 MB correctly')
    print('    feed 100 MB: %.2f s (%.0f MB/s); follower done after %.2f s; during feed: reads=%d maxread=%d'
          % (t_feed, 100 / t_feed, t_follow, s_live['reads'], s_live['maxread']))
    check(s_live['maxread'] == 1 << 20, 'kernel sends 1 MiB read requests (maxread=%d)' % s_live['maxread'])
    s0 = rd.stat('big')
    t0 = time.monotonic()
    out = subprocess.run('cat %s | md5sum' % p, shell=True, stdout=subprocess.PIPE, check=True).stdout
    t_cat = time.monotonic() - t0
    s1 = rd.stat('big')
    check(out.split()[0].decode() == expect.hexdigest(), 'cat of the ended 100 MB file correct')
    n = s1['reads'] - s0['reads']
    print('    cat 100 MB through the mount: %.2f s (%.0f MB/s), %d read requests, avg %.0f KiB'
          % (t_cat, 100 / t_cat, n, 100 * 1024 / max(n, 1)))
    # stdio reader (what QEMU does: fopen + fread/getc): buffer comes from st_blksize
    s0 = rd.stat('big')
    t0 = time.monotonic()
    with open(p, 'rb') as f:      # python's BufferedReader also sizes its buffer from st_blksize
        h = hashlib.md5()
        while True:
            b = f.read(4096)
            if not b:
                break
            h.update(b)
    s1 = rd.stat('big')
    n = s1['reads'] - s0['reads']
    check(h.hexdigest() == expect.hexdigest(), 'buffered 4 KiB reads correct')
    print('    buffered 4 KiB application reads: %.2f s, %d FUSE requests (avg %.0f KiB)'
          % (time.monotonic() - t0, n, 100 * 1024 / max(n, 1)))
    check(n <= 256, 'buffered 4 KiB reads become >=400 KiB FUSE requests (%d requests)' % n)
    # 8 KiB requests: QEMU reads the log through stdio, and glibc never makes a stdio buffer larger than BUFSIZ
    s0 = rd.stat('big')
    t0 = time.monotonic()
    subprocess.run(['dd', 'if=' + p, 'of=/dev/null', 'bs=8k', 'status=none'], check=True)
    t = time.monotonic() - t0
    n = rd.stat('big')['reads'] - s0['reads']
    print('    dd bs=8k (QEMU-like 8 KiB stdio reads): %.2f s (%.0f MB/s), %d requests' % (t, 100 / t, n))
    os.unlink(os.path.join(rd.spool, 'big.log'))


def test_exit_on_close(tmp):
    rd = Rdfuse(BIN, tmp, 'close')
    try:
        rd.cmd('LOG x')
        r = Reader(os.path.join(rd.mnt, 'x'), 4096, 4)
        check(blocked(r), 'read blocked')
        rd.disconnect()
        rd.proc.wait(timeout=5)
        check(rd.proc.returncode == 0, 'helper exits 0 when the control connection closes')
        r.join(5)
        check(errno_of(r.result) in (errno.EIO, errno.ENOTCONN, errno.ECONNABORTED), 'blocked read failed (%s)' % r.result)
        check(not rd.mounted(), 'unmounted after control close')
        check(not os.path.exists(rd.sock_path), 'control socket removed')
    finally:
        rd.close()


def test_sigterm(tmp):
    rd = Rdfuse(BIN, tmp, 'term')
    try:
        rd.cmd('LOG x')
        fd = os.open(os.path.join(rd.mnt, 'x'), os.O_RDONLY)   # an open file must not prevent the exit
        r = Reader(os.path.join(rd.mnt, 'x'), 4096, 4)
        check(blocked(r), 'read blocked')
        rd.proc.send_signal(signal.SIGTERM)
        rd.proc.wait(timeout=5)
        check(rd.proc.returncode == 0, 'helper exits 0 on SIGTERM')
        r.join(5)
        check(errno_of(r.result) in (errno.EIO, errno.ENOTCONN, errno.ECONNABORTED), 'blocked read failed (%s)' % r.result)
        check(not rd.mounted(), 'unmounted after SIGTERM (lazy, although a file was open)')
        try:
            os.pread(fd, 10, 0)
            check(False, 'read on the old fd fails')
        except OSError as e:
            check(e.errno in (errno.EIO, errno.ENOTCONN, errno.ECONNABORTED), 'read on an fd opened before SIGTERM fails (%s)'
                  % errno.errorcode[e.errno])
        try:
            os.close(fd)          # close() of a file of a dead mount may itself report ENOTCONN
        except OSError:
            pass
    finally:
        rd.close()


def test_sigkill(tmp):
    rd = Rdfuse(BIN, tmp, 'kill')
    try:
        rd.cmd('LOG x')
        p = os.path.join(rd.mnt, 'x')
        r = Reader(p, 4096, 4)
        check(blocked(r), 'read blocked')
        rd.proc.kill()
        rd.proc.wait(timeout=5)
        r.join(5)
        check(errno_of(r.result) == errno.ENOTCONN, 'blocked read fails with ENOTCONN when the helper is killed')
        try:
            os.stat(p)
            check(False, 'stat on dead mount fails')
        except OSError as e:
            check(e.errno == errno.ENOTCONN, 'dead mount: stat fails with ENOTCONN, no hang')
        check(rd.mounted(), 'dead mount is still listed until fusermount3 -u')
        check(subprocess.call(['fusermount3', '-u', rd.mnt]) == 0, 'fusermount3 -u removes it')
        check(not rd.mounted(), 'unmounted')
    finally:
        rd.close()


def test_start_offset(rd):
    """LOG NAME START: the stream begins at START (a snapshot's log offset); below it zeros, header forced."""
    mnt = rd.mnt
    start = 5 * 1024 * 1024 + 3            # not block aligned on purpose
    check(rd.cmd('LOG late %d' % start) == 'OK', 'LOG late START -> OK')
    check(rd.cmd('LOG late2 x').startswith('ERR bad start offset'), 'LOG with a non-number START rejected')
    check(rd.cmd('LOG late3 %d' % (1 << 40)).startswith('ERR bad start offset'), 'LOG with START >= 2^40 rejected')
    check(rd.cmd('LOG late4 1 2').startswith('ERR unknown command or wrong arguments'), 'LOG with 3 args rejected')
    check('late2' not in os.listdir(mnt) and 'late3' not in os.listdir(mnt), 'rejected LOGs declare nothing')
    check(rd.cmd('LOG zero 0') == 'OK' and rd.stat('zero')['received'] == 0, 'LOG NAME 0 is a plain log')
    s = rd.stat('late')
    check(s['received'] == start and s['start'] == start and s['state'] == 'live',
          'STAT received=START start=START before any DATA')
    p = os.path.join(mnt, 'late')
    fd = os.open(p, os.O_RDONLY)
    check(os.pread(fd, 4, 0) == VER, 'bytes 0-3 are the forced version')
    check(os.pread(fd, 4096, 4) == b'\0' * 4096, 'bytes below START read as zeros')
    below = os.pread(fd, 1 << 20, start - 1000)
    check(below == b'\0' * 1000, 'a read reaching START returns the zeros up to START (short read)')
    check(rd.data('late', 0, b'x').startswith('ERR overlap expected=%d got=0' % start), 'DATA at 0 is an overlap')
    check(rd.data('late', start + 1, b'x').startswith('ERR gap expected=%d' % start), 'DATA past START is a gap')
    r = Reader(p, 1 << 20, start + 10)
    check(blocked(r), 'read at START+10 blocks')
    payload = os.urandom(3000)
    check(rd.data('late', start, payload) == 'OK %d' % (start + 3000), 'DATA at START -> OK START+3000')
    r.join(5)
    check(not r.is_alive() and r.result == payload[10:], 'blocked read released by DATA with the right bytes')
    check(os.pread(fd, 100, start - 50) == b'\0' * 50 + payload[:50], 'read across START: zeros then data')
    spool = os.path.join(rd.spool, 'late.log')
    st = os.stat(spool)
    check(st.st_size == start + 3000, 'spool file written at real offsets (size START+3000)')
    check(st.st_blocks * 512 < 1024 * 1024, 'spool file is sparse below START (%d bytes allocated)' % (st.st_blocks * 512))
    with open(spool, 'rb') as f:
        f.seek(start)
        check(f.read() == payload, 'spool holds the payload at START')
    check(rd.cmd('END late') == 'OK %d' % (start + 3000), 'END -> OK START+3000')
    check(os.fstat(fd).st_size == start + 3000, 'size after END is START+received bytes')
    check(os.pread(fd, 100, start + 3000) == b'', 'EOF at the end')
    os.close(fd)


def main():
    tmp = tempfile.mkdtemp(prefix='rdfuse-test-')
    print('rdfuse protocol test in', tmp)
    rd = Rdfuse(BIN, tmp, 'main')
    try:
        print('semantics:')
        test_semantics(rd)
        print('start offset:')
        test_start_offset(rd)
        print('big reads / throughput:')
        test_big(rd)
        check(rd.cmd('QUIT') == 'OK BYE', 'QUIT')
        rd.proc.wait(timeout=5)
        check(rd.proc.returncode == 0 and not rd.mounted(), 'QUIT exits 0 and unmounts')
    finally:
        rd.close()
    print('exit on control close:')
    test_exit_on_close(tmp)
    print('SIGTERM:')
    test_sigterm(tmp)
    print('SIGKILL:')
    test_sigkill(tmp)
    subprocess.call(['rm', '-rf', tmp])
    print('PASS test_protocol')


if __name__ == '__main__':
    try:
        main()
    except Exception as e:
        import traceback
        traceback.print_exc()
        print('FAIL test_protocol:', e)
        sys.exit(1)
