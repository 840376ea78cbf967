package dev.convey.applications;

import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Arrays;

import dev.convey.layers.GlobalAveragePooling2D;
import dev.convey.layers.GlobalMaxPooling2D;
import dev.convey.layers.Layer;
import dev.convey.models.SymbolicTensor;
import dev.convey.tensor.Shapes;

/**
 * The arguments of Keras' application constructors ({@code VGG16(include_top=..., weights=..., ...)}), with
 * Keras' defaults, as a fluent object:
 * <pre>
 *   Model base = VGG16.create(new ApplicationOptions().includeTop(false).inputShape(150, 150, 3));
 * </pre>
 */
public final class ApplicationOptions {

    /** Keras' {@code weights="imagenet"}: the pretrained weights, from the cache or downloaded. */
    public static final String IMAGENET = "imagenet";

    private boolean includeTop = true;
    private String weights = IMAGENET;
    private int[] inputShape;
    private String pooling;
    private int classes = ImageNet.CLASSES;
    private String classifierActivation = "softmax";
    private int widthDivisor = 1;
    private WeightsCache cache;
    private double alpha = 1.0;
    private int depthMultiplier = 1;
    private double dropout = Double.NaN;

    /** Whether to include the fully connected classifier on top (default true). */
    public ApplicationOptions includeTop(boolean value) {
        this.includeTop = value;
        return this;
    }

    /**
     * {@code "imagenet"} (default: the pretrained weights), {@code null} (random initialisation) or the path of
     * a Keras weights file (HDF5, loaded in Keras' topological order, as {@code model.load_weights} does).
     */
    public ApplicationOptions weights(String value) {
        this.weights = value;
        return this;
    }

    /**
     * The input shape (height, width, channels); -1 for a size known only at run time. Default (224, 224, 3) with
     * the top, (-1, -1, 3) without.
     */
    public ApplicationOptions inputShape(int... hwc) {
        this.inputShape = hwc == null ? null : hwc.clone();
        return this;
    }

    /** Without the top: {@code null} (the 4-D feature map), {@code "avg"} or {@code "max"} global pooling. */
    public ApplicationOptions pooling(String value) {
        this.pooling = value;
        return this;
    }

    /** The number of classes of the classifier (default 1000; must be 1000 with the ImageNet weights). */
    public ApplicationOptions classes(int value) {
        this.classes = value;
        return this;
    }

    /**
     * The activation of the last Dense layer: {@code "softmax"} (default) or {@code "linear"} for the logits.
     * With pretrained weights only these two make sense, as in Keras.
     */
    public ApplicationOptions classifierActivation(String value) {
        this.classifierActivation = value;
        return this;
    }

    /**
     * Test and benchmark hook, not in Keras: divides every channel count (and the 4096 units of VGG16's fully
     * connected layers) by this number. The tiny fixtures use 16: VGG16 with 4..32 channels and fc1/fc2 of 256,
     * ResNet50 with 4..128 channels. The classifier keeps {@link #classes} outputs. Default 1 (the real models).
     */
    public ApplicationOptions widthDivisor(int value) {
        this.widthDivisor = value;
        return this;
    }

    /** Where {@code "imagenet"} weights are looked up and downloaded to (default: {@link WeightsCache#standard()}). */
    public ApplicationOptions cache(WeightsCache value) {
        this.cache = value;
        return this;
    }

    /** MobileNet's and MobileNetV2's width multiplier {@code alpha} (default 1.0). */
    public ApplicationOptions alpha(double value) {
        this.alpha = value;
        return this;
    }

    /** MobileNet's {@code depth_multiplier} of its depthwise convolutions (default 1). */
    public ApplicationOptions depthMultiplier(int value) {
        this.depthMultiplier = value;
        return this;
    }

    /** The dropout rate before the classifier (MobileNet: default 1e-3; EfficientNet: its own per size). */
    public ApplicationOptions dropout(double value) {
        this.dropout = value;
        return this;
    }

    public double alpha() {
        return alpha;
    }

    public int depthMultiplier() {
        return depthMultiplier;
    }

    /** The dropout rate, or {@code fallback} (the application's default) when none was set. */
    public double dropoutOr(double fallback) {
        return Double.isNaN(dropout) ? fallback : dropout;
    }

    public boolean includeTop() {
        return includeTop;
    }

    public String weights() {
        return weights;
    }

    public String pooling() {
        return pooling;
    }

    public int classes() {
        return classes;
    }

    public String classifierActivation() {
        return classifierActivation;
    }

    public int widthDivisor() {
        return widthDivisor;
    }

    /** The input shape given, or null (the application's default). */
    public int[] inputShape() {
        return inputShape == null ? null : inputShape.clone();
    }

    public WeightsCache cache() {
        return cache != null ? cache : WeightsCache.standard();
    }

    /**
     * Without the top, Keras' {@code pooling}: global average or max pooling over the feature map, giving one vector
     * per image; no pooling returns {@code x}. The names are Keras' (null: Keras' automatic name).
     */
    SymbolicTensor applyPooling(SymbolicTensor x, String avgName, String maxName) {
        if ("avg".equals(pooling)) {
            Layer avg = new GlobalAveragePooling2D();
            return (avgName == null ? avg : avg.name(avgName)).apply(x);
        }
        if ("max".equals(pooling)) {
            Layer max = new GlobalMaxPooling2D();
            return (maxName == null ? max : max.name(maxName)).apply(x);
        }
        return x;
    }

    /** True for {@code weights("imagenet")}. */
    boolean imagenetWeights() {
        return IMAGENET.equals(weights);
    }

    /** {@code channels / widthDivisor}, refusing a divisor that does not divide (a silently different model). */
    int width(int channels) {
        if (channels % widthDivisor != 0) {
            throw new IllegalArgumentException("widthDivisor " + widthDivisor + " does not divide the channel count "
                    + channels);
        }
        return channels / widthDivisor;
    }

    /**
     * Checks the arguments as Keras' application constructors and {@code obtain_input_shape} do, and returns the
     * input shape to build (height, width, channels).
     */
    int[] validate(String modelName) {
        return validate(modelName, 224, 32);
    }

    /** {@link #validate(String)} with the application's default and minimum input sizes. */
    int[] validate(String modelName, int defaultSize, int minSize) {
        String where = modelName + ": ";
        if (weights != null && !imagenetWeights() && !Files.isRegularFile(Paths.get(weights))) {
            throw new IllegalArgumentException(where + "weights must be null (random initialisation), \"imagenet\" "
                    + "(pre-training on ImageNet) or the path to a weights file; no file " + weights + " exists");
        }
        if (imagenetWeights() && includeTop && classes != ImageNet.CLASSES) {
            throw new IllegalArgumentException(where + "with weights \"imagenet\" and includeTop, classes must be "
                    + ImageNet.CLASSES + ", got " + classes);
        }
        if (imagenetWeights() && widthDivisor != 1) {
            throw new IllegalArgumentException(where + "there are no ImageNet weights for widthDivisor " + widthDivisor);
        }
        if (widthDivisor < 1) {
            throw new IllegalArgumentException(where + "widthDivisor must be at least 1, got " + widthDivisor);
        }
        if (classes < 1) {
            throw new IllegalArgumentException(where + "classes must be at least 1, got " + classes);
        }
        if (pooling != null && !pooling.equals("avg") && !pooling.equals("max")) {
            throw new IllegalArgumentException(where + "pooling must be null, \"avg\" or \"max\", got \"" + pooling + "\"");
        }
        if (weights != null && includeTop && !classifierActivation.equals("softmax")
                && !classifierActivation.equals("linear")) {
            throw new IllegalArgumentException(where + "with pretrained weights the classifier activation must be "
                    + "\"softmax\" or \"linear\", got \"" + classifierActivation + "\"");
        }
        return inputShape(where, defaultSize, minSize);
    }

    /** Keras' obtain_input_shape(default_size, min_size, require_flatten=includeTop). */
    private int[] inputShape(String where, int defaultSize, int minSize) {
        int[] defaultShape = {defaultSize, defaultSize, 3};
        if (inputShape == null) {
            return includeTop ? defaultShape : new int[] {Shapes.UNKNOWN, Shapes.UNKNOWN, 3};
        }
        String given = Shapes.toString(inputShape);
        if (imagenetWeights() && includeTop && !Arrays.equals(inputShape, defaultShape)) {
            throw new IllegalArgumentException(where + "with includeTop and weights \"imagenet\" the input shape must be "
                    + Shapes.toString(defaultShape) + ", got " + given);
        }
        if (inputShape.length != 3) {
            throw new IllegalArgumentException(where + "inputShape must be (height, width, channels), got " + given);
        }
        if (imagenetWeights() && inputShape[2] != 3) {
            throw new IllegalArgumentException(where + "the input must have 3 channels, got " + given);
        }
        for (int axis = 0; axis < 2; axis++) {
            if (inputShape[axis] != Shapes.UNKNOWN && inputShape[axis] < minSize) {
                throw new IllegalArgumentException(where + "input size must be at least " + minSize + "x" + minSize
                        + ", got " + given);
            }
        }
        if (includeTop && (inputShape[0] == Shapes.UNKNOWN || inputShape[1] == Shapes.UNKNOWN)) {
            throw new IllegalArgumentException(where + "with includeTop the input shape must be fully known, got " + given);
        }
        return inputShape.clone();
    }
}
