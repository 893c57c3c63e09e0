package io.github.scanout.bench;

import java.lang.management.ManagementFactory;

/** Allocation counters of the threads Scanout's pipelines start ({@code scanout-capture-*}, {@code scanout-sink-*}). */
final class PipelineThreads {
    private PipelineThreads() {}

    /** Bytes allocated so far by the live pipeline threads of this JVM. */
    static long allocatedBytes() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String n = t.getName();
            if (n.startsWith("scanout-capture-") || n.startsWith("scanout-sink-")) {
                long b = mx.getThreadAllocatedBytes(t.getId());
                if (b > 0) {
                    sum += b;
                }
            }
        }
        return sum;
    }

    /** Bytes allocated so far by every live thread, by name (a diagnostic). */
    static java.util.Map<String, Long> byThread() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        java.util.Map<String, Long> m = new java.util.TreeMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            m.merge(t.getName(), Math.max(0, mx.getThreadAllocatedBytes(t.getId())), Long::sum);
        }
        return m;
    }
}
