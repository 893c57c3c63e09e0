package io.github.scanout.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeployCheckTest {
    @TempDir
    Path deploy;

    private Path file(String name, String text, Instant modified) throws Exception {
        Path p = Files.writeString(deploy.resolve(name), text);
        Files.setLastModifiedTime(p, FileTime.from(modified));
        return p;
    }

    @Test
    void eachNotAZipJarIsNamedOnceAgainWhenChangedAndNotWhileBeingWritten() throws Exception {
        Instant old = Instant.now().minusSeconds(60);
        DeployCheck check = new DeployCheck(deploy);
        assertThat(check.scan()).isZero();
        Path notes = file("notes.jar", "not a bundle", old);
        file("README.txt", "not a jar name", old);
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(deploy.resolve("real.jar")))) {
            z.putNextEntry(new ZipEntry("META-INF/MANIFEST.MF"));
        }
        assertThat(check.scan()).as("notes.jar").isEqualTo(1);
        assertThat(check.scan()).as("said once").isZero();
        Files.setLastModifiedTime(notes, FileTime.from(old.plusSeconds(5)));
        assertThat(check.scan()).as("changed: said again").isEqualTo(1);

        Path copying = file("copying.jar", "", Instant.now());
        assertThat(check.scan()).as("a file written just now is looked at later").isZero();
        Files.setLastModifiedTime(copying, FileTime.from(old));
        assertThat(check.scan()).isEqualTo(1);

        Files.delete(notes);
        assertThat(check.scan()).isZero();
        file("notes.jar", "back, still not a bundle", old.plusSeconds(5));
        assertThat(check.scan()).as("removed and put back: said again").isEqualTo(1);
        assertThat(DeployCheck.message(notes)).isEqualTo(notes
                + " is not a jar (it has no zip header): it is ignored; put the bundle's jar file there");
    }
}
