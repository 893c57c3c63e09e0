package io.github.scanout.core.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The hand-over of one sink: order, drop-oldest, the superseding slot, releases, idleness, close. */
class DropOldestQueueTest {

    final List<String> released = new ArrayList<>();
    final DropOldestQueue<String, String> q = new DropOldestQueue<>(2, e -> released.add("entry " + e),
            s -> released.add("slot " + s), e -> e.startsWith("frame"));

    @Test
    void aFullQueueDropsTheOldestAndCountsOnlyFrames() throws Exception {
        assertThat(q.add("frame 1")).isTrue();
        assertThat(q.add("notice a")).isTrue();
        assertThat(q.add("frame 2")).isTrue();
        assertThat(released).containsExactly("entry frame 1");
        assertThat(q.add("frame 3")).isTrue();
        assertThat(released).containsExactly("entry frame 1", "entry notice a");
        assertThat(q.dropped()).isEqualTo(1);
        assertThat(q.queued()).isEqualTo(2);
        assertThat(q.take(0).entry()).isEqualTo("frame 2");
        q.finished();
        assertThat(q.take(0).entry()).isEqualTo("frame 3");
    }

    @Test
    void theSlotIsSupersededByTheNextValueAndReleasedByTheNextEntry() throws Exception {
        q.put("cursor 1");
        q.put("cursor 2");
        assertThat(released).containsExactly("slot cursor 1");
        assertThat(q.queued()).isEqualTo(1);
        q.add("frame 1");
        assertThat(released).containsExactly("slot cursor 1", "slot cursor 2");
        q.put("cursor 3");
        // entries first, then the slot
        assertThat(q.take(0).entry()).isEqualTo("frame 1");
        q.finished();
        DropOldestQueue.Taken<String, String> t = q.take(0);
        assertThat(t.entry()).isNull();
        assertThat(t.slot()).isEqualTo("cursor 3");
    }

    @Test
    void idleOnlyOnceTheConsumerFinishedWhatItTook() throws Exception {
        assertThat(q.idle()).isTrue();
        q.add("frame 1");
        assertThat(q.idle()).isFalse();
        q.take(0);
        assertThat(q.idle()).as("taken but not finished").isFalse();
        q.finished();
        assertThat(q.idle()).isTrue();
        DropOldestQueue.Taken<String, String> none = q.take(1);
        assertThat(none.empty()).isTrue();
        assertThat(none.closed()).isFalse();
    }

    @Test
    void aWaitingConsumerIsWokenByAnEntryAndByClose() throws Exception {
        AtomicReference<DropOldestQueue.Taken<String, String>> got = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        Thread consumer = new Thread(() -> {
            try {
                got.set(q.take(TimeUnit.SECONDS.toNanos(120)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            done.countDown();
        });
        consumer.start();
        q.add("frame 1");
        assertThat(done.await(120, TimeUnit.SECONDS)).isTrue();
        assertThat(got.get().entry()).isEqualTo("frame 1");
        q.finished();

        CountDownLatch closed = new CountDownLatch(1);
        Thread waiter = new Thread(() -> {
            try {
                got.set(q.take(TimeUnit.SECONDS.toNanos(120)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            closed.countDown();
        });
        waiter.start();
        q.close();
        assertThat(closed.await(120, TimeUnit.SECONDS)).isTrue();
        assertThat(got.get().closed()).isTrue();
    }

    @Test
    void aConsumerHoldsNoReferenceToWhatItTookOnceItTakesAgain() throws Exception {
        DropOldestQueue<Object, Object> oq = new DropOldestQueue<>(2, e -> { }, s -> { }, e -> true);
        Object entry = new Object();
        WeakReference<Object> ref = new WeakReference<>(entry);
        oq.add(entry);
        assertThat(oq.take(0).entry()).isSameAs(entry);
        oq.finished();
        entry = null;
        assertThat(oq.take(TimeUnit.MILLISECONDS.toNanos(1)).empty()).as("nothing more: timed out").isTrue();
        for (int i = 0; i < 200 && ref.get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertThat(ref.get()).as("collected: the reused result does not keep it").isNull();
    }

    @Test
    void afterCloseNothingIsTakenInAndWhatIsLeftIsReleasedByDrain() throws Exception {
        q.add("frame 1");
        q.put("cursor 1");
        q.close();
        assertThat(q.closed()).isTrue();
        assertThat(q.add("frame 2")).isFalse();
        assertThat(q.put("cursor 2")).isFalse();
        assertThat(released).containsExactly("entry frame 2", "slot cursor 2");
        q.drain();
        assertThat(released).containsExactly("entry frame 2", "slot cursor 2", "entry frame 1", "slot cursor 1");
        assertThat(q.queued()).isZero();
        assertThat(q.take(0).closed()).isTrue();
    }
}
