package dev.convey.layers;

/**
 * A layer that can read a channel-scaled input without the scaled copy: the excite step of a squeeze-and-excitation
 * block, {@code Multiply([x, s])} with s of shape (1, 1, C) per image, folded into the convolution after it
 * (EfficientNet's projection). A convolution is linear in its input, so scaling x's channels scales its kernel's
 * input rows instead:
 * <pre>
 *   conv(x_n * s_n, W) = conv(x_n, W_n),   W_n[i, j, c, f] = s_n[c] W[i, j, c, f]
 * </pre>
 * C x F multiplies per image (times the taps) instead of H x W x C, and no pass over the feature map. The
 * inference planner {@code ExciteFold} asks it.
 */
public interface InputScaleFold {

    /**
     * Whether the fold pays for this layer as built: scaling the kernel, per image, costs less than scaling the
     * input map.
     */
    boolean foldsInputScale();

    /**
     * From now on, inputs arrive without the per-image channel scale {@code scale} (s[n C + c] for image n and
     * channel c; null: inputs arrive as built). Inference only: the layer's backward pass expects a plain forward.
     */
    void foldInputScale(float[] scale);

    /** A layer whose output is its input 0 scaled per image and channel by its input 1, of shape (1, 1, C): Multiply. */
    interface ChannelScale {
        /** Whether the layer, as built, is such a scale (and not, say, a product of two maps). */
        boolean scalesChannels();
    }
}
