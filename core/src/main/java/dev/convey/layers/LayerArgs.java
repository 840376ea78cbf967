package dev.convey.layers;

import java.util.Arrays;

import dev.convey.tensor.Shapes;

/** Argument checks shared by the layers' constructors and fluent setters, with messages naming the layer. */
final class LayerArgs {

    private LayerArgs() {
    }

    /**
     * Keras' "an int or a tuple of 2 ints": one value is used for both spatial axes, two are (height, width).
     * Every value must be at least 1.
     */
    static int[] pair(Layer layer, String argument, int... values) {
        if (values == null || values.length < 1 || values.length > 2) {
            throw new IllegalArgumentException(layer.describe() + ": " + argument
                    + " must be one int or two ints (height, width), got " + Arrays.toString(values));
        }
        int[] hw = values.length == 1 ? new int[] {values[0], values[0]} : values.clone();
        if (hw[0] < 1 || hw[1] < 1) {
            throw new IllegalArgumentException(layer.describe() + ": " + argument + " must be positive, got "
                    + Arrays.toString(values));
        }
        return hw;
    }

    /** Keras rejects strides > 1 with dilation_rate > 1 (TensorFlow's dilated convolution does not stride). */
    static void stridesWithoutDilation(Layer layer, int[] strides, int[] dilationRate) {
        if ((strides[0] > 1 || strides[1] > 1) && (dilationRate[0] > 1 || dilationRate[1] > 1)) {
            throw new IllegalArgumentException(layer.describe() + ": strides > 1 cannot be combined with dilation_rate"
                    + " > 1 (strides " + strides[0] + "x" + strides[1] + ", dilation_rate " + dilationRate[0] + "x"
                    + dilationRate[1] + "), as in Keras");
        }
    }

    /** A count such as filters or units: at least 1. */
    static int positive(Layer layer, String argument, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(layer.describe() + ": " + argument + " must be positive, got " + value);
        }
        return value;
    }

    /** Setters that change the weights' or the output's shape are only allowed before build (as in Keras). */
    static void requireUnbuilt(Layer layer, String argument) {
        if (layer.isBuilt()) {
            throw new IllegalStateException(layer.describe() + ": " + argument
                    + " must be set before the layer is built (it was built for input shape "
                    + Layer.shapesToString(layer.inputShapes(), true) + ")");
        }
    }

    /** The only input's shape (without batch) after checking there is exactly one, of the given rank. */
    static int[] singleInput(Layer layer, int[][] inputShapes, int rank, String expected) {
        if (inputShapes.length != 1) {
            throw layer.shapeError("expects exactly one input, got " + inputShapes.length);
        }
        int[] s = inputShapes[0];
        if (rank >= 0 && s.length != rank) {
            throw layer.shapeError("expects input of rank " + (rank + 1) + " " + expected + ", got shape "
                    + Shapes.toString(Shapes.withBatch(Shapes.UNKNOWN, s)));
        }
        return s;
    }

    /** Throws {@code layer}'s shape error unless the shapes agree where both are known. */
    static void checkCompatible(Layer layer, int[][] actual, int[][] expected, String verb) {
        boolean ok = actual.length == expected.length;
        for (int i = 0; ok && i < actual.length; i++) {
            ok = actual[i].length == expected[i].length;
            for (int a = 0; ok && a < actual[i].length; a++) {
                ok = expected[i][a] == Shapes.UNKNOWN || actual[i][a] == Shapes.UNKNOWN || expected[i][a] == actual[i][a];
            }
        }
        if (!ok) {
            throw layer.shapeError(verb + " input shape " + Layer.shapesToString(expected, true) + " but got "
                    + Layer.shapesToString(actual, true));
        }
    }

    static int[][] deepCopy(int[][] shapes) {
        int[][] out = new int[shapes.length][];
        for (int i = 0; i < shapes.length; i++) {
            out[i] = shapes[i].clone();
        }
        return out;
    }
}
