package dev.convey.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

import dev.convey.tensor.Tensor;

class MetricTest {

    private static final Tensor P = Tensor.of(new float[] {
            0.1f, 0.6f, 0.3f,     // argmax 1
            0.5f, 0.2f, 0.3f,     // argmax 0
            0.2f, 0.2f, 0.6f,     // argmax 2
            0.3f, 0.3f, 0.4f}, 4, 3);

    @Test
    void accuracyPicksItsKindFromTheShapesAsKeras() {
        Tensor oneHot = Tensor.of(new float[] {0, 1, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0}, 4, 3);
        Accuracy categorical = (Accuracy) Metric.get("accuracy");
        categorical.update(P, oneHot);
        assertEquals(Accuracy.Kind.CATEGORICAL, categorical.kind());
        assertEquals(0.5, categorical.result(), 0);

        Accuracy sparse = (Accuracy) Metric.get("accuracy");
        sparse.update(P, Tensor.of(new float[] {1, 1, 2, 0}, 4));
        assertEquals(Accuracy.Kind.SPARSE_CATEGORICAL, sparse.kind());
        assertEquals(0.5, sparse.result(), 0);
        // A second batch: the mean is over all samples seen (2 of 4, then 1 of 1 -> 3 of 5).
        sparse.update(P.batchSlice(2, 1), Tensor.of(new float[] {2}, 1));
        assertEquals(0.6, sparse.result(), 1e-12);

        Accuracy binary = (Accuracy) Metric.get("accuracy");
        binary.update(Tensor.of(new float[] {0.2f, 0.7f, 0.5f}, 3, 1), Tensor.of(new float[] {0, 1, 1}, 3, 1));
        assertEquals(Accuracy.Kind.BINARY, binary.kind());
        assertEquals(2 / 3.0, binary.result(), 1e-12); // 0.5 is not > 0.5
    }

    @Test
    void topKCountsTiesAsInside() {
        TopKCategoricalAccuracy top2 = new TopKCategoricalAccuracy(2, true);
        // Row 0 true 0 (0.1: two higher) -> 0; row 1 true 2 (0.3: one higher) -> 1;
        // row 2 true 0 (0.2 tied with 0.2, one strictly higher) -> 1; row 3 true 1 (0.3, one higher) -> 1.
        top2.update(P, Tensor.of(new float[] {0, 2, 0, 1}, 4));
        assertEquals(0.75, top2.result(), 1e-12);
        assertEquals("top_k_categorical_accuracy", Metric.get("top_k_categorical_accuracy").name());
    }

    @Test
    void wrongLabelShapeIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Metric.get("categorical_accuracy").update(P, Tensor.zeros(4, 5)));
        assertEquals(true, e.getMessage().contains("(4, 5)") && e.getMessage().contains("(4, 3)"), e.getMessage());
    }
}
