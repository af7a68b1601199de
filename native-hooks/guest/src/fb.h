/*
 * ReplayDesk demo guest: tiny framebuffer helpers shared by the graphical workloads.
 * Licensed under the Apache License, Version 2.0.
 *
 * Programs render into an XRGB8888 canvas (uint32_t 0x00RRGGBB per pixel) and call fb_present(),
 * which converts to the framebuffer's native layout (16, 24 or 32 bpp, as reported by
 * FBIOGET_VSCREENINFO) and copies it into the mmap()ed framebuffer.
 */
#ifndef RD_FB_H
#define RD_FB_H

#include <errno.h>
#include <fcntl.h>
#include <linux/fb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

struct fb {
    int fd;
    unsigned w, h, bpp, line;
    unsigned roff, goff, boff, rlen, glen, blen;
    size_t size;
    unsigned char *mem;
    unsigned char *row; /* one converted row */
};

static inline int fb_open(struct fb *fb, const char *dev)
{
    struct fb_var_screeninfo v;
    struct fb_fix_screeninfo f;
    memset(fb, 0, sizeof(*fb));
    fb->fd = open(dev, O_RDWR | O_CLOEXEC);
    if (fb->fd < 0)
        return -1;
    if (ioctl(fb->fd, FBIOGET_VSCREENINFO, &v) < 0 || ioctl(fb->fd, FBIOGET_FSCREENINFO, &f) < 0)
        return -1;
    fb->w = v.xres;
    fb->h = v.yres;
    fb->bpp = v.bits_per_pixel;
    fb->line = f.line_length;
    fb->roff = v.red.offset;
    fb->goff = v.green.offset;
    fb->boff = v.blue.offset;
    fb->rlen = v.red.length;
    fb->glen = v.green.length;
    fb->blen = v.blue.length;
    if (fb->bpp != 16 && fb->bpp != 24 && fb->bpp != 32) {
        errno = ENOTSUP;
        return -1;
    }
    fb->size = (size_t)fb->line * fb->h;
    fb->mem = mmap(NULL, fb->size, PROT_READ | PROT_WRITE, MAP_SHARED, fb->fd, 0);
    if (fb->mem == MAP_FAILED)
        return -1;
    fb->row = malloc(fb->line);
    return fb->row ? 0 : -1;
}

static inline uint32_t fb_pack(const struct fb *fb, uint32_t rgb)
{
    uint32_t r = (rgb >> 16) & 255, g = (rgb >> 8) & 255, b = rgb & 255;
    return ((r >> (8 - fb->rlen)) << fb->roff) | ((g >> (8 - fb->glen)) << fb->goff) |
           ((b >> (8 - fb->blen)) << fb->boff);
}

/* Copy a canvas of cw x ch pixels (top-left aligned, clipped) to the framebuffer. */
static inline void fb_present(struct fb *fb, const uint32_t *canvas, unsigned cw, unsigned ch)
{
    unsigned w = cw < fb->w ? cw : fb->w, h = ch < fb->h ? ch : fb->h;
    int std = fb->rlen == 8 && fb->glen == 8 && fb->blen == 8 && fb->roff == 16 && fb->goff == 8 && fb->boff == 0;
    for (unsigned y = 0; y < h; y++) {
        const uint32_t *src = canvas + (size_t)y * cw;
        unsigned char *d = fb->mem + (size_t)y * fb->line;
        if (fb->bpp == 32 && std) {
            memcpy(d, src, (size_t)w * 4);
        } else if (fb->bpp == 24 && std) {
            for (unsigned x = 0; x < w; x++) {
                uint32_t p = src[x];
                d[3 * x] = (unsigned char)p;
                d[3 * x + 1] = (unsigned char)(p >> 8);
                d[3 * x + 2] = (unsigned char)(p >> 16);
            }
        } else if (fb->bpp == 32) {
            uint32_t *d32 = (uint32_t *)(void *)fb->row;
            for (unsigned x = 0; x < w; x++)
                d32[x] = fb_pack(fb, src[x]);
            memcpy(d, fb->row, (size_t)w * 4);
        } else if (fb->bpp == 24) {
            unsigned char *r = fb->row;
            for (unsigned x = 0; x < w; x++) {
                uint32_t p = fb_pack(fb, src[x]);
                r[3 * x] = p & 255;
                r[3 * x + 1] = (p >> 8) & 255;
                r[3 * x + 2] = (p >> 16) & 255;
            }
            memcpy(d, r, (size_t)w * 3);
        } else {
            uint16_t *d16 = (uint16_t *)(void *)fb->row;
            for (unsigned x = 0; x < w; x++)
                d16[x] = (uint16_t)fb_pack(fb, src[x]);
            memcpy(d, fb->row, (size_t)w * 2);
        }
    }
}

static inline double rd_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

/* Sleep until absolute CLOCK_MONOTONIC time 'when' (seconds). */
static inline void rd_sleep_until(double when)
{
    struct timespec t;
    t.tv_sec = (time_t)when;
    t.tv_nsec = (long)((when - (double)t.tv_sec) * 1e9);
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) == EINTR)
        ;
}

/* Frame statistics on stderr (the serial console) every 5 s, only if RD_STATS=1 (kernel arg rd.stats=1). */
struct rd_stats {
    int on;
    const char *name;
    double t0, last;
    unsigned frames, last_frames;
};

static inline void rd_stats_init(struct rd_stats *s, const char *name)
{
    const char *e = getenv("RD_STATS");
    s->on = e && *e == '1';
    s->name = name;
    s->t0 = s->last = rd_now();
    s->frames = s->last_frames = 0;
}

static inline void rd_stats_mode(const struct rd_stats *s, const struct fb *fb)
{
    if (s->on)
        fprintf(stderr, "STAT: %s fb %ux%u %ubpp line=%u rgb-offsets=%u/%u/%u\n", s->name, fb->w, fb->h, fb->bpp,
                fb->line, fb->roff, fb->goff, fb->boff);
}

static inline void rd_stats_frame(struct rd_stats *s)
{
    s->frames++;
    if (!s->on)
        return;
    double t = rd_now();
    if (t - s->last >= 5.0) {
        fprintf(stderr, "STAT: %s frames=%u fps=%.1f avg=%.1f\n", s->name, s->frames,
                (s->frames - s->last_frames) / (t - s->last), s->frames / (t - s->t0));
        s->last = t;
        s->last_frames = s->frames;
    }
}

#endif
