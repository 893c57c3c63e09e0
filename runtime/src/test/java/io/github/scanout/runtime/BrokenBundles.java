package io.github.scanout.runtime;

import io.github.scanout.runtime.testbundle.ThrowingActivator;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** Small bundle jars that cannot start, built by the tests that drop them into deploy/. */
final class BrokenBundles {
    static final String THROWING_BSN = "test.broken.activator";
    static final String UNRESOLVED_BSN = "test.broken.unresolved";
    static final String MISSING_PACKAGE = "com.example.nonexistent";

    private BrokenBundles() {}

    /** A bundle whose activator throws {@code IllegalStateException("boom from the activator")}. */
    static Path throwingActivator(Path jar) throws IOException {
        Manifest m = manifest(THROWING_BSN);
        m.getMainAttributes().putValue("Bundle-Activator", ThrowingActivator.class.getName());
        m.getMainAttributes().putValue("Import-Package", "org.osgi.framework");
        String entry = ThrowingActivator.class.getName().replace('.', '/') + ".class";
        try (InputStream in = ThrowingActivator.class.getClassLoader().getResourceAsStream(entry)) {
            return write(jar, m, entry, in.readAllBytes());
        }
    }

    /** A bundle that imports a package nobody exports. */
    static Path unresolvedImport(Path jar) throws IOException {
        Manifest m = manifest(UNRESOLVED_BSN);
        m.getMainAttributes().putValue("Import-Package", MISSING_PACKAGE + ";version=\"[1,2)\"");
        return write(jar, m, null, null);
    }

    private static Manifest manifest(String bsn) {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", bsn);
        a.putValue("Bundle-Version", "1.0.0");
        return m;
    }

    /** Writes the jar next to its final name and renames it, so FileInstall never sees half a jar. */
    private static Path write(Path jar, Manifest m, String entry, byte[] bytes) throws IOException {
        Path tmp = Files.createTempFile(jar.getParent().getParent(), "bundle", ".part");
        try (OutputStream out = Files.newOutputStream(tmp); JarOutputStream j = new JarOutputStream(out, m)) {
            if (entry != null) {
                j.putNextEntry(new JarEntry(entry));
                j.write(bytes);
                j.closeEntry();
            }
        }
        return Files.move(tmp, jar, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
