package dev.convey.data;

/** Keras' {@code color_mode}: how many channels a loaded image has. */
public enum ColorMode {
    /** Three channels R, G, B. */
    RGB(3),
    /** One channel, Pillow's {@code convert("L")}: L = (19595 R + 38470 G + 7471 B + 2^15) >> 16 (ITU-R 601 luma). */
    GRAYSCALE(1);

    private final int channels;

    ColorMode(int channels) {
        this.channels = channels;
    }

    public int channels() {
        return channels;
    }
}
