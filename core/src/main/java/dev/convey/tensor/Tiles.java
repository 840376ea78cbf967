package dev.convey.tensor;

/**
 * The old name of {@link Scratch}, kept so that code written against it still compiles.
 *
 * @deprecated use {@link Scratch}: {@code Scratch.floats(slot, n)}, {@code Scratch.rowsPerTile(cols)}
 */
@Deprecated
public final class Tiles {

    /** @see Scratch#FLOATS */
    public static final int FLOATS = Scratch.FLOATS;

    private Tiles() {
    }

    /** @see Scratch#floats */
    public static float[] scratch(int slot, int floats) {
        return Scratch.floats(slot, floats);
    }

    /** @see Scratch#rowsPerTile */
    public static int rowsPerTile(int cols) {
        return Scratch.rowsPerTile(cols);
    }
}
