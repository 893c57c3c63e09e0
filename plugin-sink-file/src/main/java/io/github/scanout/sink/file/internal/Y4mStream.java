package io.github.scanout.sink.file.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A YUV4MPEG2 stream, readable by ffmpeg and mpv:
 * {@code YUV4MPEG2 W<w> H<h> F<num>:<den> Ip A1:1 C420jpeg|C444 XCOLORRANGE=LIMITED}, then for
 * each frame {@code FRAME\n} and the Y, U and V planes ({@link Y4mEncoder}).
 *
 * <p>Frame rate: {@code maxFps} when it is set, written as a fraction (29.97 is
 * {@code F2997:100}); the frames then keep their timing: a frame that arrives after a pause
 * (the pipeline sends only changed frames) is preceded by copies of the previous frame for
 * the frame slots that passed, at most {@value #MAX_GAP_SECONDS} s of them (a longer pause is
 * shortened to that). With {@code maxFps} 0 the header says the nominal {@value #NOMINAL_FPS}
 * fps and every written frame is one Y4M frame: the order is kept, the timing is not.
 *
 * <p>Y4M has one size per file: when the mode changes, a new file is started
 * ({@link StreamFile} names it). A file is never left without its header.
 *
 * <p>Threads: confined to the sink's delivery thread.
 */
final class Y4mStream implements Output {
    static final int NOMINAL_FPS = 30;
    static final int MAX_GAP_SECONDS = 10;
    private static final byte[] FRAME = "FRAME\n".getBytes(StandardCharsets.US_ASCII);

    private final StreamFile file;
    private final Y4mChroma chroma;
    private final double fps;
    private final String rate;
    private final Y4mEncoder encoder = new Y4mEncoder();
    private byte[] current = new byte[0];
    private byte[] previous = new byte[0];
    private int frameBytes;
    private int width;
    private int height;
    private long firstNanos;
    private long lastSlot;

    /** @param maxFps the configured rate; 0 for "every frame" */
    Y4mStream(StreamFile file, Y4mChroma chroma, double maxFps) {
        this.file = file;
        this.chroma = chroma;
        this.fps = maxFps;
        this.rate = rate(maxFps);
    }

    /** {@code F} parameter value: {@code 30:1}, {@code 2997:100}. */
    static String rate(double maxFps) {
        if (maxFps <= 0) {
            return NOMINAL_FPS + ":1";
        }
        long num = Math.round(maxFps * 1000);
        long den = 1000;
        long g = gcd(num, den);
        return (num / g) + ":" + (den / g);
    }

    private static long gcd(long a, long b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /** The stream header for a size. */
    String header(int w, int h) {
        return "YUV4MPEG2 W" + w + " H" + h + " F" + rate + " Ip A1:1 " + chroma.tag() + " XCOLORRANGE=LIMITED\n";
    }

    @Override
    public long write(Shot shot) throws IOException {
        long before = file.appended();
        int w = shot.info().width();
        int h = shot.info().height();
        if (file.isOpen() && (w != width || h != height)) {
            file.rollOver();
        }
        int bytes = FRAME.length + Y4mEncoder.planeBytes(w, h, chroma);
        if (current.length < bytes) {
            current = new byte[bytes];
        }
        System.arraycopy(FRAME, 0, current, 0, FRAME.length);
        encoder.encode(shot.rows(), chroma, current, FRAME.length);

        // the frame and the copies that keep the timing after a pause go into one file
        long pending = file.isOpen() ? Math.max(0, gapCopies(shot.captureNanos())) : 0;
        if (file.ensureOpen((pending + 1) * bytes)) {
            width = w;
            height = h;
            byte[] header = header(w, h).getBytes(StandardCharsets.US_ASCII);
            file.append(ByteBuffer.wrap(header), ByteBuffer.wrap(current, 0, bytes));
            firstNanos = shot.captureNanos();
            lastSlot = 0;
        } else {
            long slot = fps > 0 ? slotOf(shot.captureNanos()) : lastSlot + 1;
            long copies = gapCopies(shot.captureNanos());
            for (long i = 0; i < copies; i++) {
                file.append(ByteBuffer.wrap(previous, 0, frameBytes));
                lastSlot++;
            }
            file.append(ByteBuffer.wrap(current, 0, bytes));
            lastSlot = Math.max(slot, lastSlot + 1);
        }
        frameBytes = bytes;
        byte[] t = previous;
        previous = current;
        current = t;
        return file.appended() - before;
    }

    /** How many copies of the previous frame keep the timing before a frame captured at {@code nanos}. */
    private long gapCopies(long nanos) {
        long slot = fps > 0 ? slotOf(nanos) : lastSlot + 1;
        return Math.min(slot - lastSlot - 1, (long) Math.ceil(fps * MAX_GAP_SECONDS));
    }

    private long slotOf(long nanos) {
        return (long) Math.floor((nanos - firstNanos) * fps / 1e9);
    }

    @Override
    public Path target() {
        return file.current();
    }

    @Override
    public void release() {
        file.release();
    }
}
