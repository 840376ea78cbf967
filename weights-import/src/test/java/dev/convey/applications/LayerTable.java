package dev.convey.applications;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;

import dev.convey.layers.Layer;
import dev.convey.models.Model;

/** Rows of a Keras {@code model.summary()}: "name Class h,w,c params", checked against a model layer by layer. */
final class LayerTable {

    private LayerTable() {
    }

    /** Each row's layer exists with that class, output shape (without the batch axis) and parameter count. */
    static void assertRows(Model m, String... rows) {
        for (String row : rows) {
            String[] f = row.split(" ");
            Layer layer = m.getLayer(f[0]);
            assertEquals(f[1], layer.className(), f[0]);
            int[] shape = Arrays.stream(f[2].split(",")).mapToInt(Integer::parseInt).toArray();
            assertArrayEquals(shape, m.outputOf(f[0]).shape(), f[0]);
            assertEquals(Long.parseLong(f[3]), layer.countParams(), f[0]);
        }
    }

    /** The summary's footer: total, trainable and non-trainable parameters. */
    static void assertTotals(Model m, long total, long trainable, long nonTrainable) {
        long t = m.trainableWeights().stream().mapToLong(p -> p.value().size()).sum();
        assertEquals(total, m.countParams(), m.name() + " total params");
        assertEquals(trainable, t, m.name() + " trainable params");
        assertEquals(nonTrainable, m.countParams() - t, m.name() + " non-trainable params");
    }

    /** How many layers of {@code className} the model has. */
    static long count(Model m, String className) {
        return m.layers().stream().filter(l -> l.className().equals(className)).count();
    }
}
