package dev.convey.cli;

import dev.convey.models.Model;
import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;

/** Inference over a large array in batches, as Keras' {@code model.predict(x, batch_size)}. */
final class Batches {

    private Batches() {
    }

    /**
     * The model's output for every sample of {@code x} (batch axis first), computed {@code batchSize} samples at a
     * time so that the layers' buffers stay the size of one batch.
     */
    static Tensor predict(Model model, Tensor x, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch-size must be at least 1, got " + batchSize);
        }
        if (x.rank() < 1 || x.dim(0) == 0) {
            throw new IllegalArgumentException("The input " + Shapes.toString(x.shape()) + " holds no samples");
        }
        int n = x.dim(0);
        Tensor out = null;
        int rowSize = 0;
        for (int start = 0; start < n; start += batchSize) {
            int count = Math.min(batchSize, n - start);
            Tensor y = model.forward(x.batchSlice(start, count));
            if (out == null) {
                int[] shape = y.shape();
                shape[0] = n;
                out = Tensor.zeros(shape);
                rowSize = y.size() / count;
            }
            out.data().put(start * rowSize, y.data(), 0, count * rowSize);
        }
        return out;
    }
}
