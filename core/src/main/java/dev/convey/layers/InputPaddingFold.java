package dev.convey.layers;

/**
 * A layer that can read a ZeroPadding2D's input directly, the zero border becoming part of its window geometry
 * ({@link Window2D#of(int[], int[], int[], int[], Padding, int[])}: output size as over the padded input, taps
 * in the border read 0). A convolution gives exactly the same numbers, since a zero tap adds 0 * w; the copy
 * of the whole feature map into a bordered one disappears. The inference planner {@code PaddingFold} asks it.
 */
public interface InputPaddingFold {

    /**
     * From now on, inputs arrive without the border ((top, bottom), (left, right)) that the layer reads around
     * them; null: inputs arrive as built. Inference only: the layer's backward pass expects a plain forward pass.
     */
    void foldInputPadding(int[][] border);

    /** A layer whose output is its input with a zero border ((top, bottom), (left, right)) around it: ZeroPadding2D. */
    interface ZeroBorder {
        int[][] padding();
    }
}
