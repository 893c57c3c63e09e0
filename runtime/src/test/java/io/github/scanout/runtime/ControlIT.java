package io.github.scanout.runtime;

import io.github.scanout.testsupport.ChildProcesses;
import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scanout ctl} against a running distribution over its real control socket: finds the
 * instance, reads its status, devices, sinks and stats (text and JSON that Python's json module
 * parses), attaches and detaches a sink with the command line's validation and messages, takes a
 * snapshot of a still screen, and says when no instance runs.
 */
class ControlIT {
    static final long TIMEOUT_S = 60;

    @TempDir
    Path dir;

    static Path script;

    @BeforeAll
    static void locate() {
        script = TestRuntime.dist().resolve("bin/scanout");
        assertThat(script).isExecutable();
    }

    private ProcessBuilder builder(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(script.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().remove("XDG_RUNTIME_DIR");
        pb.environment().remove("RUNTIME_DIRECTORY");
        pb.environment().put("SCANOUT_CACHE", dir.resolve("cache").toString());
        pb.environment().put("SCANOUT_CDS", "off");
        return pb;
    }

    private LauncherIT.Result ctl(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("ctl"));
        all.addAll(List.of(args));
        LauncherIT.Running r = new LauncherIT.Running(ChildProcesses.start(builder(all.toArray(String[]::new))));
        r.process.getOutputStream().close();
        return r.await();
    }

    private LauncherIT.Running startLive(String... args) throws Exception {
        LauncherIT.Running r = new LauncherIT.Running(ChildProcesses.start(builder(args)));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
        while (!r.out().contains("is live")) {
            assertThat(r.process.isAlive()).as(r.out() + r.err()).isTrue();
            assertThat(System.nanoTime() - deadline).as("live within " + TIMEOUT_S + " s: " + r.out()).isNegative();
            Thread.sleep(20);
        }
        return r;
    }

    /** Runs python3 on the JSON with a script that prints what the test compares. */
    private static String python(String json, String code) throws Exception {
        Process p = new ProcessBuilder("python3", "-c", "import json,sys\nd=json.load(sys.stdin)\n" + code)
                .redirectErrorStream(true).start();
        p.getOutputStream().write(json.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out.strip();
    }

    @Test
    void ctlControlsTheRunningInstance() throws Exception {
        LauncherIT.Running run = startLive("run", "--device", "sim:mdpy-vga?animate=false", "--sink", "file:shots",
                "--metrics", "127.0.0.1:0");
        try {
            LauncherIT.Result status = ctl("status");
            assertThat(status.code()).as(status.toString()).isZero();
            assertThat(status.out()).contains("pid " + run.process.pid()).contains("1 device: 1 running; 1 sink")
                    .containsPattern("\nmetrics http://127\\.0\\.0\\.1:[1-9][0-9]*/metrics\n");
            try (Stream<Path> s = Files.list(dir.resolve("cache"))) {
                Path sock = s.filter(p -> p.getFileName().toString().matches("control-[0-9a-f]{8}\\.sock")).findFirst()
                        .orElseThrow();
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sock))).isEqualTo("rw-rw----");
            }

            LauncherIT.Result devices = ctl("devices");
            assertThat(devices.out()).startsWith("sim:mdpy-vga?animate=false: running, spec sim:mdpy-vga?animate=false")
                    .contains(", mode 640x480 XR24, ");

            LauncherIT.Result json = ctl("stats", "--json");
            assertThat(json.code()).as(json.toString()).isZero();
            assertThat(python(json.out(), "print(d['schema'], d['command'], d['devices'][0]['state'],"
                    + " d['devices'][0]['mode'], d['devices'][0]['sinks'][0]['name'],"
                    + " d['devices'][0]['sinks'][0]['written'] >= 1, d['devices'][0]['sinks'][0]['origin'])"))
                    .isEqualTo("scanout-ctl/1 stats running 640x480 XR24 file-1 True command line");

            LauncherIT.Result rdp = ctl("attach", "rdp", "sim:mdpy-vga?animate=false");
            assertThat(rdp.code()).isEqualTo(2);
            assertThat(rdp.err()).isEqualTo("scanout: no sink type rdp (known: file, gl, stream, video, vnc)\n");
            LauncherIT.Result badKey = ctl("attach", "file", "sim:mdpy-vga?animate=false", "path=more", "colour=red");
            assertThat(badKey.code()).isEqualTo(2);
            assertThat(badKey.err()).startsWith("scanout: attach file sim:mdpy-vga?animate=false: unknown key 'colour'"
                    + " for a file sink (known: ");
            LauncherIT.Result noDevice = ctl("attach", "file", "sim:gvt", "path=more");
            assertThat(noDevice.err()).isEqualTo("scanout: no device sim:gvt (devices: sim:mdpy-vga?animate=false)\n");

            LauncherIT.Result attach = ctl("--json", "attach", "file", "sim:mdpy-vga?animate=false",
                    "path=" + dir.resolve("more dir"));
            assertThat(attach.code()).as(attach.toString()).isZero();
            assertThat(python(attach.out(), "print(d['command'], d['name'], d['type'])"))
                    .isEqualTo("attach ctl-file-1 file");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (LauncherIT.files(dir.resolve("more dir")).isEmpty()) {
                assertThat(System.nanoTime() - deadline).as("the attached sink writes the still screen").isNegative();
                Thread.sleep(20);
            }
            assertThat(ctl("sinks").out()).contains("ctl-file-1 on sim:mdpy-vga?animate=false (ctl): received 1,"
                    + " wrote 1 (").contains("file-1 on sim:mdpy-vga?animate=false (command line)");
            assertThat(ctl("detach", "file-1").err()).contains("was given with --sink");
            LauncherIT.Result detach = ctl("detach", "ctl-file-1");
            assertThat(detach.code()).as(detach.toString()).isZero();
            assertThat(detach.out()).isEqualTo("detached ctl-file-1\n");
            assertThat(ctl("sinks").out()).doesNotContain("ctl-file-1");

            LauncherIT.Result snap = ctl("snapshot", "sim:mdpy-vga?animate=false", "still.png");
            assertThat(snap.code()).as(snap.toString()).isZero();
            BufferedImage img = ImageIO.read(dir.resolve("still.png").toFile());
            assertThat(img.getWidth()).isEqualTo(640);
            assertThat(img.getHeight()).isEqualTo(480);

            // a sink type's keys, from its bundle's metatype: for people, and as JSON for forms
            LauncherIT.Result keys = ctl("keys", "file");
            assertThat(keys.code()).as(keys.toString()).isZero();
            assertThat(keys.out()).startsWith("file sink keys (configuration factory PID io.github.scanout.sink.file;"
                    + " TARGET sets path):\n")
                    .containsPattern("(?m)^max\\.fps +a number from 0 to 1000 or auto; default auto\n +Most frames per"
                            + " second to write: ")
                    .containsPattern("(?m)^path +text; required\n +Directory for png snapshots");
            LauncherIT.Result keysJson = ctl("--json", "keys", "file");
            assertThat(keysJson.code()).as(keysJson.toString()).isZero();
            assertThat(python(keysJson.out(), "k = {x['name']: x for x in d['keys']}\n"
                    + "print(d['schema'], d['command'], d['pid'], k['max.fps']['type'], k['max.fps']['min'],"
                    + " k['max.fps']['max'], k['max.fps']['options'], k['max.fps']['default'], k['path']['required'],"
                    + " k['path']['description'].startswith('Directory for png'), 'sink.name' in k)"))
                    .isEqualTo("scanout-ctl/1 keys io.github.scanout.sink.file double 0 1000 ['auto'] auto True True True");
            assertThat(ctl("keys").out()).isEqualTo("sink types: file, gl, stream, video, vnc (keys TYPE lists a type's keys)\n");
            LauncherIT.Result noType = ctl("keys", "rdp");
            assertThat(noType.code()).isEqualTo(2);
            assertThat(noType.err()).isEqualTo("scanout: no sink type rdp (known: file, gl, stream, video, vnc)\n");

            LauncherIT.Result unknown = ctl("frobnicate");
            assertThat(unknown.code()).isEqualTo(2);
            assertThat(unknown.err()).startsWith("scanout: unknown command 'frobnicate'; expected status, devices");
        } finally {
            run.process.destroy();
            LauncherIT.Result res = run.await();
            assertThat(res.code()).as(res.toString()).isZero();
        }
        try (Stream<Path> s = Files.list(dir.resolve("cache"))) {
            assertThat(s.map(p -> p.getFileName().toString())).as("the socket is removed at the stop")
                    .noneMatch(n -> n.endsWith(".sock"));
        }
        LauncherIT.Result none = ctl("status");
        assertThat(none.code()).isEqualTo(1);
        assertThat(none.err()).startsWith("scanout: no instance of " + TestRuntime.dist() + " is running (looked for"
                + " control-");
    }

    @Test
    void controlChoosesTheSocket() throws Exception {
        Path sock = dir.resolve("my.sock");
        LauncherIT.Running run = startLive("run", "--device", "sim:mdpy-vga", "--control", sock.toString());
        try {
            assertThat(sock).exists();
            assertThat(ctl("status").code()).as("not in the default place").isEqualTo(1);
            LauncherIT.Result r = ctl("--control", sock.toString(), "status", "--json");
            assertThat(r.code()).as(r.toString()).isZero();
            assertThat(python(r.out(), "print(d['schema'], d['pid'], d['devices'])"))
                    .isEqualTo("scanout-ctl/1 " + run.process.pid() + " 1");
        } finally {
            run.process.destroy();
            run.await();
        }
    }

    @Test
    void aSecondInstanceDoesNotStealTheSocket() throws Exception {
        LauncherIT.Running first = startLive("run", "--device", "sim:mdpy-vga");
        try {
            LauncherIT.Running second = startLive("run", "--device", "sim:mdpy-xga");
            try {
                assertThat(second.err()).contains("scanout: WARNING: no control socket, scanout ctl cannot reach this"
                        + " instance: another instance listens on ");
                assertThat(ctl("status").out()).contains("pid " + first.process.pid());
            } finally {
                second.process.destroy();
                second.await();
            }
            assertThat(ctl("status").out()).as("the first keeps its socket").contains("pid " + first.process.pid());
        } finally {
            first.process.destroy();
            first.await();
        }
    }
}
