package io.github.scanout.api.input;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Where viewers' keyboard and pointer input for one device goes: the device's own keyboard and
 * mouse (for QEMU's D-Bus display, its console's {@code Keyboard} and {@code Mouse}). Events use
 * the units viewers already have: X keysyms (what RFB's KeyEvent and browsers' key codes map to,
 * {@code 0x61} is {@code a}, {@code 0xff0d} Return) and an absolute pointer position with a button
 * mask, as RFB's PointerEvent carries it.
 *
 * <p>Events are best effort, like a keyboard cable: a target that cannot deliver one now (the
 * device is not connected, the key has no equivalent on the device's keyboard) drops it and may
 * say so once in its log; it never throws for that. The caller checks what it forwards (a
 * position inside the frame it showed); the target checks again against its own device.
 *
 * <p>Threads: every method may be called from any thread, by several viewers at once; an
 * implementation keeps each caller's events in the order they were called and does not block
 * the caller for long (no waiting on a slow device).
 */
@ConsumerType
public interface InputTarget {

    /** The left button in {@link #pointer}'s mask (RFB's bit 0). */
    int BUTTON_LEFT = 1;
    /** The middle button (RFB's bit 1). */
    int BUTTON_MIDDLE = 1 << 1;
    /** The right button (RFB's bit 2). */
    int BUTTON_RIGHT = 1 << 2;
    /** One step of the wheel up, as a press and release of this bit (RFB's bit 3). */
    int WHEEL_UP = 1 << 3;
    /** One step of the wheel down (RFB's bit 4). */
    int WHEEL_DOWN = 1 << 4;
    /** The bits a target understands; others are ignored. */
    int BUTTONS = BUTTON_LEFT | BUTTON_MIDDLE | BUTTON_RIGHT | WHEEL_UP | WHEEL_DOWN;

    /**
     * A key was pressed or released. Threads: any; returns without waiting for the device.
     *
     * @param keysym the X keysym (X11's {@code keysymdef.h}; as RFB's KeyEvent sends it)
     * @param down true for a press, false for a release
     */
    void key(int keysym, boolean down);

    /**
     * The pointer is at this position with these buttons down (the whole state, not a change: a
     * target presses and releases what differs from the state it last got). Threads: any;
     * returns without waiting for the device.
     *
     * @param x column in the device's frame, 0 at the left, less than the frame's width
     * @param y row in the device's frame, 0 at the top, less than the frame's height
     * @param buttons the buttons held down: a mask of {@link #BUTTON_LEFT} and the other bits
     */
    void pointer(int x, int y, int buttons);
}
