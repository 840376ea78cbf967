package dev.convey.benchmarks;

import java.util.Arrays;
import java.util.Locale;

import dev.convey.models.Model;
import dev.convey.tensor.Tensor;

/**
 * The frozen-base step against inference, interleaved in one JVM (as {@link TrainingBenchmark#trainNewHead} and
 * {@link TrainingBenchmark#forward}, minutes apart there): per round one forward pass and one {@code fit} step of
 * the base frozen under a new head, on the same batch; the median of the per-round ratios step / forward.
 * <pre>
 *   java -cp benchmarks/target/benchmarks.jar dev.convey.benchmarks.FrozenStepProbe [ROUNDS [BATCH [MODEL...]]]
 * </pre>
 */
public final class FrozenStepProbe {

    private FrozenStepProbe() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        String[] models = args.length > 2 ? Arrays.copyOfRange(args, 2, args.length)
                : new String[] {Models.VGG16_NAME, Models.RESNET50_NAME};
        System.out.println("| model | batch | forward median ms | frozen-base step median ms | step / forward per round: median (quartiles) |");
        System.out.println("| --- | --- | --- | --- | --- |");
        for (String name : models) {
            TrainingSetting setting = new TrainingSetting(name, false, batch);
            Model network = setting.network;
            Tensor images = setting.images;
            double[] forward = new double[rounds];
            double[] step = new double[rounds];
            double[] ratio = new double[rounds];
            for (int i = -2; i < rounds; i++) {
                long t0 = System.nanoTime();
                network.forward(images);
                long t1 = System.nanoTime();
                setting.step();
                long t2 = System.nanoTime();
                if (i >= 0) {
                    forward[i] = (t1 - t0) / 1e6;
                    step[i] = (t2 - t1) / 1e6;
                    ratio[i] = step[i] / forward[i];
                }
            }
            double[] r = ratio.clone();
            Arrays.sort(r);
            System.out.printf(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.2f (%.2f-%.2f) |%n", name, batch, PeerProbe.median(forward),
                    PeerProbe.median(step), PeerProbe.median(ratio), r[rounds / 4], r[(3 * rounds) / 4]);
        }
    }
}
