package dev.convey.layers;

/**
 * A layer that can read a ZeroPadding2D's input directly, the zero border becoming part of its window geometry
 * ({@link Window2D#of(int[], int[], int[], int[], Padding, int[])}: output size as over the padded input, taps
 * in the border read 0). A convolution gives exactly the same numbers, since a zero tap adds 0 * w; a pooling
 * counts a border tap as a pixel of value 0 (in the max, and in the average's divisor), as over the padded copy.
 * The copy of the whole feature map into a bordered one disappears. The inference planner {@code PaddingFold}
 * asks it.
 */
public interface InputPaddingFold {

    /**
     * From now on, inputs arrive without the border ((top, bottom), (left, right)) that the layer reads around
     * them; null: inputs arrive as built. Inference only: the layer's backward pass expects a plain forward pass.
     */
    void foldInputPadding(int[][] border);

    /** {top, bottom, left, right} of a border ((top, bottom), (left, right)); null stays null. */
    static int[] flat(int[][] border) {
        return border == null ? null : new int[] {border[0][0], border[0][1], border[1][0], border[1][1]};
    }

    /**
     * The input shapes (no batch) a layer with a folded border {top, bottom, left, right} (or null) reads when
     * fed {@code fed}: its one (height, width, channels) input with the border around it.
     */
    static int[][] shapesAsRead(int[][] fed, int[] border) {
        if (border == null || fed.length != 1 || fed[0].length != 3) {
            return fed;
        }
        int[] s = fed[0];
        return new int[][] {{s[0] + border[0] + border[1], s[1] + border[2] + border[3], s[2]}};
    }

    /** A layer whose output is its input with a zero border ((top, bottom), (left, right)) around it: ZeroPadding2D. */
    interface ZeroBorder {
        int[][] padding();
    }
}
