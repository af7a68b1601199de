/*
 * rdfuse - ReplayDesk FUSE helper. Licensed under the Apache License, Version 2.0.
 *
 * Presents live QEMU record logs (streamed in over a unix-domain control socket) as seekable
 * files whose reads block until the bytes arrive, and snapshot images whose chunks are fetched
 * on first touch (NEED / CHUNK) with writes going to a private copy-on-write overlay.
 * See README.md for the control protocol.
 *
 * Design: one thread. libfuse's low-level API is driven from our own poll() loop over the
 * /dev/fuse fd, the control socket and a signalfd. A read that cannot be answered yet is not
 * answered: its fuse_req_t is parked on the file's wait list and replied to when DATA, END or
 * ABORT arrives (or EINTR when the kernel interrupts it). So nothing blocks, nothing polls on a
 * timer, and no locking is needed. Image reads and writes that touch a missing chunk are parked
 * the same way and re-examined whenever a CHUNK arrives.
 */
#define _GNU_SOURCE
#define FUSE_USE_VERSION 34
#include <fuse_lowlevel.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define RD_VERSION "2"
#define LIVE_SIZE ((uint64_t)1 << 40)        /* size reported until END */
#define MAX_IO (1024 * 1024)                 /* max_write / max_readahead / st_blksize */
#define MAX_LINE 4096
#define MAX_DATA_LEN ((uint64_t)1 << 30)     /* sanity limit of one DATA command */
#define IN_BUF (256 * 1024)
#define MAX_NAME 200
/* images: the overlay tracks written data in blocks of this size (the page size, so the kernel's
 * page-sized writes never need a read-modify-write); chunk sizes are multiples of it */
#define COW_BLOCK 4096u
#define MIN_CHUNK COW_BLOCK
#define MAX_CHUNK (64u * 1024 * 1024)
#define MAX_IMAGE_SIZE ((uint64_t)1 << 40)
#define MAX_CHUNKS ((uint64_t)1 << 24)       /* bounds the per-chunk state array (16 MiB) */
#define NEED_PER_LINE 64                     /* indices per NEED line: keeps lines far below MAX_LINE */
/* a request touches at most MAX_IO bytes, so at most this many chunks */
#define MAX_TOUCHED (MAX_IO / MIN_CHUNK + 2)

static const unsigned char QEMU72_LOG_VERSION[4] = {0x00, 0xe0, 0x20, 0x0c};

enum fstate { F_LIVE, F_ENDED, F_ABORTED };
enum ftype { T_LOG, T_IMAGE };
/* image chunk states; REQUESTED means a NEED was sent and no CHUNK/CHUNKERR came back yet */
enum cstate { C_ABSENT, C_REQUESTED, C_PRESENT };

struct waiter {                   /* a parked read (or, for images, write) */
    struct waiter *next, *prev;
    fuse_req_t req;
    struct rfile *f;
    uint64_t off;
    size_t size;
    char *data;                   /* parked image write: a copy of the bytes, else NULL */
};

struct rfile {
    char name[MAX_NAME + 1];
    fuse_ino_t ino;
    int fd;                       /* spool file */
    enum fstate state;
    char reason[256];
    uint64_t received;            /* bytes stored, contiguous from 0 (or from start) */
    uint64_t start;               /* LOG NAME START: the stream begins here; below it reads as zeros */
    uint64_t asked;               /* highest read start offset */
    uint64_t served;              /* highest end offset returned to a reader */
    uint64_t reads, max_read, bytes_read;
    unsigned opens;
    struct waiter wait;           /* list head */
    unsigned nwait;
    time_t ctime;
    enum ftype type;
    /* images only */
    uint64_t isize;               /* size of the pristine image (what chunks cover) */
    uint64_t cur_size;            /* current size: grows when written past isize */
    uint64_t chunk;               /* chunk size */
    uint64_t nchunks;
    unsigned char *cst;           /* enum cstate per chunk */
    uint64_t *cow;                /* overlay bitmap: one bit per COW_BLOCK below isize */
    int cow_fd;                   /* overlay file SPOOL/NAME.cow (sparse) */
    uint64_t present, requested, needs_sent, chunk_errs, cow_set, writes, bytes_written;
};

static struct {
    struct fuse_session *se;
    const char *mountpoint, *ctl_path, *spool;
    int listen_fd, ctl_fd, sig_fd;
    int quit;
    int debug;
    struct rfile **files;
    size_t nfiles;
    /* control input */
    char in[IN_BUF];
    size_t in_len;
    int in_payload;               /* 1: consuming a DATA or CHUNK payload */
    struct rfile *pay_file;       /* NULL: discard */
    uint64_t pay_left;
    int pay_chunk;                /* payload is a CHUNK (else DATA) */
    uint64_t pay_index, pay_pos;  /* CHUNK: index and the file offset of the next byte */
    char pay_err[300];
    /* control output */
    char *out;
    size_t out_len, out_cap;
    unsigned char rbuf[MAX_IO];
    unsigned char blockbuf[COW_BLOCK];
} g;

static void logmsg(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "rdfuse: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* ---------------------------------------------------------------- files */

static struct rfile *find_name(const char *name)
{
    for (size_t i = 0; i < g.nfiles; i++)
        if (strcmp(g.files[i]->name, name) == 0)
            return g.files[i];
    return NULL;
}

static struct rfile *find_ino(fuse_ino_t ino)
{
    if (ino < 2 || ino - 2 >= g.nfiles)
        return NULL;
    return g.files[ino - 2];
}

static int valid_name(const char *n)
{
    size_t l = strlen(n);
    if (l == 0 || l > MAX_NAME || n[0] == '.')
        return 0;
    for (; *n; n++)
        if (!((*n >= 'a' && *n <= 'z') || (*n >= 'A' && *n <= 'Z') || (*n >= '0' && *n <= '9') ||
              *n == '.' || *n == '_' || *n == '-'))
            return 0;
    return 1;
}

static uint64_t file_size(const struct rfile *f)
{
    return f->state == F_ENDED ? f->received : LIVE_SIZE;
}

/* bytes readable right now: what arrived, plus the forced header while live */
static uint64_t avail_end(const struct rfile *f)
{
    if (f->state == F_LIVE && f->received < sizeof QEMU72_LOG_VERSION)
        return sizeof QEMU72_LOG_VERSION;
    return f->received;
}

static void fill_attr(struct stat *st, fuse_ino_t ino)
{
    memset(st, 0, sizeof *st);
    st->st_ino = ino;
    st->st_uid = getuid();
    st->st_gid = getgid();
    if (ino == FUSE_ROOT_ID) {
        st->st_mode = S_IFDIR | 0755;
        st->st_nlink = 2;
        return;
    }
    struct rfile *f = find_ino(ino);
    st->st_nlink = 1;
    st->st_blksize = MAX_IO;      /* glibc stdio sizes its buffer from this: 1 MiB freads */
    if (f->type == T_IMAGE) {
        st->st_mode = S_IFREG | 0644;
        st->st_size = (off_t)f->cur_size;
        st->st_blocks = (blkcnt_t)((f->present * f->chunk + f->cow_set * COW_BLOCK) / 512);
    } else {
        st->st_mode = S_IFREG | 0444;
        st->st_size = (off_t)file_size(f);
        st->st_blocks = (blkcnt_t)((f->received + 511) / 512);
    }
    st->st_mtime = st->st_ctime = st->st_atime = f->ctime;
}

/* ---------------------------------------------------------------- reads */

static void unlink_waiter(struct waiter *w)
{
    w->prev->next = w->next;
    w->next->prev = w->prev;
    w->f->nwait--;
}

/* answer a read that is known to be answerable (data available, EOF or error) */
static void answer_read(fuse_req_t req, struct rfile *f, uint64_t off, size_t size)
{
    if (f->state == F_ABORTED) {
        fuse_reply_err(req, EIO);
        return;
    }
    uint64_t end = avail_end(f);
    if (off >= end) {             /* only reached when ENDED: EOF */
        fuse_reply_buf(req, NULL, 0);
        return;
    }
    size_t n = size;
    if (n > sizeof g.rbuf)
        n = sizeof g.rbuf;
    if ((uint64_t)n > end - off)
        n = (size_t)(end - off);
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(f->fd, g.rbuf + got, n - got, (off_t)(off + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            logmsg("%s: pread: %s", f->name, strerror(errno));
            fuse_reply_err(req, EIO);
            return;
        }
        if (r == 0) {             /* hole before the header arrived */
            memset(g.rbuf + got, 0, n - got);
            break;
        }
        got += (size_t)r;
    }
    for (uint64_t i = off; i < sizeof QEMU72_LOG_VERSION && i < off + n; i++)
        g.rbuf[i - off] = QEMU72_LOG_VERSION[i];
    if (off + n > f->served)
        f->served = off + n;
    f->bytes_read += n;
    fuse_reply_buf(req, (const char *)g.rbuf, n);
}

static void wake_waiters(struct rfile *f)
{
    uint64_t end = avail_end(f);
    struct waiter *w = f->wait.next;
    while (w != &f->wait) {
        struct waiter *next = w->next;
        if (f->state != F_LIVE || w->off < end) {
            unlink_waiter(w);
            fuse_req_interrupt_func(w->req, NULL, NULL);
            answer_read(w->req, f, w->off, w->size);
            free(w);
        }
        w = next;
    }
}

static void on_interrupt(fuse_req_t req, void *data)
{
    struct waiter *w = data;
    (void)req;
    if (g.debug)
        logmsg("%s: read at %" PRIu64 " interrupted", w->f->name, w->off);
    unlink_waiter(w);
    fuse_reply_err(w->req, EINTR);
    free(w->data);
    free(w);
}

/* ---------------------------------------------------------------- images */

static void reply(const char *fmt, ...);

static int cow_bit(const struct rfile *f, uint64_t block)
{
    return (f->cow[block / 64] >> (block % 64)) & 1;
}

static void cow_mark(struct rfile *f, uint64_t block)
{
    if (!cow_bit(f, block)) {
        f->cow[block / 64] |= (uint64_t)1 << (block % 64);
        f->cow_set++;
    }
}

static uint64_t chunk_len(const struct rfile *f, uint64_t idx)
{
    uint64_t start = idx * f->chunk;
    return f->isize - start < f->chunk ? f->isize - start : f->chunk;
}

/* [*bs, *be): the bytes of overlay block b that belong to the pristine image */
static void block_range(const struct rfile *f, uint64_t b, uint64_t *bs, uint64_t *be)
{
    *bs = b * COW_BLOCK;
    *be = *bs + COW_BLOCK < f->isize ? *bs + COW_BLOCK : f->isize;
}

/* pread exactly n bytes; bytes past the end of the file (sparse overlay) read as zeros */
static int pread_full(int fd, unsigned char *buf, size_t n, uint64_t off)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(fd, buf + got, n - got, (off_t)(off + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0) {
            memset(buf + got, 0, n - got);
            break;
        }
        got += (size_t)r;
    }
    return 0;
}

static int pwrite_full(int fd, const char *buf, size_t n, uint64_t off)
{
    size_t done = 0;
    while (done < n) {
        ssize_t w = pwrite(fd, buf + done, n - done, (off_t)(off + done));
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (w == 0)
                errno = EIO;
            return -1;
        }
        done += (size_t)w;
    }
    return 0;
}

/*
 * The chunks a request needs that are not present yet, into out[] (at most MAX_TOUCHED).
 * A read needs the chunk of every block in range that is not in the overlay; a write needs only
 * the chunks of a partially written first/last block that is not in the overlay yet (its other
 * bytes must be copied from the pristine chunk). Bytes at or past isize never need a chunk.
 */
static size_t img_missing(const struct rfile *f, uint64_t off, size_t size, int is_write, uint64_t *out)
{
    size_t n = 0;
    uint64_t end = off + size;
    if (end > f->isize)
        end = f->isize;
    if (off >= end)
        return 0;
    if (is_write) {
        uint64_t edge[2] = {off / COW_BLOCK, (end - 1) / COW_BLOCK};
        for (int i = 0; i < 2; i++) {
            uint64_t b = edge[i], bs, be;
            if (i == 1 && edge[1] == edge[0])
                break;
            block_range(f, b, &bs, &be);
            int partial = off > bs || (off + size) < be;
            uint64_t c = bs / f->chunk;
            if (partial && !cow_bit(f, b) && f->cst[c] != C_PRESENT && (n == 0 || out[n - 1] != c))
                out[n++] = c;
        }
        return n;
    }
    for (uint64_t c = off / f->chunk; c * f->chunk < end; c++) {
        if (f->cst[c] == C_PRESENT)
            continue;
        uint64_t s = c * f->chunk > off ? c * f->chunk : off;
        uint64_t e = (c + 1) * f->chunk < end ? (c + 1) * f->chunk : end;
        for (uint64_t b = s / COW_BLOCK; b * COW_BLOCK < e; b++)
            if (!cow_bit(f, b)) {      /* some byte of this chunk must come from the pristine image */
                out[n++] = c;
                break;
            }
    }
    return n;
}

/* send NEED for those of idx[] that have not been asked for yet (once per chunk until answered) */
static void img_request(struct rfile *f, const uint64_t *idx, size_t n)
{
    char line[MAX_LINE];
    size_t len = 0, count = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && f->cst[idx[i]] == C_ABSENT) {
            f->cst[idx[i]] = C_REQUESTED;
            f->requested++;
            f->needs_sent++;
            if (count == 0)
                len = (size_t)snprintf(line, sizeof line, "NEED %s", f->name);
            len += (size_t)snprintf(line + len, sizeof line - len, " %" PRIu64, idx[i]);
            count++;
        }
        if (count && (i == n || count == NEED_PER_LINE)) {
            reply("%s", line);
            count = 0;
        }
    }
}

/* answer a read whose pristine bytes are all present: overlay blocks from the overlay, the rest
 * from the chunk spool, in as few preads as there are runs */
static void img_answer_read(fuse_req_t req, struct rfile *f, uint64_t off, size_t size)
{
    if (f->state == F_ABORTED) {
        fuse_reply_err(req, EIO);
        return;
    }
    if (off >= f->cur_size) {
        fuse_reply_buf(req, NULL, 0);
        return;
    }
    uint64_t end = off + (size > sizeof g.rbuf ? sizeof g.rbuf : size);
    if (end > f->cur_size)
        end = f->cur_size;
    uint64_t pos = off;
    while (pos < end) {
        int fd;
        uint64_t run_end;
        if (pos >= f->isize) {
            fd = f->cow_fd;
            run_end = end;
        } else {
            uint64_t b = pos / COW_BLOCK;
            int in_cow = cow_bit(f, b);
            fd = in_cow ? f->cow_fd : f->fd;
            run_end = (b + 1) * COW_BLOCK;
            while (run_end < end && run_end < f->isize && cow_bit(f, run_end / COW_BLOCK) == in_cow)
                run_end += COW_BLOCK;
            if (run_end > f->isize)
                run_end = f->isize;
            if (run_end > end)
                run_end = end;
        }
        if (pread_full(fd, g.rbuf + (pos - off), (size_t)(run_end - pos), pos) < 0) {
            logmsg("%s: pread %s: %s", f->name, fd == f->fd ? "spool" : "overlay", strerror(errno));
            fuse_reply_err(req, EIO);
            return;
        }
        pos = run_end;
    }
    f->bytes_read += end - off;
    fuse_reply_buf(req, (const char *)g.rbuf, (size_t)(end - off));
}

/* perform a write whose partial edge blocks' chunks are present; never touches the chunk spool */
static void img_answer_write(fuse_req_t req, struct rfile *f, uint64_t off, const char *buf, size_t size)
{
    if (f->state == F_ABORTED) {
        fuse_reply_err(req, EIO);
        return;
    }
    uint64_t end = off + size;
    uint64_t iend = end < f->isize ? end : f->isize;
    uint64_t run_s = off, pos = off;   /* [run_s, pos): bytes to write to the overlay as they are */
    while (pos < iend) {
        uint64_t b = pos / COW_BLOCK, bs, be;
        block_range(f, b, &bs, &be);
        uint64_t e = be < iend ? be : iend;
        if ((pos > bs || e < be) && !cow_bit(f, b)) {
            /* first write into this block: the rest of it comes from the pristine chunk */
            if (pos > run_s && pwrite_full(f->cow_fd, buf + (run_s - off), (size_t)(pos - run_s), run_s) < 0)
                goto fail;
            if (pread_full(f->fd, g.blockbuf, (size_t)(be - bs), bs) < 0)
                goto fail;
            memcpy(g.blockbuf + (pos - bs), buf + (pos - off), (size_t)(e - pos));
            if (pwrite_full(f->cow_fd, (const char *)g.blockbuf, (size_t)(be - bs), bs) < 0)
                goto fail;
            run_s = e;
        }
        cow_mark(f, b);
        pos = e;
    }
    if (end > run_s && pwrite_full(f->cow_fd, buf + (run_s - off), (size_t)(end - run_s), run_s) < 0)
        goto fail;
    if (end > f->cur_size)
        f->cur_size = end;
    f->writes++;
    f->bytes_written += size;
    fuse_reply_write(req, size);
    return;
fail:
    logmsg("%s: overlay write at %" PRIu64 ": %s", f->name, off, strerror(errno));
    fuse_reply_err(req, EIO);
}

static int waiter_needs(const struct waiter *w, uint64_t idx)
{
    uint64_t miss[MAX_TOUCHED];
    size_t n = img_missing(w->f, w->off, w->size, w->data != NULL, miss);
    for (size_t i = 0; i < n; i++)
        if (miss[i] == idx)
            return 1;
    return 0;
}

static void free_waiter(struct waiter *w)
{
    free(w->data);
    free(w);
}

/* after a CHUNK arrived: answer every parked request that has all it needs now */
static void img_wake(struct rfile *f)
{
    uint64_t miss[MAX_TOUCHED];
    struct waiter *w = f->wait.next;
    while (w != &f->wait) {
        struct waiter *next = w->next;
        if (f->state == F_ABORTED || img_missing(f, w->off, w->size, w->data != NULL, miss) == 0) {
            unlink_waiter(w);
            fuse_req_interrupt_func(w->req, NULL, NULL);
            if (w->data)
                img_answer_write(w->req, f, w->off, w->data, w->size);
            else
                img_answer_read(w->req, f, w->off, w->size);
            free_waiter(w);
        }
        w = next;
    }
}

/* CHUNKERR: parked requests that need chunk idx fail with EIO; others keep waiting */
static void img_fail_chunk(struct rfile *f, uint64_t idx)
{
    struct waiter *w = f->wait.next;
    while (w != &f->wait) {
        struct waiter *next = w->next;
        if (waiter_needs(w, idx)) {
            unlink_waiter(w);
            fuse_req_interrupt_func(w->req, NULL, NULL);
            fuse_reply_err(w->req, EIO);
            free_waiter(w);
        }
        w = next;
    }
}

static void park(fuse_req_t req, struct rfile *f, uint64_t off, size_t size, char *data);

/* a read or write of an image: answer at once if every chunk it needs is present, else ask for
 * the missing ones and park it */
static void img_request_io(fuse_req_t req, struct rfile *f, uint64_t off, const char *buf, size_t size)
{
    if (f->state == F_ABORTED) {
        fuse_reply_err(req, EIO);
        return;
    }
    if (size > MAX_IO) {          /* cannot happen with the negotiated max_pages; never truncate silently */
        logmsg("%s: request of %zu bytes exceeds %d", f->name, size, MAX_IO);
        fuse_reply_err(req, EINVAL);
        return;
    }
    uint64_t miss[MAX_TOUCHED];
    size_t n = img_missing(f, off, size, buf != NULL, miss);
    if (n == 0) {
        if (buf) {
            img_answer_write(req, f, off, buf, size);
            /* whole-block writes can cover everything a parked read still waited for */
            if (f->nwait)
                img_wake(f);
        } else
            img_answer_read(req, f, off, size);
        return;
    }
    char *copy = NULL;
    if (buf) {
        copy = malloc(size ? size : 1);
        if (!copy) {
            fuse_reply_err(req, ENOMEM);
            return;
        }
        memcpy(copy, buf, size);
    }
    img_request(f, miss, n);
    park(req, f, off, size, copy);
}

/* ---------------------------------------------------------------- FUSE ops */

static void op_init(void *ud, struct fuse_conn_info *conn)
{
    (void)ud;
    conn->max_write = MAX_IO;     /* libfuse derives max_pages (1 MiB requests) from this */
    conn->max_readahead = MAX_IO;
    conn->want &= ~FUSE_CAP_ASYNC_READ;
    if (conn->capable & FUSE_CAP_ASYNC_READ)
        conn->want |= FUSE_CAP_ASYNC_READ;
    /* With async direct I/O the kernel sends O_DIRECT requests as background requests and waits
     * for them uninterruptibly: a QEMU with cache=none that is killed while its read or write waits
     * for a chunk would stay in D state until the chunk came. Synchronous requests get a FUSE
     * interrupt instead, which we answer with EINTR (measured: the process exits at once). */
    conn->want &= ~FUSE_CAP_ASYNC_DIO;
}

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
    struct rfile *f = parent == FUSE_ROOT_ID ? find_name(name) : NULL;
    if (!f) {
        fuse_reply_err(req, ENOENT);
        return;
    }
    struct fuse_entry_param e;
    memset(&e, 0, sizeof e);
    e.ino = f->ino;
    e.generation = 1;
    fill_attr(&e.attr, f->ino);
    e.attr_timeout = 0;
    e.entry_timeout = 0;
    fuse_reply_entry(req, &e);
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    (void)fi;
    if (ino != FUSE_ROOT_ID && !find_ino(ino)) {
        fuse_reply_err(req, ENOENT);
        return;
    }
    struct stat st;
    fill_attr(&st, ino);
    fuse_reply_attr(req, &st, 0);
}

static void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    struct rfile *f = find_ino(ino);
    if (!f) {
        fuse_reply_err(req, ino == FUSE_ROOT_ID ? EISDIR : ENOENT);
        return;
    }
    if (f->type == T_IMAGE) {
        /* The content changes only through this mount (chunks are immutable, writes pass the
         * kernel), so the page cache stays coherent: keep it across opens, and re-reads of a
         * snapshot's hot blocks never reach the helper. */
        fi->direct_io = 0;
        fi->keep_cache = 1;
    } else if ((fi->flags & O_ACCMODE) != O_RDONLY) {
        fuse_reply_err(req, EACCES);
        return;
    } else {
        fi->direct_io = 1;        /* no page cache: the size and content are still changing */
        fi->keep_cache = 0;
    }
    fi->fh = f->ino;
    f->opens++;
    fuse_reply_open(req, fi);
}

static void op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    (void)fi;
    struct rfile *f = find_ino(ino);
    if (f && f->opens)
        f->opens--;
    fuse_reply_err(req, 0);
}

static void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
    (void)fi;
    struct rfile *f = find_ino(ino);
    if (!f || off < 0) {
        fuse_reply_err(req, f ? EINVAL : ENOENT);
        return;
    }
    uint64_t o = (uint64_t)off;
    f->reads++;
    if (size > f->max_read)
        f->max_read = size;
    if (o > f->asked)
        f->asked = o;
    if (f->type == T_IMAGE) {
        img_request_io(req, f, o, NULL, size);
        return;
    }
    if (f->state != F_LIVE || o < avail_end(f)) {
        answer_read(req, f, o, size);
        return;
    }
    park(req, f, o, size, NULL);
}

/* put a request on the file's wait list until the bytes/chunks it needs arrive; takes data */
static void park(fuse_req_t req, struct rfile *f, uint64_t off, size_t size, char *data)
{
    struct waiter *w = calloc(1, sizeof *w);
    if (!w) {
        free(data);
        fuse_reply_err(req, ENOMEM);
        return;
    }
    w->req = req;
    w->f = f;
    w->off = off;
    w->size = size;
    w->data = data;
    w->prev = f->wait.prev;
    w->next = &f->wait;
    f->wait.prev->next = w;
    f->wait.prev = w;
    f->nwait++;
    /* may call on_interrupt at once if an interrupt is already pending */
    fuse_req_interrupt_func(req, on_interrupt, w);
}

static void op_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
                     struct fuse_file_info *fi)
{
    (void)fi;
    struct rfile *f = find_ino(ino);
    if (!f || off < 0) {
        fuse_reply_err(req, f ? EINVAL : ENOENT);
        return;
    }
    if (f->type != T_IMAGE) {
        fuse_reply_err(req, EACCES);
        return;
    }
    if ((uint64_t)off + size > MAX_IMAGE_SIZE) {
        fuse_reply_err(req, EFBIG);
        return;
    }
    img_request_io(req, f, (uint64_t)off, buf, size);
}

/* only an image's size can change, and never below the pristine size: the chunks beyond a
 * shrink would otherwise have to come back as zeros after a regrow. Other attributes are
 * accepted and ignored (mode, owner and times are fixed). */
static void op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set, struct fuse_file_info *fi)
{
    (void)fi;
    struct rfile *f = find_ino(ino);
    if (!f) {
        fuse_reply_err(req, ino == FUSE_ROOT_ID ? EPERM : ENOENT);
        return;
    }
    if (to_set & FUSE_SET_ATTR_SIZE) {
        uint64_t size = (uint64_t)attr->st_size;
        if (f->type != T_IMAGE) {
            fuse_reply_err(req, EACCES);
            return;
        }
        if (attr->st_size < 0 || size < f->isize || size > MAX_IMAGE_SIZE) {
            fuse_reply_err(req, EPERM);
            return;
        }
        if (ftruncate(f->cow_fd, (off_t)size) < 0) {
            fuse_reply_err(req, errno);
            return;
        }
        f->cur_size = size;
    }
    struct stat st;
    fill_attr(&st, ino);
    fuse_reply_attr(req, &st, 0);
}

static void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
    (void)fi;
    if (ino != FUSE_ROOT_ID) {
        fuse_reply_err(req, ENOTDIR);
        return;
    }
    char *buf = malloc(size);
    if (!buf) {
        fuse_reply_err(req, ENOMEM);
        return;
    }
    size_t used = 0;
    for (off_t i = off; i < (off_t)g.nfiles + 2; i++) {
        struct stat st;
        memset(&st, 0, sizeof st);
        const char *name;
        if (i == 0) {
            name = ".";
            st.st_ino = FUSE_ROOT_ID;
            st.st_mode = S_IFDIR;
        } else if (i == 1) {
            name = "..";
            st.st_ino = FUSE_ROOT_ID;
            st.st_mode = S_IFDIR;
        } else {
            name = g.files[i - 2]->name;
            st.st_ino = g.files[i - 2]->ino;
            st.st_mode = S_IFREG;
        }
        size_t need = fuse_add_direntry(req, buf + used, size - used, name, &st, i + 1);
        if (need > size - used)
            break;
        used += need;
    }
    fuse_reply_buf(req, buf, used);
    free(buf);
}

static void op_statfs(fuse_req_t req, fuse_ino_t ino)
{
    (void)ino;
    struct statvfs sv;
    memset(&sv, 0, sizeof sv);
    sv.f_bsize = MAX_IO;
    sv.f_frsize = 512;
    sv.f_namemax = MAX_NAME;
    fuse_reply_statfs(req, &sv);
}

static const struct fuse_lowlevel_ops ops = {
    .init = op_init,
    .lookup = op_lookup,
    .getattr = op_getattr,
    .open = op_open,
    .release = op_release,
    .read = op_read,
    .write = op_write,
    .setattr = op_setattr,
    .readdir = op_readdir,
    .statfs = op_statfs,
};

/* ---------------------------------------------------------------- control output */

static void reply(const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n > sizeof line - 2)
        n = (int)sizeof line - 2;
    line[n++] = '\n';
    if (g.debug)
        logmsg("> %.*s", n - 1, line);
    if (g.out_len + (size_t)n > g.out_cap) {
        size_t cap = g.out_cap ? g.out_cap * 2 : 4096;
        while (cap < g.out_len + (size_t)n)
            cap *= 2;
        char *p = realloc(g.out, cap);
        if (!p) {
            logmsg("out of memory");
            g.quit = 1;
            return;
        }
        g.out = p;
        g.out_cap = cap;
    }
    memcpy(g.out + g.out_len, line, (size_t)n);
    g.out_len += (size_t)n;
}

static void flush_out(void)
{
    while (g.ctl_fd >= 0 && g.out_len) {
        ssize_t w = send(g.ctl_fd, g.out, g.out_len, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (w <= 0) {
            logmsg("control connection: send: %s", strerror(errno));
            g.quit = 1;
            g.out_len = 0;
            return;
        }
        memmove(g.out, g.out + w, g.out_len - (size_t)w);
        g.out_len -= (size_t)w;
    }
}

/* ---------------------------------------------------------------- control commands */

static int parse_u64(const char *s, uint64_t *v)
{
    if (!s || !*s || *s == '-' || *s == '+')
        return 0;
    char *e;
    errno = 0;
    unsigned long long x = strtoull(s, &e, 10);
    if (errno || *e)
        return 0;
    *v = x;
    return 1;
}

/* open SPOOL/NAME.SUFFIX, truncated; replies ERR and returns -1 on failure */
static int open_spool(const char *name, const char *suffix)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s.%s", g.spool, name, suffix);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        reply("ERR spool %s: %s", path, strerror(errno));
    return fd;
}

/* a new, registered file (fd -1, cow_fd -1); replies ERR and returns NULL on failure */
static struct rfile *new_file(const char *name, enum ftype type)
{
    if (!name || !valid_name(name)) {
        reply("ERR bad name");
        return NULL;
    }
    if (find_name(name)) {
        reply("ERR exists %s", name);
        return NULL;
    }
    struct rfile *f = calloc(1, sizeof *f);
    struct rfile **nf = realloc(g.files, (g.nfiles + 1) * sizeof *nf);
    if (nf)
        g.files = nf;
    if (!f || !nf) {
        free(f);
        reply("ERR out of memory");
        return NULL;
    }
    snprintf(f->name, sizeof f->name, "%s", name);
    f->type = type;
    f->fd = f->cow_fd = -1;
    f->ino = g.nfiles + 2;
    f->state = F_LIVE;
    f->wait.next = f->wait.prev = &f->wait;
    f->ctime = time(NULL);
    return f;
}

static void free_file(struct rfile *f)
{
    if (f->fd >= 0)
        close(f->fd);
    if (f->cow_fd >= 0)
        close(f->cow_fd);
    free(f->cst);
    free(f->cow);
    free(f);
}

/* LOG NAME [START]: a replay client starts the stream at a snapshot's log offset and has no use for the
 * megabytes before it; QEMU seeks there itself (rrsnapshot=) and reads only the header below it */
static void cmd_log(char *name, char *sstart)
{
    uint64_t start = 0;
    if (sstart && (!parse_u64(sstart, &start) || start >= LIVE_SIZE)) {
        reply("ERR bad start offset (0..%" PRIu64 ")", LIVE_SIZE - 1);
        return;
    }
    struct rfile *f = new_file(name, T_LOG);
    if (!f)
        return;
    if ((f->fd = open_spool(name, "log")) < 0) {
        free_file(f);
        return;
    }
    /* the spool keeps real offsets (sparse below START), so reads below START pread zeros from the hole */
    if (start && ftruncate(f->fd, (off_t)start) < 0) {
        reply("ERR spool %s.log: %s", name, strerror(errno));
        free_file(f);
        return;
    }
    f->start = f->received = f->asked = f->served = start;
    g.files[g.nfiles++] = f;
    reply("OK");
}

/* IMAGE name size chunksize: pristine chunks go to SPOOL/NAME.img (sparse, chunk i at
 * i*chunksize, never modified once stored), writes to SPOOL/NAME.cow */
static void cmd_image(char *name, char *ssize, char *schunk)
{
    uint64_t size, chunk;
    if (!parse_u64(ssize, &size) || size == 0 || size > MAX_IMAGE_SIZE) {
        reply("ERR bad size (1..%" PRIu64 ")", MAX_IMAGE_SIZE);
        return;
    }
    if (!parse_u64(schunk, &chunk) || chunk < MIN_CHUNK || chunk > MAX_CHUNK || chunk % COW_BLOCK) {
        reply("ERR bad chunk size (a multiple of %u from %u to %u)", COW_BLOCK, MIN_CHUNK, MAX_CHUNK);
        return;
    }
    uint64_t nchunks = (size + chunk - 1) / chunk;
    if (nchunks > MAX_CHUNKS) {
        reply("ERR too many chunks (%" PRIu64 " > %" PRIu64 "): use a larger chunk size", nchunks, MAX_CHUNKS);
        return;
    }
    struct rfile *f = new_file(name, T_IMAGE);
    if (!f)
        return;
    uint64_t blocks = (size + COW_BLOCK - 1) / COW_BLOCK;
    f->isize = f->cur_size = size;
    f->chunk = chunk;
    f->nchunks = nchunks;
    f->cst = calloc(nchunks, 1);
    f->cow = calloc((blocks + 63) / 64, sizeof *f->cow);
    if (!f->cst || !f->cow) {
        reply("ERR out of memory");
        free_file(f);
        return;
    }
    if ((f->fd = open_spool(name, "img")) < 0 || (f->cow_fd = open_spool(name, "cow")) < 0) {
        free_file(f);
        return;
    }
    if (ftruncate(f->fd, (off_t)size) < 0 || ftruncate(f->cow_fd, (off_t)size) < 0) {
        reply("ERR spool %s: %s", name, strerror(errno));
        free_file(f);
        return;
    }
    g.files[g.nfiles++] = f;
    reply("OK chunks=%" PRIu64, nchunks);
}

/* DATA name offset length: returns 0 if the connection must be dropped (unusable length) */
static int cmd_data(char *name, char *soff, char *slen, char *extra)
{
    uint64_t off, len;
    if (!parse_u64(slen, &len) || len > MAX_DATA_LEN || extra) {
        reply("ERR fatal bad DATA line (length missing or invalid); closing");
        return 0;
    }
    g.in_payload = 1;
    g.pay_chunk = 0;
    g.pay_left = len;
    g.pay_file = NULL;
    g.pay_err[0] = 0;
    struct rfile *f = name ? find_name(name) : NULL;
    if (!f)
        snprintf(g.pay_err, sizeof g.pay_err, "ERR no such file %s", name ? name : "");
    else if (f->type != T_LOG)
        snprintf(g.pay_err, sizeof g.pay_err, "ERR not a log %s", f->name);
    else if (!parse_u64(soff, &off))
        snprintf(g.pay_err, sizeof g.pay_err, "ERR bad offset");
    else if (f->state == F_ENDED)
        snprintf(g.pay_err, sizeof g.pay_err, "ERR ended %s", f->name);
    else if (f->state == F_ABORTED)
        snprintf(g.pay_err, sizeof g.pay_err, "ERR aborted %s", f->name);
    else if (off > f->received)
        snprintf(g.pay_err, sizeof g.pay_err, "ERR gap expected=%" PRIu64 " got=%" PRIu64, f->received, off);
    else if (off < f->received)
        snprintf(g.pay_err, sizeof g.pay_err, "ERR overlap expected=%" PRIu64 " got=%" PRIu64, f->received, off);
    else
        g.pay_file = f;
    return 1;
}

/* CHUNK name index length: returns 0 if the connection must be dropped (unusable length).
 * A chunk that is present already is consumed and ignored ("OK i duplicate"): the stored
 * pristine bytes are never rewritten. */
static int cmd_chunk(char *name, char *sidx, char *slen, char *extra)
{
    uint64_t idx, len;
    if (!parse_u64(slen, &len) || len > MAX_DATA_LEN || extra) {
        reply("ERR fatal bad CHUNK line (length missing or invalid); closing");
        return 0;
    }
    g.in_payload = 1;
    g.pay_chunk = 1;
    g.pay_left = len;
    g.pay_file = NULL;
    g.pay_err[0] = 0;
    struct rfile *f = name ? find_name(name) : NULL;
    if (!f)
        snprintf(g.pay_err, sizeof g.pay_err, "ERR no such file %s", name ? name : "");
    else if (f->type != T_IMAGE)
        snprintf(g.pay_err, sizeof g.pay_err, "ERR not an image %s", f->name);
    else if (!parse_u64(sidx, &idx) || idx >= f->nchunks)
        snprintf(g.pay_err, sizeof g.pay_err, "ERR bad index %s (0..%" PRIu64 ")", sidx ? sidx : "",
                 f->nchunks - 1);
    else if (len != chunk_len(f, idx))
        snprintf(g.pay_err, sizeof g.pay_err, "ERR length index=%" PRIu64 " expected=%" PRIu64 " got=%" PRIu64,
                 idx, chunk_len(f, idx), len);
    else if (f->state == F_ABORTED)
        snprintf(g.pay_err, sizeof g.pay_err, "ERR aborted %s", f->name);
    else if (f->cst[idx] == C_PRESENT)
        snprintf(g.pay_err, sizeof g.pay_err, "OK %" PRIu64 " duplicate", idx);
    else {
        g.pay_file = f;
        g.pay_index = idx;
        g.pay_pos = idx * f->chunk;
    }
    return 1;
}

/* CHUNKERR name index reason: the pager could not deliver the chunk */
static void cmd_chunkerr(char *name, char *sidx, const char *reason)
{
    struct rfile *f = name ? find_name(name) : NULL;
    uint64_t idx;
    if (!f) {
        reply("ERR no such file %s", name ? name : "");
        return;
    }
    if (f->type != T_IMAGE) {
        reply("ERR not an image %s", f->name);
        return;
    }
    if (!parse_u64(sidx, &idx) || idx >= f->nchunks) {
        reply("ERR bad index %s (0..%" PRIu64 ")", sidx ? sidx : "", f->nchunks - 1);
        return;
    }
    if (f->cst[idx] == C_PRESENT) {
        reply("ERR present %s %" PRIu64, f->name, idx);
        return;
    }
    logmsg("%s: chunk %" PRIu64 " failed: %s", f->name, idx, reason && *reason ? reason : "-");
    /* the requests waiting for it fail now; a later read asks again (NEED), in case the pager
     * recovers (another server, a repaired cache) */
    img_fail_chunk(f, idx);
    if (f->cst[idx] == C_REQUESTED)
        f->requested--;
    f->cst[idx] = C_ABSENT;
    f->chunk_errs++;
    reply("OK");
}

static void payload_done(void)
{
    g.in_payload = 0;
    struct rfile *f = g.pay_file;
    g.pay_file = NULL;
    if (g.pay_err[0]) {
        reply("%s", g.pay_err);
        return;
    }
    if (!g.pay_chunk) {
        reply("OK %" PRIu64, f->received);
        return;
    }
    /* the whole chunk is stored: only now may readers see it (the pager verified its hash as a whole) */
    if (f->cst[g.pay_index] == C_REQUESTED)
        f->requested--;
    f->cst[g.pay_index] = C_PRESENT;
    f->present++;
    reply("OK %" PRIu64, g.pay_index);
    img_wake(f);
}

/* consume payload bytes: store them, advance received, wake readers */
static void payload_bytes(const char *p, size_t n)
{
    struct rfile *f = g.pay_file;
    g.pay_left -= n;
    if (!f || g.pay_err[0])
        return;
    if (g.pay_chunk) {
        if (pwrite_full(f->fd, p, n, g.pay_pos) < 0)
            snprintf(g.pay_err, sizeof g.pay_err, "ERR write chunk %" PRIu64 ": %s", g.pay_index, strerror(errno));
        g.pay_pos += n;
        return;
    }
    size_t done = 0;
    while (done < n) {
        ssize_t w = pwrite(f->fd, p + done, n - done, (off_t)(f->received + done));
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            snprintf(g.pay_err, sizeof g.pay_err, "ERR write received=%" PRIu64 ": %s",
                     f->received + done, w < 0 ? strerror(errno) : "short write");
            break;
        }
        done += (size_t)w;
    }
    f->received += done;
    if (done)
        wake_waiters(f);
}

static void cmd_end(char *name)
{
    struct rfile *f = name ? find_name(name) : NULL;
    if (!f) {
        reply("ERR no such file %s", name ? name : "");
        return;
    }
    if (f->type != T_LOG) {
        reply("ERR not a log %s", f->name);
        return;
    }
    if (f->state == F_ABORTED) {
        reply("ERR aborted %s", f->name);
        return;
    }
    f->state = F_ENDED;
    wake_waiters(f);
    /* drop the kernel's cached size (2^40) */
    fuse_lowlevel_notify_inval_inode(g.se, f->ino, -1, 0);
    reply("OK %" PRIu64, f->received);
}

static void cmd_abort(char *name, const char *reason)
{
    struct rfile *f = name ? find_name(name) : NULL;
    if (!f) {
        reply("ERR no such file %s", name ? name : "");
        return;
    }
    f->state = F_ABORTED;
    snprintf(f->reason, sizeof f->reason, "%s", reason && *reason ? reason : "-");
    logmsg("%s: aborted: %s", f->name, f->reason);
    if (f->type == T_IMAGE)
        img_wake(f);
    else
        wake_waiters(f);
    reply("OK");
}

static void cmd_stat(char *name)
{
    struct rfile *f = name ? find_name(name) : NULL;
    if (!f) {
        reply("ERR no such file %s", name ? name : "");
        return;
    }
    static const char *st[] = {"live", "ended", "aborted"};
    if (f->type == T_IMAGE) {
        reply("OK size=%" PRIu64 " imagesize=%" PRIu64 " chunksize=%" PRIu64 " chunks=%" PRIu64 " present=%" PRIu64
              " requested=%" PRIu64 " needs=%" PRIu64 " chunkerrs=%" PRIu64 " state=%s blocked=%u opens=%u reads=%" PRIu64
              " maxread=%" PRIu64 " bytesread=%" PRIu64 " writes=%" PRIu64 " byteswritten=%" PRIu64 " cowblocks=%" PRIu64,
              f->cur_size, f->isize, f->chunk, f->nchunks, f->present, f->requested, f->needs_sent, f->chunk_errs,
              f->state == F_ABORTED ? "aborted" : "ok", f->nwait, f->opens, f->reads, f->max_read, f->bytes_read,
              f->writes, f->bytes_written, f->cow_set);
        return;
    }
    reply("OK received=%" PRIu64 " asked=%" PRIu64 " served=%" PRIu64 " state=%s blocked=%u opens=%u reads=%" PRIu64
          " maxread=%" PRIu64 " bytesread=%" PRIu64 " start=%" PRIu64,
          f->received, f->asked, f->served, st[f->state], f->nwait, f->opens, f->reads, f->max_read, f->bytes_read,
          f->start);
}

/* returns 0 if the connection must be dropped */
static int handle_line(char *line)
{
    size_t l = strlen(line);
    if (l && line[l - 1] == '\r')
        line[--l] = 0;
    if (g.debug)
        logmsg("< %s", line);
    char *save = NULL;
    char *cmd = strtok_r(line, " ", &save);
    if (!cmd)
        return 1;                 /* empty line */
    if (strcmp(cmd, "ABORT") == 0) {
        char *name = strtok_r(NULL, " ", &save);
        cmd_abort(name, save ? save : "");
        return 1;
    }
    if (strcmp(cmd, "CHUNKERR") == 0) {
        char *name = strtok_r(NULL, " ", &save);
        char *idx = strtok_r(NULL, " ", &save);
        cmd_chunkerr(name, idx, save ? save : "");
        return 1;
    }
    char *a1 = strtok_r(NULL, " ", &save);
    char *a2 = strtok_r(NULL, " ", &save);
    char *a3 = strtok_r(NULL, " ", &save);
    char *a4 = strtok_r(NULL, " ", &save);
    if (strcmp(cmd, "DATA") == 0)
        return cmd_data(a1, a2, a3, a4);
    if (strcmp(cmd, "CHUNK") == 0)
        return cmd_chunk(a1, a2, a3, a4);
    if (strcmp(cmd, "PING") == 0)
        reply("OK PONG rdfuse " RD_VERSION);
    else if (strcmp(cmd, "LOG") == 0 && !a3)
        cmd_log(a1, a2);
    else if (strcmp(cmd, "IMAGE") == 0 && a3 && !a4)
        cmd_image(a1, a2, a3);
    else if (strcmp(cmd, "END") == 0 && !a2)
        cmd_end(a1);
    else if (strcmp(cmd, "STAT") == 0 && !a2)
        cmd_stat(a1);
    else if (strcmp(cmd, "QUIT") == 0) {
        reply("OK BYE");
        g.quit = 1;
    } else
        reply("ERR unknown command or wrong arguments: %s", cmd);
    return 1;
}

/* process buffered input; returns 0 if the connection must be dropped */
static int process_input(void)
{
    size_t pos = 0;
    while (pos < g.in_len) {
        if (g.in_payload) {
            size_t n = g.in_len - pos;
            if ((uint64_t)n > g.pay_left)
                n = (size_t)g.pay_left;
            payload_bytes(g.in + pos, n);
            pos += n;
            if (g.pay_left == 0)
                payload_done();
            continue;
        }
        char *nl = memchr(g.in + pos, '\n', g.in_len - pos);
        if (!nl) {
            if (g.in_len - pos >= MAX_LINE) {
                reply("ERR fatal line too long; closing");
                return 0;
            }
            break;
        }
        *nl = 0;
        char *line = g.in + pos;
        pos = (size_t)(nl - g.in) + 1;
        if (!handle_line(line))
            return 0;
        if (g.in_payload && g.pay_left == 0)
            payload_done();
    }
    memmove(g.in, g.in + pos, g.in_len - pos);
    g.in_len -= pos;
    return 1;
}

/* ---------------------------------------------------------------- setup & loop */

static int make_listener(const char *path)
{
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof sa.sun_path) {
        logmsg("control socket path too long");
        return -1;
    }
    strcpy(sa.sun_path, path);
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
        unlink(path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    mode_t old = umask(0177);
    int r = bind(fd, (struct sockaddr *)&sa, sizeof sa);
    umask(old);
    if (r < 0 || chmod(path, 0600) < 0 || listen(fd, 4) < 0) {
        logmsg("control socket %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

static void fail_all_waiters(int err)
{
    for (size_t i = 0; i < g.nfiles; i++) {
        struct rfile *f = g.files[i];
        while (f->wait.next != &f->wait) {
            struct waiter *w = f->wait.next;
            unlink_waiter(w);
            fuse_req_interrupt_func(w->req, NULL, NULL);
            fuse_reply_err(w->req, err);
            free(w->data);
            free(w);
        }
    }
}

static void usage(FILE *o)
{
    fprintf(o, "usage: rdfuse --control SOCKET --spool DIR [--allow-other] [--debug] MOUNTPOINT\n"
               "  Mounts MOUNTPOINT and serves files declared over the unix socket SOCKET (mode 0600).\n"
               "  Prints 'READY' on stdout once the mount and the socket are up. See README.md.\n");
}

int main(int argc, char **argv)
{
    int allow_other = 0, fuse_debug = 0;
    static const struct option lo[] = {
        {"control", required_argument, 0, 'c'}, {"spool", required_argument, 0, 's'},
        {"allow-other", no_argument, 0, 'a'},   {"debug", no_argument, 0, 'd'},
        {"fuse-debug", no_argument, 0, 'D'},    {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "c:s:adDh", lo, NULL)) != -1) {
        switch (c) {
        case 'c': g.ctl_path = optarg; break;
        case 's': g.spool = optarg; break;
        case 'a': allow_other = 1; break;
        case 'd': g.debug = 1; break;
        case 'D': fuse_debug = 1; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc - 1 || !g.ctl_path || !g.spool) {
        usage(stderr);
        return 2;
    }
    g.mountpoint = argv[optind];
    g.listen_fd = g.ctl_fd = g.sig_fd = -1;
    struct stat st;
    if (stat(g.spool, &st) < 0 || !S_ISDIR(st.st_mode)) {
        logmsg("spool %s is not a directory", g.spool);
        return 1;
    }

    sigset_t ss;
    sigemptyset(&ss);
    sigaddset(&ss, SIGTERM);
    sigaddset(&ss, SIGINT);
    sigaddset(&ss, SIGHUP);
    sigprocmask(SIG_BLOCK, &ss, NULL);
    signal(SIGPIPE, SIG_IGN);
    g.sig_fd = signalfd(-1, &ss, SFD_CLOEXEC | SFD_NONBLOCK);

    char *fargv[8];
    int fargc = 0;
    fargv[fargc++] = argv[0];
    fargv[fargc++] = "-o";
    fargv[fargc++] = allow_other ? "fsname=rdfuse,subtype=rdfuse,allow_other" : "fsname=rdfuse,subtype=rdfuse";
    if (fuse_debug)
        fargv[fargc++] = "-d";
    struct fuse_args args = FUSE_ARGS_INIT(fargc, fargv);
    g.se = fuse_session_new(&args, &ops, sizeof ops, NULL);
    if (!g.se) {
        logmsg("fuse_session_new failed");
        return 1;
    }
    if (fuse_session_mount(g.se, g.mountpoint) != 0) {
        logmsg("cannot mount %s", g.mountpoint);
        fuse_session_destroy(g.se);
        return 1;
    }
    int rc = 0;
    g.listen_fd = make_listener(g.ctl_path);
    if (g.listen_fd < 0) {
        rc = 1;
        goto out;
    }
    printf("READY %s\n", g.mountpoint);
    fflush(stdout);

    struct fuse_buf fbuf = {.mem = NULL};
    int fuse_fd = fuse_session_fd(g.se);
    while (!g.quit && !fuse_session_exited(g.se)) {
        struct pollfd p[4];
        p[0] = (struct pollfd){.fd = fuse_fd, .events = POLLIN};
        p[1] = (struct pollfd){.fd = g.sig_fd, .events = POLLIN};
        p[2] = (struct pollfd){.fd = g.listen_fd, .events = POLLIN};
        p[3] = (struct pollfd){.fd = g.ctl_fd, .events = POLLIN | (g.out_len ? POLLOUT : 0)};
        if (poll(p, 4, -1) < 0) {
            if (errno == EINTR)
                continue;
            logmsg("poll: %s", strerror(errno));
            rc = 1;
            break;
        }
        if (p[1].revents & POLLIN) {
            struct signalfd_siginfo si;
            if (read(g.sig_fd, &si, sizeof si) == sizeof si) {
                logmsg("signal %u: unmounting", si.ssi_signo);
                break;
            }
        }
        if (p[0].revents & (POLLERR | POLLHUP | POLLNVAL)) {
            logmsg("fuse device closed (unmounted?)");
            break;
        }
        if (p[0].revents & POLLIN) {
            int r = fuse_session_receive_buf(g.se, &fbuf);
            if (r == -EINTR || r == -EAGAIN)
                ;
            else if (r <= 0) {
                if (r < 0)
                    logmsg("fuse receive: %s", strerror(-r));
                break;
            } else
                fuse_session_process_buf(g.se, &fbuf);
        }
        if (p[2].revents & POLLIN) {
            int fd = accept4(g.listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
            if (fd >= 0 && g.ctl_fd >= 0) {
                static const char busy[] = "ERR busy: another control connection is active\n";
                ssize_t w = send(fd, busy, sizeof busy - 1, MSG_NOSIGNAL);
                (void)w;
                close(fd);
            } else if (fd >= 0) {
                g.ctl_fd = fd;
            }
        }
        if (g.ctl_fd >= 0 && (p[3].revents & (POLLIN | POLLHUP | POLLERR))) {
            ssize_t r = recv(g.ctl_fd, g.in + g.in_len, sizeof g.in - g.in_len, 0);
            if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
                logmsg("control connection closed: unmounting");
                break;
            }
            if (r > 0) {
                g.in_len += (size_t)r;
                if (!process_input()) {
                    flush_out();
                    break;
                }
            }
        }
        flush_out();
    }
    flush_out();
    free(fbuf.mem);
out:
    fail_all_waiters(EIO);
    if (g.listen_fd >= 0) {
        close(g.listen_fd);
        unlink(g.ctl_path);
    }
    if (g.ctl_fd >= 0)
        close(g.ctl_fd);
    fuse_session_unmount(g.se);
    fuse_session_destroy(g.se);
    for (size_t i = 0; i < g.nfiles; i++)
        free_file(g.files[i]);
    free(g.files);
    free(g.out);
    return rc;
}
