"""Minimal client of rdfuse's control protocol (test helper; mirrors what the Java side does)."""
import os, socket, subprocess, time


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
        self.sock.settimeout(30)
        self.rf = self.sock.makefile('rb')

    def reply(self):
        line = self.rf.readline()
        if not line:
            raise EOFError('control connection closed')
        return line.decode().rstrip('\n')

    def cmd(self, line):
        self.sock.sendall(line.encode() + b'\n')
        return self.reply()

    def data(self, name, offset, payload):
        self.sock.sendall(b'DATA %s %d %d\n' % (name.encode(), offset, len(payload)) + payload)
        return self.reply()

    def stat(self, name):
        r = self.cmd('STAT ' + name)
        assert r.startswith('OK '), r
        return {k: (int(v) if v.isdigit() else v) for k, v in (kv.split('=', 1) for kv in r[3:].split())}

    def mounted(self):
        with open('/proc/mounts') as f:
            return any(l.split()[1] == self.mnt for l in f)

    def disconnect(self):
        """Close the control connection (the makefile() reader holds the fd too)."""
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
