package dev.convey.cli;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import dev.convey.training.ClassWeights;

/**
 * {@code --class-weight}: Keras' {@code fit(class_weight=...)} from the command line. {@code auto} is
 * scikit-learn's "balanced", n_samples / (n_classes * count_c) over the training images; otherwise a list of
 * {@code CLASS:WEIGHT} where CLASS is a class index or a class name (folder), e.g. {@code 0:1.0,1:2.5} or
 * {@code ants:1,bees:2.5}; a class left out weighs 1, as in Keras.
 */
final class ClassWeightOption {

    private ClassWeightOption() {
    }

    /** The weights by class index; {@code labels} are the training images' class indices (for auto). */
    static Map<Integer, Double> parse(String spec, List<String> classNames, int[] labels) {
        if (spec.trim().equalsIgnoreCase("auto") || spec.trim().equalsIgnoreCase("balanced")) {
            return ClassWeights.balanced(labels, classNames.size());
        }
        Map<Integer, Double> weights = new TreeMap<>();
        for (String part : spec.split(",")) {
            String[] kv = part.trim().split(":");
            if (kv.length != 2) {
                throw new IllegalArgumentException(error(spec, "'" + part.trim() + "' is not CLASS:WEIGHT", classNames));
            }
            int c = classIndex(kv[0].trim(), spec, classNames);
            double w;
            try {
                w = Double.parseDouble(kv[1].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(error(spec, "weight '" + kv[1].trim() + "' is not a number", classNames), e);
            }
            if (!(w >= 0) || Double.isInfinite(w)) {
                throw new IllegalArgumentException(error(spec, "weight " + kv[1].trim() + " of " + classNames.get(c)
                        + " is not a finite number >= 0", classNames));
            }
            if (weights.put(c, w) != null) {
                throw new IllegalArgumentException(error(spec, "class " + classNames.get(c) + " is given twice", classNames));
            }
        }
        return weights;
    }

    private static int classIndex(String key, String spec, List<String> classNames) {
        int byName = classNames.indexOf(key);
        if (byName >= 0) {
            return byName;
        }
        try {
            int index = Integer.parseInt(key);
            if (index >= 0 && index < classNames.size()) {
                return index;
            }
        } catch (NumberFormatException notAnIndex) {
            // reported below
        }
        throw new IllegalArgumentException(error(spec, "'" + key + "' is neither a class name nor an index 0.."
                + (classNames.size() - 1), classNames));
    }

    private static String error(String spec, String what, List<String> classNames) {
        return "--class-weight " + spec + ": " + what + " (expected auto, or CLASS:WEIGHT,... with CLASS one of "
                + classNames + " or its index)";
    }

    /** "ants 1.0205, bees 0.9805" */
    static String describe(Map<Integer, Double> weights, List<String> classNames) {
        StringBuilder s = new StringBuilder();
        for (int c = 0; c < classNames.size(); c++) {
            s.append(c == 0 ? "" : ", ").append(classNames.get(c))
                    .append(String.format(Locale.ROOT, " %.4f", weights.getOrDefault(c, 1.0)));
        }
        return s.toString();
    }
}
