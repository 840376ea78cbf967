package dev.convey.layers;

import dev.convey.tensor.Tensor;

/**
 * A convolution whose input arrives without a per-image channel scale it must apply ({@link InputScaleFold}: a
 * squeeze-and-excitation multiply folded into the projection after it), image by image:
 * <pre>
 *   y_n = conv(x_n * s_n, W) = conv(x_n, W_n),   W_n[i, j, c, f] = s_n[c] W[i, j, c, f]
 * </pre>
 * W_n goes to the kernel the layer's rule picks for one image, as a weight of its own whose version changes with
 * every image, so a kernel that packs its weights packs W_n again into the same memory. Equals scaling x and then
 * convolving to float rounding (s_n[c] W rounds where x s_n[c] did), not bit for bit.
 */
final class InputScaledConvolution {

    private final Layer owner;
    private Parameter scaled;
    private float[] scaledValues;

    InputScaledConvolution(Layer owner) {
        this.owner = owner;
    }

    /**
     * y = conv(x * s, kernel) with the epilogue e, image by image with the kernel {@code kernels} pick for one image.
     * {@code scale} holds N x C floats (s[n C + c]).
     */
    void forward(ConvolutionKernels kernels, Conv2D.Algorithm algorithm, Window2D g, Tensor x, Parameter kernel,
                 float[] scale, Tensor y, Epilogue.Bound e) {
        int c = g.channels();
        if (scale.length != g.batch() * c) {
            throw new IllegalStateException(owner.describe() + ": a folded input scale of " + scale.length
                    + " floats for " + g.batch() + " images of " + c + " channels");
        }
        Tensor w = kernel.value();
        int filters = w.dim(3);
        if (scaled == null || !scaled.value().hasShape(w.shape())) {
            scaled = new Parameter(owner, "input_scaled_kernel", Tensor.zeros(w.shape()), false);
            scaledValues = new float[w.size()];
        }
        float[] values = kernel.valueArray();
        Window2D one = g.withBatch(1);
        ConvolutionKernel k = kernels.choose(one, filters, algorithm);
        int outputFloats = g.outH() * g.outW() * filters;
        for (int n = 0; n < g.batch(); n++) {
            // W_n: row (i, j, c) of the (kh kw C) x F kernel times s_n[c]
            for (int row = 0; row < values.length / filters; row++) {
                float s = scale[n * c + row % c];
                for (int at = row * filters, f = 0; f < filters; f++) {
                    scaledValues[at + f] = values[at + f] * s;
                }
            }
            scaled.value().data().put(0, scaledValues);
            scaled.changed();
            k.forward(one, x.batchSlice(n, 1), scaled, y.batchSlice(n, 1), e.image(n, outputFloats));
        }
    }
}
