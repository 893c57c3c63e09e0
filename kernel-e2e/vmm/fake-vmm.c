/*
 * A stand-in for a VMM (QEMU) in Scanout's real-kernel tests: it takes an mdpy mdev through the
 * legacy VFIO container/group path, as QEMU does, paints its framebuffer with a known picture
 * (unless told only to hold it), says "ready PID" on stdout, and keeps the device open until it
 * is killed or its stdin closes. Scanout then borrows the device from it with pidfd_getfd.
 *
 *   fake-vmm paint|hold UUID
 *   fake-vmm picture FILE      writes the picture, raw (XRGB8888, stride 4096), to FILE: the
 *                              nested-QEMU check's guest paints it into its mdpy-fb /dev/fb0
 *
 * The picture: pixel (x, y) of the 1024x768 XRGB8888 plane is 0x00RRGGBB with
 * R = x & 0xff, G = y & 0xff, B = (x >> 8) * 16 + (y >> 8); BorrowKernelCheck computes the same.
 * Exit status 2 with a message on stderr for any failure before "ready".
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/vfio.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define W 1024
#define H 768
#define STRIDE 4096
#define MDPY_DISPLAY_REGION 16

static void die(const char *what) {
    fprintf(stderr, "fake-vmm: %s: %s\n", what, strerror(errno));
    exit(2);
}

uint32_t pixel(int x, int y) {
    return (uint32_t)(x & 0xff) << 16 | (uint32_t)(y & 0xff) << 8 | (uint32_t)((x >> 8) * 16 + (y >> 8));
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "picture") == 0) {
        FILE *f = fopen(argv[2], "wb");
        if (!f) die(argv[2]);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                uint32_t p = pixel(x, y); /* little-endian XRGB8888, as the framebuffer holds it */
                unsigned char b[4] = { p & 0xff, (p >> 8) & 0xff, (p >> 16) & 0xff, 0 };
                if (fwrite(b, 1, 4, f) != 4) die(argv[2]);
            }
        }
        if (fclose(f) != 0) die(argv[2]);
        return 0;
    }
    if (argc != 3 || (strcmp(argv[1], "paint") != 0 && strcmp(argv[1], "hold") != 0)) {
        fprintf(stderr, "usage: fake-vmm paint|hold UUID | fake-vmm picture FILE\n");
        return 2;
    }
    const char *uuid = argv[2];
    char link[PATH_MAX], path[PATH_MAX + 16], target[PATH_MAX];
    snprintf(link, sizeof link, "/sys/bus/mdev/devices/%s/iommu_group", uuid);
    ssize_t n = readlink(link, target, sizeof target - 1);
    if (n < 0) die(link);
    target[n] = 0;
    const char *group = strrchr(target, '/');
    group = group ? group + 1 : target;
    snprintf(path, sizeof path, "/dev/vfio/%s", group);

    int container = open("/dev/vfio/vfio", O_RDWR);
    if (container < 0) die("/dev/vfio/vfio");
    int groupfd = open(path, O_RDWR);
    if (groupfd < 0) die(path);
    if (ioctl(groupfd, VFIO_GROUP_SET_CONTAINER, &container) < 0) die("VFIO_GROUP_SET_CONTAINER");
    if (ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) < 0
            && ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU) < 0) die("VFIO_SET_IOMMU");
    int device = ioctl(groupfd, VFIO_GROUP_GET_DEVICE_FD, uuid);
    if (device < 0) die("VFIO_GROUP_GET_DEVICE_FD");

    if (strcmp(argv[1], "paint") == 0) {
        struct vfio_region_info info = { .argsz = sizeof info, .index = MDPY_DISPLAY_REGION };
        if (ioctl(device, VFIO_DEVICE_GET_REGION_INFO, &info) < 0) die("VFIO_DEVICE_GET_REGION_INFO");
        uint8_t *fb = mmap(NULL, info.size, PROT_READ | PROT_WRITE, MAP_SHARED, device, (off_t)info.offset);
        if (fb == MAP_FAILED) die("mmap of the display region");
        for (int y = 0; y < H; y++) {
            uint32_t *row = (uint32_t *)(fb + (size_t)y * STRIDE);
            for (int x = 0; x < W; x++) {
                row[x] = pixel(x, y);
            }
        }
        munmap(fb, info.size);
    }
    printf("ready %d device-fd %d\n", (int)getpid(), device);
    fflush(stdout);
    char c;
    while (read(0, &c, 1) > 0) {
        /* hold until stdin closes or a signal ends us */
    }
    return 0;
}
