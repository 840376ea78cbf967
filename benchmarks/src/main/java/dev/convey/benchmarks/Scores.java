package dev.convey.benchmarks;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;

/** JMH's results by benchmark and parameters: {@code get("InferenceBenchmark.predict", "model", "vgg16", "batch", "1")}. */
final class Scores {

    /**
     * Mean milliseconds per operation, the half-width of JMH's 99.9% confidence interval (NaN if unknown) and the
     * fastest measured iteration.
     */
    record Score(double ms, double error, double bestMs) {
    }

    private final Map<String, Score> byKey = new HashMap<>();

    Scores(Collection<RunResult> results) {
        for (RunResult r : results) {
            BenchmarkParams params = r.getParams();
            String benchmark = params.getBenchmark();
            Map<String, String> values = new TreeMap<>();
            for (String p : params.getParamsKeys()) {
                values.put(p, params.getParam(p));
            }
            Result<?> primary = r.getPrimaryResult();
            put(benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1), values,
                    new Score(primary.getScore(), primary.getScoreError(), primary.getStatistics().getMin()));
        }
    }

    /** For tests and for runs assembled by hand. */
    Scores() {
    }

    void put(String benchmark, Map<String, String> params, Score score) {
        byKey.put(key(benchmark, new TreeMap<>(params)), score);
    }

    /** The score of {@code benchmark} ("Class.method") with these parameters (name, value, ...), or null if not run. */
    Score get(String benchmark, String... nameValuePairs) {
        Map<String, String> params = new TreeMap<>();
        for (int i = 0; i < nameValuePairs.length; i += 2) {
            params.put(nameValuePairs[i], nameValuePairs[i + 1]);
        }
        return byKey.get(key(benchmark, params));
    }

    private static String key(String benchmark, Map<String, String> sortedParams) {
        return benchmark + " " + sortedParams;
    }
}
