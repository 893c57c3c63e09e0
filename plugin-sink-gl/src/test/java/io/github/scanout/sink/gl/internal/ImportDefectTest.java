package io.github.scanout.sink.gl.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Which driver's offered dma-buf import is refused, and that the importer then says why and
 * imports nothing (the real case is kernel-e2e's GlImportKernelCheck: Mesa's kms_swrast on vgem in
 * the test guest, which crashed the JVM reading an mbochs dma-buf before this refusal).
 */
class ImportDefectTest {

    @Test
    void kmsSwrastsImportIsRefusedAndOtherDriversAreNot() {
        assertThat(EglHeadless.importDefect("kms_swrast")).contains("kms_swrast").contains("crashes");
        assertThat(EglHeadless.importDefect("swrast")).isNull();
        assertThat(EglHeadless.importDefect("iris")).isNull();
        assertThat(EglHeadless.importDefect(null)).isNull();
    }

    @Test
    void anImporterOnADisplayWithADefectSaysWhyAndImportsNothing() {
        String why = EglHeadless.importDefect("kms_swrast");
        DmaBufImporter importer = new DmaBufImporter(Optional.of(new OfferingApi(why)));
        assertThat(importer.unavailable()).contains(why);
        assertThat(new DmaBufImporter(Optional.of(new OfferingApi(null))).unavailable()).isEmpty();
    }

    /** Offers the import extension; nothing is imported through it. */
    private record OfferingApi(String defect) implements EglImportApi {
        @Override
        public Set<String> displayExtensions() {
            return Set.of(DmaBufAttributes.IMPORT);
        }

        @Override
        public boolean glCanBindImages() {
            return true;
        }

        @Override
        public long createDmaBufImage(int[] attributes) {
            throw new AssertionError("not imported");
        }

        @Override
        public int lastError() {
            return 0x3000;
        }

        @Override
        public void destroyImage(long image) {
            throw new AssertionError("not imported");
        }

        @Override
        public void bindToTexture2D(long image) {
            throw new AssertionError("not imported");
        }

        @Override
        public Optional<List<SupportedModifier>> modifiers(int fourcc) {
            return Optional.empty();
        }

        @Override
        public Optional<String> importDefect() {
            return Optional.ofNullable(defect);
        }
    }
}
