package dev.convey.training;

import java.nio.FloatBuffer;
import java.util.Map;
import java.util.TreeMap;

import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;

/**
 * Keras' {@code fit(class_weight={class: weight})}: each training sample's loss is multiplied by the weight of
 * its class. Keras turns the dict into sample weights batch by batch ({@code class_weight_to_sample_weights}):
 * the class of a sample is {@code argmax(y)} for one-hot labels, {@code round(y)} for integer (or (N, 1))
 * labels, and a class missing from the dict weighs 1. The loss is then Keras' weighted mean
 * (1/N) sum_n w_n l_n ({@link Loss}); metrics such as accuracy stay unweighted (Keras' {@code metrics}, not
 * {@code weighted_metrics}), and validation is never class-weighted.
 */
public final class ClassWeights {

    private ClassWeights() {
    }

    /** Keras' {@code class_weight_to_sample_weights(y, class_weight)}: one weight per sample of {@code y}, shape (N,). */
    public static Tensor sampleWeights(Tensor y, Map<Integer, Double> classWeight) {
        int n = y.dim(0);
        int per = y.size() / n;
        boolean oneHot = y.rank() > 1 && y.dim(-1) != 1;
        if (oneHot && per != y.dim(-1)) {
            throw new IllegalArgumentException("class_weight needs one label per sample (one-hot (N, classes) or "
                    + "integer (N,) labels), got labels of shape " + Shapes.toString(y.shape()));
        }
        FloatBuffer labels = y.data();
        Tensor weights = Tensor.zeros(n);
        for (int i = 0; i < n; i++) {
            int c = oneHot ? argmax(labels, i * per, per) : (int) Math.rint(labels.get(i * per));
            weights.data().put(i, classWeight.getOrDefault(c, 1.0).floatValue());
        }
        return weights;
    }

    // numpy's argmax: the first of equal maxima.
    private static int argmax(FloatBuffer values, int offset, int count) {
        int best = 0;
        for (int k = 1; k < count; k++) {
            if (values.get(offset + k) > values.get(offset + best)) {
                best = k;
            }
        }
        return best;
    }

    /**
     * scikit-learn's {@code compute_class_weight("balanced")}, what "auto" means to most users:
     * w_c = n_samples / (n_classes * count_c), so that every class weighs as much in total. Every one of the
     * {@code classes} classes must occur in {@code labels} (integer class indices).
     */
    public static Map<Integer, Double> balanced(int[] labels, int classes) {
        int[] counts = new int[classes];
        for (int label : labels) {
            if (label < 0 || label >= classes) {
                throw new IllegalArgumentException("label " + label + " is not a class index in [0, " + classes + ")");
            }
            counts[label]++;
        }
        Map<Integer, Double> weights = new TreeMap<>();
        for (int c = 0; c < classes; c++) {
            if (counts[c] == 0) {
                throw new IllegalArgumentException("balanced class weights: class " + c + " has no samples among the "
                        + labels.length + " (its weight n_samples / (n_classes * 0) is undefined)");
            }
            weights.put(c, (double) labels.length / ((double) classes * counts[c]));
        }
        return weights;
    }
}
