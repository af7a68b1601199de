"""Minimal client of rdfuse's control protocol (test helper; mirrors what the Java side does)."""
import os, queue, socket, subprocess, threading, time


class Rdfuse:
    def __init__(self, binary, workdir, name='rd'):
        self.mnt = os.path.join(workdir, name + '-mnt')
        self.spool = os.path.join(workdir, name + '-spool')
        self.sock_path = os.path.join(workdir, name + '.sock')
        os.makedirs(self.mnt, exist_ok=True)
        os.makedirs(self.spool, exist_ok=True)
        self.stderr = open(os.path.join(workdir, name + '.stderr'), 'wb')
        self.proc = subprocess.Popen([binary, '--control', self.sock_path, '--spool', self.spool, self.mnt],
                                     stdout=subprocess.PIPE, stderr=self.stderr)
        line = self.proc.stdout.readline().decode()
        if not line.startswith('READY'):
            raise RuntimeError('rdfuse did not start: %r' % line)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.sock_path)
        self.rf = self.sock.makefile('rb')
        # rdfuse sends unsolicited "NEED name i..." lines between replies: a reader thread sorts them
        # (what the Java side does too). raw_lines keeps every line as received, for golden-byte checks.
        self.replies, self.needs, self.raw_lines = queue.Queue(), queue.Queue(), []
        self.lock = threading.RLock()          # one command/reply exchange at a time
        threading.Thread(target=self._read_lines, daemon=True).start()

    def _read_lines(self):
        try:
            while True:
                line = self.rf.readline()
                if not line:
                    break
                self.raw_lines.append(line)
                (self.needs if line.startswith(b'NEED ') else self.replies).put(line.decode().rstrip('\n'))
        except (OSError, ValueError):
            pass
        self.replies.put(None)

    def reply(self, timeout=30):
        line = self.replies.get(timeout=timeout)
        if line is None:
            self.replies.put(None)
            raise EOFError('control connection closed')
        return line

    def need(self, timeout=5):
        """Next NEED line as (name, [indices]); queue.Empty if none arrives in time."""
        f = self.needs.get(timeout=timeout).split(' ')
        return f[1], [int(i) for i in f[2:]]

    def cmd(self, line):
        with self.lock:
            self.sock.sendall(line.encode() + b'\n')
            return self.reply()

    def data(self, name, offset, payload):
        with self.lock:
            self.sock.sendall(b'DATA %s %d %d\n' % (name.encode(), offset, len(payload)) + payload)
            return self.reply()

    def chunk(self, name, index, payload):
        with self.lock:
            self.sock.sendall(b'CHUNK %s %d %d\n' % (name.encode(), index, len(payload)) + payload)
            return self.reply()

    def stat(self, name):
        r = self.cmd('STAT ' + name)
        assert r.startswith('OK '), r
        return {k: (int(v) if v.isdigit() else v) for k, v in (kv.split('=', 1) for kv in r[3:].split())}

    def serve_image(self, name, source_path, chunk_size, on_chunk=None):
        """Start a thread answering NEED for image NAME from the real file source_path (the Java pager's
        job); returns the thread. on_chunk(index) is called before each CHUNK (tests use it to fail)."""
        def run():
            with open(source_path, 'rb') as src:
                while True:
                    try:
                        line = self.needs.get(timeout=0.5)
                    except queue.Empty:
                        if self.proc.poll() is not None:
                            return
                        continue
                    f = line.split(' ')
                    if f[1] != name:
                        self.needs.put(line)           # someone else's
                        time.sleep(0.01)
                        continue
                    for i in (int(x) for x in f[2:]):
                        if on_chunk and on_chunk(i) is False:
                            continue
                        src.seek(i * chunk_size)
                        r = self.chunk(name, i, src.read(chunk_size))
                        if not r.startswith('OK %d' % i):
                            raise RuntimeError('CHUNK %d: %s' % (i, r))
        t = threading.Thread(target=run, daemon=True)
        t.start()
        return t

    def mounted(self):
        with open('/proc/mounts') as f:
            return any(l.split()[1] == self.mnt for l in f)

    def disconnect(self):
        """Close the control connection (the makefile() reader holds the fd too). shutdown() first: it
        ends the reader thread's readline(), which holds the reader's lock that close() needs."""
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        for c in (self.rf, self.sock):
            try:
                c.close()
            except OSError:
                pass

    def close(self):
        """Stop the helper (closing the control connection) and make sure nothing is left mounted."""
        self.disconnect()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.mounted():
            subprocess.call(['fusermount3', '-u', '-z', self.mnt])
        self.stderr.close()
