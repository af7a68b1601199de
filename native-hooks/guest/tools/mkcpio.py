#!/usr/bin/env python3
"""ReplayDesk: write a reproducible cpio "newc" archive of a directory tree to stdout (host tool).

Entries are sorted by name, owned by root:root, with mtime = SOURCE_DATE_EPOCH, sequential inode numbers
and normalised modes (0755 for directories and executables, 0644 otherwise). Extra device nodes are given
as NAME:c:MAJOR:MINOR:MODE (e.g. dev/console:c:5:1:600). No root privileges are needed.
Usage: mkcpio.py DIR [NODE ...] > archive.cpio
Licensed under the Apache License, Version 2.0.
"""
import os
import stat
import sys


def main():
    root = sys.argv[1]
    mtime = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
    entries = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames:
            full = os.path.join(dirpath, n)
            rel = os.path.relpath(full, root)
            st = os.lstat(full)
            if stat.S_ISLNK(st.st_mode):
                entries[rel] = (stat.S_IFLNK | 0o777, os.readlink(full).encode(), 0, 0)
            elif stat.S_ISDIR(st.st_mode):
                entries[rel] = (stat.S_IFDIR | 0o755, b"", 0, 0)
            elif stat.S_ISREG(st.st_mode):
                perm = 0o755 if st.st_mode & 0o100 else 0o644
                with open(full, "rb") as f:
                    entries[rel] = (stat.S_IFREG | perm, f.read(), 0, 0)
            else:
                sys.exit("mkcpio: unsupported file type: " + full)
    for spec in sys.argv[2:]:
        name, kind, major, minor, mode = spec.split(":")
        if kind != "c":
            sys.exit("mkcpio: only character devices are supported: " + spec)
        entries[name] = (stat.S_IFCHR | int(mode, 8), b"", int(major), int(minor))
    out = sys.stdout.buffer
    ino = 0

    def emit(name, mode, data, rmaj, rmin, nlink):
        nonlocal ino
        ino += 1
        nb = name.encode() + b"\0"
        hdr = "070701" + "".join("%08X" % v for v in (
            ino, mode, 0, 0, nlink, mtime, len(data), 0, 0, rmaj, rmin, len(nb), 0))
        rec = hdr.encode() + nb
        rec += b"\0" * (-len(rec) % 4)
        rec += data + b"\0" * (-len(data) % 4)
        out.write(rec)

    for name in sorted(entries):
        mode, data, rmaj, rmin = entries[name]
        emit(name, mode, data, rmaj, rmin, 2 if stat.S_ISDIR(mode) else 1)
    ino = -1  # trailer gets inode 0
    emit("TRAILER!!!", 0, b"", 0, 0, 1)
    out.flush()


if __name__ == "__main__":
    main()
