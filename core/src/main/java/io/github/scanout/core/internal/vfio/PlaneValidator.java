package io.github.scanout.core.internal.vfio;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.Hotspot;
import io.github.scanout.api.InvalidPlaneException;
import io.github.scanout.api.Modifier;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import java.util.Optional;

/**
 * The one place where untrusted plane descriptions become {@link PlaneInfo}s: every rule of
 * {@code docs/abi.md} section 7 that can be checked on the struct alone. (The region
 * size check (rule 7) needs GET_REGION_INFO and lives in {@link VfioGfxDevice}; the dma-buf size
 * check (rule 8) needs the fd and lives there too.)
 *
 * <p>Rules, in the order they are checked:
 * <ol>
 *   <li>{@code flags} must be exactly the buffer type that was asked for, and
 *       {@code drm_plane_type} the plane that was asked for (drivers copy both back unchanged).</li>
 *   <li>{@code drm_format}, {@code size}, {@code width} or {@code height} zero: the plane is
 *       disabled, the answer is empty (not an error).</li>
 *   <li>Format from the allow-list ({@link DrmFormat#known()}) minus C8 (the ABI carries no
 *       palette); unknown fourccs are refused with the fourcc in the message.</li>
 *   <li>Modifier LINEAR or a known Intel tiling (X, Y, Yf); INVALID and anything else refused.</li>
 *   <li>width and height 1 to {@value #MAX_DIMENSION}; a cursor at most
 *       {@value #MAX_CURSOR}x{@value #MAX_CURSOR}.</li>
 *   <li>stride at least width x bytes per pixel and at most {@value #MAX_STRIDE}; a tiled stride
 *       a multiple of the tile width.</li>
 *   <li>Linear: {@code stride * (height - 1) + rowBytes <= size}; tiled:
 *       {@code stride * roundUp(height, tileRows) <= size}; all in 64-bit checked arithmetic.</li>
 *   <li>Cursor hotspot: both 0xFFFFFFFF (none) or both inside the cursor; one of them
 *       0xFFFFFFFF alone is invalid. Primary planes carry no hotspot.</li>
 *   <li>x_pos and y_pos are signed: values of 2^31 and above are negative.</li>
 * </ol>
 * Every refusal is an {@link InvalidPlaneException} naming the struct field, its value and the
 * rule. Stateless and thread-safe.
 */
public final class PlaneValidator {
    private PlaneValidator() {}

    public static final int MAX_DIMENSION = 16384;
    public static final int MAX_CURSOR = 256;
    public static final int MAX_STRIDE = 1 << 20;
    public static final long NO_HOTSPOT = 0xFFFF_FFFFL;

    /** {@link #validate(RawPlaneInfo, BufferType, PlaneType, String)} without a device name. */
    public static Optional<PlaneInfo> validate(RawPlaneInfo raw, BufferType asked, PlaneType plane)
            throws InvalidPlaneException {
        return validate(raw, asked, plane, null);
    }

    /**
     * Checks a device's answer to a {@code QUERY_GFX_PLANE} of {@code plane} with flags
     * {@code asked.flag()}.
     *
     * @param device the device name for messages, or null
     * @return the validated plane, or empty when the guest has disabled it
     * @throws InvalidPlaneException naming the field, value and rule that was broken
     */
    public static Optional<PlaneInfo> validate(RawPlaneInfo raw, BufferType asked, PlaneType plane, String device)
            throws InvalidPlaneException {
        // what a message names; built only when a rule is broken (this runs on every poll)
        Label label = new Label(device, plane, asked);

        if (raw.flags() != Integer.toUnsignedLong(asked.flag())) {
            throw invalid(label, "flags", hex(raw.flags()),
                    "flags must be what was asked (0x" + Integer.toHexString(asked.flag()) + ", " + asked + ")");
        }
        if (raw.drmPlaneType() != plane.drmValue()) {
            throw invalid(label, "drm_plane_type", Long.toString(raw.drmPlaneType()),
                    "drm_plane_type must be the plane asked for (" + plane.drmValue() + ", " + plane + ")");
        }
        if (raw.drmFormat() == 0 || raw.size() == 0 || raw.width() == 0 || raw.height() == 0) {
            return Optional.empty();
        }

        DrmFormat format = new DrmFormat((int) raw.drmFormat());
        if (format.equals(DrmFormat.C8)) {
            throw invalid(label, "drm_format", describe(format),
                    "format must not be C8: it is palette-indexed and the VFIO ABI carries no palette");
        }
        if (!format.isKnown()) {
            throw invalid(label, "drm_format", describe(format), "format must be one of " + DrmFormat.known());
        }

        Modifier modifier = new Modifier(raw.drmFormatMod());
        if (modifier.isInvalid()) {
            throw invalid(label, "drm_format_mod", "0x" + Long.toHexString(raw.drmFormatMod()) + " (INVALID)",
                    "modifier must be a real layout, not DRM_FORMAT_MOD_INVALID");
        }
        if (!modifier.isLinear() && !modifier.isKnownTiling()) {
            throw invalid(label, "drm_format_mod", "0x" + Long.toHexString(raw.drmFormatMod()),
                    "modifier must be LINEAR, I915_X_TILED, I915_Y_TILED or I915_YF_TILED");
        }

        if (raw.width() > MAX_DIMENSION) {
            throw invalid(label, "width", Long.toString(raw.width()), "width must be 1 to " + MAX_DIMENSION);
        }
        if (raw.height() > MAX_DIMENSION) {
            throw invalid(label, "height", Long.toString(raw.height()), "height must be 1 to " + MAX_DIMENSION);
        }
        if (plane == PlaneType.CURSOR) {
            if (raw.width() > MAX_CURSOR) {
                throw invalid(label, "width", Long.toString(raw.width()), "a cursor is at most " + MAX_CURSOR + " wide");
            }
            if (raw.height() > MAX_CURSOR) {
                throw invalid(label, "height", Long.toString(raw.height()), "a cursor is at most " + MAX_CURSOR + " high");
            }
        }

        long rowBytes;
        long required;
        try {
            rowBytes = PlaneInfo.rowBytes(format, raw.width());
            if (raw.stride() < rowBytes) {
                throw invalid(label, "stride", Long.toString(raw.stride()),
                        "stride >= width x bytes per pixel (" + rowBytes + " for " + raw.width() + " x " + format + ")");
            }
            if (raw.stride() > MAX_STRIDE) {
                throw invalid(label, "stride", Long.toString(raw.stride()), "stride <= " + MAX_STRIDE + " (1 MiB)");
            }
            if (!modifier.isLinear() && raw.stride() % modifier.tileWidthBytes() != 0) {
                throw invalid(label, "stride", Long.toString(raw.stride()), "a " + modifier + " stride is a multiple of the "
                        + modifier.tileWidthBytes() + "-byte tile width");
            }
            required = PlaneInfo.requiredBytes(format, modifier, raw.width(), raw.height(), raw.stride());
        } catch (ArithmeticException e) {
            throw invalid(label, "stride", Long.toString(raw.stride()), "layout size must fit in 64 bits");
        }
        if (required > raw.size()) {
            String rule = modifier.isLinear()
                    ? "stride x (height - 1) + width x bytes per pixel <= size (needs " + required + ")"
                    : "stride x roundUp(height, " + modifier.tileRows() + ") <= size (needs " + required + ")";
            throw invalid(label, "size", Long.toString(raw.size()), rule);
        }

        Optional<Hotspot> hotspot = Optional.empty();
        if (plane == PlaneType.CURSOR) {
            boolean noX = raw.xHot() == NO_HOTSPOT;
            boolean noY = raw.yHot() == NO_HOTSPOT;
            if (noX != noY) {
                String field = noX ? "y_hot" : "x_hot";
                long value = noX ? raw.yHot() : raw.xHot();
                throw invalid(label, field, Long.toString(value), "x_hot and y_hot are both 0xFFFFFFFF (no hotspot)"
                        + " or both inside the cursor; " + (noX ? "x_hot" : "y_hot") + " is 0xFFFFFFFF");
            }
            if (!noX) {
                if (raw.xHot() >= raw.width()) {
                    throw invalid(label, "x_hot", Long.toString(raw.xHot()),
                            "hotspot inside the cursor: x_hot < width (" + raw.width() + ") or 0xFFFFFFFF");
                }
                if (raw.yHot() >= raw.height()) {
                    throw invalid(label, "y_hot", Long.toString(raw.yHot()),
                            "hotspot inside the cursor: y_hot < height (" + raw.height() + ") or 0xFFFFFFFF");
                }
                hotspot = Optional.of(new Hotspot((int) raw.xHot(), (int) raw.yHot()));
            }
        }

        return Optional.of(new PlaneInfo(plane, asked, format, modifier, (int) raw.width(), (int) raw.height(),
                (int) raw.stride(), raw.size(), (int) raw.xPos(), (int) raw.yPos(), hotspot, raw.bufferId()));
    }

    /** The plane a message names, for example {@code sim:gvt primary plane (dmabuf)}. */
    private record Label(String device, PlaneType plane, BufferType asked) {
        @Override
        public String toString() {
            return (device == null ? "" : device + " ") + plane.name().toLowerCase(java.util.Locale.ROOT) + " plane ("
                    + asked + ")";
        }
    }

    private static InvalidPlaneException invalid(Label label, String field, String value, String rule) {
        return new InvalidPlaneException(label.toString(), field, value, rule);
    }

    private static String describe(DrmFormat f) {
        return String.format("0x%08x (%s)", f.fourcc(), f);
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
