/*
 * The touchtone C API from C: decode the keys of a headerless 16-bit recording, streamed
 * in 20 ms frames (linear and, re-encoded, as G.711 mu-law) and in one shot, and check them.
 *
 *   decode --generate KEYS RATE FILE   write KEYS rendered by touchtone_generate
 *                                      (native-endian int16, -10 dBm0, 70 ms tones/pauses)
 *   decode FILE RATE EXPECTED          decode FILE; exit 0 when the keys are EXPECTED,
 *                                      1 when they differ, 2 on an error
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "touchtone.h"

struct collected {
    char keys[256];
    TouchtoneEvent ups[256];
    size_t n;
    size_t downs;
};

static void on_event(const TouchtoneEvent *ev, void *user) {
    struct collected *c = user;
    if (ev->kind == TOUCHTONE_KEY_DOWN) {
        c->downs++;
        return;
    }
    if (c->n + 1 < sizeof c->keys) {
        c->ups[c->n] = *ev;
        c->keys[c->n++] = ev->key;
        c->keys[c->n] = '\0';
    }
}

static int fail(const char *what, int status) {
    fprintf(stderr, "error: %s: %s (%d)\n", what, touchtone_strerror(status), status);
    return 2;
}

/* G.711 mu-law encoding of one sample (ITU-T G.711 segment search). */
static uint8_t ulaw(int16_t pcm) {
    int s = pcm, sign = 0, exponent = 7, mantissa;
    if (s < 0) {
        s = -s;
        sign = 0x80;
    }
    if (s > 32635) s = 32635;
    s += 0x84;
    while (exponent > 0 && !(s & (0x4000 >> (7 - exponent)))) exponent--;
    mantissa = (s >> (exponent + 3)) & 0x0F;
    return (uint8_t)~(sign | (exponent << 4) | mantissa);
}

static int generate(const char *keys, uint32_t rate, const char *path) {
    size_t len = 0;
    int st = touchtone_generate(keys, rate, 70.0, 70.0, -10.0, NULL, 0, &len);
    if (st != TOUCHTONE_ERR_BUFFER_TOO_SMALL && st != TOUCHTONE_OK) return fail("generate", st);
    int16_t *pcm = malloc(len * sizeof *pcm + 1);
    if (!pcm) return fail("generate", TOUCHTONE_ERR_LENGTH);
    st = touchtone_generate(keys, rate, 70.0, 70.0, -10.0, pcm, len, &len);
    if (st != TOUCHTONE_OK) return fail("generate", st);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(pcm, sizeof *pcm, len, f) != len || fclose(f) != 0) {
        perror(path);
        return 2;
    }
    free(pcm);
    return 0;
}

static int16_t *read_all(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    int16_t *pcm = malloc((size_t)size + 2);
    *n = pcm ? fread(pcm, sizeof *pcm, (size_t)size / sizeof *pcm, f) : 0;
    fclose(f);
    return pcm;
}

static int stream(TouchtoneDetector *det, const int16_t *pcm, size_t n, size_t frame,
                  int as_ulaw, struct collected *c) {
    uint8_t bytes[960];
    if (frame > sizeof bytes) frame = sizeof bytes;
    for (size_t at = 0; at < n; at += frame) {
        size_t len = n - at < frame ? n - at : frame;
        int st;
        if (as_ulaw) {
            for (size_t i = 0; i < len; i++) bytes[i] = ulaw(pcm[at + i]);
            st = touchtone_detector_process_ulaw(det, bytes, len, on_event, c);
        } else {
            st = touchtone_detector_process_s16(det, pcm + at, len, on_event, c);
        }
        if (st != TOUCHTONE_OK) return fail("process", st);
    }
    int st = touchtone_detector_finish(det, on_event, c);
    return st == TOUCHTONE_OK ? 0 : fail("finish", st);
}

int main(int argc, char **argv) {
    if (argc == 5 && strcmp(argv[1], "--generate") == 0)
        return generate(argv[2], (uint32_t)strtoul(argv[3], NULL, 10), argv[4]);
    if (argc != 4) {
        fprintf(stderr, "usage: %s FILE RATE EXPECTED | --generate KEYS RATE FILE\n", argv[0]);
        return 2;
    }
    const char *expected = argv[3];
    uint32_t rate = (uint32_t)strtoul(argv[2], NULL, 10);
    size_t n = 0;
    int16_t *pcm = read_all(argv[1], &n);
    if (!pcm) {
        perror(argv[1]);
        return 2;
    }
    printf("touchtone %s: %s, %zu samples at %u Hz\n", touchtone_version(), argv[1], n, rate);

    /* Streaming, 20 ms frames. */
    TouchtoneDetector *det = NULL;
    int st = touchtone_detector_new(rate, TOUCHTONE_PROFILE_STANDARD, &det);
    if (st != TOUCHTONE_OK) return fail("detector", st);
    struct collected streamed = {0};
    if (stream(det, pcm, n, rate / 50, 0, &streamed)) return 2;
    for (size_t i = 0; i < streamed.n; i++) {
        const TouchtoneEvent *e = &streamed.ups[i];
        printf("  %c  %8.1f - %8.1f ms  %6.1f / %6.1f dBm0\n", e->key, e->start_ms, e->end_ms,
               e->low_dbm0, e->high_dbm0);
    }

    /* The same samples as G.711 mu-law bytes (only at 8 kHz, G.711's rate). */
    struct collected ulaw_keys = {0};
    if (rate == 8000) {
        if (stream(det, pcm, n, 160, 1, &ulaw_keys)) return 2;
    }
    touchtone_detector_free(det);

    /* One shot: ask for the count, then decode into an array of that size. */
    size_t count = 0;
    st = touchtone_decode(pcm, n, TOUCHTONE_ENCODING_S16, rate, TOUCHTONE_PROFILE_STANDARD,
                          NULL, 0, &count);
    if (st != TOUCHTONE_OK && st != TOUCHTONE_ERR_BUFFER_TOO_SMALL) return fail("decode", st);
    TouchtoneKeyPress *keys = calloc(count + 1, sizeof *keys);
    st = touchtone_decode(pcm, n, TOUCHTONE_ENCODING_S16, rate, TOUCHTONE_PROFILE_STANDARD, keys,
                          count, &count);
    if (st != TOUCHTONE_OK) return fail("decode", st);

    /* Errors come back as codes, never as crashes. */
    TouchtoneDetector *bad = NULL;
    size_t unused = 0;
    if (touchtone_detector_new(96000, TOUCHTONE_PROFILE_STANDARD, &bad) != TOUCHTONE_ERR_SAMPLE_RATE ||
        bad != NULL ||
        touchtone_detector_process_s16(NULL, pcm, n, on_event, NULL) != TOUCHTONE_ERR_NULL ||
        touchtone_decode(NULL, 10, 0, rate, 0, keys, count, &unused) != TOUCHTONE_ERR_NULL) {
        fprintf(stderr, "error: an invalid call was not refused\n");
        return 2;
    }

    int ok = strcmp(streamed.keys, expected) == 0 && streamed.downs == streamed.n &&
             count == streamed.n && (rate != 8000 || strcmp(ulaw_keys.keys, expected) == 0);
    for (size_t i = 0; ok && i < count; i++)
        ok = keys[i].key == streamed.ups[i].key && keys[i].start == streamed.ups[i].start &&
             keys[i].end == streamed.ups[i].end;
    printf("streamed %s, one-shot %zu keys%s%s: %s (expected %s)\n", streamed.keys, count,
           rate == 8000 ? ", mu-law " : "", rate == 8000 ? ulaw_keys.keys : "",
           ok ? "match" : "MISMATCH", expected);
    free(keys);
    free(pcm);
    return ok ? 0 : 1;
}
