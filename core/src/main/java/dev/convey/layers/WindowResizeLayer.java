package dev.convey.layers;

import dev.convey.data.TfResize;
import dev.convey.tensor.Tensor;

/**
 * The deterministic image layers of Keras 3 ({@code Resizing}, {@code CenterCrop}): each image's window (chosen
 * by the subclass from the image size; it may reach outside the image, where it reads {@code fill}) resized to
 * (height, width) by {@code tf.image.resize}. A window of the output's size is a plain crop: at scale 1 the
 * half-pixel sampler reads exactly the window's pixels. Backward is the resize's adjoint.
 */
abstract class WindowResizeLayer extends Layer {

    final int height;
    final int width;
    private Tensor output;
    private Tensor inputGradient;
    private int[] inputShape;
    private float[] in;    // forward: the batch, backward: dL/dx (reused arrays)
    private float[] out;   // forward: y, backward: dL/dy

    WindowResizeLayer(String nameStem, int height, int width) {
        super(nameStem);
        this.height = LayerArgs.positive(this, "height", height);
        this.width = LayerArgs.positive(this, "width", width);
    }

    /** The window {y0, x0, rows, columns} of an (h, w) image that becomes the output. */
    abstract int[] window(int h, int w);

    /** The interpolation of the resize. */
    abstract TfResize.Method method();

    /** The value read outside the image. */
    float fill() {
        return 0f;
    }

    @Override
    protected int[] computeOutputShape(int[][] inputShapes) {
        int[] s = LayerArgs.singleInput(this, inputShapes, 3, "(batch, height, width, channels)");
        return new int[] {height, width, s[2]};
    }

    @Override
    protected Tensor computeForward(Tensor[] inputs, boolean training) {
        Tensor x = inputs[0];
        inputShape = x.shape();
        int n = x.dim(0);
        int c = x.dim(3);
        int[] box = window(x.dim(1), x.dim(2));
        in = ImageWindows.exactly(in, x.size());
        out = ImageWindows.exactly(out, n * height * width * c);
        x.data().get(0, in);
        ImageWindows.resize(in, n, x.dim(1), x.dim(2), c, box[0], box[1], box[2], box[3], fill(),
                height, width, method(), out);
        output = Tensor.reuse(output, n, height, width, c);
        output.data().put(0, out);
        return output;
    }

    @Override
    protected Tensor[] computeBackward(Tensor outputGradient, boolean[] inputGradientNeeded, boolean weightGradients) {
        requireSameShape("output gradient", outputGradient, output);
        if (!inputGradientNeeded[0]) {
            return new Tensor[] {null};
        }
        int[] box = window(inputShape[1], inputShape[2]);
        in = ImageWindows.exactly(in, inputShape[0] * inputShape[1] * inputShape[2] * inputShape[3]);
        out = ImageWindows.exactly(out, outputGradient.size());
        outputGradient.data().get(0, out);
        java.util.Arrays.fill(in, 0f);
        ImageWindows.resizeBackward(out, inputShape[0], inputShape[1], inputShape[2], inputShape[3],
                box[0], box[1], box[2], box[3], height, width, method(), in);
        inputGradient = Tensor.reuse(inputGradient, inputShape);
        inputGradient.data().put(0, in);
        return new Tensor[] {inputGradient};
    }
}
