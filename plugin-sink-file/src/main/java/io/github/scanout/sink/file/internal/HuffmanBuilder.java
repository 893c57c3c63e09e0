package io.github.scanout.sink.file.internal;

import java.util.Arrays;

/**
 * Length-limited canonical Huffman codes for deflate (RFC 1951 3.2.2).
 *
 * <p>Lengths come from a classic two-queue Huffman construction over the symbols sorted by
 * count; when the longest code exceeds the limit, the counts are halved (never below 1) and
 * the code rebuilt, which converges in a few rounds and costs little compression. At least two
 * symbols always get a code, so the code is complete, as inflaters require.
 *
 * <p>Threads: not thread-safe (reuses its work arrays).
 */
final class HuffmanBuilder {
    private long[] sorted = new long[0];
    private int[] weight = new int[0];
    private int[] parent = new int[0];
    private int[] depth = new int[0];
    private int[] freq = new int[0];

    /**
     * Code lengths for symbols {@code 0 .. n-1}.
     *
     * @param counts how often each symbol occurs (0 = unused, gets length 0)
     * @param limit the longest code allowed
     * @param lengths receives the lengths
     */
    void lengths(int[] counts, int n, int limit, int[] lengths) {
        if (freq.length < n) {
            freq = new int[n];
            sorted = new long[n];
            weight = new int[2 * n];
            parent = new int[2 * n];
            depth = new int[2 * n];
        }
        System.arraycopy(counts, 0, freq, 0, n);
        int used = 0;
        for (int i = 0; i < n; i++) {
            if (freq[i] > 0) {
                used++;
            }
        }
        for (int i = 0; used < 2 && i < n; i++) {
            if (freq[i] == 0) {
                freq[i] = 1;
                used++;
            }
        }
        while (!build(n, limit, lengths)) {
            for (int i = 0; i < n; i++) {
                if (freq[i] > 0) {
                    freq[i] = (freq[i] >>> 1) | 1;
                }
            }
        }
    }

    /** One construction; false when a code is longer than {@code limit}. */
    private boolean build(int n, int limit, int[] lengths) {
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (freq[i] > 0) {
                sorted[m++] = ((long) freq[i] << 32) | i;
            }
        }
        Arrays.sort(sorted, 0, m);
        // nodes 0..m-1 are leaves in ascending weight; internal nodes m.. are created in
        // ascending weight too, so two queues give the two lightest nodes each time
        for (int k = 0; k < m; k++) {
            weight[k] = (int) (sorted[k] >>> 32);
        }
        int leaf = 0;
        int inner = m;
        int next = m;
        for (int made = 0; made < m - 1; made++) {
            int a = (leaf < m && (inner >= next || weight[leaf] <= weight[inner])) ? leaf++ : inner++;
            int b = (leaf < m && (inner >= next || weight[leaf] <= weight[inner])) ? leaf++ : inner++;
            weight[next] = (int) Math.min(Integer.MAX_VALUE, (long) weight[a] + weight[b]);
            parent[a] = next;
            parent[b] = next;
            next++;
        }
        int root = next - 1;
        // depths: a parent is always created after its children, so walk down from the root
        int[] d = depth;
        d[root] = 0;
        for (int k = root - 1; k >= 0; k--) {
            d[k] = d[parent[k]] + 1;
        }
        Arrays.fill(lengths, 0, n, 0);
        int max = 0;
        for (int k = 0; k < m; k++) {
            int sym = (int) sorted[k];
            lengths[sym] = d[k];
            max = Math.max(max, d[k]);
        }
        return max <= limit;
    }

    /** Canonical codes for the lengths, bit-reversed for deflate's LSB-first bit order. */
    static void codes(int[] lengths, int n, int[] codes) {
        int[] count = new int[16];
        for (int i = 0; i < n; i++) {
            count[lengths[i]]++;
        }
        count[0] = 0;
        int[] next = new int[16];
        int code = 0;
        for (int bits = 1; bits < 16; bits++) {
            code = (code + count[bits - 1]) << 1;
            next[bits] = code;
        }
        for (int i = 0; i < n; i++) {
            int len = lengths[i];
            if (len != 0) {
                codes[i] = Integer.reverse(next[len]++) >>> (32 - len);
            } else {
                codes[i] = 0;
            }
        }
    }
}
