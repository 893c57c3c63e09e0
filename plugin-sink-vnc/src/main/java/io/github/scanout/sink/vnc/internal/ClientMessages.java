package io.github.scanout.sink.vnc.internal;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads the messages an RFB client sends after the handshake, one at a time, and hands each to
 * a {@link Handler}. Every byte comes from an untrusted peer: lengths are checked against fixed
 * limits before anything is read, nothing is allocated in a size the client chose beyond
 * {@link #MAX_ENCODINGS} ints, and an unknown message type ends the connection (RFB messages
 * carry no length, so an unknown one cannot be skipped).
 *
 * <p>Threads: confined to one connection's reader thread.
 */
final class ClientMessages {
    /** Encodings kept from one SetEncodings; the rest are read and ignored. */
    static final int MAX_ENCODINGS = 64;
    /** The longest ClientCutText accepted (it is read and dropped). */
    static final int MAX_CUT_TEXT = 1 << 20;

    /** What the server does with each message. */
    interface Handler {
        void setPixelFormat(PixelFormat format);

        /** The client's encodings, in its order of preference (at most {@link #MAX_ENCODINGS}). */
        void setEncodings(int[] encodings);

        void updateRequest(boolean incremental, int x, int y, int width, int height);

        /** A key event, validated; a view-only console drops it. */
        void key(boolean down, int keysym);

        /** A pointer event, validated (inside the screen as the client knows it); dropped. */
        void pointer(int buttons, int x, int y);

        /** Clipboard text of this many bytes was read and dropped. */
        void cutText(int length);

        /** The client asked for a new screen layout (ExtendedDesktopSize). */
        void setDesktopSize(int width, int height, int screens);
    }

    private final DataInputStream in;
    private final Handler handler;
    private final byte[] skip = new byte[8192];

    ClientMessages(InputStream in, Handler handler) {
        this.in = in instanceof DataInputStream d ? d : new DataInputStream(in);
        this.handler = handler;
    }

    /**
     * Reads and handles one message.
     *
     * @throws EOFException when the client closed the connection between or inside messages
     * @throws ProtocolException when the message is not valid RFB or over a limit
     */
    void readOne() throws IOException, ProtocolException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException("closed by the viewer");
        }
        switch (type) {
            case 0 -> {
                in.readFully(skip, 0, 3);
                byte[] pf = new byte[16];
                in.readFully(pf);
                handler.setPixelFormat(PixelFormat.parse(pf));
            }
            case 2 -> {
                in.readFully(skip, 0, 1);
                int n = in.readUnsignedShort();
                int[] kept = new int[Math.min(n, MAX_ENCODINGS)];
                for (int i = 0; i < n; i++) {
                    int e = in.readInt();
                    if (i < kept.length) {
                        kept[i] = e;
                    }
                }
                handler.setEncodings(kept);
            }
            case 3 -> {
                boolean incremental = in.readUnsignedByte() != 0;
                int x = in.readUnsignedShort();
                int y = in.readUnsignedShort();
                int w = in.readUnsignedShort();
                int h = in.readUnsignedShort();
                handler.updateRequest(incremental, x, y, w, h);
            }
            case 4 -> {
                boolean down = in.readUnsignedByte() != 0;
                in.readFully(skip, 0, 2);
                handler.key(down, in.readInt());
            }
            case 5 -> {
                int buttons = in.readUnsignedByte();
                int x = in.readUnsignedShort();
                int y = in.readUnsignedShort();
                handler.pointer(buttons, x, y);
            }
            case 6 -> {
                in.readFully(skip, 0, 3);
                int length = in.readInt();
                // a negative length is the Extended Clipboard form: its size is the absolute value
                long size = Math.abs((long) length);
                if (size > MAX_CUT_TEXT) {
                    throw new ProtocolException("clipboard text of " + size + " bytes is over the limit of "
                            + MAX_CUT_TEXT + " bytes");
                }
                skipFully((int) size);
                handler.cutText((int) size);
            }
            case 251 -> {
                in.readFully(skip, 0, 1);
                int w = in.readUnsignedShort();
                int h = in.readUnsignedShort();
                int screens = in.readUnsignedByte();
                in.readFully(skip, 0, 1);
                skipFully(16 * screens);
                handler.setDesktopSize(w, h, screens);
            }
            default -> throw new ProtocolException("unknown client message type " + type
                    + " (this server reads types 0, 2, 3, 4, 5, 6 and 251)");
        }
    }

    private void skipFully(int n) throws IOException {
        while (n > 0) {
            int k = Math.min(n, skip.length);
            in.readFully(skip, 0, k);
            n -= k;
        }
    }
}
