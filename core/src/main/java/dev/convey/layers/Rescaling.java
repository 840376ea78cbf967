package dev.convey.layers;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.convey.tensor.Parallel;
import dev.convey.tensor.Tensor;
import dev.convey.tensor.Scratch;

/**
 * Keras' {@code Rescaling(scale, offset=0)}: {@code y = x * scale + offset}, dL/dx = dL/dy * scale (e.g.
 * {@code Rescaling(1/255)}, EfficientNet's first layer). The scale is a number or, as Keras broadcasts a list
 * against the last axis, one number per channel: {@code y[..., c] = x[..., c] * scale[c] + offset} (EfficientNet's
 * third layer, {@code Rescaling([1 / sqrt(0.229), ...])}). The offset is a number.
 */
public final class Rescaling extends Layer {

    private static final int MIN_FLOATS_PER_CHUNK = 1 << 15;

    private final double[] scales;     // one number, or one per channel
    private final boolean perChannel;
    private final double offset;
    private final float[] repeatedScales;    // the scales repeated over a tile of whole pixels
    private Tensor output;
    private Tensor inputGradient;

    public Rescaling(double scale) {
        this(scale, 0);
    }

    public Rescaling(double scale, double offset) {
        this(new double[] {scale}, offset, false);
    }

    /** Keras' {@code Rescaling([s0, s1, ...], offset)}: one scale per channel of the last axis. */
    public Rescaling(double[] channelScales, double offset) {
        this(channelScales, offset, true);
    }

    private Rescaling(double[] scales, double offset, boolean perChannel) {
        super("rescaling");
        if (perChannel && scales.length == 0) {
            throw new IllegalArgumentException(describe() + ": the per-channel scale list is empty");
        }
        for (double s : scales) {
            if (!Double.isFinite(s) || !Double.isFinite(offset)) {
                throw new IllegalArgumentException(describe() + ": scale and offset must be finite, got "
                        + java.util.Arrays.toString(scales) + ", " + offset);
            }
        }
        this.scales = scales.clone();
        this.perChannel = perChannel;
        this.offset = offset;
        int c = scales.length;
        this.repeatedScales = new float[Math.max(1, Scratch.FLOATS / c) * c];
        for (int i = 0; i < repeatedScales.length; i++) {
            repeatedScales[i] = (float) scales[i % c];
        }
    }

    /** The scale; for a per-channel scale, an error (see {@link #channelScales()}). */
    public double scale() {
        if (perChannel) {
            throw new IllegalStateException(describe() + " has one scale per channel");
        }
        return scales[0];
    }

    /** The per-channel scales, or null for a single number. */
    public double[] channelScales() {
        return perChannel ? scales.clone() : null;
    }

    public double offset() {
        return offset;
    }

    /** Keras 3's {@code Rescaling.get_config()}. */
    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        if (perChannel) {
            List<Double> list = new ArrayList<>();
            for (double v : scales) {
                list.add(v);
            }
            c.put("scale", list);
        } else {
            c.put("scale", scales[0]);
        }
        c.put("offset", offset);
        return c;
    }

    @Override
    protected int[] computeOutputShape(int[][] inputShapes) {
        int[] s = LayerArgs.singleInput(this, inputShapes, -1, "");
        if (perChannel && (s.length == 0 || s[s.length - 1] != scales.length)) {
            throw shapeError("its " + scales.length + " per-channel scales need a last axis of " + scales.length
                    + ", got " + shapesToString(inputShapes, true));
        }
        return s.clone();
    }

    @Override
    protected Tensor computeForward(Tensor[] inputs, boolean training) {
        output = Tensor.reuse(output, inputs[0].shape());
        affine(inputs[0].data(), output.data(), output.size(), (float) offset);
        return output;
    }

    @Override
    protected Tensor[] computeBackward(Tensor outputGradient, boolean[] inputGradientNeeded, boolean weightGradients) {
        requireSameShape("output gradient", outputGradient, output);
        if (!inputGradientNeeded[0]) {
            return new Tensor[] {null};
        }
        inputGradient = Tensor.reuse(inputGradient, output.shape());
        affine(outputGradient.data(), inputGradient.data(), output.size(), 0f);
        return new Tensor[] {inputGradient};
    }

    /**
     * y[i] = x[i] * s[i % C] + t, through tiles. The tile length is a multiple of C, so the scale repeated over a
     * tile (one index with v, vectorised) starts at channel 0 in every tile.
     */
    private void affine(FloatBuffer x, FloatBuffer y, int n, float t) {
        int c = scales.length;
        float[] repeated = repeatedScales;
        int tile = repeated.length;
        Parallel.range(n / c, MIN_FLOATS_PER_CHUNK / c + 1, (startRow, endRow) -> {
            int start = startRow * c;
            int end = endRow * c;
            float[] v = Scratch.floats(0, tile);
            for (int at = start; at < end; at += tile) {
                int length = Math.min(tile, end - at);
                x.get(at, v, 0, length);
                for (int i = 0; i < length; i++) {
                    v[i] = v[i] * repeated[i] + t;
                }
                y.put(at, v, 0, length);
            }
        });
    }
}
