package io.github.scanout.sim.internal;

/** A minimal valid EDID 1.4 base block, and the validity check the GVT-g EDID region applies. */
public final class Edid {
    private Edid() {}

    private static final byte[] HEADER = {0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
        (byte) 0xff, 0};

    /** 128 bytes: header, vendor "SIM", version 1.4, a correct checksum. */
    public static byte[] block(int widthCm, int heightCm) {
        byte[] b = new byte[128];
        System.arraycopy(HEADER, 0, b, 0, 8);
        int id = (('S' - '@') << 10) | (('I' - '@') << 5) | ('M' - '@');
        b[8] = (byte) (id >>> 8);
        b[9] = (byte) id;
        b[18] = 1;
        b[19] = 4;
        b[21] = (byte) widthCm;
        b[22] = (byte) heightCm;
        b[127] = checksum(b);
        return b;
    }

    /** The byte that makes the first 127 sum to 0 mod 256. */
    public static byte checksum(byte[] block) {
        int sum = 0;
        for (int i = 0; i < 127; i++) {
            sum += block[i] & 0xff;
        }
        return (byte) (-sum);
    }

    /** Header, version 1 and checksum, as {@code drm_edid_block_valid} checks block 0. */
    public static boolean valid(byte[] block) {
        if (block.length < 128) {
            return false;
        }
        for (int i = 0; i < 8; i++) {
            if (block[i] != HEADER[i]) {
                return false;
            }
        }
        int sum = 0;
        for (int i = 0; i < 128; i++) {
            sum += block[i] & 0xff;
        }
        return (sum & 0xff) == 0 && block[18] == 1;
    }
}
