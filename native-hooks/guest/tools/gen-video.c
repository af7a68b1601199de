/*
 * ReplayDesk: deterministic generator of the demo guest's video disk (host tool).
 * Writes N raw frames of 640x480 RGB888 (921600 bytes each, no header) with moving shapes, a textured
 * background, film grain and the frame number. Integer-only arithmetic, so output is identical everywhere.
 * Usage: gen-video OUTFILE [frames]   (default 48)
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "../src/font.h"

#define W 640
#define H 480

static uint32_t hash32(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    x *= 0x846ca68bU;
    x ^= x >> 16;
    return x;
}

/* triangle wave 0..255..0 with period 512 */
static unsigned tri(unsigned v)
{
    v &= 511;
    return v < 256 ? v : 511 - v;
}

static unsigned clamp(int v)
{
    return v < 0 ? 0 : v > 255 ? 255 : (unsigned)v;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: gen-video OUTFILE [frames]\n");
        return 2;
    }
    unsigned n = argc > 2 ? (unsigned)atoi(argv[2]) : 48;
    FILE *f = fopen(argv[1], "wb");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    static uint32_t c[W * H];
    static unsigned char out[W * H * 3];
    for (unsigned t = 0; t < n; t++) {
        /* background: slowly moving interference pattern (like a sky/sea texture) */
        for (unsigned y = 0; y < H; y++)
            for (unsigned x = 0; x < W; x++) {
                unsigned a = tri(x * 2 + t * 8), b = tri(y * 3 + t * 5), d = tri((x + y) + t * 12);
                unsigned r = (a + d) / 4 + 20, g = (b + d) / 3 + 30, bl = (a + b) / 2 + 40;
                unsigned grain = hash32((t * H + y) * W + x) & 31;
                c[y * W + x] = (clamp((int)r + (int)grain - 16) << 16) | (clamp((int)g + (int)grain - 16) << 8) |
                               clamp((int)bl + (int)grain - 16);
            }
        /* a sun-like disc moving on a path */
        int cx = 80 + (int)(t * 480 / (n ? n : 1)), cy = 140 + (int)tri(t * 21) / 3;
        for (int y = cy - 60; y <= cy + 60; y++)
            for (int x = cx - 60; x <= cx + 60; x++) {
                int dx = x - cx, dy = y - cy, d2 = dx * dx + dy * dy;
                if (x < 0 || y < 0 || x >= W || y >= H || d2 > 3600)
                    continue;
                unsigned shade = 255 - (unsigned)(d2 * 90 / 3600);
                c[y * W + x] = (shade << 16) | ((shade * 3 / 4) << 8) | (shade / 5);
            }
        /* a "car" crossing in the other direction with wheels */
        int carx = W - (int)((t * 23) % (W + 200));
        rd_rect(c, W, H, carx, 330, 170, 50, 0xc02020);
        rd_rect(c, W, H, carx + 30, 300, 100, 32, 0xd04040);
        rd_rect(c, W, H, carx + 40, 306, 36, 22, 0x80c0ff);
        rd_rect(c, W, H, carx + 84, 306, 36, 22, 0x80c0ff);
        for (int k = 0; k < 2; k++) {
            int wx = carx + 35 + k * 100, wy = 385;
            for (int y = wy - 18; y <= wy + 18; y++)
                for (int x = wx - 18; x <= wx + 18; x++)
                    if (x >= 0 && x < W && y >= 0 && y < H && (x - wx) * (x - wx) + (y - wy) * (y - wy) <= 324)
                        c[y * W + x] = ((x - wx) * (y - wy) > 0) ^ ((t & 1) != 0) ? 0x202020 : 0x606060;
        }
        /* road */
        rd_rect(c, W, H, 0, 404, W, 76, 0x303030);
        for (int k = -1; k < 8; k++)
            rd_rect(c, W, H, k * 96 + (int)((t * 24) % 96), 440, 48, 6, 0xf0f0f0);
        /* frame number */
        char label[32];
        snprintf(label, sizeof(label), "VIDEO %02u/%02u", t + 1, n);
        rd_rect(c, W, H, 8, 8, 11 * 6 * 4 + 16, 7 * 4 + 16, 0x000000);
        rd_text(c, W, H, 16, 16, 4, label, 0xffffff);
        for (unsigned i = 0; i < W * H; i++) {
            out[3 * i] = (unsigned char)(c[i] >> 16);
            out[3 * i + 1] = (unsigned char)(c[i] >> 8);
            out[3 * i + 2] = (unsigned char)c[i];
        }
        if (fwrite(out, 1, sizeof(out), f) != sizeof(out)) {
            perror(argv[1]);
            return 1;
        }
    }
    if (fclose(f) != 0) {
        perror(argv[1]);
        return 1;
    }
    return 0;
}
