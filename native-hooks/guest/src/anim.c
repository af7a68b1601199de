/*
 * ReplayDesk demo guest workload "anim": a game-like animation computed in the guest.
 * Moving colour bars over a scrolling gradient, a bouncing block and a frame counter drawn as digits.
 * Usage: anim [fps]   (default 25; 0 = unthrottled)
 * Licensed under the Apache License, Version 2.0.
 */
#include "fb.h"
#include "font.h"

static uint32_t rgb(unsigned r, unsigned g, unsigned b)
{
    return ((r & 255) << 16) | ((g & 255) << 8) | (b & 255);
}

static void render(uint32_t *c, unsigned W, unsigned H, unsigned frame, unsigned fps)
{
    static const uint32_t bar[6] = {0xe04040, 0x40e040, 0x4060f0, 0xe0e040, 0xe040e0, 0x40e0e0};
    for (unsigned y = 0; y < H; y++) {
        uint32_t *row = c + (size_t)y * W;
        for (unsigned x = 0; x < W; x++)
            row[x] = rgb((x + frame * 3) >> 2, (y + frame) >> 2, 96 + (((x ^ y) + frame) & 63));
    }
    /* six vertical bars moving at different speeds */
    for (unsigned i = 0; i < 6; i++) {
        int x = (int)((frame * (2 + 2 * i) + i * 110) % (W + 60)) - 60;
        rd_rect(c, W, H, x, (int)(H / 4), 40, (int)(H / 2), bar[i]);
    }
    /* bouncing block */
    unsigned period = 2 * (W - 64);
    unsigned p = (frame * 5) % period;
    int bx = (int)(p < W - 64 ? p : period - p);
    unsigned vp = 2 * (H - 64);
    unsigned q = (frame * 3) % vp;
    int by = (int)(q < H - 64 ? q : vp - q);
    rd_rect(c, W, H, bx, by, 64, 64, 0xffffff);
    rd_rect(c, W, H, bx + 8, by + 8, 48, 48, rgb(frame * 7, 255 - frame * 5, frame * 11));
    /* frame counter */
    char buf[32];
    snprintf(buf, sizeof(buf), "%08u", frame);
    rd_rect(c, W, H, 8, 8, 8 * 6 * 6 + 12, 7 * 6 + 16, 0x000000);
    rd_text(c, W, H, 16, 16, 6, buf, 0xffff40);
    snprintf(buf, sizeof(buf), "ANIM %u FPS", fps);
    rd_rect(c, W, H, 8, (int)H - 40, 6 * 3 * 12 + 12, 7 * 3 + 12, 0x000000);
    rd_text(c, W, H, 14, (int)H - 34, 3, fps ? buf : "ANIM", 0x40ff40);
}

int main(int argc, char **argv)
{
    unsigned fps = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 25;
    struct fb fb;
    if (fb_open(&fb, "/dev/fb0") < 0) {
        perror("anim: /dev/fb0");
        return 1;
    }
    uint32_t *canvas = malloc((size_t)fb.w * fb.h * sizeof(uint32_t));
    if (!canvas) {
        perror("anim: malloc");
        return 1;
    }
    printf("anim: %ux%u %ubpp line=%u fps=%u\n", fb.w, fb.h, fb.bpp, fb.line, fps);
    fflush(stdout);
    double next = rd_now();
    struct rd_stats st;
    rd_stats_init(&st, "anim");
    rd_stats_mode(&st, &fb);
    for (unsigned frame = 0;; frame++) {
        render(canvas, fb.w, fb.h, frame, fps);
        fb_present(&fb, canvas, fb.w, fb.h);
        rd_stats_frame(&st);
        if (fps) {
            next += 1.0 / fps;
            double now = rd_now();
            if (now > next + 0.5)
                next = now; /* fell far behind: do not try to catch up */
            else
                rd_sleep_until(next);
        }
    }
}
