/* A zlib stream made of byte runs and Huffman codes only: the DEFLATE encoder of TilePipe's level-1 tiles with the
 * floating-point predictor (TIFF predictor 3).
 *
 * Why: predictor 3 splits each Float32 row into byte planes and differences them. The sign/exponent plane becomes
 * runs of zeros; the mantissa planes of a noisy index are close to random. Such data holds no repeats longer than
 * a run of one byte, so a string matcher finds nothing a run coder misses (zlib's Z_RLE strategy keeps the same
 * bytes as its level 1 on the bench's NDVI tiles, 0.8006 against 0.8009 of the input), while libdeflate level 1
 * spends most of its time looking for matches (about 120 MB/s on those tiles; docs/performance.md).
 *
 * The stream: zlib header 78 01; blocks of up to RS_RLE_BLOCK input bytes, each either dynamic Huffman (literals,
 * and runs as matches of distance 1, lengths 3..258, as zlib's Z_RLE emits them) or stored, whichever is smaller;
 * the Adler-32 of the input. Codes are length-limited Huffman codes (15 bits for literals/lengths, 7 for the
 * code-length code), always complete, so zlib and libdeflate both accept them. Output depends only on the input
 * bytes (no state survives a call): same input, same stream, on any thread. */
#include "CShims.h"
#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>

/* Input bytes per DEFLATE block: large enough that a block's code table (about 130 bytes) costs 0.1 %. */
#define RS_RLE_BLOCK ((size_t)1 << 17)

size_t rs_rle_zlib_bound(size_t n) {
    /* Worst case: every block stored, in chunks of at most 65,535 bytes with 5 bytes of header each, plus one byte
     * per block for the alignment after the previous block; zlib header, final alignment and Adler-32; 8 bytes of
     * slack for the bit writer's 64-bit stores. */
    size_t blocks = n / RS_RLE_BLOCK + 1;
    return n + blocks * (5 * (RS_RLE_BLOCK / 65535 + 1) + 1) + 2 + 1 + 4 + 8;
}

size_t rs_rle_scratch_bytes(void) { return RS_RLE_BLOCK * sizeof(uint16_t); }

/* ---- bit writer: LSB first, as DEFLATE packs bits ---- */

typedef struct {
    uint64_t buf;
    unsigned n;     /* bits in buf, < 32 between calls */
    uint8_t *p;
} bitw;

static inline void put(bitw *w, uint32_t bits, unsigned count) { /* count <= 32 */
    w->buf |= (uint64_t)bits << w->n;
    w->n += count;
    if (w->n >= 32) {
        memcpy(w->p, &w->buf, 8);   /* little-endian: the low bytes first; the caller reserved the slack */
        w->p += 4;
        w->buf >>= 32;
        w->n -= 32;
    }
}

/* Pads to a byte boundary and writes out every whole byte. */
static void align(bitw *w) {
    w->n = (w->n + 7) & ~7u;
    while (w->n > 0) {
        *w->p++ = (uint8_t)w->buf;
        w->buf >>= 8;
        w->n -= 8;
    }
    w->buf = 0;
}

/* ---- Huffman code lengths ---- */

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Code lengths (0 for unused symbols) of a complete prefix code for freq[0, n), no length over `limit`
 * (n <= 288, limit <= 15). Huffman's lengths, then, where they exceed the limit, the deepest leaves are moved up
 * and others down until the Kraft sum is exactly 1; the shortest codes go to the most frequent symbols. With fewer
 * than two used symbols, symbols 0 and 1 (or the used one and its neighbour) get one bit each. Ties are broken by
 * symbol number, so the lengths depend on the frequencies only. */
static void code_lengths(const uint32_t *freq, unsigned n, unsigned limit, uint8_t *len) {
    uint64_t key[288];
    uint64_t weight[2 * 288];
    uint16_t parent[2 * 288];
    uint8_t depth[2 * 288];
    unsigned m = 0;
    memset(len, 0, n);
    for (unsigned s = 0; s < n; s++)
        if (freq[s]) key[m++] = ((uint64_t)freq[s] << 16) | s;
    if (m < 2) {
        unsigned used = m ? (unsigned)(key[0] & 0xFFFF) : 0;
        len[used] = 1;
        len[used == 0 ? 1 : used - 1] = 1;
        return;
    }
    qsort(key, m, sizeof key[0], cmp_u64);   /* ascending frequency, then symbol */
    /* Two-queue Huffman: leaves 0..m-1 in ascending weight, internal nodes m..2m-2 created in ascending weight. */
    for (unsigned i = 0; i < m; i++) weight[i] = key[i] >> 16;
    unsigned leaf = 0, inner = m, next = m;
    for (unsigned k = 0; k + 1 < m; k++) {
        unsigned pick[2];
        for (int j = 0; j < 2; j++)
            pick[j] = (leaf < m && (inner >= next || weight[leaf] <= weight[inner])) ? leaf++ : inner++;
        weight[next] = weight[pick[0]] + weight[pick[1]];
        parent[pick[0]] = parent[pick[1]] = (uint16_t)next;
        next++;
    }
    unsigned root = 2 * m - 2;
    depth[root] = 0;
    for (unsigned i = root; i-- > 0;) depth[i] = (uint8_t)(depth[parent[i]] + 1 > 64 ? 64 : depth[parent[i]] + 1);
    /* Leaves per length, the over-long ones clamped to the limit. */
    uint32_t count[16] = {0};
    for (unsigned i = 0; i < m; i++) count[depth[i] > limit ? limit : depth[i]]++;
    /* Kraft sum in units of 2^-limit; the code is complete when it equals 2^limit. */
    uint64_t full = (uint64_t)1 << limit, kraft = 0;
    for (unsigned l = 1; l <= limit; l++) kraft += (uint64_t)count[l] << (limit - l);
    while (kraft > full) {                       /* over-subscribed: push the longest leaf under the limit down */
        unsigned l = limit - 1;
        while (count[l] == 0) l--;
        count[l]--;
        count[l + 1]++;
        kraft -= (uint64_t)1 << (limit - l - 1);
    }
    while (kraft < full) {                       /* under-subscribed: lift the deepest leaf that fits the gap */
        unsigned l = limit;
        while (count[l] == 0 || ((uint64_t)1 << (limit - l)) > full - kraft) l--;
        count[l]--;
        count[l - 1]++;
        kraft += (uint64_t)1 << (limit - l);
    }
    /* The least frequent symbols (start of key[]) get the longest codes. */
    unsigned i = 0;
    for (unsigned l = limit; l >= 1; l--)
        for (uint32_t c = 0; c < count[l]; c++) len[key[i++] & 0xFFFF] = (uint8_t)l;
}

/* Canonical codes (RFC 1951 3.2.2) for len[0, n), bit-reversed for the LSB-first writer. */
static void canonical_codes(const uint8_t *len, unsigned n, uint16_t *code) {
    uint16_t count[16] = {0}, next[16];
    for (unsigned s = 0; s < n; s++) count[len[s]]++;
    count[0] = 0;
    uint16_t c = 0;
    for (unsigned l = 1; l < 16; l++) {
        c = (uint16_t)((c + count[l - 1]) << 1);
        next[l] = c;
    }
    for (unsigned s = 0; s < n; s++) {
        unsigned l = len[s];
        if (!l) { code[s] = 0; continue; }
        uint16_t v = next[l]++, r = 0;
        for (unsigned b = 0; b < l; b++) r = (uint16_t)((r << 1) | ((v >> b) & 1));
        code[s] = r;
    }
}

/* ---- run lengths ---- */

static const uint16_t len_base[29] = {3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
                                      35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
static const uint8_t len_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
                                      3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};

/* Length symbol (257..285) of a run of 3..258 bytes; 258 is symbol 285, never 284 + 31. */
static unsigned length_symbol(unsigned run) {
    unsigned c = 28;
    while (len_base[c] > run) c--;
    return 257 + c;
}

/* Splits in[start, end) into tokens: a byte (0..255), or 256 + (run - 3) for a run of 3..258 copies of the byte
 * before it (a match at distance 1; the byte before `start` counts, as the stream's history). Counts the lit/len
 * symbols into freq. Returns the number of tokens. */
static size_t tokenize(const uint8_t *in, size_t start, size_t end, uint16_t *tok, uint32_t *freq,
                       const uint8_t *sym_of_run) {
    size_t t = 0, i = start;
    if (i == 0 && i < end) { tok[t++] = in[0]; freq[in[0]]++; i = 1; }
    while (i < end) {
        uint8_t b = in[i - 1];
        if (in[i] == b && i + 3 <= end && in[i + 1] == b && in[i + 2] == b) {
            size_t max = end - i < 258 ? end - i : 258, r = 3;
            uint64_t pattern = 0x0101010101010101ull * b;
            while (r + 8 <= max) {
                uint64_t v;
                memcpy(&v, in + i + r, 8);
                uint64_t diff = v ^ pattern;
                if (diff) { r += (size_t)__builtin_ctzll(diff) >> 3; goto counted; }
                r += 8;
            }
            while (r < max && in[i + r] == b) r++;
        counted:
            tok[t++] = (uint16_t)(256 + r - 3);
            freq[257 + sym_of_run[r - 3]]++;
            i += r;
        } else {
            tok[t++] = in[i];
            freq[in[i]]++;
            i++;
        }
    }
    return t;
}

/* ---- blocks ---- */

static const uint8_t cl_order[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

/* Writes in[start, end) as stored blocks (after the 3-bit headers, aligned, LEN and NLEN, the bytes). */
static void write_stored(bitw *w, const uint8_t *in, size_t start, size_t end, int last) {
    do {
        size_t k = end - start < 65535 ? end - start : 65535;
        int final = last && start + k == end;
        put(w, (uint32_t)final, 3);   /* BFINAL, BTYPE 00 */
        align(w);
        w->p[0] = (uint8_t)k; w->p[1] = (uint8_t)(k >> 8);
        w->p[2] = (uint8_t)~k; w->p[3] = (uint8_t)(~k >> 8);
        memcpy(w->p + 4, in + start, k);
        w->p += 4 + k;
        start += k;
    } while (start < end);
}

static void write_block(bitw *w, const uint8_t *in, size_t start, size_t end, int last, uint16_t *tok,
                        const uint8_t *sym_of_run) {
    uint32_t freq[286] = {0};
    size_t ntok = tokenize(in, start, end, tok, freq, sym_of_run);
    freq[256] = 1;   /* end of block */
    uint8_t len[286 + 2];
    code_lengths(freq, 286, 15, len);
    unsigned nlit = 286;
    while (nlit > 257 && len[nlit - 1] == 0) nlit--;
    len[nlit] = 1; len[nlit + 1] = 1;   /* distance codes 0 (distance 1) and 1 (unused): a complete code */
    unsigned nall = nlit + 2;

    /* The code lengths, run-length coded with symbols 16 (repeat the previous 3..6 times), 17 (3..10 zeros)
     * and 18 (11..138 zeros); each entry: symbol | extra << 5. */
    uint16_t cl[288 + 2];
    unsigned ncl = 0;
    uint32_t clfreq[19] = {0};
    for (unsigned i = 0; i < nall;) {
        unsigned v = len[i], run = 1;
        while (i + run < nall && len[i + run] == v) run++;
        i += run;
        if (v == 0) {
            while (run >= 11) {
                unsigned r = run < 138 ? run : 138;
                cl[ncl++] = (uint16_t)(18 | (r - 11) << 5);
                clfreq[18]++;
                run -= r;
            }
            if (run >= 3) { cl[ncl++] = (uint16_t)(17 | (run - 3) << 5); clfreq[17]++; run = 0; }
        } else {
            cl[ncl++] = (uint16_t)v; clfreq[v]++; run--;
            while (run >= 3) {
                unsigned r = run < 6 ? run : 6;
                cl[ncl++] = (uint16_t)(16 | (r - 3) << 5);
                clfreq[16]++;
                run -= r;
            }
        }
        while (run > 0) { cl[ncl++] = (uint16_t)v; clfreq[v]++; run--; }
    }
    uint8_t cllen[19];
    uint16_t clcode[19];
    code_lengths(clfreq, 19, 7, cllen);
    canonical_codes(cllen, 19, clcode);
    unsigned nclen = 19;
    while (nclen > 4 && cllen[cl_order[nclen - 1]] == 0) nclen--;

    /* Size of the dynamic block in bits against the stored form: keep the smaller. */
    static const uint8_t cl_extra[19] = {[16] = 2, [17] = 3, [18] = 7};
    uint64_t bits = 3 + 5 + 5 + 4 + 3 * (uint64_t)nclen;
    for (unsigned i = 0; i < ncl; i++) bits += cllen[cl[i] & 31] + cl_extra[cl[i] & 31];
    for (unsigned s = 0; s < nlit; s++) bits += (uint64_t)freq[s] * len[s];
    for (unsigned c = 0; c < 29; c++) bits += (uint64_t)freq[257 + c] * (len_extra[c] + 1u);   /* + distance bit */
    uint64_t stored = 8 * ((end - start) + 5 * ((end - start) / 65535 + 1)) + 8;
    if (bits >= stored) { write_stored(w, in, start, end, last); return; }

    uint16_t code[286 + 2] = {0};
    canonical_codes(len, nlit, code);
    put(w, (uint32_t)last | 2u << 1, 3);          /* BFINAL, BTYPE 10 */
    put(w, nlit - 257, 5);
    put(w, 2 - 1, 5);
    put(w, nclen - 4, 4);
    for (unsigned i = 0; i < nclen; i++) put(w, cllen[cl_order[i]], 3);
    for (unsigned i = 0; i < ncl; i++) {
        unsigned s = cl[i] & 31;
        put(w, clcode[s], cllen[s]);
        if (s >= 16) put(w, cl[i] >> 5, cl_extra[s]);
    }
    /* The bits of every token: a literal's code; a run's length code, extra bits and distance code 0 (the one-bit
     * code 0, which adds nothing to the value) as one put. */
    uint32_t tbits[512];
    uint8_t tcount[512];
    for (unsigned t = 0; t < 256; t++) { tbits[t] = code[t]; tcount[t] = len[t]; }
    for (unsigned r = 3; r <= 258; r++) {
        unsigned c = sym_of_run[r - 3], s = 257 + c;
        tbits[256 + r - 3] = code[s] | (uint32_t)(r - len_base[c]) << len[s];
        tcount[256 + r - 3] = (uint8_t)(len[s] + len_extra[c] + 1);
    }
    /* Tokens two at a time (at most 2 x 21 bits) between branch-free flushes that leave under 8 bits. */
    uint64_t buf = w->buf;
    unsigned nb = w->n;
    uint8_t *p = w->p;
    size_t i = 0;
    for (; i + 2 <= ntok; i += 2) {
        unsigned a = tok[i], b = tok[i + 1];
        buf |= (uint64_t)tbits[a] << nb;
        nb += tcount[a];
        buf |= (uint64_t)tbits[b] << nb;
        nb += tcount[b];
        memcpy(p, &buf, 8);
        p += nb >> 3;
        buf >>= nb & ~7u;   /* nb <= 7 + 42, so the shift is at most 48 */
        nb &= 7;
    }
    w->buf = buf; w->n = nb; w->p = p;
    for (; i < ntok; i++) put(w, tbits[tok[i]], tcount[tok[i]]);
    put(w, code[256], len[256]);
}

size_t rs_rle_zlib_compress(const void *input, size_t n, void *output, size_t cap, uint16_t *scratch) {
    if (cap < rs_rle_zlib_bound(n) || !output || !scratch || (!input && n)) return 0;
    const uint8_t *in = input;
    uint8_t sym_of_run[256];
    for (unsigned r = 3; r <= 258; r++) sym_of_run[r - 3] = (uint8_t)(length_symbol(r) - 257);
    uint8_t *out = output;
    out[0] = 0x78; out[1] = 0x01;   /* DEFLATE, 32 KiB window, "fastest" */
    bitw w = {0, 0, out + 2};
    size_t start = 0;
    do {
        size_t end = n - start > RS_RLE_BLOCK ? start + RS_RLE_BLOCK : n;
        write_block(&w, in, start, end, end == n, scratch, sym_of_run);
        start = end;
    } while (start < n);
    align(&w);
    uint32_t adler = libdeflate_adler32(1, in, n);
    for (int k = 0; k < 4; k++) w.p[k] = (uint8_t)(adler >> (24 - 8 * k));   /* big-endian */
    return (size_t)(w.p + 4 - out);
}
