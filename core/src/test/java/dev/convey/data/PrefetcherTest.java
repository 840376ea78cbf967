package dev.convey.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convey.tensor.Tensor;

import org.junit.jupiter.api.Test;

class PrefetcherTest {

    private static ArraySequence augmented(long seed) {
        float[] v = new float[6 * 4 * 4 * 1];
        for (int i = 0; i < v.length; i++) {
            v[i] = i;
        }
        ImageDataGenerator gen = new ImageDataGenerator().rotationRange(30).zoomRange(0.2).horizontalFlip(true);
        return gen.flow(Tensor.of(v, 6, 4, 4, 1), Tensor.zeros(6, 1), 4, true, seed, null);
    }

    @Test
    void backgroundBatchesEqualTheSourcesOverSeveralEpochs() {
        ArraySequence direct = augmented(3);
        try (Prefetcher prefetched = new Prefetcher(augmented(3), 3, 2)) {
            assertEquals(direct.size(), prefetched.size());
            for (int epoch = 0; epoch < 3; epoch++) {
                for (int b = 0; b < direct.size(); b++) {
                    assertArrayEquals(direct.get(b).x().toArray(), prefetched.get(b).x().toArray(),
                            "epoch " + epoch + " batch " + b);
                }
                direct.onEpochEnd();
                prefetched.onEpochEnd();
            }
        }
    }

    @Test
    void aFailureInAWorkerReachesTheCaller() {
        IllegalArgumentException boom = new IllegalArgumentException("cannot decode cat.jpg");
        BatchSequence failing = new BatchSequence() {
            public int size() {
                return 3;
            }

            public Batch get(int index) {
                if (index == 1) {
                    throw boom;
                }
                return new Batch(Tensor.zeros(1, 1), Tensor.zeros(1, 1));
            }

            public void onEpochEnd() {
            }

            public int sampleCount() {
                return 3;
            }
        };
        Prefetcher p = new Prefetcher(failing, 2, 1);
        p.get(0);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> p.get(1));
        assertSame(boom, e.getCause());
        assertTrue(e.getMessage().contains("batch 1 of 3") && e.getMessage().contains("cat.jpg"), e.getMessage());
        p.close();
        assertThrows(IllegalStateException.class, () -> p.get(2));
    }
}
