/*
 * rrflush: LD_PRELOAD library that makes QEMU's record log reach its file within milliseconds.
 * Licensed under the Apache License, Version 2.0.
 *
 * QEMU 7.2 writes the record log (-icount rr=record,rrfile=PATH) through a stdio FILE with a 4 KiB buffer and
 * never flushes it while recording, so a live reader sees the log 0.3-0.8 s late at 5-15 KB/s. We cannot patch
 * QEMU, so this library wraps fopen/fopen64/fclose: when the opened path is $RD_RRFLUSH_FILE, one thread calls
 * fflush on that FILE every $RD_RRFLUSH_MS milliseconds (default 10, 1-1000). Every other file is untouched.
 *
 * Why a concurrent fflush is safe: QEMU's replay code writes the log with putc/fwrite and reads the position with
 * ftell/fseek, all of which take the FILE's internal lock (the stock binary imports no *_unlocked stdio function
 * and no __fsetlocking). We hold the same lock (flockfile) while we look at the buffer and flush it, so a flush
 * never interleaves with a write. fclose of the watched FILE first stops and joins the thread, then calls the
 * real fclose, so the thread never touches a freed FILE.
 *
 * The library prints nothing on stdout. A bad RD_RRFLUSH_MS is reported once on stderr and the default is used.
 *
 * Second job, network byte counts: when $RD_NET_COUNTERS_FILE is set, the library maps that file (16 bytes, created
 * if missing) shared and adds to it, as two little-endian uint64, the bytes received and sent through recv/recvfrom
 * and send/sendto. In QEMU those calls come from libslirp, the user-mode network: every byte a guest exchanges with
 * the outside crosses one of its host sockets (measured with strace during the demo guest's downloads: recvfrom and
 * sendto only), while QEMU's own sockets (QMP, VNC, chardevs) go through recvmsg/sendmsg. ReplayDesk reads the file
 * for a session's VM network metric; the counts are payload bytes, without the guest's TCP/IP headers.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_INTERVAL_MS 10
#define MIN_INTERVAL_MS 1
#define MAX_INTERVAL_MS 1000

typedef FILE *(*fopen_fn)(const char *, const char *);
typedef int (*fclose_fn)(FILE *);

/* All watcher state is guarded by state_lock; the condition variable lets fclose wake the thread at once
 * instead of waiting out the interval. */
static pthread_mutex_t state_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t state_changed;
static pthread_once_t cond_once = PTHREAD_ONCE_INIT;
static FILE *watched;          /* the record log's FILE, or NULL */
static pthread_t flusher;
static int stop_requested;

static void init_cond(void)
{
    /* CLOCK_MONOTONIC so a wall-clock step does not stretch or shorten the interval */
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&state_changed, &attr);
    pthread_condattr_destroy(&attr);
}

static long interval_ms(void)
{
    const char *text = getenv("RD_RRFLUSH_MS");
    if (text == NULL || *text == '\0') {
        return DEFAULT_INTERVAL_MS;
    }
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno != 0 || *end != '\0' || value < MIN_INTERVAL_MS || value > MAX_INTERVAL_MS) {
        /* called at most once per process: only the first matching fopen starts a flusher */
        fprintf(stderr, "rrflush: RD_RRFLUSH_MS=\"%s\" is not a number of milliseconds in %d..%d; using %d\n",
                text, MIN_INTERVAL_MS, MAX_INTERVAL_MS, DEFAULT_INTERVAL_MS);
        return DEFAULT_INTERVAL_MS;
    }
    return value;
}

static long flush_interval_ms;

static void *flush_loop(void *arg)
{
    FILE *f = arg;
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    pthread_mutex_lock(&state_lock);
    while (!stop_requested) {
        next.tv_nsec += flush_interval_ms * 1000000L;
        while (next.tv_nsec >= 1000000000L) {
            next.tv_nsec -= 1000000000L;
            next.tv_sec++;
        }
        while (!stop_requested && pthread_cond_timedwait(&state_changed, &state_lock, &next) != ETIMEDOUT) {
        }
        if (stop_requested) {
            break;
        }
        /* flush without holding state_lock: fclose may be waiting to request the stop, and a slow disk write
         * must not hold it up longer than the flush itself */
        pthread_mutex_unlock(&state_lock);
        flockfile(f);
        /* __fpending is only a look at the buffer pointers; under the stream lock it is exact, and skipping the
         * empty case avoids a pointless call into the write path 100 times a second on an idle guest */
        if (__fpending(f) > 0) {
            fflush_unlocked(f);
        }
        funlockfile(f);
        pthread_mutex_lock(&state_lock);
        /* after a long stall, do not try to catch up with a burst of flushes */
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec > next.tv_sec + 1) {
            next = now;
        }
    }
    pthread_mutex_unlock(&state_lock);
    return NULL;
}

static int matches_target(const char *path)
{
    const char *target = getenv("RD_RRFLUSH_FILE");
    if (target == NULL || *target == '\0' || path == NULL) {
        return 0;
    }
    if (strcmp(path, target) == 0) {
        return 1;
    }
    /* the same file named differently (relative path, symlinked folder): the file exists now, fopen succeeded */
    char resolved_path[PATH_MAX], resolved_target[PATH_MAX];
    return realpath(path, resolved_path) != NULL && realpath(target, resolved_target) != NULL
        && strcmp(resolved_path, resolved_target) == 0;
}

static void start_watching(FILE *f)
{
    pthread_once(&cond_once, init_cond);
    pthread_mutex_lock(&state_lock);
    if (watched != NULL) {
        /* one record log per QEMU; a second open of the same path is left alone */
        pthread_mutex_unlock(&state_lock);
        return;
    }
    flush_interval_ms = interval_ms();
    stop_requested = 0;
    /* the flusher must not receive QEMU's signals (SIGALRM, SIGUSR*, SIGIO...): QEMU expects them on its own
     * threads. The new thread inherits the mask in force at pthread_create. */
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    int rc = pthread_create(&flusher, NULL, flush_loop, f);
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    if (rc != 0) {
        fprintf(stderr, "rrflush: cannot start the flush thread (%s); the record log stays buffered\n",
                strerror(rc));
    } else {
        watched = f;
    }
    pthread_mutex_unlock(&state_lock);
}

/* Stops and joins the flusher if f is the watched FILE. Must run before the real fclose frees f. */
static void stop_watching(FILE *f)
{
    pthread_mutex_lock(&state_lock);
    if (f == NULL || f != watched) {
        pthread_mutex_unlock(&state_lock);
        return;
    }
    stop_requested = 1;
    pthread_cond_broadcast(&state_changed);
    pthread_t thread = flusher;
    watched = NULL;
    pthread_mutex_unlock(&state_lock);
    pthread_join(thread, NULL);
}

/* After fork only the forking thread exists in the child: forget the flusher there, or an fclose in the child
 * would join a thread that does not exist. */
static void forget_in_child(void)
{
    watched = NULL;
    stop_requested = 0;
    pthread_mutex_init(&state_lock, NULL);
}

static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void register_atfork(void)
{
    pthread_atfork(NULL, NULL, forget_in_child);
}

static FILE *open_and_watch(const char *symbol, const char *path, const char *mode)
{
    fopen_fn real = (fopen_fn) dlsym(RTLD_NEXT, symbol);
    if (real == NULL) {
        errno = ENOSYS;
        return NULL;
    }
    FILE *f = real(path, mode);
    if (f != NULL && matches_target(path)) {
        pthread_once(&atfork_once, register_atfork);
        start_watching(f);
    }
    return f;
}

FILE *fopen(const char *path, const char *mode)
{
    return open_and_watch("fopen", path, mode);
}

FILE *fopen64(const char *path, const char *mode)
{
    return open_and_watch("fopen64", path, mode);
}

int fclose(FILE *f)
{
    /* looked up once; threads racing here store the same pointer, atomically */
    static fclose_fn real_fclose;
    fclose_fn real = __atomic_load_n(&real_fclose, __ATOMIC_ACQUIRE);
    if (real == NULL) {
        real = (fclose_fn) dlsym(RTLD_NEXT, "fclose");
        if (real == NULL) {
            errno = ENOSYS;
            return EOF;
        }
        __atomic_store_n(&real_fclose, real, __ATOMIC_RELEASE);
    }
    stop_watching(f);
    return real(f);
}

/* ---- network byte counts ($RD_NET_COUNTERS_FILE) ---- */

/* [0] bytes received, [1] bytes sent; NULL when not counting. Set once by the constructor, before any thread. */
static uint64_t *net_counters;

__attribute__((constructor)) static void map_net_counters(void)
{
    const char *path = getenv("RD_NET_COUNTERS_FILE");
    if (path == NULL || *path == '\0') {
        return;
    }
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0 || ftruncate(fd, 2 * sizeof(uint64_t)) != 0) {
        fprintf(stderr, "rrflush: cannot use %s for network counts (%s); not counting\n", path, strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return;
    }
    void *map = mmap(NULL, 2 * sizeof(uint64_t), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (map == MAP_FAILED) {
        fprintf(stderr, "rrflush: cannot map %s for network counts (%s); not counting\n", path, strerror(errno));
        return;
    }
    net_counters = map;
}

static void count(int direction, ssize_t bytes)
{
    if (bytes > 0 && net_counters != NULL) {
        /* x86-64 is little-endian, which is what the reader expects */
        __atomic_fetch_add(&net_counters[direction], (uint64_t) bytes, __ATOMIC_RELAXED);
    }
}

/* Looks a libc function up once; threads racing here store the same pointer. */
static void *next_symbol(void **cache, const char *name)
{
    void *fn = __atomic_load_n(cache, __ATOMIC_ACQUIRE);
    if (fn == NULL) {
        fn = dlsym(RTLD_NEXT, name);
        __atomic_store_n(cache, fn, __ATOMIC_RELEASE);
    }
    return fn;
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
    static void *real;
    ssize_t (*fn)(int, void *, size_t, int) = next_symbol(&real, "recv");
    if (fn == NULL) {
        errno = ENOSYS;
        return -1;
    }
    ssize_t n = fn(fd, buf, len, flags);
    if (!(flags & MSG_PEEK)) {
        count(0, n);
    }
    return n;
}

ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from, socklen_t *fromlen)
{
    static void *real;
    ssize_t (*fn)(int, void *, size_t, int, struct sockaddr *, socklen_t *) = next_symbol(&real, "recvfrom");
    if (fn == NULL) {
        errno = ENOSYS;
        return -1;
    }
    ssize_t n = fn(fd, buf, len, flags, from, fromlen);
    if (!(flags & MSG_PEEK)) {
        count(0, n);
    }
    return n;
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
    static void *real;
    ssize_t (*fn)(int, const void *, size_t, int) = next_symbol(&real, "send");
    if (fn == NULL) {
        errno = ENOSYS;
        return -1;
    }
    ssize_t n = fn(fd, buf, len, flags);
    count(1, n);
    return n;
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to, socklen_t tolen)
{
    static void *real;
    ssize_t (*fn)(int, const void *, size_t, int, const struct sockaddr *, socklen_t) = next_symbol(&real, "sendto");
    if (fn == NULL) {
        errno = ENOSYS;
        return -1;
    }
    ssize_t n = fn(fd, buf, len, flags, to, tolen);
    count(1, n);
    return n;
}
