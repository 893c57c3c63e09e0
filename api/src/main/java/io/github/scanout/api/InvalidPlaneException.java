package io.github.scanout.api;

/**
 * A device described a plane that breaks one of the rules for untrusted plane info
 * ({@code docs/abi.md} section 7). The guest controls these values: this is bad input,
 * not a bug. The message names the field, its value and the rule.
 */
public class InvalidPlaneException extends DeviceException {
    private static final long serialVersionUID = 1L;

    /** The struct field that broke the rule. */
    private final String field;
    /** The rule in words. */
    private final String rule;

    /**
     * A plane field that broke a rule.
     *
     * @param plane which plane (for the message), for example {@code "primary plane"}
     * @param field the struct field that broke the rule, for example {@code "stride"}
     * @param rule the rule, for example {@code "stride >= width x bytes per pixel (4096)"}
     * @param value the offending value as the device gave it
     */
    public InvalidPlaneException(String plane, String field, String value, String rule) {
        super("invalid " + plane + ": " + field + " = " + value + " breaks rule: " + rule);
        this.field = field;
        this.rule = rule;
    }

    /** {@return the offending struct field name, as in {@code vfio_device_gfx_plane_info}} */
    public String field() {
        return field;
    }

    /** {@return the rule in words} */
    public String rule() {
        return rule;
    }
}
