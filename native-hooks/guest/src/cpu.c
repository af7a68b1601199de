/*
 * ReplayDesk demo guest workload "cpu": a compile-like CPU load.
 * Repeatedly forks "compiler" processes; each one generates a pseudo C source file, tokenizes it, hashes
 * the tokens into a symbol table, sorts them and prints a one-line summary (to the screen).
 * Usage: cpu [jobs]   (parallel processes per round, default 1)
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SRC_BYTES (512 * 1024)
#define TABLE 131072

static uint32_t rng_state;
static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static const char *const kw[] = {"int", "return", "if", "else", "for", "while", "static", "const", "struct",
                                 "unsigned", "char", "void", "sizeof", "switch", "case", "break"};
static const char *const punct[] = {"(", ")", "{", "}", ";", ",", "=", "+", "-", "*", "<", ">", "==", "&&", "[", "]"};

static size_t gen_source(char *out, size_t cap)
{
    size_t n = 0;
    while (n + 64 < cap) {
        uint32_t r = rng() % 10;
        char word[32];
        if (r < 3)
            snprintf(word, sizeof(word), "%s ", kw[rng() % 16]);
        else if (r < 6)
            snprintf(word, sizeof(word), "%s ", punct[rng() % 16]);
        else if (r < 8) {
            int len = 2 + (int)(rng() % 8);
            for (int i = 0; i < len; i++)
                word[i] = (char)('a' + rng() % 26);
            word[len] = ' ';
            word[len + 1] = 0;
        } else
            snprintf(word, sizeof(word), "%u ", rng() % 100000);
        size_t l = strlen(word);
        memcpy(out + n, word, l);
        n += l;
        if (rng() % 12 == 0)
            out[n++] = '\n';
    }
    out[n] = 0;
    return n;
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static uint32_t fnv(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static int compile_unit(unsigned unit)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rng_state = 0x9e3779b9u ^ (unit * 2654435761u);
    if (!rng_state)
        rng_state = 1;
    char *src = malloc(SRC_BYTES);
    char **tok = malloc(sizeof(char *) * SRC_BYTES / 2);
    char **table = calloc(TABLE, sizeof(char *));
    if (!src || !tok || !table)
        return 1;
    gen_source(src, SRC_BYTES);
    size_t ntok = 0, uniq = 0, lines = 1;
    for (char *p = src; *p;) {
        if (*p == '\n')
            lines++;
        if (*p == ' ' || *p == '\n') {
            *p++ = 0;
            continue;
        }
        tok[ntok++] = p;
        while (*p && *p != ' ' && *p != '\n')
            p++;
    }
    for (size_t i = 0; i < ntok; i++) {
        uint32_t h = fnv(tok[i]) % TABLE;
        while (table[h] && strcmp(table[h], tok[i]) != 0)
            h = (h + 1) % TABLE;
        if (!table[h]) {
            table[h] = tok[i];
            uniq++;
        }
    }
    qsort(tok, ntok, sizeof(char *), cmp);
    uint32_t digest = 0;
    for (size_t i = 0; i < ntok; i++)
        digest = digest * 31 + fnv(tok[i]);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double dt = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("  CC unit%05u.c  %5zu lines %6zu tokens %5zu syms  digest %08x %.2fs\n", unit, lines, ntok, uniq,
           digest, dt);
    fflush(stdout);
    return 0;
}

int main(int argc, char **argv)
{
    unsigned jobs = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 1;
    if (jobs < 1)
        jobs = 1;
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("cpu: compile-like load, %u job(s) per round\n\n", jobs);
    unsigned unit = 0;
    for (unsigned round = 1;; round++) {
        for (unsigned j = 0; j < jobs; j++) {
            pid_t pid = fork();
            if (pid == 0)
                _exit(compile_unit(unit + j));
            if (pid < 0) {
                perror("cpu: fork");
                sleep(1);
            }
        }
        int st, failed = 0;
        while (wait(&st) > 0)
            if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
                failed++;
        unit += jobs;
        if (round % 10 == 0)
            printf("cpu: %u units compiled%s\n", unit, failed ? " (with failures)" : "");
    }
}
