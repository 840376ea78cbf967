package dev.convey.data;

import dev.convey.tensor.Tensor;

/** Keras' {@code class_mode}: how {@code flow_from_directory} encodes a sample's class index as its target. */
public enum ClassMode {
    /** One-hot rows {@code (batch, classes)}, for {@code categorical_crossentropy}. */
    CATEGORICAL,
    /** The class index as a float {@code (batch,)}, for {@code sparse_categorical_crossentropy}. */
    SPARSE,
    /** The class index 0 or 1 as a float {@code (batch, 1)}, for {@code binary_crossentropy} (two classes). */
    BINARY;

    /** The target tensor for a batch whose samples have the given class indices. */
    Tensor encode(int[] classIndices, int classCount) {
        int n = classIndices.length;
        switch (this) {
            case CATEGORICAL: {
                Tensor y = Tensor.zeros(n, classCount);
                for (int i = 0; i < n; i++) {
                    y.data().put(i * classCount + classIndices[i], 1f);
                }
                return y;
            }
            case SPARSE:
            case BINARY: {
                Tensor y = this == SPARSE ? Tensor.zeros(n) : Tensor.zeros(n, 1);
                for (int i = 0; i < n; i++) {
                    y.data().put(i, classIndices[i]);
                }
                return y;
            }
            default:
                throw new IllegalStateException(name());
        }
    }
}
