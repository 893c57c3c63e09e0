package io.github.scanout.source.qemudbus.internal;

import java.util.HashMap;
import java.util.Map;

/**
 * X keysyms (what VNC viewers and browsers send) to QEMU key numbers (what
 * {@code org.qemu.Display1.Keyboard} takes) for a US PC keyboard. A QEMU key number is the key's
 * scancode in the PC keyboard's set 1, with a key whose code comes after an {@code 0xe0} prefix
 * written as {@code 0x80 | code} (QEMU's "qnum"). Built from two documented tables, X11's
 * {@code keysymdef.h} and the PC/AT set-1 scancodes, because no maintained Java library maps
 * keysyms to scancodes; it is a fact table, not code taken from elsewhere.
 *
 * <p>The guest's layout decides what a key means, as with a real keyboard: a keysym names the key
 * that types it on a US layout, both cases of a letter and both symbols of a key name the same
 * key ({@code 'B'} is the {@code b} key; the viewer sends Shift itself), so a guest with another
 * layout gets the keys a US keyboard would have pressed.
 *
 * <p>Threads: immutable, any thread.
 */
final class QemuKeys {
    /** The answer for a keysym with no key here. */
    static final int NONE = -1;

    private static final Map<Integer, Integer> KEYS = new HashMap<>();

    static {
        // letters: set-1 codes of the US layout's a..z keys; upper and lower case are the same key
        int[] letters = {0x1e, 0x30, 0x2e, 0x20, 0x12, 0x21, 0x22, 0x23, 0x17, 0x24, 0x25, 0x26, 0x32, 0x31, 0x18, 0x19,
            0x10, 0x13, 0x1f, 0x14, 0x16, 0x2f, 0x11, 0x2d, 0x15, 0x2c};
        for (int i = 0; i < 26; i++) {
            KEYS.put('a' + i, letters[i]);
            KEYS.put('A' + i, letters[i]);
        }
        // digits: 1..9 are 0x02..0x0a, 0 is 0x0b; the shifted symbols of the US layout on the same keys
        String shifted = ")!@#$%^&*(";
        for (int d = 0; d <= 9; d++) {
            int code = d == 0 ? 0x0b : 0x01 + d;
            KEYS.put('0' + d, code);
            KEYS.put((int) shifted.charAt(d), code);
        }
        // the other printable keys, each with its shifted symbol
        key(0x0c, '-', '_');
        key(0x0d, '=', '+');
        key(0x1a, '[', '{');
        key(0x1b, ']', '}');
        key(0x27, ';', ':');
        key(0x28, '\'', '"');
        key(0x29, '`', '~');
        key(0x2b, '\\', '|');
        key(0x33, ',', '<');
        key(0x34, '.', '>');
        key(0x35, '/', '?');
        key(0x39, ' ', ' ');
        // keysymdef.h's function keys (0xffxx) and their set-1 codes
        KEYS.put(0xff08, 0x0e); // BackSpace
        KEYS.put(0xff09, 0x0f); // Tab
        KEYS.put(0xfe20, 0x0f); // ISO_Left_Tab (Shift+Tab)
        KEYS.put(0xff0d, 0x1c); // Return
        KEYS.put(0xff1b, 0x01); // Escape
        KEYS.put(0xffe1, 0x2a); // Shift_L
        KEYS.put(0xffe2, 0x36); // Shift_R
        KEYS.put(0xffe3, 0x1d); // Control_L
        KEYS.put(0xffe4, 0x9d); // Control_R (e0 1d)
        KEYS.put(0xffe9, 0x38); // Alt_L
        KEYS.put(0xffea, 0xb8); // Alt_R (e0 38)
        KEYS.put(0xfe03, 0xb8); // ISO_Level3_Shift (AltGr: the right Alt key)
        KEYS.put(0xffe7, 0xdb); // Meta_L: the left "Windows" key, as Super_L
        KEYS.put(0xffeb, 0xdb); // Super_L (e0 5b)
        KEYS.put(0xffec, 0xdc); // Super_R (e0 5c)
        KEYS.put(0xff67, 0xdd); // Menu (e0 5d)
        KEYS.put(0xffe5, 0x3a); // Caps_Lock
        KEYS.put(0xff7f, 0x45); // Num_Lock
        KEYS.put(0xff14, 0x46); // Scroll_Lock
        KEYS.put(0xff61, 0xb7); // Print (e0 37)
        KEYS.put(0xff63, 0xd2); // Insert (e0 52)
        KEYS.put(0xffff, 0xd3); // Delete (e0 53)
        KEYS.put(0xff50, 0xc7); // Home (e0 47)
        KEYS.put(0xff57, 0xcf); // End (e0 4f)
        KEYS.put(0xff55, 0xc9); // Page_Up (e0 49)
        KEYS.put(0xff56, 0xd1); // Page_Down (e0 51)
        KEYS.put(0xff51, 0xcb); // Left (e0 4b)
        KEYS.put(0xff52, 0xc8); // Up (e0 48)
        KEYS.put(0xff53, 0xcd); // Right (e0 4d)
        KEYS.put(0xff54, 0xd0); // Down (e0 50)
        for (int f = 0; f < 10; f++) {
            KEYS.put(0xffbe + f, 0x3b + f); // F1..F10
        }
        KEYS.put(0xffc8, 0x57); // F11
        KEYS.put(0xffc9, 0x58); // F12
        // the keypad (keysyms 0xffb0..0xffb9 are KP_0..KP_9)
        int[] keypad = {0x52, 0x4f, 0x50, 0x51, 0x4b, 0x4c, 0x4d, 0x47, 0x48, 0x49};
        for (int d = 0; d <= 9; d++) {
            KEYS.put(0xffb0 + d, keypad[d]);
        }
        KEYS.put(0xff8d, 0x9c); // KP_Enter (e0 1c)
        KEYS.put(0xffaa, 0x37); // KP_Multiply
        KEYS.put(0xffab, 0x4e); // KP_Add
        KEYS.put(0xffad, 0x4a); // KP_Subtract
        KEYS.put(0xffae, 0x53); // KP_Decimal
        KEYS.put(0xffaf, 0xb5); // KP_Divide (e0 35)
    }

    private QemuKeys() {}

    private static void key(int code, char plain, char shifted) {
        KEYS.put((int) plain, code);
        KEYS.put((int) shifted, code);
    }

    /** {@return the QEMU key number of the key that types {@code keysym} on a US PC keyboard, or {@link #NONE}} */
    static int number(int keysym) {
        Integer code = KEYS.get(keysym);
        return code == null ? NONE : code;
    }
}
