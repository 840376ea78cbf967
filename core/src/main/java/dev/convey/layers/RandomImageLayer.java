package dev.convey.layers;

import java.util.Random;

import dev.convey.data.BatchAugmentation;
import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;

/**
 * Keras 3's image augmentation layers ({@code RandomFlip}, {@code RandomRotation}, {@code RandomZoom},
 * {@code RandomTranslation}, {@code RandomContrast}, {@code RandomCrop}) on NHWC images: active only in training
 * (Keras' default {@code training=None} outside fit), where each image gets its own random parameters from the
 * layer's generator (seeded by Keras' {@code seed} argument: the same seed gives the same sequence of
 * outputs); outside training the identity ({@code RandomCrop}: its centred crop). Given the random parameters a
 * layer is linear in its input, so backward is the exact adjoint of what forward did (Keras' own layers are not
 * differentiated through in practice: they sit right after the input).
 *
 * <p>The same layer augments a dataset ({@link BatchAugmentation#on}): then the randomness comes from the
 * dataset's seed, epoch and batch index.
 */
abstract class RandomImageLayer extends Layer implements BatchAugmentation {

    private final Long seed;
    private Random random;
    private boolean active;
    private Tensor output;
    private Tensor inputGradient;
    private int[] inputShape;
    private float[] in;    // the batch as an array (forward: x, backward: dL/dx), reused
    private float[] out;   // forward: y, backward: dL/dy, reused

    RandomImageLayer(String nameStem, Long seed) {
        super(nameStem);
        this.seed = seed;
        this.random = seed == null ? null : new Random(seed);
    }

    /** Starts a seeded layer's sequence of draws again (as a fresh layer with the same seed). */
    void restartGenerator() {
        if (seed != null) {
            random = new Random(seed);
        }
    }

    /** Keras' {@code seed} (null: unseeded, drawn from the global generator {@link Layer#setRandomSeed}). */
    public Long seed() {
        return seed;
    }

    /** The output image shape (h, w, c) for an input image shape; the same by default. */
    int[] outputImageShape(int[] image) {
        return image.clone();
    }

    /** The training transform of the whole batch x into y, drawing from {@code random}; remembers what backward needs. */
    abstract void transform(float[] x, int n, int h, int w, int c, Random random, float[] y);

    /** The adjoint of the last {@link #transform}: adds into dx (zeroed). */
    abstract void transformBackward(float[] dy, int n, int h, int w, int c, float[] dx);

    /** The settings make training the identity too (a factor of 0). */
    boolean isIdentity() {
        return false;
    }

    /** Outside training: the identity ({@code RandomCrop} overrides it with its centred crop). */
    Tensor inference(Tensor x) {
        return x;
    }

    /** The adjoint of {@link #inference}. */
    Tensor inferenceBackward(Tensor dy, int[] inputShape) {
        return dy;
    }

    @Override
    protected int[] computeOutputShape(int[][] inputShapes) {
        int[] s = LayerArgs.singleInput(this, inputShapes, 3, "(batch, height, width, channels)");
        return outputImageShape(s);
    }

    @Override
    protected Tensor computeForward(Tensor[] inputs, boolean training) {
        Tensor x = inputs[0];
        inputShape = x.shape();
        active = training && !isIdentity();
        if (!active) {
            return inference(x);
        }
        output = Tensor.reuse(output, outputShape(x));
        run(x, random != null ? random : random(), output);
        return output;
    }

    private int[] outputShape(Tensor x) {
        return Shapes.withBatch(x.dim(0), outputImageShape(Shapes.withoutBatch(x.shape())));
    }

    private void run(Tensor x, Random r, Tensor y) {
        in = ImageWindows.exactly(in, x.size());
        out = ImageWindows.exactly(out, y.size());
        x.data().get(0, in);
        transform(in, x.dim(0), x.dim(1), x.dim(2), x.dim(3), r, out);
        y.data().put(0, out);
    }


    @Override
    protected Tensor[] computeBackward(Tensor outputGradient, boolean[] inputGradientNeeded, boolean weightGradients) {
        if (!inputGradientNeeded[0]) {
            return new Tensor[] {null};
        }
        if (!active) {
            return new Tensor[] {inferenceBackward(outputGradient, inputShape)};
        }
        requireSameShape("output gradient", outputGradient, output);
        inputGradient = Tensor.reuse(inputGradient, inputShape);
        out = ImageWindows.exactly(out, outputGradient.size());
        in = ImageWindows.exactly(in, inputGradient.size());
        outputGradient.data().get(0, out);
        java.util.Arrays.fill(in, 0f);
        transformBackward(out, inputShape[0], inputShape[1], inputShape[2], inputShape[3], in);
        inputGradient.data().put(0, in);
        return new Tensor[] {inputGradient};
    }

    /**
     * The training transform with the given generator, as a new tensor (for datasets: one caller at a time; the
     * layer's buffers are shared with its forward pass, so one layer object is not used in a model and on a
     * dataset at once).
     */
    @Override
    public synchronized Tensor augment(Tensor images, Random r) {
        if (images.rank() != 4) {
            throw shapeError("augments batches (batch, height, width, channels), got " + Shapes.toString(images.shape()));
        }
        computeOutputShape(new int[][] {Shapes.withoutBatch(images.shape())});
        Tensor y = Tensor.zeros(outputShape(images));
        if (isIdentity()) {
            return y.copyFrom(images);
        }
        run(images, r, y);
        return y;
    }

    // ---------------------------------------------------------------- shared parameter checks

    /**
     * Keras' {@code _set_factor} of the base class and of RandomZoom/RandomTranslation: a number f gives
     * [max(-|f|, lowest), |f|], a pair is sorted; every value in [lowest, 1].
     */
    static double[] factorRange(String layer, String name, double[] factor, double lowest) {
        String expected = layer + " " + name + " must be a number or a pair of numbers in [" + lowest + ", 1], got "
                + java.util.Arrays.toString(factor);
        if (factor.length == 1) {
            double f = factor[0];
            if (!(f >= lowest && f <= 1)) {
                throw new IllegalArgumentException(expected);
            }
            return new double[] {Math.max(-Math.abs(f), lowest), Math.abs(f)};
        }
        if (factor.length != 2 || !(factor[0] >= -1 && factor[0] <= 1 && factor[1] >= -1 && factor[1] <= 1)) {
            throw new IllegalArgumentException(expected);
        }
        return new double[] {Math.min(factor[0], factor[1]), Math.max(factor[0], factor[1])};
    }

    /** A factor as Keras writes it back: the number, or the pair. */
    static Object factorConfig(double[] given) {
        return given.length == 1 ? (Object) given[0] : java.util.List.of(given[0], given[1]);
    }

    /** Uniform in [lower, upper), Keras' random.uniform. */
    static double uniform(Random r, double lower, double upper) {
        return lower + (upper - lower) * r.nextDouble();
    }
}
