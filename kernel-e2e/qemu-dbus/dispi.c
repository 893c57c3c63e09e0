/*
 * The guest's mode switch for the QEMU D-Bus display check (kernel-e2e/run --qemu-dbus):
 * `dispi WIDTH HEIGHT` sets the standard VGA's Bochs DISPI mode WIDTH x HEIGHT x 32 through its
 * I/O ports (index 0x1CE, data 0x1CF, 16-bit), with the linear framebuffer on, then paints a
 * known picture into the framebuffer (BAR 0, mapped through sysfs's resource0), says so on the
 * serial console and waits: the text console must not write into video memory afterwards.
 * The picture, 0xRRGGBB at (x, y): R = x & 0xff, G = y & 0xff, B = (x ^ y) >> 2 & 0xff; the
 * check (QemuDbusConsoleCheck) computes the same. Built static on the host (cc -static).
 * Register indexes as in the e2e suite's Dispi.java (QEMU's hw/display/vga_int.h).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/io.h>
#include <sys/mman.h>
#include <unistd.h>

#define DISPI_INDEX 0x1ce
#define DISPI_DATA 0x1cf
#define DISPI_XRES 1
#define DISPI_YRES 2
#define DISPI_BPP 3
#define DISPI_ENABLE 4
#define DISPI_ENABLED 0x01
#define DISPI_LFB_ENABLED 0x40
#define FB "/sys/bus/pci/devices/0000:00:02.0/resource0"

static void set(int index, int value) {
    outw(index, DISPI_INDEX);
    outw(value, DISPI_DATA);
}

int main(int argc, char **argv) {
    FILE *console = fopen("/dev/console", "w");
    if (console == NULL) {
        console = stderr;
    }
    if (argc != 3) {
        fprintf(console, "scanout-qemu-dbus: usage: dispi WIDTH HEIGHT\n");
        return 2;
    }
    int w = atoi(argv[1]), h = atoi(argv[2]);
    if (w < 64 || w > 1920 || h < 64 || h > 1200) {
        fprintf(console, "scanout-qemu-dbus: dispi: %dx%d is not a size this check uses\n", w, h);
        return 2;
    }
    /* a 16-bit access to the data port 0x1CF also touches 0x1D0: three ports */
    if (ioperm(DISPI_INDEX, 3, 1) != 0) {
        fprintf(console, "scanout-qemu-dbus: dispi: ioperm failed\n");
        return 1;
    }
    int fd = open(FB, O_RDWR | O_SYNC);
    if (fd < 0) {
        fprintf(console, "scanout-qemu-dbus: dispi: cannot open %s\n", FB);
        return 1;
    }
    size_t size = (size_t) w * h * 4;
    volatile uint32_t *fb = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (fb == MAP_FAILED) {
        fprintf(console, "scanout-qemu-dbus: dispi: cannot map %s\n", FB);
        return 1;
    }
    set(DISPI_ENABLE, 0);
    set(DISPI_XRES, w);
    set(DISPI_YRES, h);
    set(DISPI_BPP, 32);
    set(DISPI_ENABLE, DISPI_ENABLED | DISPI_LFB_ENABLED);
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            fb[(size_t) y * w + x] = (uint32_t) (x & 0xff) << 16 | (uint32_t) (y & 0xff) << 8 | (uint32_t) ((x ^ y) >> 2 & 0xff);
        }
    }
    fprintf(console, "scanout-qemu-dbus: dispi: %dx%dx32 set and painted\n", w, h);
    fflush(console);
    for (;;) {
        pause();
    }
}
