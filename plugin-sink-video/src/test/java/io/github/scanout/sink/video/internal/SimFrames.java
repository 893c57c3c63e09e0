package io.github.scanout.sink.video.internal;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.Modifier;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.buffer.MemoryKind;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.sink.CursorState;
import io.github.scanout.api.sink.Frame;
import io.github.scanout.sim.SimDevice;
import io.github.scanout.sim.SimDevices;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/** Frames of a simulated device (the sim module), as a plane source would hand them to a sink. */
final class SimFrames {
    final SimDevice device;
    final int width;
    final int height;
    private long sequence;

    SimFrames(String spec) throws Exception {
        this.device = SimDevices.create(spec);
        this.width = device.primaryPlane().orElseThrow().width();
        this.height = device.primaryPlane().orElseThrow().height();
    }

    /** The device's next animation frame. */
    Frame next() {
        device.drawNextFrame();
        return current();
    }

    /** What the device shows now, as XRGB8888 with a padded stride. */
    Frame current() {
        return current(System.nanoTime());
    }

    /** What the device shows now, captured at {@code captureNanos} ({@link System#nanoTime()}). */
    Frame current(long captureNanos) {
        int stride = width * 4 + 64;
        ByteBuffer b = ByteBuffer.allocate(stride * height).order(ByteOrder.LITTLE_ENDIAN);
        int[] px = device.pixels();
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                b.putInt(y * stride + x * 4, px[y * width + x] & 0xffffff);
            }
        }
        PlaneInfo info = new PlaneInfo(PlaneType.PRIMARY, BufferType.REGION, DrmFormat.XRGB8888, Modifier.LINEAR, width,
                height, stride, (long) stride * height, 0, 0, Optional.empty(), 7);
        PlaneBuffer buffer = PlaneBuffer.create(info, MemoryKind.SNAPSHOT, b, null, null);
        return new Frame("sim", ++sequence, captureNanos, System.currentTimeMillis(), buffer, CursorState.hidden());
    }

    /** The device's pixels as packed BGRx bytes (GStreamer's and ffmpeg's bgr0), for comparisons. */
    byte[] bgr0() {
        int[] px = device.pixels();
        ByteBuffer b = ByteBuffer.allocate(px.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int p : px) {
            b.putInt(p & 0xffffff);
        }
        return b.array();
    }

    /** Delivers a frame and closes its lease, as the pipeline does. */
    static void deliver(VideoSink sink, Frame f) {
        try {
            sink.frame(f);
        } finally {
            f.primary().close();
        }
    }
}
