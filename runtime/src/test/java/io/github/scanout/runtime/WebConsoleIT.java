package io.github.scanout.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.testsupport.ChildProcesses;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * {@code scanout run --web}: the built distribution installs bundles/web/ and serves the console
 * on loopback. Debian's headless Chromium, driven through chromedriver by Selenium's Java client,
 * loads the page: it names the simulated device with its spec, state and buffer type, and its
 * thumbnail, as the browser decoded it, is the file sink's PNG of the same still frame (PSNR
 * &ge; 30 dB). The page's script (same origin under the CSP) refreshes the thumbnail. The JSON
 * under /api is {@code scanout ctl --json}'s model. The page's "Download PNG" link gives the
 * picture as an attachment named after the device and the time. Non-loopback binds are refused, on the command
 * line and in conf/. The forms: a file sink attached through the page writes PNGs, its Detach
 * button stops them; a bad value is shown next to its input and attaches nothing; forged
 * cross-site POSTs (no token and cookie, a foreign Origin) are refused and attach nothing. On this
 * host's own network address, with a certificate made by openssl and users made by Debian's
 * htpasswd: https only, 401 without credentials, a viewer's page in Chromium without forms, and
 * her attach POST refused. The live view: noVNC (Debian's, served by the console) over a VNC
 * sink's WebSocket in Chromium, its canvas the file sink's PNG (PSNR &ge; 30 dB), for a sink given
 * with {@code --sink} and for one the Open live view button attaches on demand.
 */
class WebConsoleIT {
    static final long TIMEOUT_S = 120;
    static final String DEVICE = "sim:mdpy-vga?animate=false";

    @TempDir
    Path dir;

    static Path script;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(60)).build();

    @BeforeAll
    static void locate() {
        script = TestRuntime.dist().resolve("bin/scanout");
        assertThat(script).isExecutable();
    }

    private ProcessBuilder builder(Path home, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(home.resolve("bin/scanout").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().remove("XDG_RUNTIME_DIR");
        pb.environment().remove("RUNTIME_DIRECTORY");
        pb.environment().put("SCANOUT_CACHE", dir.resolve("cache").toString());
        pb.environment().put("SCANOUT_CDS", "off");
        return pb;
    }

    private String get(String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(120)).GET()
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url + ": " + r.body()).isEqualTo(200);
        return r.body();
    }

    /**
     * GETs the URL until it answers 200 with {@code text} in the body (the console may start
     * before the device's pipeline is registered), for at most TIMEOUT_S.
     */
    private String await(String url, String text, LauncherIT.Running run) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
        while (true) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                        .GET().build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().contains(text)) {
                    return r.body();
                }
            } catch (java.io.IOException e) {
                // not listening yet
            }
            assertThat(run.process.isAlive()).as(run.out() + run.err()).isTrue();
            assertThat(System.nanoTime() - end).as("the console answers within " + TIMEOUT_S + " s: " + run.err())
                    .isNegative();
            Thread.sleep(100);
        }
    }

    private static Path firstPng(Path dir) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
        while (true) {
            if (Files.isDirectory(dir)) {
                try (var s = Files.list(dir)) {
                    var png = s.filter(p -> p.getFileName().toString().endsWith(".png")
                            && !p.getFileName().toString().startsWith(".")).findFirst();
                    if (png.isPresent()) {
                        return png.get();
                    }
                }
            }
            assertThat(System.nanoTime() - end).as("the file sink wrote a PNG into " + dir).isNegative();
            Thread.sleep(50);
        }
    }

    /** PSNR of two images of the same size, over R, G and B. */
    static double psnr(BufferedImage a, BufferedImage b) {
        assertThat(b.getWidth()).isEqualTo(a.getWidth());
        assertThat(b.getHeight()).isEqualTo(a.getHeight());
        double se = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                int p = a.getRGB(x, y);
                int q = b.getRGB(x, y);
                for (int shift = 0; shift <= 16; shift += 8) {
                    int d = ((p >> shift) & 0xff) - ((q >> shift) & 0xff);
                    se += d * d;
                }
            }
        }
        double mse = se / (3.0 * a.getWidth() * a.getHeight());
        return mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(255.0 * 255.0 / mse);
    }

    private ChromeDriver browser(String... extra) throws Exception {
        Path profile = Files.createDirectories(dir.resolve("profile"));
        ChromeOptions o = new ChromeOptions();
        o.setBinary(Files.isExecutable(Path.of("/usr/lib/chromium/chromium")) ? "/usr/lib/chromium/chromium"
                : "/usr/bin/chromium");
        o.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--window-size=1200,900", "--user-data-dir=" + profile);
        o.addArguments(extra);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile()).usingAnyFreePort()
                .withLogFile(dir.resolve("chromedriver.log").toFile()).withTimeout(Duration.ofSeconds(TIMEOUT_S)).build();
        ChromeDriver d = new ChromeDriver(service, o);
        d.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(TIMEOUT_S)).scriptTimeout(Duration.ofSeconds(TIMEOUT_S));
        return d;
    }

    @Test
    void theConsoleInChromiumListsTheDeviceAndItsThumbnailIsThePicture() throws Exception {
        assertThat(Path.of("/usr/bin/chromedriver")).as("apt-get install chromium-driver").isExecutable();
        int port = MetricsIT.freePort();
        String base = "http://127.0.0.1:" + port;
        LauncherIT.Running run = new LauncherIT.Running(ChildProcesses.start(builder(TestRuntime.dist(), "run",
                "--device", DEVICE, "--sink", "file:shots?sink.name=shots&cursor=false", "--web", "127.0.0.1:" + port)));
        run.process.getOutputStream().close();
        ChromeDriver browser = null;
        try {
            // the HTML as served, before any script runs, names the device and its spec
            String html = await(base + "/", "<h2 class=\"name\">sim:mdpy-vga?animate=false</h2>", run);
            assertThat(html).contains("<h2 class=\"name\">sim:mdpy-vga?animate=false</h2>",
                    "<dd class=\"spec\">sim:mdpy-vga?animate=false</dd>",
                    "src=\"/api/devices/sim:mdpy-vga%3Fanimate%3Dfalse/snapshot.png\"");
            Path shot = firstPng(dir.resolve("shots"));
            BufferedImage expected = ImageIO.read(shot.toFile());
            java.util.Set<Integer> colours = new java.util.HashSet<>();
            for (int y = 0; y < expected.getHeight(); y += 8) {
                for (int x = 0; x < expected.getWidth(); x += 8) {
                    colours.add(expected.getRGB(x, y));
                }
            }
            assertThat(colours).as("the still frame is a picture, not one colour").hasSizeGreaterThan(4);

            browser = browser();
            browser.get(base + "/");
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(TIMEOUT_S), Duration.ofMillis(200));
            WebElement li = wait.until(d -> d.findElement(By.cssSelector("li.device")));
            assertThat(li.getAttribute("data-device")).isEqualTo(DEVICE);
            assertThat(li.findElement(By.cssSelector("h2.name")).getText()).isEqualTo(DEVICE);
            assertThat(li.findElement(By.cssSelector("dd.spec")).getText()).isEqualTo(DEVICE);
            wait.until(d -> d.findElement(By.cssSelector("li.device dd.state")).getText().equals("running"));
            assertThat(li.findElement(By.cssSelector("dd.source")).getText()).isIn("region", "dmabuf");
            // the file sink, and at times the console's own one-shot snapshot sink while it takes a thumbnail
            assertThat(li.findElement(By.cssSelector("dd.sinks")).getText()).isIn("1", "2");

            // the thumbnail as Chromium decoded it, read back at its natural size
            JavascriptExecutor js = browser;
            String readBack = "const i = document.querySelector('img.thumb');"
                    + " if (!i.complete || i.naturalWidth === 0) return null;"
                    + " const c = document.createElement('canvas'); c.width = i.naturalWidth; c.height = i.naturalHeight;"
                    + " c.getContext('2d').drawImage(i, 0, 0); return c.toDataURL('image/png');";
            String dataUrl = wait.until(d -> (String) js.executeScript(readBack));
            BufferedImage thumb = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder()
                    .decode(dataUrl.substring(dataUrl.indexOf(',') + 1))));
            Files.write(dir.resolve("thumbnail.png"), Base64.getDecoder().decode(dataUrl.substring(dataUrl.indexOf(',') + 1)));
            double psnr = psnr(expected, thumb);
            System.err.printf("web console thumbnail vs the file sink's PNG: PSNR %.1f dB%n", psnr);
            assertThat(psnr).as("PSNR of the thumbnail against " + shot + " (see " + dir + ")").isGreaterThanOrEqualTo(30);

            // the script (same origin, allowed by the CSP) refreshes the thumbnail
            wait.until(d -> d.findElement(By.cssSelector("img.thumb")).getAttribute("src").contains("snapshot.png?t="));
            // and the numbers from /api/devices, as the page rendered them
            wait.until(d -> !d.findElement(By.cssSelector("li.device dd.latency")).getText().isEmpty());

            // the download link: <a download> to the snapshot as an attachment named after the device and the time
            WebElement link = li.findElement(By.cssSelector("a.download"));
            assertThat(link.getText()).isEqualTo("Download PNG");
            assertThat(link.getDomAttribute("download")).isNotNull();
            assertThat(link.getAccessibleName()).isEqualTo("Download PNG of " + DEVICE);
            assertThat(link.getDomAttribute("href")).isEqualTo("/api/devices/sim:mdpy-vga%3Fanimate%3Dfalse/snapshot.png"
                    + "?download=1");
            String href = (String) js.executeScript("return document.querySelector('a.download').href;");
            assertThat(href).isEqualTo(base + "/api/devices/sim:mdpy-vga%3Fanimate%3Dfalse/snapshot.png?download=1");
            HttpResponse<byte[]> download = http.send(HttpRequest.newBuilder(URI.create(href))
                    .timeout(Duration.ofSeconds(120)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(download.statusCode()).isEqualTo(200);
            assertThat(download.headers().firstValue("Content-Type")).hasValue("image/png");
            assertThat(download.headers().firstValue("Content-Disposition")).hasValueSatisfying(v -> assertThat(v)
                    .matches("attachment; filename=\"sim_mdpy-vga_animate_false-20[0-9]{6}-[0-9]{6}\\.png\""));
            BufferedImage downloaded = ImageIO.read(new ByteArrayInputStream(download.body()));
            assertThat(downloaded).as("the download is a PNG").isNotNull();
            assertThat(psnr(expected, downloaded)).as("PSNR of the download against " + shot).isGreaterThanOrEqualTo(30);

            LauncherIT.Running status = new LauncherIT.Running(ChildProcesses.start(builder(TestRuntime.dist(), "ctl",
                    "status")));
            status.process.getOutputStream().close();
            assertThat(status.await().out()).contains("\nweb " + base + "/\n");

            // the JSON is scanout ctl --json's model
            String api = get(base + "/api/devices");
            LauncherIT.Running ctl = new LauncherIT.Running(ChildProcesses.start(builder(TestRuntime.dist(), "ctl",
                    "devices", "--json")));
            ctl.process.getOutputStream().close();
            LauncherIT.Result c = ctl.await();
            assertThat(c.code()).as(c.toString()).isZero();
            String pick = "import json,sys\nfor line in sys.stdin:\n    d=json.loads(line)\n"
                    + "    print(d['schema'], d['command'], [(x['name'], x['spec'], x['state'], x['source'],"
                    + " sorted(x.keys())) for x in d['devices']])\n";
            assertThat(python(api + c.out().strip() + "\n", pick).split("\n")).hasSize(2)
                    .satisfies(lines -> assertThat(lines[0]).isEqualTo(lines[1]).startsWith("scanout-ctl/1 devices"));
            assertThat(python(get(base + "/api/sinks"), "import json,sys\nd=json.load(sys.stdin)\n"
                    + "print(d['command'], [(s['name'], s['device'], s['written'] >= 1) for s in d['sinks']"
                    + " if not s['name'].startswith('snapshot-')])\n"))
                    .isEqualTo("sinks [('shots', '" + DEVICE + "', True)]");
            // nothing changes on GET, and nothing else is accepted
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(base + "/api/devices"))
                    .timeout(Duration.ofSeconds(120)).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
            assertThat(post.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(v -> assertThat(v)
                    .contains("default-src 'self'", "frame-ancestors 'none'"));
        } finally {
            if (browser != null) {
                browser.quit();
            }
            run.process.destroy();
        }
        LauncherIT.Result res = run.await();
        assertThat(res.code()).as(res.toString()).isZero();
    }

    /** The device's view page's URL path: /view/ and the name percent-encoded as the page encodes it. */
    static final String VIEW = "/view/sim:mdpy-vga%3Fanimate%3Dfalse";

    /**
     * Waits until noVNC on the page has connected and drawn the picture, reads its canvas back
     * (as Chromium drew it) and compares it with the file sink's PNG of the still frame: the same
     * size (1:1), PSNR &ge; 30 dB (noVNC asks for Tight JPEG).
     */
    private double awaitLiveCanvas(ChromeDriver browser, BufferedImage expected, String name) throws Exception {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(TIMEOUT_S), Duration.ofMillis(200));
        try {
            wait.until(d -> "connected".equals(d.findElement(By.id("screen")).getDomAttribute("data-state")));
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("noVNC did not connect: " + browser.findElement(By.id("view-status")).getText()
                    + "; browser log: " + browser.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER)
                    .getAll(), e);
        }
        JavascriptExecutor js = browser;
        String readBack = "const c = document.querySelector('#screen canvas');"
                + " return c && c.width > 0 ? c.toDataURL('image/png') : null;";
        double[] best = {Double.NEGATIVE_INFINITY};
        byte[][] last = {null};
        // the first update may still be on its way: read until the canvas is the picture (or the wait ends)
        try {
            wait.until(d -> {
                String dataUrl = (String) js.executeScript(readBack);
                if (dataUrl == null) {
                    return false;
                }
                try {
                    last[0] = Base64.getDecoder().decode(dataUrl.substring(dataUrl.indexOf(',') + 1));
                    BufferedImage canvas = ImageIO.read(new ByteArrayInputStream(last[0]));
                    if (canvas.getWidth() != expected.getWidth() || canvas.getHeight() != expected.getHeight()) {
                        return false;
                    }
                    best[0] = Math.max(best[0], psnr(expected, canvas));
                    return best[0] >= 30;
                } catch (java.io.IOException e) {
                    return false;
                }
            });
        } catch (org.openqa.selenium.TimeoutException e) {
            BufferedImage c = last[0] == null ? null : ImageIO.read(new ByteArrayInputStream(last[0]));
            throw new AssertionError("the live view's canvas is not the picture: best PSNR " + best[0] + " dB, canvas "
                    + (c == null ? "none" : c.getWidth() + "x" + c.getHeight()) + ", expected " + expected.getWidth()
                    + "x" + expected.getHeight(), e);
        } finally {
            if (last[0] != null) {
                Files.write(dir.resolve(name), last[0]);
            }
        }
        System.err.printf("web console live view (noVNC canvas, %s) vs the file sink's PNG: PSNR %.1f dB%n", name, best[0]);
        assertThat(best[0]).as("PSNR of the live view's canvas against the file sink's PNG (see " + dir + ")")
                .isGreaterThanOrEqualTo(30);
        return best[0];
    }

    /**
     * A VNC sink with a WebSocket listener given on the command line, its websocket.origins the
     * console's: the device's live view in Chromium is noVNC (Debian's, served by the console
     * under /novnc/), view-only, and its canvas is the picture; the CSP allows exactly the sink's
     * ws:// origin. (Following a mode change: {@link #theLiveViewFollowsTheGuestsModeChanges}.)
     */
    @Test
    void theLiveViewIsNoVncOverTheVncSinksWebSocketAndShowsThePicture() throws Exception {
        assertThat(Path.of("/usr/bin/chromedriver")).as("apt-get install chromium-driver").isExecutable();
        assertThat(Path.of("/usr/share/novnc/core/rfb.js")).as("apt-get install novnc").exists();
        int port = MetricsIT.freePort();
        String base = "http://127.0.0.1:" + port;
        LauncherIT.Running run = new LauncherIT.Running(ChildProcesses.start(builder(TestRuntime.dist(), "run",
                "--device", DEVICE, "--sink", "file:shots?sink.name=shots&cursor=false",
                "--sink", "vnc:127.0.0.1:0?sink.name=screen&websocket=0&websocket.origins=" + base,
                "--web", "127.0.0.1:" + port)));
        run.process.getOutputStream().close();
        ChromeDriver browser = null;
        try {
            await(base + "/", "<a class=\"live\" href=\"" + VIEW + "\">Live view</a>", run);
            await(base + VIEW, "data-url=", run); // the VNC sink may attach after the console starts
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(base + VIEW))
                    .timeout(Duration.ofSeconds(120)).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            java.util.regex.Matcher ws = java.util.regex.Pattern.compile("data-url=\"(ws://127\\.0\\.0\\.1:\\d+)/\"")
                    .matcher(page.body());
            assertThat(ws.find()).as(page.body()).isTrue();
            assertThat(page.body()).contains("data-view-only=\"true\"", "<script type=\"module\" src=\"/view.js\">");
            assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(v -> assertThat(v)
                    .endsWith("; connect-src " + ws.group(1)).contains("default-src 'self'"));
            BufferedImage expected = ImageIO.read(firstPng(dir.resolve("shots")).toFile());

            browser = browser();
            browser.get(base + "/");
            browser.findElement(By.cssSelector("li.device a.live")).click();
            new WebDriverWait(browser, Duration.ofSeconds(TIMEOUT_S)).until(d -> d.getCurrentUrl().equals(base + VIEW));
            awaitLiveCanvas(browser, expected, "live-view.png");
            assertThat(browser.findElement(By.id("view-status")).getText()).isEqualTo("Live (view only)");
            // the sink counts the browser as its viewer
            assertThat(ctl("stats")).contains("ws:127.0.0.1:");
        } finally {
            if (browser != null) {
                browser.quit();
            }
            run.process.destroy();
        }
        LauncherIT.Result res = run.await();
        assertThat(res.code()).as(res.toString()).isZero();
    }

    /**
     * The live view follows the guest's mode changes: a simulated mbochs whose guest switches
     * between 640 x 480 and 1024 x 768 every 4 s ({@code mode=640x480,1024x768/4}; sizes of whole
     * pages: the sim's dma-buf, like the kernel's, maps only whole pages), a VNC sink with a
     * WebSocket listener, and noVNC in Chromium: its canvas takes both sizes, one after the other,
     * without a reload (noVNC follows the sink's DesktopSize).
     */
    @Test
    void theLiveViewFollowsTheGuestsModeChanges() throws Exception {
        int port = MetricsIT.freePort();
        String base = "http://127.0.0.1:" + port;
        LauncherIT.Running run = new LauncherIT.Running(ChildProcesses.start(builder(TestRuntime.dist(), "run",
                "--device", "sim:mbochs?mode=640x480,1024x768/4&animate=false",
                "--sink", "vnc:127.0.0.1:0?sink.name=screen&websocket=0&websocket.origins=" + base,
                "--web", "127.0.0.1:" + port)));
        run.process.getOutputStream().close();
        ChromeDriver browser = null;
        try {
            await(base + "/", "class=\"live\"", run);
            browser = browser();
            browser.get(base + "/");
            String view = browser.findElement(By.cssSelector("li.device a.live")).getDomAttribute("href");
            await(base + view, "data-url=", run); // the VNC sink may attach after the console starts
            browser.get(base + view);
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(TIMEOUT_S), Duration.ofMillis(200));
            wait.until(d -> "connected".equals(d.findElement(By.id("screen")).getDomAttribute("data-state")));
            JavascriptExecutor js = browser;
            java.util.List<String> sizes = new java.util.ArrayList<>();
            wait.until(d -> {
                Object size = js.executeScript("const c = document.querySelector('#screen canvas');"
                        + " return c && c.width > 0 ? c.width + 'x' + c.height : null;");
                if (size != null && (sizes.isEmpty() || !sizes.get(sizes.size() - 1).equals(size))) {
                    sizes.add((String) size);
                }
                return sizes.contains("640x480") && sizes.contains("1024x768");
            });
            assertThat(sizes).as("the canvas's sizes, in order").containsSubsequence(sizes.get(0),
                    sizes.get(0).equals("640x480") ? "1024x768" : "640x480");
            assertThat(browser.findElement(By.id("view-status")).getText()).isEqualTo("Live (view only)");
        } finally {
            if (browser != null) {
                browser.quit();
            }
            run.process.destroy();
        }
        LauncherIT.Result res = run.await();
        assertThat(res.code()).as(res.toString()).isZero();
    }

    /**
     * Without a VNC sink the view is the still image and says why; its Open live view button (a
     * CSRF-checked POST) attaches a view-only VNC sink with a loopback WebSocket listener through
     * the ctl actions ({@code scanout ctl sinks} lists it), and the view it leads to is noVNC
     * showing the picture.
     */
    @Test
    void openLiveViewAttachesAVncSinkOnDemandAndTheViewShowsThePicture() throws Exception {
        assertThat(Path.of("/usr/bin/chromedriver")).as("apt-get install chromium-driver").isExecutable();
        int port = MetricsIT.freePort();
        String base = "http://127.0.0.1:" + port;
        LauncherIT.Running run = new LauncherIT.Running(ChildProcesses.start(builder(TestRuntime.dist(), "run",
                "--device", DEVICE, "--sink", "file:shots?sink.name=shots&cursor=false", "--web", "127.0.0.1:" + port)));
        run.process.getOutputStream().close();
        ChromeDriver browser = null;
        try {
            await(base + VIEW, "Open live view", run);
            // nothing changes on GET
            HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create(base + "/live"))
                    .timeout(Duration.ofSeconds(120)).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(get.statusCode()).isEqualTo(405);
            BufferedImage expected = ImageIO.read(firstPng(dir.resolve("shots")).toFile());

            browser = browser();
            browser.get(base + VIEW);
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(TIMEOUT_S), Duration.ofMillis(200));
            assertThat(browser.findElement(By.id("view-why")).getText()).isEqualTo("Still image, refreshed about once a"
                    + " second: no VNC sink with a WebSocket listener is attached to " + DEVICE + ": Open live view"
                    + " attaches one");
            // the still image is the snapshot, refreshed by console.js
            wait.until(d -> d.findElement(By.cssSelector("img.still")).getAttribute("src").contains("snapshot.png?t="));
            assertThat(ctl("sinks")).doesNotContain("web-live-");
            browser.findElement(By.cssSelector("form.live button")).click();
            wait.until(d -> d.getCurrentUrl().equals(base + VIEW) && !d.findElements(By.id("screen")).isEmpty());
            awaitLiveCanvas(browser, expected, "on-demand-view.png");
            assertThat(ctl("sinks")).contains("web-live-sim_mdpy-vga_animate_false on " + DEVICE + " (ctl)");
        } finally {
            if (browser != null) {
                browser.quit();
            }
            run.process.destroy();
        }
        LauncherIT.Result res = run.await();
        assertThat(res.code()).as(res.toString()).isZero();
    }

    /** {@code scanout ctl ARGS} against the running instance; its output, after checking it succeeded. */
    private String ctl(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("ctl"));
        all.addAll(List.of(args));
        LauncherIT.Running c = new LauncherIT.Running(ChildProcesses.start(builder(TestRuntime.dist(),
                all.toArray(String[]::new))));
        c.process.getOutputStream().close();
        LauncherIT.Result r = c.await();
        assertThat(r.code()).as(r.toString()).isZero();
        return r.out();
    }

    private static long pngs(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (var s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".png") && !p.getFileName().toString().startsWith("."))
                    .count();
        }
    }

    private HttpResponse<String> forge(String base, String body, String cookie, String origin) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/attach")).timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(body));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        if (origin != null) {
            b.header("Origin", origin);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aFileSinkIsAttachedAndDetachedThroughTheFormsAndForgedPostsAreRefused() throws Exception {
        assertThat(Path.of("/usr/bin/chromedriver")).as("apt-get install chromium-driver").isExecutable();
        int port = MetricsIT.freePort();
        String base = "http://127.0.0.1:" + port;
        Path webShots = dir.resolve("web-shots");
        LauncherIT.Running run = new LauncherIT.Running(ChildProcesses.start(builder(TestRuntime.dist(), "run",
                "--device", DEVICE, "--sink", "file:shots?sink.name=shots", "--web", "127.0.0.1:" + port)));
        run.process.getOutputStream().close();
        ChromeDriver browser = null;
        try {
            await(base + "/", "<span class=\"sink-name\">shots</span>", run);
            browser = browser();
            browser.get(base + "/");
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(TIMEOUT_S), Duration.ofMillis(200));
            wait.until(d -> d.findElement(By.cssSelector("li.sink[data-sink='shots']")));
            // a sink from the command line says why it has no Detach button
            assertThat(browser.findElement(By.cssSelector("li.sink[data-sink='shots'] .fixed")).getText())
                    .isEqualTo("given with --sink: it stays until the instance stops");
            assertThat(browser.findElements(By.cssSelector("li.sink[data-sink='shots'] form"))).isEmpty();

            // a bad value: the error next to its input, the values kept, nothing attached
            WebElement form = openAttachForm(browser, "file");
            type(form, "k.path", webShots.toString());
            type(form, "k.sink.name", "webshots");
            type(form, "k.keep", "-1");
            form.findElement(By.cssSelector("button[type=submit]")).click();
            WebElement keep = wait.until(d -> {
                List<WebElement> invalid = d.findElements(By.cssSelector("input[aria-invalid='true']"));
                return invalid.isEmpty() ? null : invalid.get(0);
            });
            assertThat(keep.getDomAttribute("name")).isEqualTo("k.keep");
            assertThat(keep.getDomProperty("value")).isEqualTo("-1");
            String errorId = keep.getDomAttribute("aria-describedby").split(" ")[1];
            WebElement error = browser.findElement(By.id(errorId));
            assertThat(error.getText()).startsWith("attach file " + DEVICE + ": keep = ").contains("-1");
            assertThat(error.isDisplayed()).isTrue();
            assertThat(keep.getAccessibleName()).isEqualTo("keep");
            WebElement sameForm = keep.findElement(By.xpath("./ancestor::form"));
            assertThat(sameForm.findElement(By.name("k.path")).getDomProperty("value")).isEqualTo(webShots.toString());
            assertThat(browser.findElements(By.cssSelector("li.sink[data-sink='webshots']"))).isEmpty();
            assertThat(ctl("sinks")).doesNotContain("webshots");

            // corrected in the form as shown again (path and name kept): attached, PNGs appear, and
            // the page lists the sink with its Detach button
            assertThat(sameForm.findElement(By.name("k.sink.name")).getDomProperty("value")).isEqualTo("webshots");
            type(sameForm, "k.keep", "");
            form = sameForm;
            form.findElement(By.cssSelector("button[type=submit]")).click();
            wait.until(d -> d.findElement(By.cssSelector("li.sink[data-sink='webshots']")));
            assertThat(browser.getCurrentUrl()).isEqualTo(base + "/");
            assertThat(ctl("sinks")).contains("webshots on " + DEVICE + " (ctl)");
            firstPng(webShots);

            // detach: confirmed in ctl sinks, then the count stays the same
            WebElement detach = browser.findElement(By.cssSelector("li.sink[data-sink='webshots'] form.detach button"));
            assertThat(detach.getText()).isEqualTo("Detach webshots");
            detach.click();
            wait.until(d -> d.findElements(By.cssSelector("li.sink[data-sink='webshots']")).isEmpty()
                    && !d.findElements(By.cssSelector("li.sink[data-sink='shots']")).isEmpty());
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
            while (ctl("sinks").contains("webshots")) {
                assertThat(System.nanoTime() - end).as("webshots is detached").isNegative();
                Thread.sleep(200);
            }
            long after = pngs(webShots);
            Thread.sleep(3000);
            assertThat(pngs(webShots)).as("no PNG after the detach").isEqualTo(after);
            assertThat(pngs(dir.resolve("shots"))).as("the command line's sink still writes").isPositive();

            // forged cross-site POSTs: refused, nothing attached
            Path forged = dir.resolve("forged");
            String body = "device=" + java.net.URLEncoder.encode(DEVICE, StandardCharsets.UTF_8) + "&type=file&k.path="
                    + java.net.URLEncoder.encode(forged.toString(), StandardCharsets.UTF_8) + "&k.sink.name=forged";
            HttpResponse<String> plain = forge(base, body, null, "https://evil.example");
            assertThat(plain.statusCode()).as(plain.body()).isEqualTo(403);
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(base + "/")).timeout(Duration.ofSeconds(120))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            String cookie = page.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
            String token = cookie.substring(cookie.indexOf('=') + 1);
            HttpResponse<String> noToken = forge(base, body, null, null);
            assertThat(noToken.statusCode()).isEqualTo(403);
            assertThat(noToken.body()).isEqualTo("refused: the form's CSRF token is missing or wrong and the scanout_csrf"
                    + " cookie is missing or wrong; reload the console at / and send the form again\n");
            HttpResponse<String> foreign = forge(base, body + "&csrf=" + token, cookie, "https://evil.example");
            assertThat(foreign.statusCode()).isEqualTo(403);
            assertThat(foreign.body()).isEqualTo("refused: Origin https://evil.example is not this console's (" + base
                    + "); a page of another site cannot change Scanout\n");
            assertThat(ctl("sinks")).doesNotContain("forged");
            assertThat(forged).doesNotExist();
        } finally {
            if (browser != null) {
                browser.quit();
            }
            run.process.destroy();
        }
        LauncherIT.Result res = run.await();
        assertThat(res.code()).as(res.toString()).isZero();
    }

    /** Opens the device's "Attach a TYPE sink" section and returns its form. */
    private static WebElement openAttachForm(ChromeDriver browser, String type) {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(TIMEOUT_S), Duration.ofMillis(200));
        WebElement details = wait.until(d -> d.findElement(By.xpath("//li[@class='device']//details[summary"
                + "[normalize-space()='Attach a " + type + " sink']]")));
        if (details.getDomAttribute("open") == null) {
            details.findElement(By.tagName("summary")).click();
        }
        return details.findElement(By.tagName("form"));
    }

    private static void type(WebElement form, String name, String value) {
        WebElement input = form.findElement(By.name(name));
        input.clear();
        if (!value.isEmpty()) {
            input.sendKeys(value);
        }
    }

    private static String python(String stdin, String code) throws Exception {
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", code).redirectErrorStream(true).start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out.strip();
    }

    @Test
    void aNonLoopbackAddressIsRefusedBeforeAnythingStarts() throws Exception {
        LauncherIT.Running r = new LauncherIT.Running(ChildProcesses.start(builder(TestRuntime.dist(), "run", "--device",
                DEVICE, "--web", "0.0.0.0:8080")));
        r.process.getOutputStream().close();
        LauncherIT.Result res = r.await();
        assertThat(res.code()).isEqualTo(2);
        assertThat(res.err().strip()).isEqualTo("scanout: --web 0.0.0.0:8080 is not a loopback address: there the web"
                + " console needs TLS and logins, which the command line does not set; set listen, tls.cert, tls.key and"
                + " htpasswd.file in conf/io.github.scanout.web.cfg, or browse on this host or through an SSH tunnel"
                + " (see scanout --help)");
    }

    /**
     * The service's way: conf/ configures the console and the devices. A device whose dma-bufs
     * the CPU cannot map (no GL importer installed) has no thumbnail; the answer says why, and
     * the page shows that line under its thumbnail.
     */
    @Test
    void theConsoleConfiguredInConfSaysWhyADeviceHasNoThumbnail() throws Exception {
        Path home = dir.resolve("dist");
        LauncherIT.copyTree(TestRuntime.dist(), home);
        int port = MetricsIT.freePort();
        String base = "http://127.0.0.1:" + port;
        Files.writeString(home.resolve("conf/io.github.scanout.web.cfg"), "listen = 127.0.0.1:" + port + "\n");
        Files.writeString(home.resolve("conf/io.github.scanout.device-kiosk.cfg"), "spec = sim:mbochs?mode=640x480\n"
                + "name = kiosk\n");
        LauncherIT.Running run = new LauncherIT.Running(ChildProcesses.start(builder(home, "run", "--gl", "off")));
        run.process.getOutputStream().close();
        ChromeDriver browser = null;
        try {
            assertThat(await(base + "/", "<h2 class=\"name\">kiosk</h2>", run)).contains("<h2 class=\"name\">kiosk</h2>",
                    "<dd class=\"spec\">sim:mbochs?mode=640x480</dd>");
            // until the guest has set its mode the reason is that; then it is the buffers
            String reason = "cannot be mapped by the CPU and no importer is registered";
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
            HttpResponse<String> png;
            do {
                png = http.send(HttpRequest.newBuilder(URI.create(base + "/api/devices/kiosk/snapshot.png"))
                        .timeout(Duration.ofSeconds(120)).GET().build(), HttpResponse.BodyHandlers.ofString());
                assertThat(png.statusCode()).as(png.body()).isEqualTo(503);
                assertThat(png.body()).startsWith("no picture of kiosk: no frame from kiosk within 5000 ms: ");
                assertThat(System.nanoTime() - end).as(png.body()).isNegative();
            } while (!png.body().contains(reason));
            browser = browser();
            browser.get(base + "/");
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(TIMEOUT_S), Duration.ofMillis(200));
            String why = wait.until(d -> {
                String t = d.findElement(By.cssSelector("li.device[data-device='kiosk'] p.why")).getText();
                return t.contains(reason) ? t : null;
            });
            assertThat(why).startsWith("no picture of kiosk: no frame from kiosk within 5000 ms: ");
        } finally {
            if (browser != null) {
                browser.quit();
            }
            run.process.destroy();
        }
        LauncherIT.Result res = run.await();
        assertThat(res.code()).as(res.toString()).isZero();
    }

    /**
     * The TCP sockets the process listens on, as {@code /proc/net/tcp} and {@code tcp6} list them
     * (state 0A), those whose inode is one of the process's file descriptors: {@code ADDRESS:PORT}
     * in the kernel's hexadecimal form (an IPv4-mapped IPv6 address as its IPv4 form).
     */
    static java.util.Set<String> listening(long pid) throws Exception {
        java.util.Set<String> inodes = new java.util.HashSet<>();
        try (var fds = Files.newDirectoryStream(Path.of("/proc/" + pid + "/fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (java.io.IOException e) {
                    // closed meanwhile
                }
            }
        }
        java.util.Set<String> out = new java.util.TreeSet<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : Files.readAllLines(Path.of(table)).subList(1, Files.readAllLines(Path.of(table)).size())) {
                String[] f = line.trim().split("\\s+");
                if (f[3].equals("0A") && inodes.contains(f[9])) {
                    // an IPv4 address on a dual-stack socket (::ffff:a.b.c.d), as Java binds it: its IPv4 form
                    out.add(f[1].startsWith("0000000000000000FFFF0000") ? f[1].substring(24) : f[1]);
                }
            }
        }
        return out;
    }

    /**
     * {@code --web 127.0.0.1:PORT}: while the console answers there, the process listens on that
     * address and port and on no other TCP socket (Felix HTTP's default, every address on 8080,
     * is never bound: the launcher's framework properties turn it off until the console's
     * configuration names the one address).
     */
    @Test
    void theConsoleListensOnTheGivenAddressAndPortAndNowhereElse() throws Exception {
        int port = MetricsIT.freePort();
        LauncherIT.Running run = new LauncherIT.Running(ChildProcesses.start(builder(TestRuntime.dist(), "run",
                "--device", DEVICE, "--web", "127.0.0.1:" + port)));
        run.process.getOutputStream().close();
        try {
            await("http://127.0.0.1:" + port + "/", "<h2 class=\"name\">" + DEVICE + "</h2>", run);
            // 127.0.0.1 as the kernel writes it (little-endian hex), and the port in hex
            String expected = "0100007F:" + String.format("%04X", port);
            assertThat(listening(run.process.pid())).as(run.err()).containsExactly(expected);
            // and nothing answers on that port on this host's network address
            java.net.InetAddress network = networkAddress();
            if (network != null) {
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> new java.net.Socket(network, port).close())
                        .isInstanceOf(java.net.ConnectException.class);
            }
        } finally {
            run.process.destroy();
        }
        LauncherIT.Result res = run.await();
        assertThat(res.code()).as(res.toString()).isZero();
    }

    /**
     * The console configured in conf/ and then removed from it while the instance runs: Jetty
     * listens on the configured port, then on nothing (the console deletes Felix HTTP's
     * configuration, and the framework properties keep it off), and the instance runs on.
     */
    @Test
    void removingTheConsolesConfigurationStopsJettyListening() throws Exception {
        Path home = dir.resolve("dist");
        LauncherIT.copyTree(TestRuntime.dist(), home);
        int port = MetricsIT.freePort();
        Path cfg = home.resolve("conf/io.github.scanout.web.cfg");
        Files.writeString(cfg, "listen = 127.0.0.1:" + port + "\n");
        LauncherIT.Running run = new LauncherIT.Running(ChildProcesses.start(builder(home, "run", "--device", DEVICE)));
        run.process.getOutputStream().close();
        try {
            await("http://127.0.0.1:" + port + "/", "<h2 class=\"name\">" + DEVICE + "</h2>", run);
            assertThat(listening(run.process.pid())).as(run.err()).containsExactly("0100007F:" + String.format("%04X", port));
            Files.delete(cfg);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
            while (!listening(run.process.pid()).isEmpty()) {
                assertThat(run.process.isAlive()).as(run.out() + run.err()).isTrue();
                assertThat(System.nanoTime() - end).as("Jetty stops listening within " + TIMEOUT_S + " s: " + run.err())
                        .isNegative();
                Thread.sleep(100);
            }
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new java.net.Socket("127.0.0.1", port).close())
                    .isInstanceOf(java.net.ConnectException.class);
            assertThat(run.process.isAlive()).as(run.err()).isTrue();
        } finally {
            run.process.destroy();
        }
        LauncherIT.Result res = run.await();
        assertThat(res.code()).as(res.toString()).isZero();
    }

    @Test
    void aNonLoopbackAddressInConfIsRefusedInOneLineNamingTheFile() throws Exception {
        Path home = dir.resolve("dist");
        LauncherIT.copyTree(TestRuntime.dist(), home);
        Files.writeString(home.resolve("conf/io.github.scanout.web.cfg"), "listen = 0.0.0.0:8080\n");
        LauncherIT.Running r = new LauncherIT.Running(ChildProcesses.start(builder(home, "run", "--duration", "2")));
        r.process.getOutputStream().close();
        LauncherIT.Result res = r.await();
        assertThat(res.code()).as(res.toString()).isZero();
        assertThat(res.errLines()).as(res.toString()).singleElement().satisfies(l -> assertThat(l)
                .contains("io.github.scanout.web.cfg")
                .contains("listen = 0.0.0.0:8080 is not a loopback address: there the web console needs TLS and"
                        + " logins, and tls.cert, tls.key and htpasswd.file are not set"));
    }

    /**
     * The first IPv4 address of this host that is not loopback (the address other hosts reach it
     * on), or null when it has none (a machine or container with loopback alone).
     */
    static java.net.InetAddress networkAddress() throws Exception {
        for (java.net.NetworkInterface n : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
            if (!n.isUp() || n.isLoopback()) {
                continue;
            }
            for (java.net.InetAddress a : java.util.Collections.list(n.getInetAddresses())) {
                if (a instanceof java.net.Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                    return a;
                }
            }
        }
        return null;
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", command) + ": " + out).isZero();
        return out;
    }

    @Test
    void onThisHostsNetworkAddressTheConsoleIsHttpsWithLoginsAndAViewerOnlyViews() throws Exception {
        assertThat(Path.of("/usr/bin/htpasswd")).as("apt-get install apache2-utils").isExecutable();
        // the console listens on this host's network address; on a machine with loopback alone, on
        // every address (0.0.0.0, which is no loopback bind either: the same rules) reached through 127.0.0.1
        java.net.InetAddress network = networkAddress();
        String ip = network != null ? network.getHostAddress() : "127.0.0.1";
        String bind = network != null ? ip : "0.0.0.0";
        Path home = dir.resolve("dist");
        LauncherIT.copyTree(TestRuntime.dist(), home);
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(), "-out", cert.toString(),
                "-days", "2", "-subj", "/CN=" + ip, "-addext", "subjectAltName=IP:" + ip);
        Path users = dir.resolve("users");
        run("htpasswd", "-B", "-b", "-c", users.toString(), "viv", "just looking");
        run("htpasswd", "-B", "-b", users.toString(), "carl", "in charge");
        int port = MetricsIT.freePort();
        String base = "https://" + ip + ":" + port;
        Files.writeString(home.resolve("conf/io.github.scanout.web.cfg"), "listen = " + bind + ":" + port + "\n"
                + "tls.cert = " + cert + "\ntls.key = " + key + "\nhtpasswd.file = " + users + "\n"
                + "viewers = viv\ncontrollers = carl\n");
        java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("console", java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(cert))));
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        javax.net.ssl.SSLContext client = javax.net.ssl.SSLContext.getInstance("TLS");
        client.init(null, tmf.getTrustManagers(), null);
        HttpClient https = HttpClient.newBuilder().sslContext(client).connectTimeout(Duration.ofSeconds(60)).build();
        String viv = "Basic " + Base64.getEncoder().encodeToString("viv:just looking".getBytes(StandardCharsets.UTF_8));

        LauncherIT.Running run = new LauncherIT.Running(ChildProcesses.start(builder(home, "run", "--device", DEVICE)));
        run.process.getOutputStream().close();
        ChromeDriver browser = null;
        try {
            // without credentials: 401 and its challenge, once the console listens
            HttpResponse<String> anonymous = null;
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
            while (anonymous == null) {
                try {
                    anonymous = https.send(HttpRequest.newBuilder(URI.create(base + "/")).timeout(Duration.ofSeconds(60))
                            .GET().build(), HttpResponse.BodyHandlers.ofString());
                } catch (java.io.IOException e) {
                    assertThat(run.process.isAlive()).as(run.out() + run.err()).isTrue();
                    assertThat(System.nanoTime() - end).as("the console listens within " + TIMEOUT_S + " s: " + run.err())
                            .isNegative();
                    Thread.sleep(100);
                }
            }
            assertThat(anonymous.statusCode()).as(anonymous.body()).isEqualTo(401);
            assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"Scanout\", charset=\"UTF-8\"");
            assertThat(anonymous.body()).doesNotContain(DEVICE);
            // plain http on that port is no console: the TLS server drops it
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(URI.create("http://"
                    + ip + ":" + port + "/")).timeout(Duration.ofSeconds(60)).GET().build(),
                    HttpResponse.BodyHandlers.ofString())).isInstanceOf(java.io.IOException.class);

            // the viewer: the page over https, without forms; her attach POST is refused and attaches nothing
            HttpResponse<String> page;
            do {
                page = https.send(HttpRequest.newBuilder(URI.create(base + "/")).header("Authorization", viv)
                        .timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofString());
                assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
                assertThat(System.nanoTime() - end).as(page.body()).isNegative();
            } while (!page.body().contains("<h2 class=\"name\">" + DEVICE + "</h2>"));
            assertThat(page.body()).contains("You may view this console").doesNotContain("<form");
            String cookie = page.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
            HttpResponse<String> attach = https.send(HttpRequest.newBuilder(URI.create(base + "/attach"))
                    .header("Authorization", viv).header("Cookie", cookie).header("Origin", base)
                    .header("Content-Type", "application/x-www-form-urlencoded").timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofString("device=" + java.net.URLEncoder.encode(DEVICE,
                            StandardCharsets.UTF_8) + "&type=file&k.path=" + java.net.URLEncoder.encode(dir.resolve("viv")
                            .toString(), StandardCharsets.UTF_8) + "&csrf=" + cookie.substring(cookie.indexOf('=') + 1)))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(attach.statusCode()).as(attach.body()).isEqualTo(403);
            assertThat(attach.body()).isEqualTo("refused: user viv may view the console but not control it (not in"
                    + " controllers)\n");
            HttpResponse<String> sinks = https.send(HttpRequest.newBuilder(URI.create(base + "/api/sinks"))
                    .header("Authorization", viv).timeout(Duration.ofSeconds(60)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(sinks.statusCode()).isEqualTo(200);
            assertThat(sinks.body()).doesNotContain("\"ctl\"");
            assertThat(dir.resolve("viv")).doesNotExist();

            // Chromium, accepting the test's self-signed certificate, logged in as the viewer: the page and its thumbnail
            browser = browser("--ignore-certificate-errors");
            browser.get("https://viv:just%20looking@" + ip + ":" + port + "/");
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(TIMEOUT_S), Duration.ofMillis(200));
            WebElement li = wait.until(d -> d.findElement(By.cssSelector("li.device")));
            assertThat(li.getAttribute("data-device")).isEqualTo(DEVICE);
            assertThat(browser.findElement(By.id("role")).getText()).startsWith("You may view this console");
            assertThat(browser.findElements(By.cssSelector("form"))).isEmpty();
            JavascriptExecutor js = browser;
            wait.until(d -> Boolean.TRUE.equals(js.executeScript("const i = document.querySelector('img.thumb');"
                    + " return i.complete && i.naturalWidth > 0;")));
            assertThat(browser.getCurrentUrl()).startsWith("https://");

            // scanout ctl status names the console's https URL (its listen address: 0.0.0.0 in the fallback)
            LauncherIT.Running status = new LauncherIT.Running(ChildProcesses.start(builder(home, "ctl", "status")));
            status.process.getOutputStream().close();
            assertThat(status.await().out()).contains("\nweb https://" + bind + ":" + port + "/\n");
        } finally {
            if (browser != null) {
                browser.quit();
            }
            run.process.destroy();
        }
        LauncherIT.Result res = run.await();
        assertThat(res.code()).as(res.toString()).isZero();
        assertThat(res.err()).doesNotContain("just looking").doesNotContain("in charge");
    }
}
