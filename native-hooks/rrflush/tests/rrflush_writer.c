/*
 * Test program for librrflush: writes a log the way QEMU's recorder does (stdio FILE, putc, no fflush).
 * Licensed under the Apache License, Version 2.0.
 *
 *   rrflush_writer slow fopen|fopen64 TARGET OTHER COUNT DELAY_MS
 *       opens TARGET and OTHER for writing, then COUNT times: putc one byte to each and print
 *       "PUT <i> <CLOCK_MONOTONIC seconds>", sleep DELAY_MS. Then prints "WAIT", reads a line from stdin,
 *       fcloses both and prints "CLOSED". The test watches the files' sizes meanwhile.
 *   rrflush_writer churn TARGET ITERATIONS
 *       ITERATIONS times: fopen TARGET, putc 64 bytes 50 us apart, fclose (while the flusher runs), reopen
 *       and check the content. Prints "OK <n>" or a message naming the first mismatch (exit 1).
 */
#define _LARGEFILE64_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void sleep_ms(long ms)
{
    struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&t, NULL);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int slow(int argc, char **argv)
{
    if (argc != 7) {
        fprintf(stderr, "usage: %s slow fopen|fopen64 TARGET OTHER COUNT DELAY_MS\n", argv[0]);
        return 2;
    }
    FILE *target = strcmp(argv[2], "fopen64") == 0 ? fopen64(argv[3], "wb") : fopen(argv[3], "wb");
    FILE *other = fopen(argv[4], "wb");
    if (target == NULL || other == NULL) {
        perror("fopen");
        return 1;
    }
    int count = atoi(argv[5]);
    long delay = atol(argv[6]);
    for (int i = 0; i < count; i++) {
        putc('a' + i % 26, target);
        putc('a' + i % 26, other);
        printf("PUT %d %.6f\n", i, now());
        fflush(stdout);
        sleep_ms(delay);
    }
    printf("WAIT\n");
    fflush(stdout);
    char line[16];
    if (fgets(line, sizeof line, stdin) == NULL) {
        return 1;
    }
    if (fclose(target) != 0 || fclose(other) != 0) {
        perror("fclose");
        return 1;
    }
    printf("CLOSED\n");
    return 0;
}

static int churn(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s churn TARGET ITERATIONS\n", argv[0]);
        return 2;
    }
    int iterations = atoi(argv[3]);
    for (int n = 0; n < iterations; n++) {
        FILE *f = fopen(argv[2], "wb");
        if (f == NULL) {
            perror("fopen");
            return 1;
        }
        for (int i = 0; i < 64; i++) {
            putc((n + i) & 0xff, f);
            if (i % 8 == 0) {
                struct timespec t = { 0, 50000 };
                nanosleep(&t, NULL);
            }
        }
        if (fclose(f) != 0) {
            perror("fclose");
            return 1;
        }
        f = fopen(argv[2], "rb");
        unsigned char back[65];
        size_t got = f == NULL ? 0 : fread(back, 1, sizeof back, f);
        if (f != NULL) {
            fclose(f);
        }
        if (got != 64) {
            printf("iteration %d: read back %zu bytes, expected 64\n", n, got);
            return 1;
        }
        for (int i = 0; i < 64; i++) {
            if (back[i] != ((n + i) & 0xff)) {
                printf("iteration %d: byte %d is %d, expected %d\n", n, i, back[i], (n + i) & 0xff);
                return 1;
            }
        }
    }
    printf("OK %d\n", iterations);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "slow") == 0) {
        return slow(argc, argv);
    }
    if (argc >= 2 && strcmp(argv[1], "churn") == 0) {
        return churn(argc, argv);
    }
    fprintf(stderr, "usage: %s slow|churn ...\n", argv[0]);
    return 2;
}
