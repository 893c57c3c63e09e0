// SPDX-License-Identifier: GPL-2.0
/*
 * scanout_import: a test-only dma-buf importer for Scanout's real-kernel tests.
 *
 * The kernel's mbochs sample exports dma-bufs that user space cannot mmap, so a test that
 * wants their pixels must do what a GPU driver does: attach to the dma-buf, map the
 * attachment, and read the pages. This module does exactly that and copies the bytes to user
 * space through one ioctl on /dev/scanout_import. It is loaded only inside the test guest.
 *
 *   struct scanout_import_copy { s32 fd; u32 pad; u64 offset; u64 length; u64 user_ptr; }
 *   SCANOUT_IMPORT_COPY = _IOW('S', 1, struct scanout_import_copy) = 0x40205301
 *   returns the number of bytes copied, or -errno.
 */
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/uaccess.h>
#include <linux/version.h>

struct scanout_import_copy {
	__s32 fd;
	__u32 pad;
	__u64 offset;
	__u64 length;
	__u64 user_ptr;
};

#define SCANOUT_IMPORT_COPY _IOW('S', 1, struct scanout_import_copy)

static u64 scanout_import_dma_mask = DMA_BIT_MASK(64);

static long scanout_import_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

static const struct file_operations scanout_import_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = scanout_import_ioctl,
};

static struct miscdevice scanout_import_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "scanout_import",
	.fops = &scanout_import_fops,
	.mode = 0600,
};

static long scanout_import_copy_pages(struct sg_table *sgt, const struct scanout_import_copy *req)
{
	struct sg_page_iter iter;
	u64 start = 0, copied = 0, want_end = req->offset + req->length;

	for_each_sgtable_page(sgt, &iter, 0) {
		u64 end = start + PAGE_SIZE;

		if (end > req->offset && start < want_end) {
			u64 from = max(start, req->offset);
			u64 to = min(end, want_end);
			void *va = kmap_local_page(sg_page_iter_page(&iter));
			unsigned long left = copy_to_user(
				(void __user *)(uintptr_t)(req->user_ptr + (from - req->offset)),
				va + (from - start), to - from);

			kunmap_local(va);
			if (left)
				return -EFAULT;
			copied += to - from;
		}
		if (end >= want_end)
			break;
		start = end;
	}
	return copied;
}

static long scanout_import_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct scanout_import_copy req;
	struct dma_buf *buf;
	struct dma_buf_attachment *att;
	struct sg_table *sgt;
	long ret;

	if (cmd != SCANOUT_IMPORT_COPY)
		return -ENOTTY;
	if (copy_from_user(&req, (void __user *)arg, sizeof(req)))
		return -EFAULT;
	if (req.length > SZ_256M)
		return -E2BIG;

	buf = dma_buf_get(req.fd);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	if (req.offset > buf->size || req.length > buf->size - req.offset) {
		ret = -EINVAL;
		goto put;
	}
	att = dma_buf_attach(buf, scanout_import_dev.this_device);
	if (IS_ERR(att)) {
		ret = PTR_ERR(att);
		goto put;
	}
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	/* Since 6.2 the plain call wants the reservation lock held: take the unlocked variant. */
	sgt = dma_buf_map_attachment_unlocked(att, DMA_FROM_DEVICE);
#else
	sgt = dma_buf_map_attachment(att, DMA_FROM_DEVICE);
#endif
	if (IS_ERR(sgt)) {
		ret = PTR_ERR(sgt);
		goto detach;
	}
	ret = scanout_import_copy_pages(sgt, &req);
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	dma_buf_unmap_attachment_unlocked(att, sgt, DMA_FROM_DEVICE);
#else
	dma_buf_unmap_attachment(att, sgt, DMA_FROM_DEVICE);
#endif
detach:
	dma_buf_detach(buf, att);
put:
	dma_buf_put(buf);
	return ret;
}

static int __init scanout_import_init(void)
{
	int ret = misc_register(&scanout_import_dev);

	if (ret)
		return ret;
	/* A device that can address all memory, so mapping the attachment needs no bounce. */
	scanout_import_dev.this_device->dma_mask = &scanout_import_dma_mask;
	scanout_import_dev.this_device->coherent_dma_mask = DMA_BIT_MASK(64);
	return 0;
}

static void __exit scanout_import_exit(void)
{
	misc_deregister(&scanout_import_dev);
}

module_init(scanout_import_init);
module_exit(scanout_import_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Scanout test-only dma-buf importer");
MODULE_IMPORT_NS(DMA_BUF);
