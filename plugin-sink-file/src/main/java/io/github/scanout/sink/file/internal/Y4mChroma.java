package io.github.scanout.sink.file.internal;

/** Chroma subsampling of the Y4M stream. */
public enum Y4mChroma {
    /** 4:2:0, chroma averaged over 2x2 pixels, centred ({@code C420jpeg}); what players expect. */
    C420("420", "C420jpeg"),
    /** 4:4:4, no subsampling ({@code C444}); exact colours, twice the size of 4:2:0. */
    C444("444", "C444");

    private final String key;
    private final String tag;

    Y4mChroma(String key, String tag) {
        this.key = key;
        this.tag = tag;
    }

    /** The configuration value: {@code 420} or {@code 444}. */
    public String key() {
        return key;
    }

    /** The stream header's C parameter. */
    public String tag() {
        return tag;
    }
}
