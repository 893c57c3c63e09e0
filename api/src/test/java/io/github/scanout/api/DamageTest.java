package io.github.scanout.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DamageTest {

    @Test
    void unknownAndNoneAreTheTwoEmptyAnswers() {
        assertFalse(Damage.UNKNOWN.known());
        assertFalse(Damage.UNKNOWN.isEmpty());
        assertTrue(Damage.NONE.known());
        assertTrue(Damage.NONE.isEmpty());
        assertEquals(0, Damage.UNKNOWN.count());
        assertTrue(Damage.UNKNOWN.touches(5, 5, 1, 1), "unknown damage may touch anything");
        assertFalse(Damage.NONE.touches(0, 0, 10_000, 10_000));
        assertSame(Damage.NONE, Damage.of(3, 4, 0, 7), "a rectangle without area is no damage");
    }

    @Test
    void aRectangleTouchesWhatItOverlapsOnly() {
        Damage d = Damage.of(16, 32, 8, 16);
        assertEquals(1, d.count());
        assertEquals(16, d.x(0));
        assertEquals(32, d.y(0));
        assertEquals(8, d.width(0));
        assertEquals(16, d.height(0));
        assertTrue(d.touches(0, 0, 17, 33));
        assertTrue(d.touches(23, 47, 1, 1));
        assertFalse(d.touches(24, 32, 8, 16), "right of it");
        assertFalse(d.touches(16, 48, 8, 16), "below it");
        assertFalse(d.touches(0, 0, 16, 100), "left of it");
        assertEquals("Damage[8x16+16+32]", d.toString());
    }

    @Test
    void plusKeepsEveryRectangleAndUnknownWins() {
        Damage a = Damage.of(0, 0, 8, 16);
        Damage b = Damage.of(100, 200, 8, 16);
        Damage both = a.plus(b);
        assertEquals(2, both.count());
        assertTrue(both.touches(100, 200, 1, 1));
        assertTrue(both.touches(0, 0, 1, 1));
        assertFalse(both.touches(50, 50, 10, 10));
        assertSame(a, a.plus(Damage.NONE));
        assertSame(b, Damage.NONE.plus(b));
        assertSame(Damage.UNKNOWN, a.plus(Damage.UNKNOWN));
        assertSame(Damage.UNKNOWN, Damage.UNKNOWN.plus(Damage.NONE));
        assertEquals(a.plus(b), Damage.of(0, 0, 8, 16).plus(Damage.of(100, 200, 8, 16)));
    }

    @Test
    void tooManyRectanglesBecomeTheirBoundingBox() {
        Damage d = Damage.NONE;
        for (int i = 0; i < Damage.MAX_RECTS; i++) {
            d = d.plus(Damage.of(10 + i, 20, 1, 1));
        }
        assertEquals(Damage.MAX_RECTS, d.count());
        d = d.plus(Damage.of(500, 400, 2, 3));
        assertEquals(1, d.count());
        assertEquals(10, d.x(0));
        assertEquals(20, d.y(0));
        assertEquals(492, d.width(0));
        assertEquals(383, d.height(0));
    }

    @Test
    void badRectanglesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Damage.of(-1, 0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> Damage.of(0, 0, -1, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Damage.of(Integer.MAX_VALUE, 0, 1, 1));
        assertTrue(e.getMessage().contains("1x1+2147483647+0"), e.getMessage());
    }
}
