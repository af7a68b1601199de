#!/usr/bin/env python3
"""Writes the vmstate (QEMU's saved RAM and device state) of every internal snapshot in a qcow2 file to
OUTDIR/<tag>.vmstate, so chunking can be compared on real snapshot contents:

    benchmarks/qcow2_vmstate.py target/sequence-bench/karaf/data/replaydesk/vms/seq/disk.qcow2 target/vmstates
    benchmarks/chunk_bench.sh --offline --rejoin target/vmstates/rd-2.vmstate target/vmstates/rd-3.vmstate

(`benchmarks/sequence_bench.sh --keep` leaves such a disk behind.) Reads the qcow2 format directly (version 2 and 3,
no encryption, no compressed or extended-L2 clusters): the vmstate lives in the snapshot's own L1/L2 tables at the
first L1 entry past the virtual disk, which is where QEMU's qcow2 driver puts it. Prints, per snapshot, its size and
whether its clusters are contiguous in the file (they are when QEMU appended it in one go).
"""
import os
import struct
import sys


def main(path, outdir):
    with open(path, "rb") as f:
        def read(offset, n):
            f.seek(offset)
            data = f.read(n)
            if len(data) != n:
                sys.exit(f"{path}: truncated at offset {offset}")
            return data

        (magic, version, _bfo, _bfs, cluster_bits, size, crypt, _l1_size, _l1_off, _rc_off, _rc_clusters,
         nb_snapshots, snapshots_offset) = struct.unpack(">IIQIIQIIQQIIQ", read(0, 72))
        if magic != 0x514649FB:
            sys.exit(f"{path}: not a qcow2 file")
        if crypt:
            sys.exit(f"{path}: encrypted images are not supported")
        if version >= 3:
            incompatible = struct.unpack(">Q", read(72, 8))[0]
            if incompatible & 0x10:
                sys.exit(f"{path}: extended L2 entries are not supported")
        cluster = 1 << cluster_bits
        l2_bits = cluster_bits - 3
        l1_index = (size + (cluster << l2_bits) - 1) // (cluster << l2_bits)
        vmstate_offset = l1_index << (cluster_bits + l2_bits)
        os.makedirs(outdir, exist_ok=True)
        offset = snapshots_offset
        for _ in range(nb_snapshots):
            (l1_off, _l1_size, id_len, name_len, _sec, _nsec, _clock, vm_state_size,
             extra_len) = struct.unpack(">QIHHIIQII", read(offset, 40))
            extra = read(offset + 40, extra_len)
            state_size = struct.unpack(">Q", extra[:8])[0] if extra_len >= 8 else vm_state_size
            p = offset + 40 + extra_len + id_len
            name = read(p, name_len).decode()
            offset = (p + name_len + 7) & ~7
            if state_size == 0:
                continue  # the disk-only twin QEMU's savevm also writes
            out, clusters, pos = bytearray(), [], vmstate_offset
            while len(out) < state_size:
                l1e = struct.unpack(">Q", read(l1_off + 8 * (pos >> (cluster_bits + l2_bits)), 8))[0]
                l2_table = l1e & 0x00FFFFFFFFFFFE00
                l2e = struct.unpack(">Q", read(l2_table + 8 * ((pos >> cluster_bits) & ((1 << l2_bits) - 1)), 8))[0] \
                    if l2_table else 0
                if l2e & (1 << 62):
                    sys.exit(f"{path}: snapshot {name} has compressed clusters (not supported)")
                host = l2e & 0x00FFFFFFFFFFFE00
                out += read(host, cluster) if host and not l2e & 1 else bytes(cluster)
                clusters.append(host)
                pos += cluster
            contiguous = all(b == a + cluster for a, b in zip(clusters, clusters[1:]))
            target = os.path.join(outdir, f"{name}.vmstate")
            with open(target, "wb") as o:
                o.write(out[:state_size])
            print(f"{name}: {state_size} bytes, {len(clusters)} clusters{' (contiguous)' if contiguous else ''}"
                  f" -> {target}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    try:
        main(sys.argv[1], sys.argv[2])
    except OSError as e:
        sys.exit(f"{e.filename}: {e.strerror}")
