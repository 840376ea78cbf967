package dev.convey.models;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import dev.convey.layers.Layer;

/** The layer names closest to a misspelt one, for {@code getLayer}'s error message. */
final class Names {

    private Names() {
    }

    /** The {@code count} names of {@code layers} closest to {@code name}, by edit distance. */
    static List<String> closest(List<Layer> layers, String name, int count) {
        List<String> names = new ArrayList<>();
        for (Layer l : layers) {
            names.add(l.name());
        }
        names.sort(Comparator.comparingInt(n -> editDistance(n, name)));
        return names.subList(0, Math.min(count, names.size()));
    }

    /** Levenshtein distance: the fewest single-character insertions, deletions and substitutions. */
    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }
}
