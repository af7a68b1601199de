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
 */
#define _GNU_SOURCE
#include <dlfcn.h>
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

static void init(void)
{
    real_poll = (poll_fn)dlsym(RTLD_NEXT, "poll");
    real_ppoll = (ppoll_fn)dlsym(RTLD_NEXT, "ppoll");
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
