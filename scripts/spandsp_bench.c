/*
 * spandsp DTMF receiver timing harness (for scripts/compare-spandsp.sh).
 *
 *   spandsp_bench FILE.wav REPEATS
 *
 * Reads a 16-bit mono PCM WAV (8 kHz), runs a fresh dtmf_rx over all of it REPEATS times
 * in 160-sample frames (20 ms), timing only the detection loop, and prints one line in the
 * same shape as `decode --bench`:
 *
 *   samples_per_second=<N> ns_per_sample=<X> keys=<keys found in one pass>
 */
#include <spandsp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FRAME 160

struct keys {
    char buf[4096];
    size_t len;
};

static void on_digits(void *user, const char *digits, int len)
{
    struct keys *k = user;
    for (int i = 0; i < len && k->len + 1 < sizeof(k->buf); i++)
        k->buf[k->len++] = digits[i];
    k->buf[k->len] = '\0';
}

static uint32_t le32(const unsigned char *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t) p[3] << 24; }
static uint16_t le16(const unsigned char *p) { return p[0] | p[1] << 8; }

static int16_t *read_wav(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(2); }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc(size);
    if (!b || fread(b, 1, size, f) != (size_t) size) { fprintf(stderr, "error: reading %s\n", path); exit(2); }
    fclose(f);
    if (size < 12 || memcmp(b, "RIFF", 4) || memcmp(b + 8, "WAVE", 4)) { fprintf(stderr, "error: %s is not a WAV file\n", path); exit(2); }
    long at = 12;
    int fmt_ok = 0;
    while (at + 8 <= size) {
        uint32_t len = le32(b + at + 4);
        const unsigned char *c = b + at + 8;
        if (!memcmp(b + at, "fmt ", 4) && len >= 16) {
            if (le16(c) != 1 || le16(c + 2) != 1 || le32(c + 4) != 8000 || le16(c + 14) != 16) {
                fprintf(stderr, "error: %s: need 16-bit mono 8000 Hz PCM\n", path);
                exit(2);
            }
            fmt_ok = 1;
        } else if (!memcmp(b + at, "data", 4) && fmt_ok) {
            if (len > size - at - 8) len = size - at - 8;
            *n = len / 2;
            int16_t *x = malloc(*n * sizeof(int16_t) + 1);
            for (size_t i = 0; i < *n; i++) x[i] = (int16_t) le16(c + 2 * i);
            free(b);
            return x;
        }
        at += 8 + len + (len & 1);
    }
    fprintf(stderr, "error: %s: no fmt/data chunk\n", path);
    exit(2);
}

int main(int argc, char **argv)
{
    if (argc != 3) { fprintf(stderr, "usage: %s FILE.wav REPEATS\n", argv[0]); return 2; }
    size_t n;
    int16_t *x = read_wav(argv[1], &n);
    int repeats = atoi(argv[2]);
    if (repeats < 1) { fprintf(stderr, "error: REPEATS must be >= 1\n"); return 2; }
    struct keys first = { .len = 0 }, scratch = { .len = 0 };
    dtmf_rx_state_t *s = NULL;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int r = 0; r < repeats; r++) {
        struct keys *k = r == 0 ? &first : &scratch;
        scratch.len = 0;
        s = dtmf_rx_init(s, on_digits, k);
        for (size_t i = 0; i < n; i += FRAME) {
            size_t m = n - i < FRAME ? n - i : FRAME;
            dtmf_rx(s, x + i, (int) m);
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    dtmf_rx_free(s);
    double secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
    double total = (double) n * repeats;
    printf("samples_per_second=%.0f ns_per_sample=%.3f keys=%s\n", total / secs, secs * 1e9 / total, first.buf);
    free(x);
    return 0;
}
