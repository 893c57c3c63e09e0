package io.github.scanout.sink.vnc.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * RFB's "VNC authentication": the server sends 16 random bytes, the client returns them
 * encrypted with DES in ECB mode under a key made of the password's first 8 bytes (zero-padded)
 * with the bits of each byte reversed. The JDK's DES does the cipher.
 *
 * <p>The scheme is weak (8 characters, DES, no protection against an eavesdropper who records
 * the exchange): use it on loopback, over an SSH tunnel, or inside TLS.
 *
 * <p>Stateless; any thread.
 */
final class VncAuth {
    private VncAuth() {}

    /** Passwords are cut to this many bytes by the protocol. */
    static final int MAX_PASSWORD_BYTES = 8;

    /** The DES key for a password: 8 bytes, each bit-reversed. */
    static byte[] key(String password) {
        byte[] p = password.getBytes(StandardCharsets.UTF_8);
        byte[] key = new byte[8];
        for (int i = 0; i < Math.min(8, p.length); i++) {
            key[i] = (byte) (Integer.reverse(p[i] & 0xff) >>> 24);
        }
        return key;
    }

    /** What a client with this password answers to the challenge. */
    static byte[] response(String password, byte[] challenge) {
        try {
            Cipher des = Cipher.getInstance("DES/ECB/NoPadding");
            des.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key(password), "DES"));
            return des.doFinal(challenge);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no DES/ECB/NoPadding cipher, which VNC authentication needs", e);
        }
    }

    /** Whether the client's answer is right, compared in constant time. */
    static boolean check(String password, byte[] challenge, byte[] answer) {
        return MessageDigest.isEqual(response(password, challenge), answer);
    }
}
