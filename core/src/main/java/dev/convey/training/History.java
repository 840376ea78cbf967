package dev.convey.training;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keras' {@code History}, what fit() returns: every epoch's logs, by key ({@code history.get("val_loss")} is
 * the list of validation losses, one per epoch run).
 */
public final class History implements Callback {

    private final List<Integer> epochs = new ArrayList<>();
    private final Map<String, List<Double>> history = new LinkedHashMap<>();

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        epochs.add(epoch);
        logs.forEach((key, value) -> history.computeIfAbsent(key, k -> new ArrayList<>()).add(value));
    }

    /** Keras' {@code history.epoch}: the epochs run, from 0. */
    public List<Integer> epochs() {
        return Collections.unmodifiableList(epochs);
    }

    /** Keras' {@code history.history}: key -> one value per epoch. */
    public Map<String, List<Double>> history() {
        Map<String, List<Double>> copy = new LinkedHashMap<>();
        history.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        return copy;
    }

    /** The values of one key, one per epoch. */
    public List<Double> get(String key) {
        List<Double> values = history.get(key);
        if (values == null) {
            throw new IllegalArgumentException("History has no '" + key + "'; it has " + history.keySet());
        }
        return List.copyOf(values);
    }

    /** The last epoch's value of a key. */
    public double last(String key) {
        List<Double> values = get(key);
        return values.get(values.size() - 1);
    }

    @Override
    public String toString() {
        return "History" + history;
    }
}
