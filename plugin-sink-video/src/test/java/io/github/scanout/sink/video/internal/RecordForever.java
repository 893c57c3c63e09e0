package io.github.scanout.sink.video.internal;

import java.util.Map;

/** A child process for {@link CrashSafetyTest}: records a simulated device to args[0] until it is killed. */
public final class RecordForever {
    private RecordForever() {}

    public static void main(String[] args) throws Exception {
        SimFrames sim = new SimFrames("sim:mbochs?mode=320x240");
        VideoSink sink = VideoSinkComponent.start(Map.of("device", "sim", "path", args[0], "speed.preset", "ultrafast"),
                VideoSinkComponent.PID, VideoSinkComponent.KEYS, false);
        System.out.println("recording");
        System.out.flush();
        while (true) {
            SimFrames.deliver(sink, sim.next());
            Thread.sleep(40);
        }
    }
}
