package io.github.scanout.bench;

import io.github.scanout.api.PlaneInfo;
import io.github.scanout.sink.file.fixture.PngEncoding;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * PNG encoding of the same 1080p XRGB8888 frame ({@link TestPattern}) by the file sink's
 * encoder and by {@code ImageIO.write}, in one run so the ratio is fair.
 *
 * <p>Scanout's side starts from the frame memory (the XRGB8888 bytes, converted by the
 * canonical PixelConverter row by row) and produces a complete PNG file in a reused buffer.
 * ImageIO's side is handed a ready {@code TYPE_INT_RGB} BufferedImage (the conversion into
 * it is not timed, which favours ImageIO) and writes into a reused ByteArrayOutputStream.
 * {@link #scanoutZlib} is the same encoder on {@code java.util.zip.Deflater} level 1, for
 * comparison.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PngEncodeBenchmark {
    static final int WIDTH = 1920;
    static final int HEIGHT = 1080;

    private PlaneInfo info;
    private ByteBuffer frame;
    private BufferedImage image;
    private PngEncoding encoder;
    private PngEncoding bandsEncoder;
    private PngEncoding zlibEncoder;
    private ByteArrayOutputStream imageIoOut;

    @Setup(Level.Trial)
    public void setUp() {
        info = TestPattern.plane(WIDTH, HEIGHT);
        frame = TestPattern.xrgb8888(WIDTH, HEIGHT);
        image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, WIDTH, HEIGHT, TestPattern.argb(WIDTH, HEIGHT), 0, WIDTH);
        encoder = PngEncoding.standard();
        bandsEncoder = PngEncoding.firstFrame();
        zlibEncoder = PngEncoding.zlibFast();
        imageIoOut = new ByteArrayOutputStream(4 << 20);
        ImageIO.setUseCache(false);
        checkRoundTrip(encoder);
        checkRoundTrip(bandsEncoder);
        checkRoundTrip(zlibEncoder);
    }

    /** A benchmark of a wrong encoder means nothing: the decoded file must equal the frame. */
    private void checkRoundTrip(PngEncoding e) {
        e.encode(info, frame);
        try {
            BufferedImage back = ImageIO.read(new ByteArrayInputStream(e.array(), 0, e.length()));
            int[] decoded = back.getRGB(0, 0, WIDTH, HEIGHT, null, 0, WIDTH);
            if (!Arrays.equals(decoded, TestPattern.argb(WIDTH, HEIGHT))) {
                throw new IllegalStateException(e.compression() + " PNG does not decode to the frame's pixels");
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        encoder.close();
        bandsEncoder.close();
        zlibEncoder.close();
    }

    /** The file sink's encoder, from frame memory to a complete PNG. */
    @Benchmark
    public int scanout() {
        return encoder.encode(info, frame);
    }

    /**
     * The same encoder as the file sink runs it for its first frame after it starts or is
     * attached (a hot-swap's first PNG): in bands of rows, one per core up to 4, the others on the
     * common fork-join pool.
     */
    @Benchmark
    public int scanoutBands() {
        return bandsEncoder.encode(info, frame);
    }

    /** The same encoder with zlib level 1 as the compressor. */
    @Benchmark
    public int scanoutZlib() {
        return zlibEncoder.encode(info, frame);
    }

    /** {@code ImageIO.write(TYPE_INT_RGB, "png")} into a reused stream. */
    @Benchmark
    public int imageio() throws IOException {
        imageIoOut.reset();
        if (!ImageIO.write(image, "png", imageIoOut)) {
            throw new IllegalStateException("no PNG writer");
        }
        return imageIoOut.size();
    }
}
