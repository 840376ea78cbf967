package dev.convey.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.convey.tensor.Tensor;

/** Forward values and shape errors of Add, Concatenate and Dropout (their gradients: GraphLayerGradientTest). */
class MergeAndDropoutTest {

    static Tensor counting(int start, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) {
            t.data().put(i, start + i);
        }
        return t;
    }

    static void assertMessageHas(Throwable e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + p + "' missing from: " + e.getMessage());
        }
    }

    @Test
    void addSumsElementwise() {
        Tensor a = counting(0, 2, 2, 2, 3);
        Tensor b = counting(100, 2, 2, 2, 3);
        Tensor c = counting(-7, 2, 2, 2, 3);
        Tensor y = new Add().forward(new Tensor[] {a, b, c}, false);
        for (int i = 0; i < y.size(); i++) {
            assertEquals(i + (100 + i) + (-7 + i), y.data().get(i));
        }
    }

    @Test
    void addRefusesDifferentShapesNamingTheLayerAndBothShapes() {
        Add add = new Add();
        add.name("shortcut_add");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> add.build(new int[] {8, 8, 4}, new int[] {8, 8, 5}));
        assertMessageHas(e, "shortcut_add", "(None, 8, 8, 4)", "(None, 8, 8, 5)", "no broadcasting");
        // A size-1 axis is not broadcast either.
        assertThrows(IllegalArgumentException.class, () -> new Add().build(new int[] {8, 8, 4}, new int[] {1, 1, 4}));
        assertThrows(IllegalArgumentException.class, () -> new Add().build(new int[] {8, 8, 4}, new int[] {8, 4}));
        assertMessageHas(assertThrows(IllegalArgumentException.class, () -> new Add().build(new int[] {4})),
                "at least 2 inputs");
    }

    @Test
    void addRefusesDifferentBatchSizes() {
        Add add = new Add();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> add.forward(new Tensor[] {Tensor.zeros(2, 3), Tensor.zeros(4, 3)}, false));
        assertMessageHas(e, add.name(), "(2, 3)", "(4, 3)");
    }

    @Test
    void addPassesTheGradientToEachInput() {
        Add add = new Add();
        add.forward(new Tensor[] {Tensor.zeros(2, 3), Tensor.zeros(2, 3)}, true);
        Tensor dy = counting(1, 2, 3);
        Tensor[] dx = add.backward(dy, new boolean[] {true, false}, true);
        assertArrayEquals(dy.toArray(), dx[0].toArray());
        assertNull(dx[1]);
    }

    @Test
    void concatenateJoinsTheChannelAxisByDefault() {
        Tensor a = counting(0, 2, 2, 2); // (batch 2, 2 rows, 2 channels)
        Tensor b = counting(100, 2, 2, 3);
        Concatenate cat = new Concatenate();
        assertArrayEquals(new int[] {2, 5}, cat.build(new int[] {2, 2}, new int[] {2, 3}));
        Tensor y = cat.forward(new Tensor[] {a, b}, false);
        assertArrayEquals(new int[] {2, 2, 5}, y.shape());
        for (int n = 0; n < 2; n++) {
            for (int h = 0; h < 2; h++) {
                for (int c = 0; c < 5; c++) {
                    float expected = c < 2 ? a.get(n, h, c) : b.get(n, h, c - 2);
                    assertEquals(expected, y.get(n, h, c));
                }
            }
        }
    }

    @Test
    void concatenateAlongHeight() {
        Tensor a = counting(0, 2, 1, 3, 2);
        Tensor b = counting(50, 2, 2, 3, 2);
        Concatenate cat = new Concatenate(1);
        Tensor y = cat.forward(new Tensor[] {a, b}, false);
        assertArrayEquals(new int[] {2, 3, 3, 2}, y.shape());
        for (int n = 0; n < 2; n++) {
            for (int h = 0; h < 3; h++) {
                for (int w = 0; w < 3; w++) {
                    for (int c = 0; c < 2; c++) {
                        assertEquals(h < 1 ? a.get(n, h, w, c) : b.get(n, h - 1, w, c), y.get(n, h, w, c));
                    }
                }
            }
        }
        Tensor[] dx = cat.backward(y, new boolean[] {true, true}, true);
        assertArrayEquals(a.toArray(), dx[0].toArray());
        assertArrayEquals(b.toArray(), dx[1].toArray());
    }

    @Test
    void concatenateChecksTheOtherAxesAndRefusesTheBatchAxis() {
        Concatenate cat = new Concatenate();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> cat.build(new int[] {8, 8, 4}, new int[] {4, 8, 5}));
        assertMessageHas(e, cat.name(), "(None, 8, 8, 4)", "(None, 4, 8, 5)");
        assertMessageHas(assertThrows(IllegalArgumentException.class,
                () -> new Concatenate(0).build(new int[] {3}, new int[] {3})), "batch axis");
        assertArrayEquals(new int[] {-1, 8, 9}, new Concatenate().build(new int[] {-1, 8, 4}, new int[] {-1, 8, 5}));
    }

    @Test
    void dropoutIsTheIdentityOutsideTraining() {
        Tensor x = counting(1, 4, 5);
        assertSame(x, new Dropout(0.5).forward(new Tensor[] {x}, false));
    }

    @Test
    void dropoutZeroesAboutRateAndScalesTheRest() {
        Layer.setRandomSeed(7);
        Dropout d = new Dropout(0.25);
        Tensor x = Tensor.full(2f, 100, 100);
        Tensor y = d.forward(new Tensor[] {x}, true);
        int zeros = 0;
        for (int i = 0; i < y.size(); i++) {
            float v = y.data().get(i);
            if (v == 0f) {
                zeros++;
            } else {
                assertEquals(2f / 0.75f, v, 1e-6);
            }
        }
        // 10000 Bernoulli(0.25) draws: mean 2500, standard deviation 43.
        assertEquals(2500, zeros, 200);
        Tensor dx = d.backward(Tensor.full(1f, 100, 100), new boolean[] {true}, false)[0];
        for (int i = 0; i < dx.size(); i++) {
            assertEquals(y.data().get(i) / 2f, dx.data().get(i), 1e-6);
        }
    }

    @Test
    void dropoutMasksRepeatWithTheSeed() {
        Tensor x = Tensor.full(1f, 64);
        Layer.setRandomSeed(11);
        float[] first = new Dropout(0.5).forward(new Tensor[] {x}, true).toArray();
        Layer.setRandomSeed(11);
        float[] second = new Dropout(0.5).forward(new Tensor[] {x}, true).toArray();
        assertArrayEquals(first, second);
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1.0));
    }
}
