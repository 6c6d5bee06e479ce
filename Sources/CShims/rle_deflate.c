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
 * the Adler-32 of the input. Each block's code comes from its own counts, or (`sampled`, for the predicted planes
 * of Float32 tiles, whose byte statistics change little within a block) from the counts of an eighth of the block
 * in 4 KiB pieces spread over it: counting every byte was a quarter of the encoder's time, and the sampled code
 * costs 0.2-0.8 % more bytes (bench, real Landsat and SampleTiles index tiles; docs/performance.md). Codes are
 * length-limited Huffman codes (15 bits for literals/lengths, 7 for the code-length code), always complete, so zlib
 * and libdeflate both accept them. Output depends only on the input
 * bytes (no state survives a call): same input, same stream, on any thread. */
#include "CShims.h"
#include <libdeflate.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Input bytes per DEFLATE block: large enough that a block's code table (about 130 bytes) costs 0.1 %. */
#define RS_RLE_BLOCK ((size_t)1 << 17)

size_t rs_rle_zlib_bound(size_t n) {
    /* Worst case: every block stored, in chunks of at most 65,535 bytes with 5 bytes of header each, plus one byte
     * per block for the alignment after the previous block; zlib header, final alignment and Adler-32; 8 bytes of
     * slack for the bit writer's 64-bit stores. */
    size_t blocks = n / RS_RLE_BLOCK + 1;
    return n + blocks * (5 * (RS_RLE_BLOCK / 65535 + 1) + 1) + 2 + 1 + 4 + 8;
}

/* The largest dynamic block of n input bytes: its header (at most 17 bits, 19 three-bit code-length lengths and 288
 * code lengths of at most 7 + 7 bits), every byte a literal of at most 15 bits (a run of r >= 3 bytes costs at most
 * 15 + 5 + 1 bits), the end-of-block code, and 8 bytes for the bit writer's 64-bit stores. */
static size_t dynamic_worst(size_t n) { return (17 + 19 * 3 + 288 * 14 + 7) / 8 + n * 15 / 8 + 2 + 8; }

/* Scratch: a block's runs (at most one per three bytes, one uint32_t each), then room for one dynamic block
 * (`dynamic_worst`) where the output buffer has less left (sampled codes, below). */
#define RS_RLE_RUNS_BYTES ((RS_RLE_BLOCK / 3 + 1) * sizeof(uint32_t))
size_t rs_rle_scratch_bytes(void) { return RS_RLE_RUNS_BYTES + dynamic_worst(RS_RLE_BLOCK); }

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

/* Sorts k[0, n) ascending, for keys freq << 16 | symbol that arrive in ascending symbol order (n <= 288): a stable
 * LSD radix sort on the frequency, 8 bits a pass, as many passes as the largest frequency needs (three for a
 * 128 KiB block). Stability keeps equal frequencies in symbol order, so the result is the keys' ascending order.
 * (Shell's method with Ciura's gaps cost 3-4 us a call in mispredicted comparisons: about 1 % of the full bench
 * job's CPU.) */
static void sort_u64(uint64_t *k, unsigned n) {
    uint64_t tmp[288];
    uint64_t largest = 0;
    for (unsigned i = 0; i < n; i++) largest |= k[i];
    largest >>= 16;
    uint64_t *src = k, *dst = tmp;
    for (unsigned shift = 16; (largest >> (shift - 16)) != 0; shift += 8) {
        unsigned count[257] = {0};
        for (unsigned i = 0; i < n; i++) count[((src[i] >> shift) & 255) + 1]++;
        for (unsigned d = 1; d < 257; d++) count[d] += count[d - 1];
        for (unsigned i = 0; i < n; i++) dst[count[(src[i] >> shift) & 255]++] = src[i];
        uint64_t *t = src; src = dst; dst = t;
    }
    if (src != k) memcpy(k, src, n * sizeof *k);
}

/* Code lengths (0 for unused symbols) of a complete prefix code for freq[0, n), no length over `limit`
 * (n <= 288, limit <= 15). Huffman's lengths, then, where they exceed the limit, the deepest leaves are moved up
 * and others down until the Kraft sum is exactly 1; the shortest codes go to the most frequent symbols. With fewer
 * than two used symbols, symbols 0 and 1 (or the used one and its neighbour) get one bit each. Ties are broken by
 * symbol number, so the lengths depend on the frequencies only. */
static void code_lengths(const uint32_t *freq, unsigned n, unsigned limit, uint8_t *len) {
    uint64_t key[288];
    uint64_t leaf_weight[288 + 1], inner_weight[288];
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
    sort_u64(key, m);   /* ascending frequency, then symbol (keys are distinct: the order is unique) */
    /* Two-queue Huffman: leaves 0..m-1 in ascending weight, internal nodes m..2m-2 created in ascending weight
     * (node m + i has weight inner_weight[i]). Each step takes the lighter queue head, the leaf on a tie; a queue
     * that is empty shows the sentinel UINT64_MAX (no real weight reaches it), so the choice is one comparison
     * and the compiler makes it branch-free: the branches mispredicted on about every pick. */
    for (unsigned i = 0; i < m; i++) leaf_weight[i] = key[i] >> 16;
    leaf_weight[m] = UINT64_MAX;
    for (unsigned i = 0; i < m; i++) inner_weight[i] = UINT64_MAX;
    unsigned leaf = 0, inner = 0, next = 0;
    for (unsigned k = 0; k + 1 < m; k++) {
        uint64_t sum = 0;
        unsigned pick[2];
        for (int j = 0; j < 2; j++) {
            uint64_t a = leaf_weight[leaf], b = inner_weight[inner];
            unsigned take_leaf = a <= b;
            pick[j] = take_leaf ? leaf : m + inner;
            sum += take_leaf ? a : b;
            leaf += take_leaf;
            inner += 1 - take_leaf;
        }
        inner_weight[next] = sum;
        parent[pick[0]] = parent[pick[1]] = (uint16_t)(m + next);
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

/* Adds the count of each byte value of p[0, n) to freq[0, 256), in four tables by position so that a value repeated
 * at neighbouring positions does not wait on its counter's previous increment. */
static void count_bytes(const uint8_t *p, size_t n, uint32_t *freq) {
    uint32_t h[4][256];
    memset(h, 0, sizeof h);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t v;
        memcpy(&v, p + i, 8);
        h[0][v & 255]++; h[1][v >> 8 & 255]++; h[2][v >> 16 & 255]++; h[3][v >> 24 & 255]++;
        h[0][v >> 32 & 255]++; h[1][v >> 40 & 255]++; h[2][v >> 48 & 255]++; h[3][v >> 56]++;
    }
    for (; i < n; i++) h[0][p[i]]++;
    for (unsigned s = 0; s < 256; s++) freq[s] += h[0][s] + h[1][s] + h[2][s] + h[3][s];
}

/* The length of the run of copies of in[i - 1] from i on (3 <= result <= max), knowing the first three match. */
static inline size_t run_length(const uint8_t *in, size_t i, size_t max) {
    uint8_t b = in[i - 1];
    size_t r = 3;
    uint64_t pattern = 0x0101010101010101ull * b;
    while (r + 8 <= max) {
        uint64_t v;
        memcpy(&v, in + i + r, 8);
        uint64_t diff = v ^ pattern;
        if (diff) return r + ((size_t)__builtin_ctzll(diff) >> 3);
        r += 8;
    }
    while (r < max && in[i + r] == b) r++;
    return r;
}

/* The first position in [i, end) where a run starts: in[p - 1], in[p], in[p + 1] and in[p + 2] equal and
 * p + 3 <= end; `end` when there is none. i >= 1. Sixteen positions at a time where SSE2 is there. */
static inline size_t next_run(const uint8_t *in, size_t i, size_t end) {
#if defined(__SSE2__)
    while (i + 16 <= end) {
        __m128i prev = _mm_loadu_si128((const __m128i *)(in + i - 1));
        __m128i cur = _mm_loadu_si128((const __m128i *)(in + i));
        unsigned eq = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(prev, cur));   /* bit k: in[i + k] == in[i + k - 1] */
        unsigned starts = eq & eq >> 1 & eq >> 2 & 0x3FFFu;                     /* bit k: a run starts at i + k */
        if (starts) return i + (unsigned)__builtin_ctz(starts);
        i += 14;
    }
#endif
    for (; i + 3 <= end; i++)
        if (in[i] == in[i - 1] && in[i + 1] == in[i] && in[i + 2] == in[i]) return i;
    return end;
}

/* The tokens of in[start, end): bytes (literals), and runs of 3..258 copies of the byte before them (matches at
 * distance 1; the byte before `start` counts, as the stream's history). Runs are taken greedily from the left: one
 * starts at the first position whose byte, the one before and the two after are equal (all before `end`), and
 * takes as many copies as follow, up to 258 and up to `end`; the byte after a run is looked at afresh. Every other
 * byte, and in[0], is a literal.
 *
 * Stores the runs in `runs` (each: the number of literals before it since the previous run << 8 | run - 3) and
 * returns their number; counts the literals into freq[0, 256) and the runs' length symbols into freq[257, 286)
 * unless freq is NULL. */
static size_t find_runs(const uint8_t *in, size_t start, size_t end, uint32_t *runs, uint32_t *freq,
                        const uint8_t *sym_of_run) {
    if (freq) count_bytes(in + start, end - start, freq);   /* every byte, then those inside runs taken back */
    size_t n = 0, i = start == 0 ? 1 : start, lits = i - start;
    while (i < end) {
        size_t p = next_run(in, i, end);
        if (p == end) break;
        size_t max = end - p < 258 ? end - p : 258, r = run_length(in, p, max);
        runs[n++] = (uint32_t)((lits + p - i) << 8 | (r - 3));
        if (freq) {
            freq[in[p]] -= (uint32_t)r;
            freq[257 + sym_of_run[r - 3]]++;
        }
        lits = 0;
        i = p + r;
    }
    return n;
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

/* Writes in[start, end) as one block: dynamic Huffman, or stored where that is no larger. The code comes from the
 * block's own symbol counts, or from `given` (`sample_counts` of the block: every literal and length symbol at
 * least once, so the block can be coded whatever it holds); then the block's size is only known once it is coded,
 * so it is coded first (into `temp` when fewer than `dynamic_worst` bytes are left before `out_end`) and replaced
 * by the stored form when that is smaller. */
static void write_block(bitw *w, const uint8_t *in, size_t start, size_t end, int last, uint32_t *runs,
                        const uint8_t *sym_of_run, const uint32_t *given, const uint8_t *out_end, uint8_t *temp) {
    uint32_t freq[286] = {0};
    size_t nruns = find_runs(in, start, end, runs, given ? NULL : freq, sym_of_run);
    if (given) memcpy(freq, given, sizeof freq);
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

    static const uint8_t cl_extra[19] = {[16] = 2, [17] = 3, [18] = 7};
    uint64_t stored = 8 * ((end - start) + 5 * ((end - start) / 65535 + 1)) + 8;
    if (!given) {   /* the block's own counts give the dynamic block's size in bits: keep the smaller form */
        uint64_t bits = 3 + 5 + 5 + 4 + 3 * (uint64_t)nclen;
        for (unsigned i = 0; i < ncl; i++) bits += cllen[cl[i] & 31] + cl_extra[cl[i] & 31];
        for (unsigned s = 0; s < nlit; s++) bits += (uint64_t)freq[s] * len[s];
        for (unsigned c = 0; c < 29; c++) bits += (uint64_t)freq[257 + c] * (len_extra[c] + 1u);   /* + distance bit */
        if (bits >= stored) { write_stored(w, in, start, end, last); return; }
    }

    bitw *block = w, spare = *w;   /* where the dynamic block is coded */
    const bitw before = *w;
    if (given && (size_t)(out_end - w->p) < dynamic_worst(end - start)) { spare.p = temp; block = &spare; }
    uint16_t code[286 + 2] = {0};
    canonical_codes(len, nlit, code);
    put(block, (uint32_t)last | 2u << 1, 3);          /* BFINAL, BTYPE 10 */
    put(block, nlit - 257, 5);
    put(block, 2 - 1, 5);
    put(block, nclen - 4, 4);
    for (unsigned i = 0; i < nclen; i++) put(block, cllen[cl_order[i]], 3);
    for (unsigned i = 0; i < ncl; i++) {
        unsigned s = cl[i] & 31;
        put(block, clcode[s], cllen[s]);
        if (s >= 16) put(block, cl[i] >> 5, cl_extra[s]);
    }
    /* The bits of a run of r bytes: its length code, extra bits and distance code 0 (the one-bit code 0, which adds
     * nothing to the value) as one put of at most 21 bits. */
    uint32_t rbits[256];
    uint8_t rcount[256];
    for (unsigned r = 3; r <= 258; r++) {
        unsigned c = sym_of_run[r - 3], s = 257 + c;
        rbits[r - 3] = code[s] | (uint32_t)(r - len_base[c]) << len[s];
        rcount[r - 3] = (uint8_t)(len[s] + len_extra[c] + 1);
    }
    /* A literal's code and length in one word: code | length << 24. */
    uint32_t lit[256];
    unsigned longest = 0;
    for (unsigned b = 0; b < 256; b++) {
        lit[b] = code[b] | (uint32_t)len[b] << 24;
        if (len[b] > longest) longest = len[b];
    }
    int wide = longest <= 14;
    /* Literals between branch-free flushes that leave under 8 bits: four at a time when no literal code is longer
     * than 14 bits (`wide`, at most 56 bits), else three (at most 3 x 15 bits); the rest one by one. */
    uint64_t buf = block->buf;
    unsigned nb = block->n;
    uint8_t *p = block->p;
#define RS_FLUSH() do { memcpy(p, &buf, 8); p += nb >> 3; buf >>= nb & ~7u; nb &= 7; } while (0)
    if (nb >= 8) RS_FLUSH();
    size_t i = start;
    for (size_t k = 0; k <= nruns; k++) {
        size_t lits = k < nruns ? runs[k] >> 8 : end - i;
        const uint8_t *q = in + i, *qend = q + lits;
        if (wide)
            for (; q + 4 <= qend; q += 4) {
                uint32_t a = lit[q[0]], b = lit[q[1]], c = lit[q[2]], d = lit[q[3]];
                unsigned la = a >> 24, lb = b >> 24, lc = c >> 24;
                uint64_t x = (uint64_t)(a & 0xFFFF) | (uint64_t)(b & 0xFFFF) << la | (uint64_t)(c & 0xFFFF) << (la + lb)
                           | (uint64_t)(d & 0xFFFF) << (la + lb + lc);
                buf |= x << nb;
                nb += la + lb + lc + (d >> 24);
                RS_FLUSH();
            }
        for (; q + 3 <= qend; q += 3) {
            uint32_t a = lit[q[0]], b = lit[q[1]], c = lit[q[2]];
            unsigned la = a >> 24, lb = b >> 24;
            buf |= ((uint64_t)(a & 0xFFFF) | (uint64_t)(b & 0xFFFF) << la | (uint64_t)(c & 0xFFFF) << (la + lb)) << nb;
            nb += la + lb + (c >> 24);
            RS_FLUSH();
        }
        for (; q < qend; q++) {
            buf |= (uint64_t)(lit[*q] & 0xFFFF) << nb;
            nb += lit[*q] >> 24;
            RS_FLUSH();
        }
        i += lits;
        if (k < nruns) {
            unsigned r = runs[k] & 255;
            buf |= (uint64_t)rbits[r] << nb;
            nb += rcount[r];
            RS_FLUSH();
            i += r + 3;
        }
    }
#undef RS_FLUSH
    block->buf = buf; block->n = nb; block->p = p;
    put(block, code[256], len[256]);
    if (!given) return;   /* the counts were the block's: the size was known and smaller than stored */
    const uint8_t *from = block == w ? before.p : temp;
    uint64_t coded = 8 * (uint64_t)(block->p - from) + block->n - before.n;
    if (coded >= stored) { *w = before; write_stored(w, in, start, end, last); return; }
    if (block != w) {
        memcpy(w->p, temp, (size_t)(block->p - temp));
        w->p += block->p - temp;
        w->buf = block->buf;
        w->n = block->n;
    }
}

/* Sampled codes: one piece of RS_RLE_SAMPLE_PIECE bytes from every RS_RLE_SAMPLE_STRIDE bytes of a block (an eighth
 * of it), each at an offset into its stretch drawn from a fixed sequence, so the pieces fall at ever different offsets
 * into any structure that repeats (rows, byte planes): pieces at a fixed stride, prime or not, can all land in the
 * same phase of such a structure (input alternating 4 KiB of zeros and of noise was sampled as zeros only, and
 * coded 7-20 % larger than with each block's own code). */
#define RS_RLE_SAMPLE_PIECE ((size_t)4096)
#define RS_RLE_SAMPLE_STRIDE ((size_t)32768)

/* Counts of the literals and run lengths of a sample of in[start, end), plus one for every literal and length
 * symbol (so that a code made from them can code any input). The same input gives the same counts. */
static void sample_counts(const uint8_t *in, size_t start, size_t end, uint32_t *runs, uint32_t *freq,
                          const uint8_t *sym_of_run) {
    memset(freq, 0, 286 * sizeof *freq);
    for (size_t base = start; base < end; base += RS_RLE_SAMPLE_STRIDE) {
        uint64_t h = (uint64_t)(base / RS_RLE_SAMPLE_PIECE + 1) * 0x9E3779B97F4A7C15ull;   /* Fibonacci hashing */
        size_t c = base + (size_t)((h >> 32) % (RS_RLE_SAMPLE_STRIDE - RS_RLE_SAMPLE_PIECE + 1));
        if (c >= end) c = base;
        size_t e = end - c > RS_RLE_SAMPLE_PIECE ? c + RS_RLE_SAMPLE_PIECE : end;
        find_runs(in, c, e, runs, freq, sym_of_run);
    }
    for (unsigned s = 0; s < 286; s++) freq[s] += s != 256;
}

size_t rs_rle_zlib_compress(const void *input, size_t n, void *output, size_t cap, uint32_t *scratch, int sampled) {
    if (cap < rs_rle_zlib_bound(n) || !output || !scratch || (!input && n)) return 0;
    const uint8_t *in = input;
    uint8_t sym_of_run[256];
    for (unsigned r = 3; r <= 258; r++) sym_of_run[r - 3] = (uint8_t)(length_symbol(r) - 257);
    uint32_t sample[286];
    uint8_t *out = output, *temp = (uint8_t *)scratch + RS_RLE_RUNS_BYTES;
    out[0] = 0x78; out[1] = 0x01;   /* DEFLATE, 32 KiB window, "fastest" */
    bitw w = {0, 0, out + 2};
    size_t start = 0;
    do {
        size_t end = n - start > RS_RLE_BLOCK ? start + RS_RLE_BLOCK : n;
        const uint32_t *given = NULL;   /* the block's own counts, or those of a sample of it (blocks over 64 KiB) */
        if (sampled && end - start > 2 * RS_RLE_SAMPLE_STRIDE) {
            sample_counts(in, start, end, scratch, sample, sym_of_run);
            given = sample;
        }
        write_block(&w, in, start, end, end == n, scratch, sym_of_run, given, out + cap, temp);
        start = end;
    } while (start < n);
    align(&w);
    uint32_t adler = libdeflate_adler32(1, in, n);
    for (int k = 0; k < 4; k++) w.p[k] = (uint8_t)(adler >> (24 - 8 * k));   /* big-endian */
    return (size_t)(w.p + 4 - out);
}
