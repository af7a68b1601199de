/*
 * ReplayDesk demo guest workload "video": plays raw frames stored on the virtual disk.
 * The disk (default /dev/vda) holds N frames of 640x480 RGB888 (921600 bytes each, no header), read with
 * O_DIRECT into aligned buffers, converted to the framebuffer format and shown at the given rate, looping.
 *
 * Under QEMU record/replay (blkreplay) every disk request has a long completion latency, so a single reader
 * manages only ~1.5 frames/s. Frames are therefore read ahead by NREADERS threads (one outstanding O_DIRECT
 * request each), which hides the latency; frames are still shown strictly in order.
 *
 * Usage: video [fps [device]]   (default 25 /dev/vda; fps 0 = as fast as the disk allows)
 * Licensed under the Apache License, Version 2.0.
 */
#define _GNU_SOURCE
#include "fb.h"
#include <linux/fs.h>
#include <pthread.h>

#define FW 640
#define FH 480
#define FRAME_BYTES ((size_t)FW * FH * 3)
#define NREADERS 8

struct slot {
    unsigned char *buf;
    int full;      /* 1: buf holds frame 'seq' */
    unsigned long seq;
};

static struct slot slots[NREADERS];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int fd = -1;
static unsigned nframes;

static void *reader(void *arg)
{
    unsigned k = (unsigned)(uintptr_t)arg;
    struct slot *s = &slots[k];
    for (unsigned long seq = k;; seq += NREADERS) {
        pthread_mutex_lock(&mu);
        while (s->full)
            pthread_cond_wait(&cv, &mu);
        pthread_mutex_unlock(&mu);
        unsigned n = (unsigned)(seq % nframes);
        size_t got = 0;
        while (got < FRAME_BYTES) {
            ssize_t r = pread(fd, s->buf + got, FRAME_BYTES - got, (off_t)((uint64_t)n * FRAME_BYTES + got));
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0) {
                fprintf(stderr, "video: read frame %u: %s\n", n, r < 0 ? strerror(errno) : "short read");
                exit(1);
            }
            got += (size_t)r;
        }
        pthread_mutex_lock(&mu);
        s->seq = seq;
        s->full = 1;
        pthread_cond_broadcast(&cv);
        pthread_mutex_unlock(&mu);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    unsigned fps = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 25;
    const char *dev = argc > 2 ? argv[2] : "/dev/vda";
    struct fb fb;
    if (fb_open(&fb, "/dev/fb0") < 0) {
        perror("video: /dev/fb0");
        return 1;
    }
    for (int i = 0; i < 100 && fd < 0; i++) { /* the disk node appears shortly after the driver loads */
        fd = open(dev, O_RDONLY | O_DIRECT | O_CLOEXEC);
        if (fd < 0 && errno != ENOENT && errno != ENXIO)
            break;
        if (fd < 0)
            usleep(100000);
    }
    if (fd < 0) {
        fprintf(stderr, "video: open %s: %s\n", dev, strerror(errno));
        return 1;
    }
    uint64_t size = 0;
    if (ioctl(fd, BLKGETSIZE64, &size) < 0) {
        off_t end = lseek(fd, 0, SEEK_END);
        size = end > 0 ? (uint64_t)end : 0;
    }
    nframes = (unsigned)(size / FRAME_BYTES);
    if (nframes == 0) {
        fprintf(stderr, "video: %s holds no frames (%llu bytes)\n", dev, (unsigned long long)size);
        return 1;
    }
    uint32_t *canvas = malloc((size_t)FW * FH * sizeof(uint32_t));
    if (!canvas) {
        fprintf(stderr, "video: out of memory\n");
        return 1;
    }
    for (unsigned k = 0; k < NREADERS; k++) {
        pthread_t th;
        if (posix_memalign((void **)&slots[k].buf, 4096, FRAME_BYTES) != 0 ||
            pthread_create(&th, NULL, reader, (void *)(uintptr_t)k) != 0) {
            fprintf(stderr, "video: cannot start reader %u\n", k);
            return 1;
        }
    }
    printf("video: %s %u frames, fb %ux%u %ubpp, fps=%u\n", dev, nframes, fb.w, fb.h, fb.bpp, fps);
    fflush(stdout);
    struct rd_stats st;
    rd_stats_init(&st, "video");
    rd_stats_mode(&st, &fb);
    double next = rd_now();
    for (unsigned long seq = 0;; seq++) {
        struct slot *s = &slots[seq % NREADERS];
        pthread_mutex_lock(&mu);
        while (!s->full || s->seq != seq)
            pthread_cond_wait(&cv, &mu);
        pthread_mutex_unlock(&mu);
        const unsigned char *b = s->buf;
        for (size_t i = 0; i < (size_t)FW * FH; i++)
            canvas[i] = ((uint32_t)b[3 * i] << 16) | ((uint32_t)b[3 * i + 1] << 8) | b[3 * i + 2];
        pthread_mutex_lock(&mu);
        s->full = 0;
        pthread_cond_broadcast(&cv);
        pthread_mutex_unlock(&mu);
        fb_present(&fb, canvas, FW, FH);
        rd_stats_frame(&st);
        if (fps) {
            next += 1.0 / fps;
            double now = rd_now();
            if (now > next + 0.5)
                next = now;
            else
                rd_sleep_until(next);
        }
    }
}
