package dev.convey.layers;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import dev.convey.tensor.Parallel;
import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;

/**
 * Keras' {@code ZeroPadding2D}: adds rows and columns of zeros around each NHWC image:
 * <pre>
 *   y[n, h + top, w + left, c] = x[n, h, w, c], zero elsewhere;   dL/dx[n, h, w, c] = dL/dy[n, h + top, w + left, c]
 * </pre>
 * ResNet50 uses it before its stride-2 7x7 conv and 3x3 max pool, to get Caffe's symmetric padding.
 */
public final class ZeroPadding2D extends Layer implements InputPaddingFold.ZeroBorder {

    private static final int MIN_FLOATS_PER_CHUNK = 1 << 15;

    private final int top;
    private final int bottom;
    private final int left;
    private final int right;

    private Tensor output;
    private Tensor inputGradient;

    /** Keras' default: one pixel on every side. */
    public ZeroPadding2D() {
        this(1);
    }

    /** Keras' {@code padding=p}: p pixels on every side. */
    public ZeroPadding2D(int padding) {
        this(new int[][] {{padding, padding}, {padding, padding}});
    }

    /** Keras' {@code padding=(h, w)}: h rows above and below, w columns left and right. */
    public ZeroPadding2D(int[] heightWidth) {
        this(symmetric(heightWidth));
    }

    /** Keras' {@code padding=((top, bottom), (left, right))}. */
    public ZeroPadding2D(int[][] padding) {
        super("zero_padding2d");
        if (padding.length != 2 || padding[0].length != 2 || padding[1].length != 2
                || Arrays.stream(padding).flatMapToInt(Arrays::stream).anyMatch(p -> p < 0)) {
            throw new IllegalArgumentException(describe() + ": padding must be ((top, bottom), (left, right)) of"
                    + " non-negative ints, got " + Arrays.deepToString(padding));
        }
        this.top = padding[0][0];
        this.bottom = padding[0][1];
        this.left = padding[1][0];
        this.right = padding[1][1];
    }

    private static int[][] symmetric(int[] hw) {
        if (hw.length != 2) {
            throw new IllegalArgumentException("ZeroPadding2D: padding (height, width) needs 2 ints, got "
                    + Arrays.toString(hw));
        }
        return new int[][] {{hw[0], hw[0]}, {hw[1], hw[1]}};
    }

    /** ((top, bottom), (left, right)), Keras' normalised form. */
    public int[][] padding() {
        return new int[][] {{top, bottom}, {left, right}};
    }

    /** Keras' {@code get_config()}: padding as [[top, bottom], [left, right]], data_format. */
    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("padding", List.of(list(padding()[0]), list(padding()[1])));
        c.put("data_format", "channels_last");
        return c;
    }

    @Override
    protected int[] computeOutputShape(int[][] inputShapes) {
        int[] s = LayerArgs.singleInput(this, inputShapes, 3, "(batch, height, width, channels)");
        return new int[] {grow(s[0], top + bottom), grow(s[1], left + right), s[2]};
    }

    private static int grow(int size, int pad) {
        return size == Shapes.UNKNOWN ? Shapes.UNKNOWN : size + pad;
    }

    @Override
    protected Tensor computeForward(Tensor[] inputs, boolean training) {
        Tensor x = inputs[0];
        int n = x.dim(0);
        int h = x.dim(1);
        int w = x.dim(2);
        int c = x.dim(3);
        int outH = h + top + bottom;
        int outW = w + left + right;
        output = Tensor.reuse(output, n, outH, outW, c);
        FloatBuffer src = x.data();
        FloatBuffer dst = output.data();
        int outRow = outW * c;
        // One output row (n, oh) at a time: zeros, or zeros | a bulk copy of the input row | zeros.
        Parallel.range(n * outH, Math.max(1, MIN_FLOATS_PER_CHUNK / outRow), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int ih = r % outH - top;
                int start = r * outRow;
                if (ih < 0 || ih >= h) {
                    zero(dst, start, outRow);
                } else {
                    zero(dst, start, left * c);
                    dst.put(start + left * c, src, ((r / outH) * h + ih) * w * c, w * c);
                    zero(dst, start + (left + w) * c, right * c);
                }
            }
        });
        return output;
    }

    @Override
    protected Tensor[] computeBackward(Tensor outputGradient, boolean[] inputGradientNeeded, boolean weightGradients) {
        requireSameShape("output gradient", outputGradient, output);
        if (!inputGradientNeeded[0]) {
            return new Tensor[] {null};
        }
        int n = output.dim(0);
        int outH = output.dim(1);
        int outW = output.dim(2);
        int c = output.dim(3);
        int h = outH - top - bottom;
        int w = outW - left - right;
        inputGradient = Tensor.reuse(inputGradient, n, h, w, c);
        FloatBuffer dy = outputGradient.data();
        FloatBuffer dx = inputGradient.data();
        // Crop: each input row's gradient is one bulk copy from the middle of an output row.
        Parallel.range(n * h, Math.max(1, MIN_FLOATS_PER_CHUNK / (w * c)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int oh = r % h + top;
                dx.put(r * w * c, dy, (((r / h) * outH + oh) * outW + left) * c, w * c);
            }
        });
        return new Tensor[] {inputGradient};
    }

    private static void zero(FloatBuffer b, int start, int length) {
        for (int i = start; i < start + length; i++) {
            b.put(i, 0f);
        }
    }
}
