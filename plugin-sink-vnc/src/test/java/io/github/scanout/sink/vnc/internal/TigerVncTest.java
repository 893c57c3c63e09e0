package io.github.scanout.sink.vnc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TigerVNC's {@code vncviewer} (Debian tigervnc-viewer) under Xvfb, the window's pixels read
 * back with ImageMagick's {@code import}: ZRLE is lossless, a guest mode change reaches the
 * viewer as a new desktop size with the right picture, and VNC authentication takes the right
 * password and refuses the wrong one.
 */
class TigerVncTest {
    @TempDir
    Path dir;

    private Process xvfb;
    private Process viewer;
    private String display;

    @BeforeEach
    void startXvfb() throws Exception {
        RealClients.require("Xvfb", "xvfb");
        RealClients.require("import", "imagemagick");
        RealClients.require("vncviewer", "tigervnc-viewer");
        xvfb = new ProcessBuilder("Xvfb", "-displayfd", "1", "-screen", "0", "1280x1024x24", "-nolisten", "tcp")
                .redirectError(dir.resolve("xvfb.log").toFile()).start();
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                return new BufferedReader(new InputStreamReader(xvfb.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            } catch (IOException e) {
                return null;
            }
        });
        String n = line.get(60, TimeUnit.SECONDS);
        assertThat(n).as("Xvfb display number (see " + dir.resolve("xvfb.log") + ")").isNotBlank();
        display = ":" + n.trim();
    }

    @AfterEach
    void stop() throws Exception {
        for (Process p : new Process[] {viewer, xvfb}) {
            if (p != null) {
                p.destroy();
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor();
                }
            }
        }
    }

    private void startViewer(int port, String... options) throws IOException {
        startViewerWith("ZRLE", port, options);
    }

    private void startViewerWith(String encoding, int port, String... options) throws IOException {
        startViewerAt(encoding, "127.0.0.1::" + port, options);
    }

    private void startViewerAt(String encoding, String server, String... options) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("vncviewer", "-geometry", "+0+0", "-RemoteResize=0", "-ViewOnly",
                "-Shared", "-AutoSelect=0", "-FullColor", "-PreferredEncoding", encoding));
        cmd.addAll(List.of(options));
        cmd.add(server);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("vncviewer.log").toFile());
        pb.environment().put("DISPLAY", display);
        pb.environment().put("HOME", dir.toString());
        viewer = pb.start();
    }

    /** Screenshots the root window until the viewer's window shows the picture somewhere (60 s at most). */
    private void awaitPicture(int[] picture, int w, int h) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String last = "no screenshot";
        int shot = 0;
        while (System.nanoTime() < end) {
            Path png = dir.resolve("shot-" + (shot++ % 2) + ".png");
            int rc = RealClients.run(dir, "import", List.of("import", "-display", display, "-window", "root", png.toString()));
            if (rc == 0) {
                BufferedImage img = ImageIO.read(png.toFile());
                if (img != null) {
                    // without a window manager the window's place is the viewer's guess (+1+20 here), and a small
                    // desktop is centred in a larger window: search the screen for the picture's first row
                    String first = null;
                    int[] screen = img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
                    for (int oy = 0; oy + h <= img.getHeight(); oy++) {
                        for (int ox = 0; ox + w <= img.getWidth(); ox++) {
                            if (!rowMatches(screen, img.getWidth(), ox, oy, picture, w)) {
                                continue;
                            }
                            int[] area = img.getRGB(ox, oy, w, h, null, 0, w);
                            String d = RealClients.firstDifference(picture, area, w);
                            if (d == null) {
                                return;
                            }
                            if (first == null) {
                                first = "at +" + ox + "+" + oy + ": " + d + " (" + count(picture, area) + " pixels differ)";
                            }
                        }
                    }
                    last = first == null ? "the picture's first row is nowhere on the screen" : first;
                }
            }
            if (!viewer.isAlive()) {
                fail("vncviewer exited with " + viewer.exitValue() + ": " + Files.readString(dir.resolve("vncviewer.log")));
            }
            Thread.sleep(300);
        }
        fail("the viewer's window never showed the picture in 60 s; last difference: " + last + "; viewer log: "
                + Files.readString(dir.resolve("vncviewer.log")));
    }

    private static boolean rowMatches(int[] screen, int sw, int ox, int oy, int[] picture, int w) {
        for (int x = 0; x < w; x++) {
            if ((screen[oy * sw + ox + x] | 0xff000000) != (picture[x] | 0xff000000)) {
                return false;
            }
        }
        return true;
    }

    private static int count(int[] expected, int[] actual) {
        int n = 0;
        for (int i = 0; i < expected.length; i++) {
            if ((expected[i] | 0xff000000) != (actual[i] | 0xff000000)) {
                n++;
            }
        }
        return n;
    }

    @Test
    void zrleIsLosslessAndAModeChangeReachesTheViewer() throws Exception {
        try (RealClients.Server s = new RealClients.Server()) {
            int w = 400;
            int h = 300;
            int[] picture = TestFrames.pattern(w, h, 5);
            s.sink.frame(TestFrames.frame(picture, w, h, 1));
            startViewer(s.port(), "-SecurityTypes", "None");
            awaitPicture(picture, w, h);
            s.awaitLog("connected (RFB 3.8, no authentication)");

            // an incremental change: a few pixels
            int[] changed = picture.clone();
            for (int i = 0; i < 16; i++) {
                changed[150 * w + 200 + i] = 0xffff00ff;
            }
            s.sink.frame(TestFrames.frame(changed, w, h, 2));
            awaitPicture(changed, w, h);

            // the guest sets another mode
            int w2 = 512;
            int h2 = 384;
            int[] bigger = TestFrames.pattern(w2, h2, 6);
            s.sink.frame(TestFrames.frame(bigger, w2, h2, 3));
            awaitPicture(bigger, w2, h2);
            viewer.destroy();
            viewer.waitFor(10, TimeUnit.SECONDS);
            assertThat(s.awaitLog("disconnected")).contains("zrle").doesNotContain(" 0 zrle");
        }
    }

    @Test
    void aScrollIsSentAsCopyRectAndThePictureIsRight() throws Exception {
        try (RealClients.Server s = new RealClients.Server()) {
            int w = 512;
            int h = 384;
            int shift = 24;
            int[] page = TestFrames.pattern(w, h + shift, 41);
            int[] top = java.util.Arrays.copyOfRange(page, 0, w * h);
            int[] scrolled = java.util.Arrays.copyOfRange(page, shift * w, (shift + h) * w);
            s.sink.frame(TestFrames.frame(top, w, h, 1));
            startViewerWith("ZRLE", s.port(), "-SecurityTypes", "None");
            awaitPicture(top, w, h);
            s.sink.frame(TestFrames.frame(scrolled, w, h, 2)); // the page scrolls up by 24 rows
            awaitPicture(scrolled, w, h);
            viewer.destroy();
            viewer.waitFor(10, TimeUnit.SECONDS);
            assertThat(s.awaitLog("disconnected")).doesNotContain(" 0 copyrect").contains(" 1 copyrect");
        }
    }

    @Test
    void aHorizontalScrollUnderAFixedStatusBarIsSentAsCopyRectAndThePictureIsRight() throws Exception {
        try (RealClients.Server s = new RealClients.Server()) {
            int w = 512;
            int h = 384;
            int shift = 40;
            int bar = 48; // the bottom rows stay: a status bar the panel above it pans under
            int[] page = TestFrames.pattern(w + shift, h, 43);
            int[] status = TestFrames.pattern(w, bar, 44);
            int[] left = new int[w * h];
            int[] panned = new int[w * h];
            for (int y = 0; y < h - bar; y++) {
                System.arraycopy(page, y * (w + shift), left, y * w, w);
                System.arraycopy(page, y * (w + shift) + shift, panned, y * w, w); // the panel pans left by 40 columns
            }
            System.arraycopy(status, 0, left, (h - bar) * w, w * bar);
            System.arraycopy(status, 0, panned, (h - bar) * w, w * bar);
            s.sink.frame(TestFrames.frame(left, w, h, 1));
            startViewerWith("ZRLE", s.port(), "-SecurityTypes", "None");
            awaitPicture(left, w, h);
            s.sink.frame(TestFrames.frame(panned, w, h, 2));
            awaitPicture(panned, w, h);
            viewer.destroy();
            viewer.waitFor(10, TimeUnit.SECONDS);
            assertThat(s.awaitLog("disconnected")).contains(" 1 copyrect");
        }
    }

    @Test
    void tightWithoutJpegIsLossless() throws Exception {
        try (RealClients.Server s = new RealClients.Server()) {
            int w = 400;
            int h = 300;
            int[] picture = TestFrames.pattern(w, h, 11);
            s.sink.frame(TestFrames.frame(picture, w, h, 1));
            // -NoJPEG: TigerVNC sends no quality level, so Tight stays lossless (fill, palette, zlib)
            startViewerWith("Tight", s.port(), "-SecurityTypes", "None", "-NoJPEG");
            awaitPicture(picture, w, h);
            int[] changed = picture.clone();
            for (int i = 0; i < 16; i++) {
                changed[40 * w + 300 + i] = 0xff00ff00;
            }
            s.sink.frame(TestFrames.frame(changed, w, h, 2));
            awaitPicture(changed, w, h);
            viewer.destroy();
            viewer.waitFor(10, TimeUnit.SECONDS);
            assertThat(s.awaitLog("disconnected")).contains(" 0 tight jpeg").doesNotContain(" 0 tight zlib");
        }
    }

    @Test
    void vncAuthenticationRightAndWrongPassword() throws Exception {
        Path pw = dir.resolve("password");
        Files.writeString(pw, "Sc4nout\n");
        try (RealClients.Server s = new RealClients.Server(Map.of("password.file", pw.toString()))) {
            int w = 200;
            int h = 120;
            int[] picture = TestFrames.pattern(w, h, 9);
            s.sink.frame(TestFrames.frame(picture, w, h, 1));

            Path wrong = dir.resolve("wrong.passwd");
            Files.write(wrong, obfuscated("nope"));
            startViewer(s.port(), "-SecurityTypes", "VncAuth", "-PasswordFile", wrong.toString());
            s.awaitLog("wrong password (failure 1 from 127.0.0.1");
            viewer.destroy();
            viewer.waitFor(10, TimeUnit.SECONDS);

            Path right = dir.resolve("right.passwd");
            Files.write(right, obfuscated("Sc4nout"));
            startViewer(s.port(), "-SecurityTypes", "VncAuth", "-PasswordFile", right.toString());
            awaitPicture(picture, w, h);
            s.awaitLog("connected (RFB 3.8, VNC authentication)");
        }
    }

    @Test
    void veNCryptX509VncWithTheRightPasswordAndNoPlainVncAuth() throws Exception {
        Path[] pem = RealClients.selfSignedCertificate(dir);
        Path pw = dir.resolve("password");
        Files.writeString(pw, "Sc4nout\n");
        // timeout: TigerVNC's TLS handshake took 31 s beside two busy loops; the bound is the timeout
        try (RealClients.Server s = new RealClients.Server(Map.of("password.file", pw.toString(), "tls.cert",
                pem[0].toString(), "tls.key", pem[1].toString(), "timeout", "600"))) {
            s.awaitLog("(VeNCrypt X509Vnc: TLS and VNC authentication, loopback only)");
            int w = 240;
            int h = 160;
            int[] picture = TestFrames.pattern(w, h, 21);
            s.sink.frame(TestFrames.frame(picture, w, h, 1));

            // a viewer that only speaks plain VNC authentication finds nothing it takes (only VeNCrypt is offered)
            Path right = dir.resolve("right.passwd");
            Files.write(right, obfuscated("Sc4nout"));
            startViewer(s.port(), "-SecurityTypes", "VncAuth", "-PasswordFile", right.toString());
            s.awaitLog("refused: closed by the viewer");
            assertThat(s.log).noneMatch(l -> l.contains("connected (RFB"));
            viewer.destroy();
            viewer.waitFor(10, TimeUnit.SECONDS);

            // TigerVNC 1.12 now and then stops after the TLS handshake on a loaded host: the server
            // has sent the VNC authentication challenge and waits in its read, the viewer sleeps in
            // poll() and never answers (seen 2 times in 3 runs beside two busy loops and a kernel
            // guest; 6 s and 3 s runs otherwise). That is the viewer's: a viewer the server has not
            // logged as connected is started again, at most three times, and the test says so. A
            // viewer the server did connect must show the picture the first time.
            for (int attempt = 1; ; attempt++) {
                startViewer(s.port(), "-SecurityTypes", "X509Vnc", "-X509CA", pem[0].toString(), "-PasswordFile",
                        right.toString());
                try {
                    awaitPicture(picture, w, h);
                    break;
                } catch (AssertionError e) {
                    if (attempt == 3 || s.log.stream().anyMatch(l -> l.contains("connected (RFB 3.8, VeNCrypt"))) {
                        throw e;
                    }
                    System.err.println("TigerVncTest: vncviewer attempt " + attempt + " stalled in the handshake ("
                            + e.getMessage() + "); starting it again");
                    viewer.destroy();
                    viewer.waitFor(10, TimeUnit.SECONDS);
                }
            }
            s.awaitLog("connected (RFB 3.8, VeNCrypt X509Vnc, TLS, VNC authentication)");
        }
    }

    @Test
    void aUnixSocketListenerServesTigerVnc() throws Exception {
        Path socket = dir.resolve("vnc.sock");
        try (RealClients.Server s = new RealClients.Server(Map.of("listen", "unix:" + socket))) {
            s.awaitLog("listening on unix:" + socket + " (no password, Unix socket, owner only)");
            assertThat(java.nio.file.Files.getPosixFilePermissions(socket))
                    .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                            java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
            int w = 320;
            int h = 200;
            int[] picture = TestFrames.pattern(w, h, 31);
            s.sink.frame(TestFrames.frame(picture, w, h, 1));
            // TigerVNC connects to a Unix socket when the server name is a path
            startViewerAt("ZRLE", socket.toString(), "-SecurityTypes", "None");
            awaitPicture(picture, w, h);
            s.awaitLog("viewer unix:" + socket + "#1 connected (RFB 3.8, no authentication)");
        }
        assertThat(socket).as("the socket file is removed when the sink stops").doesNotExist();
    }

    /**
     * A password file as TigerVNC's vncpasswd writes it: the password, zero-padded to 8 bytes,
     * DES-encrypted under the fixed key every VNC implementation uses for these files (bits
     * reversed per byte for the JDK's DES, as in VNC authentication).
     */
    static byte[] obfuscated(String password) throws Exception {
        byte[] fixed = {23, 82, 107, 6, 35, 78, 88, 7};
        byte[] key = new byte[8];
        for (int i = 0; i < 8; i++) {
            key[i] = (byte) (Integer.reverse(fixed[i] & 0xff) >>> 24);
        }
        byte[] plain = java.util.Arrays.copyOf(password.getBytes(StandardCharsets.US_ASCII), 8);
        Cipher des = Cipher.getInstance("DES/ECB/NoPadding");
        des.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "DES"));
        return des.doFinal(plain);
    }
}
