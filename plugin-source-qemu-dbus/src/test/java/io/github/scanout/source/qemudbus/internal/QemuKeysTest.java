package io.github.scanout.source.qemudbus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The keysym table against the documented set-1 scancodes of a US PC keyboard. */
class QemuKeysTest {

    @Test
    void lettersOfBothCasesAreTheSameKey() {
        assertThat(QemuKeys.number('a')).isEqualTo(0x1e);
        assertThat(QemuKeys.number('A')).isEqualTo(0x1e);
        assertThat(QemuKeys.number('q')).isEqualTo(0x10);
        assertThat(QemuKeys.number('m')).isEqualTo(0x32);
        assertThat(QemuKeys.number('Z')).isEqualTo(0x2c);
    }

    @Test
    void digitsAndTheirShiftedSymbols() {
        assertThat(QemuKeys.number('1')).isEqualTo(0x02);
        assertThat(QemuKeys.number('9')).isEqualTo(0x0a);
        assertThat(QemuKeys.number('0')).isEqualTo(0x0b);
        assertThat(QemuKeys.number('!')).isEqualTo(0x02);
        assertThat(QemuKeys.number(')')).isEqualTo(0x0b);
        assertThat(QemuKeys.number('_')).isEqualTo(QemuKeys.number('-')).isEqualTo(0x0c);
        assertThat(QemuKeys.number(' ')).isEqualTo(0x39);
    }

    @Test
    void functionKeysModifiersAndTheExtendedKeys() {
        assertThat(QemuKeys.number(0xff0d)).as("Return").isEqualTo(0x1c);
        assertThat(QemuKeys.number(0xff08)).as("BackSpace").isEqualTo(0x0e);
        assertThat(QemuKeys.number(0xff09)).as("Tab").isEqualTo(0x0f);
        assertThat(QemuKeys.number(0xff1b)).as("Escape").isEqualTo(0x01);
        assertThat(QemuKeys.number(0xffe1)).as("Shift_L").isEqualTo(0x2a);
        assertThat(QemuKeys.number(0xffe3)).as("Control_L").isEqualTo(0x1d);
        assertThat(QemuKeys.number(0xffe9)).as("Alt_L").isEqualTo(0x38);
        // keys behind the 0xe0 prefix are 0x80 | code
        assertThat(QemuKeys.number(0xffe4)).as("Control_R").isEqualTo(0x9d);
        assertThat(QemuKeys.number(0xff52)).as("Up").isEqualTo(0xc8);
        assertThat(QemuKeys.number(0xff54)).as("Down").isEqualTo(0xd0);
        assertThat(QemuKeys.number(0xff51)).as("Left").isEqualTo(0xcb);
        assertThat(QemuKeys.number(0xff53)).as("Right").isEqualTo(0xcd);
        assertThat(QemuKeys.number(0xffff)).as("Delete").isEqualTo(0xd3);
        assertThat(QemuKeys.number(0xffbe)).as("F1").isEqualTo(0x3b);
        assertThat(QemuKeys.number(0xffc9)).as("F12").isEqualTo(0x58);
    }

    @Test
    void keysymsWithoutAKeyHereHaveNone() {
        assertThat(QemuKeys.number(0)).isEqualTo(QemuKeys.NONE);
        assertThat(QemuKeys.number(0xe9)).as("eacute: no key of its own on a US keyboard").isEqualTo(QemuKeys.NONE);
        assertThat(QemuKeys.number(0x20ac)).as("EuroSign").isEqualTo(QemuKeys.NONE);
        assertThat(QemuKeys.number(-1)).isEqualTo(QemuKeys.NONE);
    }
}
