package dev.convey.layers;

import dev.convey.tensor.Shapes;

/**
 * The geometry of a 2-D sliding window (a convolution kernel or a pooling window) over an NHWC batch: input
 * size, window, strides, dilation, and from them, by {@link Padding}'s arithmetic, the output size and the
 * top/left padding. Input pixel of output (oh, ow) and window tap (i, j):
 * <pre>
 *   ih = oh * strideH - padTop + i * dilationH,   iw = ow * strideW - padLeft + j * dilationW
 * </pre>
 * (outside 0 &lt;= ih &lt; height, 0 &lt;= iw &lt; width the pixel is padding).
 */
record Window2D(int batch, int height, int width, int channels,
                int kernelH, int kernelW, int strideH, int strideW, int dilationH, int dilationW,
                int outH, int outW, int padTop, int padLeft) {

    /** The geometry for a concrete NHWC input shape (batch first). */
    static Window2D of(int[] nhwc, int[] kernel, int[] strides, int[] dilation, Padding padding) {
        int h = nhwc[1];
        int w = nhwc[2];
        return new Window2D(nhwc[0], h, w, nhwc[3], kernel[0], kernel[1], strides[0], strides[1], dilation[0], dilation[1],
                padding.outputSize(h, kernel[0], strides[0], dilation[0]),
                padding.outputSize(w, kernel[1], strides[1], dilation[1]),
                padding.padBefore(h, kernel[0], strides[0], dilation[0]),
                padding.padBefore(w, kernel[1], strides[1], dilation[1]));
    }

    /**
     * The geometry over {@code nhwc} with a zero border {top, bottom, left, right} around it first (a folded
     * ZeroPadding2D; null: none): output size and padding as over the padded input, taps in the border read 0.
     */
    static Window2D of(int[] nhwc, int[] kernel, int[] strides, int[] dilation, Padding padding, int[] border) {
        if (border == null) {
            return of(nhwc, kernel, strides, dilation, padding);
        }
        Window2D p = of(new int[] {nhwc[0], nhwc[1] + border[0] + border[1], nhwc[2] + border[2] + border[3], nhwc[3]},
                kernel, strides, dilation, padding);
        return new Window2D(p.batch, nhwc[1], nhwc[2], p.channels, p.kernelH, p.kernelW, p.strideH, p.strideW,
                p.dilationH, p.dilationW, p.outH, p.outW, p.padTop + border[0], p.padLeft + border[2]);
    }

    /**
     * The symbolic output (height, width) for an input shape (height, width, channels) without batch, checking
     * the rank and that the window fits (Keras refuses an empty output too).
     */
    static int[] outputHeightWidth(Layer layer, int[][] inputShapes, int[] kernel, int[] strides, int[] dilation,
                                   Padding padding) {
        int[] s = LayerArgs.singleInput(layer, inputShapes, 3, "(batch, height, width, channels)");
        int[] hw = new int[2];
        for (int axis = 0; axis < 2; axis++) {
            hw[axis] = padding.outputSize(s[axis], kernel[axis], strides[axis], dilation[axis]);
            if (hw[axis] == 0) {
                throw layer.shapeError("the " + kernel[0] + "x" + kernel[1] + " window"
                        + (dilation[axis] > 1 ? " (dilation " + dilation[axis] + ")" : "") + " with padding '" + padding
                        + "' does not fit input shape " + Shapes.toString(Shapes.withBatch(Shapes.UNKNOWN, s))
                        + ": the output would be empty");
            }
        }
        return hw;
    }

    /** The same geometry over {@code batch} images. */
    Window2D withBatch(int batch) {
        return new Window2D(batch, height, width, channels, kernelH, kernelW, strideH, strideW, dilationH, dilationW,
                outH, outW, padTop, padLeft);
    }

    /** Output pixels in the batch: the rows of the patch matrix. */
    int outputPixels() {
        return batch * outH * outW;
    }

    /** Floats in one patch (one row of the patch matrix): kernelH * kernelW * channels. */
    int patchSize() {
        return kernelH * kernelW * channels;
    }

    /** The input row (height index) that tap i of output row oh reads; may lie in the padding. */
    int inputRow(int oh, int i) {
        return oh * strideH - padTop + i * dilationH;
    }

    /** The input column that tap j of output column ow reads; may lie in the padding. */
    int inputCol(int ow, int j) {
        return ow * strideW - padLeft + j * dilationW;
    }

    /** The float offset of pixel (n, ih, iw) in the NHWC input. */
    int inputOffset(int n, int ih, int iw) {
        return ((n * height + ih) * width + iw) * channels;
    }
}
