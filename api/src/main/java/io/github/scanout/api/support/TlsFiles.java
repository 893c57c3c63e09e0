package io.github.scanout.api.support;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A server's TLS identity from two PEM files (the VNC sink's VeNCrypt and wss://, the web
 * console's https): the certificate file (the certificate, then any intermediates) and the key
 * file (an unencrypted PKCS#8 private key,
 * {@code -----BEGIN PRIVATE KEY-----}, RSA, EC or Ed25519), as the JDK's TLS takes them. The JDK
 * reads X.509 PEM itself; the key's base64 is decoded here (no PEM library: two regular
 * expressions do it).
 *
 * <p>Stateless; any thread.
 */
public final class TlsFiles {
    private TlsFiles() {}

    private static final Pattern PKCS8 = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
    private static final Pattern OTHER_KEY = Pattern.compile("-----BEGIN ([A-Z ]*PRIVATE KEY)-----");

    /**
     * The server-side TLS context of the files.
     *
     * @param cert the PEM certificate file
     * @param key the PEM PKCS#8 key file
     * @param certKey the configuration key that names {@code cert}, such as {@code tls.cert}
     * @param keyKey the configuration key that names {@code key}, such as {@code tls.key}
     * @param configuration what the keys configure, the start of every message, such as
     *     {@code vnc sink configuration}
     * @return the context
     * @throws IllegalArgumentException one line: the configuration, the key, the file and what is wrong
     */
    public static SSLContext context(Path cert, Path key, String certKey, String keyKey, String configuration) {
        char[] none = new char[0];
        KeyStore store = keyStore(cert, key, certKey, keyKey, configuration, none);
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, none);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(configuration + ": " + certKey + "=" + cert + " and "
                    + keyKey + "=" + key + " cannot be used for TLS: " + e.getMessage());
        }
    }

    /**
     * The files as an in-memory PKCS#12 key store of one entry, {@code scanout}: the key and the
     * chain, for a server that takes a key store rather than an {@link SSLContext} (the web
     * console's Jetty). {@link #context} is made from it.
     *
     * @param cert the PEM certificate file
     * @param key the PEM PKCS#8 key file
     * @param certKey the configuration key that names {@code cert}
     * @param keyKey the configuration key that names {@code key}
     * @param configuration what the keys configure, the start of every message
     * @param password the store's and the entry's password
     * @return the store, checked as {@link #context} checks the files
     * @throws IllegalArgumentException one line: the configuration, the key, the file and what is wrong
     */
    public static KeyStore keyStore(Path cert, Path key, String certKey, String keyKey, String configuration,
            char[] password) {
        Collection<? extends Certificate> chain;
        try {
            byte[] bytes = read(cert, certKey, configuration, 1 << 20);
            chain = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(bytes));
        } catch (CertificateException e) {
            throw new IllegalArgumentException(configuration + ": " + certKey + "=" + cert
                    + " holds no PEM certificate (" + e.getMessage() + ")");
        }
        if (chain.isEmpty()) {
            throw new IllegalArgumentException(configuration + ": " + certKey + "=" + cert
                    + " holds no PEM certificate");
        }
        String pem = new String(read(key, keyKey, configuration, 1 << 20), StandardCharsets.US_ASCII);
        Matcher m = PKCS8.matcher(pem);
        if (!m.find()) {
            Matcher other = OTHER_KEY.matcher(pem);
            throw new IllegalArgumentException(configuration + ": " + keyKey + "=" + key + " holds "
                    + (other.find() ? "a '" + other.group(1) + "'" : "no PEM private key")
                    + "; an unencrypted PKCS#8 key ('PRIVATE KEY') is needed: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(m.group(1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(configuration + ": " + keyKey + "=" + key
                    + " is not valid base64 PEM");
        }
        PrivateKey privateKey = null;
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "EdDSA"}) {
            try {
                privateKey = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
                break;
            } catch (InvalidKeySpecException | java.security.NoSuchAlgorithmException e) {
                // try the next algorithm
            }
        }
        if (privateKey == null) {
            throw new IllegalArgumentException(configuration + ": " + keyKey + "=" + key
                    + " is not an RSA, EC or Ed25519 PKCS#8 key");
        }
        X509Certificate leaf = (X509Certificate) chain.iterator().next();
        if (!leaf.getPublicKey().getAlgorithm().equals(privateKey.getAlgorithm())
                && !(leaf.getPublicKey().getAlgorithm().startsWith("Ed") && privateKey.getAlgorithm().startsWith("Ed"))) {
            throw new IllegalArgumentException(configuration + ": " + keyKey + "=" + key + " is an "
                    + privateKey.getAlgorithm() + " key but " + cert + " holds an " + leaf.getPublicKey().getAlgorithm()
                    + " certificate; they must be a pair");
        }
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("scanout", privateKey, password, chain.toArray(new Certificate[0]));
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException(configuration + ": " + certKey + "=" + cert + " and "
                    + keyKey + "=" + key + " cannot be used for TLS: " + e.getMessage());
        }
    }

    private static byte[] read(Path file, String key, String configuration, int max) {
        try {
            if (Files.size(file) > max) {
                throw new IllegalArgumentException(configuration + ": " + key + "=" + file + " is over " + max
                        + " bytes; it should hold PEM text");
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(configuration + ": " + key + "=" + file + " cannot be read ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
    }
}
