package io.github.scanout.sink.vnc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.EOFException;

/**
 * Fuzzes the reader of RFB client messages ({@link ClientMessages}): any bytes a viewer sends
 * after the handshake.
 *
 * <p>Contract: each message is either handed to the handler with values in their ranges
 * (encodings at most {@link ClientMessages#MAX_ENCODINGS}, pixel formats a server can produce,
 * clipboard lengths within the cap), or reading ends with an {@link EOFException} (the bytes
 * ran out) or a {@link ProtocolException} with a message; nothing else escapes, and nothing the
 * client sizes is allocated beyond the caps.
 */
class ClientMessagesFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void read(byte[] data) throws Exception {
        int[] handled = new int[1];
        ClientMessages m = new ClientMessages(new ByteArrayInputStream(data), new ClientMessages.Handler() {
            @Override
            public void setPixelFormat(PixelFormat f) {
                assertThat(f.bitsPerPixel()).isIn(8, 16, 32);
                int v = f.pixel(0xffffffff);
                int bytes = f.compactBytes();
                assertThat(bytes).isBetween(1, 4);
                f.putCompact(new byte[4], 0, v);
                handled[0]++;
            }

            @Override
            public void setEncodings(int[] encodings) {
                assertThat(encodings.length).isLessThanOrEqualTo(ClientMessages.MAX_ENCODINGS);
                new ViewerState().encodings(encodings);
                handled[0]++;
            }

            @Override
            public void updateRequest(boolean incremental, int x, int y, int width, int height) {
                for (int v : new int[] {x, y, width, height}) {
                    assertThat(v).isBetween(0, 0xffff);
                }
                handled[0]++;
            }

            @Override
            public void key(boolean down, int keysym) {
                handled[0]++;
            }

            @Override
            public void pointer(int buttons, int x, int y) {
                assertThat(buttons).isBetween(0, 255);
                handled[0]++;
            }

            @Override
            public void cutText(int length) {
                assertThat(length).isBetween(0, ClientMessages.MAX_CUT_TEXT);
                handled[0]++;
            }

            @Override
            public void setDesktopSize(int width, int height, int screens) {
                assertThat(screens).isBetween(0, 255);
                handled[0]++;
            }
        });
        int messages = 0;
        try {
            while (true) {
                m.readOne();
                messages++;
            }
        } catch (EOFException e) {
            // the bytes ran out
        } catch (ProtocolException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
        assertThat(handled[0]).isEqualTo(messages);
    }
}
