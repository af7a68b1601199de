/*
 * rrpace: LD_PRELOAD library that lets a replaying QEMU 7.2 skip guest idle time as fast as it can.
 * Licensed under the Apache License, Version 2.0.
 *
 * Why: under -icount shift=auto a replaying guest that halts (the demo guest idles between animation frames)
 * waits until QEMU's main loop runs icount_start_warp_timer(), which reads the recorded clock warp from the log
 * and lets the vCPU go on. The main loop only gets there after its poll returns, and with nothing else to do it
 * sleeps until its next real-time timer. Measured on this machine (docs/architecture.md): a replayer of `anim`
 * ran at 55 M guest instructions/s, a quarter of the recorder's 230 M/s, so a client never caught up; with a
 * main loop woken every millisecond it ran at 290 M/s, and unthrottled at 340-410 M/s.
 *
 * How: poll() and ppoll() (QEMU's main loop waits in ppoll, glib in poll) are wrapped so that no wait is longer
 * than $RD_POLL_CAP_US microseconds (default 500, 50-100000). A shorter wait only makes the loop look again:
 * every caller of poll handles a timeout with nothing ready. Replay stays deterministic: QEMU replays events at
 * the instruction counts the log names, whenever the main loop comes round. Only replayers get this library.
 * A bad $RD_POLL_CAP_US is reported once on stderr and the default is used.
 *
 * Second job: a replayer whose snapshot kept RAM out of the vmstate maps that RAM from a lazily fetched file (rdfuse)
 * copy-on-write. The kernel's read-around for page faults on a file mapping reads up to the mount's read-ahead
 * (rdfuse asks for 1 MiB, which the disk and vmstate images want) around every fault, so within a few minutes a
 * replay fetched nearly all of the snapshot's memory, touched or not (the sequence benchmark's first join stayed at
 * 18.5 MiB). mmap() is wrapped: when the mapped file is $RD_RANDOM_ACCESS_FILE, the mapping gets
 * madvise(MADV_RANDOM), which turns read-around off for it, so a fault reads the page it needs (rdfuse still
 * fetches the 64 KiB block around it). QEMU also advises all guest RAM MADV_HUGEPAGE, and Linux 6.x then reads a
 * whole 2 MiB around every fault of a file mapping "even if readahead is disabled" (filemap.c): measured, 1000 guest
 * instructions after loadvm had pulled 38 MiB of the image into the page cache, in 2 MiB steps. So madvise() is
 * wrapped too: MADV_HUGEPAGE on that mapping becomes MADV_NOHUGEPAGE. Nothing else changes for the guest: which
 * pages arrive when is invisible to it, and replay stays deterministic.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define DEFAULT_CAP_US 500L
#define MIN_CAP_US 50L
#define MAX_CAP_US 100000L

typedef int (*poll_fn)(struct pollfd *, nfds_t, int);
typedef int (*ppoll_fn)(struct pollfd *, nfds_t, const struct timespec *, const sigset_t *);

static pthread_once_t once = PTHREAD_ONCE_INIT;
static long cap_us = DEFAULT_CAP_US;
static poll_fn real_poll;
static ppoll_fn real_ppoll;

typedef void *(*mmap_fn)(void *, size_t, int, int, int, off_t);
static mmap_fn real_mmap;
static mmap_fn real_mmap64;
static char random_access_file[PATH_MAX];
typedef int (*madvise_fn)(void *, size_t, int);
static madvise_fn real_madvise;
/* the mapping of random_access_file (QEMU maps guest RAM once) */
static char *random_start;
static size_t random_length;

static void init(void)
{
    real_poll = (poll_fn)dlsym(RTLD_NEXT, "poll");
    real_ppoll = (ppoll_fn)dlsym(RTLD_NEXT, "ppoll");
    real_mmap = (mmap_fn)dlsym(RTLD_NEXT, "mmap");
    real_mmap64 = (mmap_fn)dlsym(RTLD_NEXT, "mmap64");
    real_madvise = (madvise_fn)dlsym(RTLD_NEXT, "madvise");
    const char *file = getenv("RD_RANDOM_ACCESS_FILE");
    if (file != NULL && *file != '\0' && realpath(file, random_access_file) == NULL) {
        /* not there yet or unreadable: compare the name as given */
        snprintf(random_access_file, sizeof random_access_file, "%s", file);
    }
    const char *text = getenv("RD_POLL_CAP_US");
    if (text != NULL && *text != '\0') {
        char *end;
        long v = strtol(text, &end, 10);
        if (*end != '\0' || v < MIN_CAP_US || v > MAX_CAP_US) {
            fprintf(stderr, "rrpace: RD_POLL_CAP_US='%s' is not a number of microseconds from %ld to %ld; using %ld\n",
                    text, MIN_CAP_US, MAX_CAP_US, DEFAULT_CAP_US);
        } else {
            cap_us = v;
        }
    }
}

int ppoll(struct pollfd *fds, nfds_t nfds, const struct timespec *timeout, const sigset_t *sigmask)
{
    pthread_once(&once, init);
    struct timespec capped = {cap_us / 1000000L, (cap_us % 1000000L) * 1000L};
    if (timeout != NULL && (timeout->tv_sec < capped.tv_sec
                            || (timeout->tv_sec == capped.tv_sec && timeout->tv_nsec < capped.tv_nsec))) {
        capped = *timeout;
    }
    return real_ppoll(fds, nfds, &capped, sigmask);
}

int poll(struct pollfd *fds, nfds_t nfds, int timeout_ms)
{
    pthread_once(&once, init);
    /* poll's resolution is a millisecond: a cap below 1 ms still polls with 1 ms (0 would spin) */
    int cap_ms = (int)(cap_us < 1000 ? 1 : cap_us / 1000);
    if (timeout_ms < 0 || timeout_ms > cap_ms) {
        timeout_ms = cap_ms;
    }
    return real_poll(fds, nfds, timeout_ms);
}

/* MADV_RANDOM on mappings of $RD_RANDOM_ACCESS_FILE (see the top of this file). */
static void *advise(void *mapped, size_t length, int fd)
{
    if (mapped == MAP_FAILED || fd < 0 || random_access_file[0] == '\0') {
        return mapped;
    }
    char link[64];
    char target[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, target, sizeof target - 1);
    if (n > 0) {
        target[n] = '\0';
        if (strcmp(target, random_access_file) == 0) {
            random_start = mapped;
            random_length = length;
            if (real_madvise(mapped, length, MADV_RANDOM) != 0) {
                perror("rrpace: madvise(MADV_RANDOM) on the memory image");
            }
        }
    }
    return mapped;
}

void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset)
{
    pthread_once(&once, init);
    return advise(real_mmap(addr, length, prot, flags, fd, offset), length, fd);
}

void *mmap64(void *addr, size_t length, int prot, int flags, int fd, off_t offset)
{
    pthread_once(&once, init);
    return advise((real_mmap64 != NULL ? real_mmap64 : real_mmap)(addr, length, prot, flags, fd, offset), length, fd);
}

int madvise(void *addr, size_t length, int advice)
{
    pthread_once(&once, init);
    char *start = addr;
    if (advice == MADV_HUGEPAGE && random_start != NULL && start < random_start + random_length
            && start + length > random_start) {
        advice = MADV_NOHUGEPAGE;
    }
    return real_madvise(addr, length, advice);
}
