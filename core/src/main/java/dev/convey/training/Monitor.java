package dev.convey.training;

import java.util.Locale;
import java.util.Map;

/**
 * The "is this epoch better?" rule shared by {@link EarlyStopping} and {@link ModelCheckpoint}, Keras' mode
 * {@code "auto"}: a monitored key containing "acc" (accuracy) is maximised, anything else (a loss) minimised.
 * An improvement must beat the best so far by more than {@code minDelta}.
 */
final class Monitor {

    private final String key;
    private final boolean maximise;
    private final double minDelta;
    private double best;

    Monitor(String key, String mode, double minDelta) {
        this.key = key;
        switch (mode.toLowerCase(Locale.ROOT)) {
            case "auto":
                this.maximise = key.contains("acc");
                break;
            case "max":
                this.maximise = true;
                break;
            case "min":
                this.maximise = false;
                break;
            default:
                throw new IllegalArgumentException("Monitor mode must be auto, min or max, got '" + mode + "'");
        }
        this.minDelta = Math.abs(minDelta);
        reset();
    }

    void reset() {
        best = maximise ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }

    String key() {
        return key;
    }

    double best() {
        return best;
    }

    /** The monitored value in these logs, or null (with a note on what is there) when it is missing. */
    Double current(Map<String, Double> logs, String who) {
        Double value = logs.get(key);
        if (value == null) {
            System.err.println(who + ": the monitored metric '" + key + "' is not in the logs; available: "
                    + logs.keySet());
        }
        return value;
    }

    /** True and remembers the value if it beats the best by more than minDelta (current - delta > best when maximising). */
    boolean improves(double current) {
        boolean better = maximise ? current - minDelta > best : current + minDelta < best;
        if (better) {
            best = current;
        }
        return better;
    }
}
