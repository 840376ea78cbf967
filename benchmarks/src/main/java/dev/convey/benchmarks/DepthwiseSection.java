package dev.convey.benchmarks;

import java.util.List;

import org.openjdk.jmh.annotations.Param;

/**
 * The RESULTS.md section of {@link DepthwiseBenchmark}: each depthwise shape of MobileNet, MobileNetV2 and
 * EfficientNetB0, forward (inference, batch norm and activation folded in) and backward, as milliseconds and as a
 * fraction of its memory-bandwidth bound. A depthwise convolution does kh * kw multiply-adds per output value, a
 * few per byte, so the bound is the bytes it must move ({@link DepthwiseBenchmark#bytes}: x read, y written and
 * the weights read once; backward also reads dy and writes dx and dK) at this run's copy bandwidth; "% of bound" is
 * that time over the measured one (100 % would be a kernel that does nothing but stream its data once).
 */
final class DepthwiseSection {

    private DepthwiseSection() {
    }

    static String markdown(Scores scores, double bytesPerMs) {
        StringBuilder md = new StringBuilder("## Depthwise convolutions\n\n")
                .append("HxWxC x kernel x stride, 'same' padding; the default kernel (`strips`), the epilogue of")
                .append(" DepthwiseBenchmark's `activation`. % of bound: the bytes moved at least, at the copy bandwidth")
                .append(" (\"Where the time goes\"), over the measured time.\n\n")
                .append("| shape | batch | forward ms | % of bound | backward ms | % of bound |\n")
                .append("| --- | --- | --- | --- | --- | --- |\n");
        String activation = values("activation").get(0);
        for (String shape : values("shape")) {
            for (String batch : values("batch")) {
                String[] params = {"shape", shape, "batch", batch, "path", "strips", "activation", activation};
                Scores.Score forward = scores.get("DepthwiseBenchmark.forward", params);
                Scores.Score backward = scores.get("DepthwiseBenchmark.backward", params);
                if (forward == null && backward == null) {
                    continue;
                }
                int n = Integer.parseInt(batch);
                md.append("| ").append(shape).append(" | ").append(batch).append(" | ")
                        .append(cells(forward, DepthwiseBenchmark.bytes(shape, n), bytesPerMs)).append(" | ")
                        .append(cells(backward, DepthwiseBenchmark.backwardBytes(shape, n), bytesPerMs)).append(" |\n");
            }
        }
        return md.append('\n').toString();
    }

    /** "ms | percent of the bound". */
    private static String cells(Scores.Score s, long bytes, double bytesPerMs) {
        return s == null ? "- | -"
                : ResultsReport.number(s.ms()) + " | " + ResultsReport.number(100 * bytes / bytesPerMs / s.ms()) + " %";
    }

    /** The values of one of DepthwiseBenchmark's {@code @Param} fields. */
    private static List<String> values(String field) {
        try {
            return List.of(DepthwiseBenchmark.class.getField(field).getAnnotation(Param.class).value());
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException("DepthwiseBenchmark has no public field '" + field + "'", e);
        }
    }
}
