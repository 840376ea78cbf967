package dev.convey.layers;

import java.util.Map;

import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;

/**
 * What every Keras 2D convolution shares (Keras' {@code BaseConv}, {@code BaseDepthwiseConv}): the configuration
 * (kernel_size, strides, padding, dilation_rate; use_bias, activation and the kernel and bias weights are
 * {@link KernelLayer}'s) with its fluent setters and its {@code get_config()}. A convolution layer ({@link Conv2D},
 * {@link DepthwiseConv2D}) adds its own configuration, output shape, weights and forward and backward passes.
 *
 * <p>{@code same} padding follows TensorFlow: total pad = max((ceil(in/s)-1)*s + (k-1)*d + 1 - in, 0),
 * top/left = total/2, the extra pixel at bottom/right (see {@link Padding}).
 *
 * @param <T> the concrete layer, which the setters return so that builder chains keep its type
 */
public abstract class BaseConv<T extends BaseConv<T>> extends KernelLayer<T> {

    final int[] kernelSize;
    int[] strides = {1, 1};
    Padding padding = Padding.VALID;
    int[] dilationRate = {1, 1};
    /** A folded zero border {top, bottom, left, right} its inputs arrive without ({@link InputPaddingFold}), or null. */
    private int[] border;

    /** @param namePrefix Keras' name stem ({@code conv2d}, {@code depthwise_conv2d}) */
    BaseConv(String namePrefix, int[] kernelSize) {
        super(namePrefix);
        this.kernelSize = LayerArgs.pair(this, "kernel_size", kernelSize);
    }

    // ---------------------------------------------------------------- a folded zero border

    /** See {@link InputPaddingFold#foldInputPadding}; Conv2D and DepthwiseConv2D offer it. */
    public void foldInputPadding(int[][] border) {
        this.border = InputPaddingFold.flat(border);
    }

    /** The input (height, width, channels) read when fed {@code fed}: with the folded border around it. */
    @Override
    protected int[][] shapesAsRead(int[][] fed) {
        return InputPaddingFold.shapesAsRead(fed, border);
    }

    /** The window over the NHWC input shape, around which the folded border (if any) lies. */
    Window2D window(int[] nhwc) {
        return Window2D.of(nhwc, kernelSize, strides, dilationRate, padding, border);
    }

    // ---------------------------------------------------------------- configuration

    /** Keras' {@code strides}: one int for both axes or (height, width). Default 1. */
    public T strides(int... strides) {
        LayerArgs.requireUnbuilt(this, "strides");
        this.strides = LayerArgs.pair(this, "strides", strides);
        checkStridesAndDilation();
        return self();
    }

    /** Keras' {@code padding}: "valid" (default) or "same". */
    public T padding(String padding) {
        LayerArgs.requireUnbuilt(this, "padding");
        this.padding = Padding.forName(padding, describe());
        return self();
    }

    /** Keras' {@code dilation_rate}: one int or (height, width); taps are this many pixels apart. Default 1. */
    public T dilationRate(int... dilationRate) {
        LayerArgs.requireUnbuilt(this, "dilation_rate");
        this.dilationRate = LayerArgs.pair(this, "dilation_rate", dilationRate);
        checkStridesAndDilation();
        return self();
    }

    /** Keras rejects the combination, since TensorFlow's dilated convolution does not stride. */
    private void checkStridesAndDilation() {
        LayerArgs.stridesWithoutDilation(this, strides, dilationRate);
    }

    public int[] kernelSize() {
        return kernelSize.clone();
    }

    public int[] strides() {
        return strides.clone();
    }

    public Padding padding() {
        return padding;
    }

    public int[] dilationRate() {
        return dilationRate.clone();
    }

    /**
     * Keras' {@code get_config()}: the subclass' leading keys (Conv2D's filters), then kernel_size, strides,
     * padding, data_format, dilation_rate, activation, use_bias.
     */
    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        putLeadingConfig(c);
        c.put("kernel_size", list(kernelSize()));
        c.put("strides", list(strides()));
        c.put("padding", padding().kerasName());
        c.put("data_format", "channels_last");
        c.put("dilation_rate", list(dilationRate()));
        c.put("activation", activation().kerasName());
        c.put("use_bias", useBias());
        return c;
    }

    /** The output shape (outH, outW, channels) of this layer's window over the input (see {@link Window2D}). */
    int[] outputShape(int[][] inputShapes, int channels) {
        int[] hw = Window2D.outputHeightWidth(this, inputShapes, kernelSize, strides, dilationRate, padding);
        return new int[] {hw[0], hw[1], channels};
    }

    /** The input's channel count, which must be known to create the kernel. */
    int inputChannels(int[][] inputShapes) {
        int channels = inputShapes[0][2];
        if (channels < 1) {
            throw shapeError("the channel axis must be known to create the kernel, got input shape "
                    + shapesToString(inputShapes, true));
        }
        return channels;
    }

    /** A linear convolution can take the epilogue of the layers after it (see {@link Layer#canTakeEpilogue}). */
    @Override
    public boolean canTakeEpilogue() {
        return activation == ActivationFunction.LINEAR;
    }

    /**
     * The checks of an inference pass with the epilogue {@code after}: this layer is linear, a folded batch norm has
     * {@code channels} channels and a residual the output's shape. Returns the batch norm's {scale, shift}, or null.
     */
    final float[][] checkEpilogue(Epilogue after, int channels, int[] outputShape) {
        if (!canTakeEpilogue()) {
            throw new IllegalStateException(describe() + ": a batch norm can only be folded after a linear convolution, "
                    + "but the activation is " + activation);
        }
        float[][] scaleShift = after.scaleShift();
        if (scaleShift != null && scaleShift[0].length != channels) {
            throw shapeError("the folded batch norm has " + scaleShift[0].length + " channels, expected " + channels);
        }
        Tensor residual = after.residual();
        if (residual != null && !residual.hasShape(outputShape)) {
            throw shapeError("the residual added after the folded batch norm has shape "
                    + Shapes.toString(residual.shape()) + ", expected the output shape " + Shapes.toString(outputShape));
        }
        return scaleShift;
    }

    /** Keys Keras puts before {@code kernel_size} (none by default). */
    void putLeadingConfig(Map<String, Object> config) {
    }
}
