package io.github.scanout.sink.file.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.Adler32;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The PNG writer against two independent readers: ImageIO (the pixels) and a chunk walker
 * with java.util.zip's CRC32 and Inflater (the file structure, the zlib stream and its
 * Adler-32, and the size of the filtered data).
 */
class PngEncoderTest {

    /** An image from an int array. */
    static class Pixels implements ArgbRows {
        private final int width;
        private final int height;
        private final boolean hasAlpha;
        private final int[] argb;

        Pixels(int width, int height, boolean hasAlpha, int[] argb) {
            this.width = width;
            this.height = height;
            this.hasAlpha = hasAlpha;
            this.argb = argb;
        }

        @Override
        public int width() {
            return width;
        }

        @Override
        public int height() {
            return height;
        }

        @Override
        public boolean hasAlpha() {
            return hasAlpha;
        }

        @Override
        public void row(int y, int[] dst) {
            System.arraycopy(argb, y * width, dst, 0, width);
        }
    }

    static int[] decode(byte[] png, int length) throws IOException {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png, 0, length));
        assertThat(image).as("ImageIO decodes the file").isNotNull();
        return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }

    static int[] random(int n, long seed, boolean alpha) {
        Random r = new Random(seed);
        int[] px = new int[n];
        for (int i = 0; i < n; i++) {
            px[i] = alpha ? r.nextInt() : 0xff000000 | r.nextInt(0x1000000);
        }
        return px;
    }

    /** Screen-like content: flat areas, runs of every length from 1 to 700, stripes and noise. */
    static int[] screenLike(int w, int h, long seed, boolean alpha) {
        Random r = new Random(seed);
        int[] px = new int[w * h];
        int i = 0;
        while (i < px.length) {
            int run = switch (r.nextInt(4)) {
                case 0 -> 1 + r.nextInt(3);
                case 1 -> 1 + r.nextInt(90);
                case 2 -> 250 + r.nextInt(20); // around 258 / 3 bytes: the match-splitting edge
                default -> 1 + r.nextInt(700);
            };
            int c = alpha ? r.nextInt() : 0xff000000 | r.nextInt(0x1000000);
            if (r.nextInt(5) == 0) {
                c = px[Math.max(0, i - 1)] | (alpha ? 0 : 0xff000000); // continue the previous colour
            }
            for (int k = 0; k < run && i < px.length; k++) {
                px[i++] = c;
            }
        }
        return px;
    }

    @ParameterizedTest
    @CsvSource({
        "RUN_LENGTH, SUB, false", "RUN_LENGTH, SUB, true", "RUN_LENGTH, UP, false", "RUN_LENGTH, UP, true",
        "RUN_LENGTH, NONE, false", "ZLIB, SUB, false", "ZLIB, UP, true", "ZLIB, NONE, true"})
    void decodesToTheSamePixels(PngEncoder.Compression compression, PngEncoder.Filter filter, boolean alpha)
            throws IOException {
        int[][] sizes = {{1, 1}, {1, 9}, {9, 1}, {3, 5}, {64, 64}, {257, 3}, {333, 217}, {1000, 2}};
        try (PngEncoder encoder = new PngEncoder(compression, 1, filter)) {
            ByteSink out = new ByteSink(16);
            for (int[] s : sizes) {
                for (int seed = 0; seed < 3; seed++) {
                    int[] px = seed == 0 ? random(s[0] * s[1], seed, alpha) : screenLike(s[0], s[1], seed, alpha);
                    encoder.encode(new Pixels(s[0], s[1], alpha, px), out);
                    int[] back = decode(out.array(), out.length());
                    assertThat(back).as("%dx%d seed %d", s[0], s[1], seed).isEqualTo(px);
                    checkStructure(out, s[0], s[1], alpha);
                }
            }
        }
    }

    @Test
    void opaqueImagesAreRgbAndImagesWithAlphaAreRgba() throws IOException {
        try (PngEncoder encoder = new PngEncoder()) {
            ByteSink out = new ByteSink(16);
            encoder.encode(new Pixels(2, 2, false, new int[] {0xff010203, 0xff040506, 0xff070809, 0xff0a0b0c}), out);
            assertThat(out.array()[8 + 8 + 9]).as("colour type").isEqualTo((byte) 2);
            int[] withAlpha = {0x00ffffff, 0x80102030, 0xff405060, 0x01000000};
            encoder.encode(new Pixels(2, 2, true, withAlpha), out);
            assertThat(out.array()[8 + 8 + 9]).as("colour type").isEqualTo((byte) 6);
            assertThat(decode(out.array(), out.length())).isEqualTo(withAlpha);
        }
    }

    @Test
    void aFlatFrameIsTiny() throws IOException {
        int w = 1920;
        int h = 1080;
        int[] px = new int[w * h];
        Arrays.fill(px, 0xff336699);
        try (PngEncoder encoder = new PngEncoder()) {
            ByteSink out = new ByteSink(16);
            encoder.encode(new Pixels(w, h, false, px), out);
            assertThat(out.length()).isLessThan(40_000);
            assertThat(decode(out.array(), out.length())).isEqualTo(px);
        }
    }

    @Test
    void reusingTheEncoderAcrossSizesAndKindsKeepsFilesIndependent() throws IOException {
        try (PngEncoder encoder = new PngEncoder()) {
            ByteSink out = new ByteSink(16);
            int[] big = screenLike(800, 600, 1, false);
            int[] small = random(7 * 3, 2, true);
            encoder.encode(new Pixels(800, 600, false, big), out);
            byte[] first = Arrays.copyOf(out.array(), out.length());
            encoder.encode(new Pixels(7, 3, true, small), out);
            assertThat(decode(out.array(), out.length())).isEqualTo(small);
            encoder.encode(new Pixels(800, 600, false, big), out);
            assertThat(Arrays.copyOf(out.array(), out.length())).as("same image, same bytes").isEqualTo(first);
        }
    }

    @ParameterizedTest
    @EnumSource(PngEncoder.Compression.class)
    void theRunLengthStreamIsSmallerThanStoredAndCloseToZlib(PngEncoder.Compression compression) throws IOException {
        int w = 640;
        int h = 480;
        int[] px = screenLike(w, h, 9, false);
        try (PngEncoder encoder = new PngEncoder(compression, 1, PngEncoder.Filter.SUB)) {
            ByteSink out = new ByteSink(16);
            encoder.encode(new Pixels(w, h, false, px), out);
            assertThat(out.length()).as("%s", compression).isLessThan(w * h * 3 / 4);
        }
    }

    @Test
    void emptyImagesAreRefused() {
        try (PngEncoder encoder = new PngEncoder()) {
            assertThatThrownBy(() -> encoder.encode(new Pixels(0, 5, false, new int[0]), new ByteSink(16)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x5");
        }
    }

    @Test
    void runLengthStreamsUseBackReferences() throws DataFormatException {
        RunLengthDeflater deflater = new RunLengthDeflater();
        byte[] data = new byte[200_000];
        Random r = new Random(3);
        for (int i = 0; i < data.length;) {
            int run = 1 + r.nextInt(r.nextBoolean() ? 5 : 1000);
            byte v = (byte) r.nextInt(4);
            for (int k = 0; k < run && i < data.length; k++) {
                data[i++] = v;
            }
        }
        ByteSink out = new ByteSink(16);
        deflater.start(out);
        deflater.block(data, 0, 70_001);
        deflater.block(data, 70_001, 3);
        deflater.block(data, 70_004, data.length - 70_004);
        deflater.finish();
        assertThat(deflater.matches()).isPositive();
        Inflater inflater = new Inflater();
        inflater.setInput(out.array(), 0, out.length());
        byte[] back = new byte[data.length + 1];
        int n = inflater.inflate(back);
        assertThat(inflater.finished()).as("stream complete, Adler-32 checked").isTrue();
        assertThat(Arrays.copyOf(back, n)).isEqualTo(data);
        assertThat(out.length()).isLessThan(data.length / 10);
    }

    @Test
    void theChecksumOfRunsAndLiteralsIsAdler32OfTheInput() {
        Random r = new Random(5);
        for (int round = 0; round < 40; round++) {
            byte[] data = new byte[1 + r.nextInt(400_000)];
            for (int i = 0; i < data.length;) {
                // runs of 0xff (the largest sums), up to whole blocks; literal stretches either
                // side of RunLengthDeflater.LONG_LITERALS
                int kind = r.nextInt(3);
                int n = kind == 0 ? 1 + r.nextInt(r.nextBoolean() ? 8 : 300_000)
                        : 1 + r.nextInt(kind == 1 ? RunLengthDeflater.LONG_LITERALS : 5000);
                for (int k = 0; k < n && i < data.length; k++) {
                    data[i++] = kind == 0 ? (byte) 0xff : (byte) r.nextInt(256);
                }
            }
            RunLengthDeflater deflater = new RunLengthDeflater();
            deflater.start(new ByteSink(16));
            for (int at = 0; at < data.length;) {
                int n = Math.min(data.length - at, 1 + r.nextInt(300_000));
                deflater.block(data, at, n);
                at += n;
            }
            Adler32 expected = new Adler32();
            expected.update(data);
            assertThat(deflater.adler()).as("round %d, %d bytes", round, data.length)
                    .isEqualTo((int) expected.getValue());
        }
    }

    /** Runs nothing: every band is left to the calling thread. */
    static final Executor NEVER = task -> {};

    @ParameterizedTest
    @CsvSource({"SUB, false, 2", "SUB, true, 3", "UP, false, 4", "UP, true, 2", "NONE, false, 3", "SUB, false, 64"})
    void bandsDecodeToTheSamePixelsAsOneThread(PngEncoder.Filter filter, boolean alpha, int bands) throws Exception {
        int[][] sizes = {{640, 480}, {1000, 301}, {1920, 1080}, {3, 200_000}, {64, 64}};
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try (PngEncoder banded = new PngEncoder(PngEncoder.Compression.RUN_LENGTH, 1, filter);
                PngEncoder serial = new PngEncoder(PngEncoder.Compression.RUN_LENGTH, 1, filter)) {
            ByteSink out = new ByteSink(16);
            ByteSink one = new ByteSink(16);
            for (int[] s : sizes) {
                int[] px = s[0] * s[1] > 1_000_000 ? screenLike(s[0], s[1], 5, alpha) : random(s[0] * s[1], 6, alpha);
                Pixels image = new Pixels(s[0], s[1], alpha, px);
                for (Executor executor : new Executor[] {pool, NEVER, Runnable::run}) {
                    banded.encodeInBands(image, out, bands, executor);
                    assertThat(decode(out.array(), out.length())).as("%dx%d", s[0], s[1]).isEqualTo(px);
                    checkStructure(out, s[0], s[1], alpha);
                }
                serial.encode(image, one);
                byte[] whole = Arrays.copyOf(one.array(), one.length());
                banded.encodeInBands(image, out, 1, pool);
                assertThat(Arrays.copyOf(out.array(), out.length())).as("one band is encode()").isEqualTo(whole);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aLargeImageIsSplitAndSmallOnesAreNot() {
        List<Runnable> handed = new ArrayList<>();
        try (PngEncoder encoder = new PngEncoder()) {
            ByteSink out = new ByteSink(16);
            encoder.encodeInBands(new Pixels(64, 64, false, random(64 * 64, 1, false)), out, 4, handed::add);
            assertThat(handed).as("12 KB of rows: one band").isEmpty();
            encoder.encodeInBands(new Pixels(1920, 1080, false, random(1920 * 1080, 1, false)), out, 4, handed::add);
            assertThat(handed).as("1080p in 4 bands: 3 handed over").hasSize(3);
        }
    }

    @Test
    void aFailingBandFailsTheEncode() {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        int[] px = random(1920 * 1080, 2, false);
        ArgbRows failing = new Pixels(1920, 1080, false, px) {
            @Override
            public void row(int y, int[] dst) {
                if (y == 1000) {
                    throw new IllegalStateException("row 1000 is gone");
                }
                super.row(y, dst);
            }
        };
        try (PngEncoder encoder = new PngEncoder()) {
            ByteSink out = new ByteSink(16);
            for (Executor executor : new Executor[] {pool, NEVER}) {
                assertThatThrownBy(() -> encoder.encodeInBands(failing, out, 2, executor))
                        .isInstanceOf(IllegalStateException.class).hasMessage("row 1000 is gone");
            }
            encoder.encodeInBands(new Pixels(1920, 1080, false, px), out, 2, pool);
            assertThat(decode(out.array(), out.length())).as("the encoder works after a failure").isEqualTo(px);
        } catch (IOException e) {
            throw new AssertionError(e);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void adlerChecksumsCombineAsTheChecksumOfTheConcatenation() {
        Random r = new Random(11);
        int[] lengths = {0, 1, 2, 100, 65520, 65521, 65522, 200_000, 1 << 20};
        for (int la : lengths) {
            for (int lb : lengths) {
                byte[] a = new byte[la];
                byte[] b = new byte[lb];
                r.nextBytes(a);
                r.nextBytes(b);
                if (r.nextBoolean()) {
                    Arrays.fill(b, (byte) 0xff); // large sums
                }
                Adler32 whole = new Adler32();
                whole.update(a);
                whole.update(b);
                Adler32 first = new Adler32();
                first.update(a);
                Adler32 second = new Adler32();
                second.update(b);
                assertThat(RunLengthDeflater.combineAdler((int) first.getValue(), (int) second.getValue(), lb))
                        .as("%d + %d bytes", la, lb).isEqualTo((int) whole.getValue());
            }
        }
    }

    @Test
    void partsJoinedAreOneZlibStream() throws DataFormatException {
        byte[] data = new byte[300_000];
        Random r = new Random(4);
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i % 1000 < 500 ? 7 : r.nextInt(16));
        }
        int[] cuts = {0, 1, 99_999, 250_000, data.length};
        ByteSink out = new ByteSink(16);
        out.putByte(RunLengthDeflater.ZLIB_HEADER >>> 8);
        out.putByte(RunLengthDeflater.ZLIB_HEADER & 0xff);
        int adler = 1; // of nothing
        for (int k = 0; k + 1 < cuts.length; k++) {
            RunLengthDeflater part = new RunLengthDeflater();
            ByteSink own = new ByteSink(16);
            part.startPart(own);
            part.block(data, cuts[k], cuts[k + 1] - cuts[k]);
            part.endPart();
            assertThat(part.input()).isEqualTo(cuts[k + 1] - cuts[k]);
            out.put(own.array(), 0, own.length());
            adler = RunLengthDeflater.combineAdler(adler, part.adler(), part.input());
        }
        out.put(RunLengthDeflater.FINAL_EMPTY_BLOCK, 0, RunLengthDeflater.FINAL_EMPTY_BLOCK.length);
        out.putIntBE(adler);
        Inflater inflater = new Inflater();
        inflater.setInput(out.array(), 0, out.length());
        byte[] back = new byte[data.length + 1];
        int n = inflater.inflate(back);
        assertThat(inflater.finished()).as("stream complete, Adler-32 checked").isTrue();
        assertThat(inflater.getRemaining()).isZero();
        assertThat(Arrays.copyOf(back, n)).isEqualTo(data);
        inflater.end();
    }

    /** Walks the chunks: signature, IHDR, one IDAT, IEND, CRCs, and the inflated size. */
    static void checkStructure(ByteSink out, int w, int h, boolean alpha) {
        ByteBuffer b = ByteBuffer.wrap(out.array(), 0, out.length());
        byte[] sig = new byte[8];
        b.get(sig);
        assertThat(sig).isEqualTo(PngEncoder.SIGNATURE);
        StringBuilder types = new StringBuilder();
        byte[] idat = null;
        while (b.hasRemaining()) {
            int length = b.getInt();
            byte[] typeAndData = new byte[4 + length];
            b.get(typeAndData);
            CRC32 crc = new CRC32();
            crc.update(typeAndData);
            assertThat(b.getInt()).as("CRC").isEqualTo((int) crc.getValue());
            String type = new String(typeAndData, 0, 4, java.nio.charset.StandardCharsets.US_ASCII);
            types.append(type).append(' ');
            if (type.equals("IHDR")) {
                ByteBuffer ihdr = ByteBuffer.wrap(typeAndData, 4, length);
                assertThat(ihdr.getInt()).isEqualTo(w);
                assertThat(ihdr.getInt()).isEqualTo(h);
            }
            if (type.equals("IDAT")) {
                idat = Arrays.copyOfRange(typeAndData, 4, typeAndData.length);
            }
        }
        assertThat(types.toString()).isEqualTo("IHDR IDAT IEND ");
        Inflater inflater = new Inflater();
        inflater.setInput(idat);
        byte[] raw = new byte[h * (1 + w * (alpha ? 4 : 3)) + 1];
        try {
            int n = inflater.inflate(raw);
            assertThat(inflater.finished()).isTrue();
            assertThat(n).isEqualTo(raw.length - 1);
        } catch (DataFormatException e) {
            throw new AssertionError("IDAT is not a valid zlib stream", e);
        } finally {
            inflater.end();
        }
    }
}
