package dev.convey.benchmarks;

import java.util.Arrays;
import java.util.Locale;

import dev.convey.layers.Activation;
import dev.convey.layers.ActivationFunction;
import dev.convey.layers.BatchNormalization;
import dev.convey.tensor.Tensor;

/**
 * ResNet50's 33 batch norm -> relu pairs at batch 8 (224 x 224) alone, in training: the two layers one by one
 * (bn forward, relu forward, relu backward, bn backward) against the pair fused ({@code takeActivation}, forward,
 * then the batch norm's backward, as models' TrainingFusion runs them), in turn in one JVM (who goes first
 * alternates); prints the medians per round and the median and quartiles of fused / one by one:
 * <pre>
 *   java -cp benchmarks/target/benchmarks.jar dev.convey.benchmarks.BnReluPairProbe [ROUNDS]
 * </pre>
 */
public final class BnReluPairProbe {

    /** {height = width, channels, how many pairs} of ResNet50's batch norm -> relu pairs (Keras' v1 blocks). */
    private static final int[][] PAIRS = {{112, 64, 1}, {56, 64, 6}, {28, 128, 8}, {14, 256, 12}, {7, 512, 6}};

    private BnReluPairProbe() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        int batch = 8;
        BatchNormalization[] bns = new BatchNormalization[PAIRS.length];
        Activation[] relus = new Activation[PAIRS.length];
        Tensor[] xs = new Tensor[PAIRS.length];
        Tensor[] dys = new Tensor[PAIRS.length];
        for (int k = 0; k < PAIRS.length; k++) {
            int hw = PAIRS[k][0];
            int c = PAIRS[k][1];
            bns[k] = new BatchNormalization();
            relus[k] = new Activation("relu");
            xs[k] = TrainingAbProbe.sample(batch, new int[] {hw, hw, c}, 1);
            dys[k] = TrainingAbProbe.sample(batch, new int[] {hw, hw, c}, 2);
        }
        double[][] t = new double[2][rounds];
        for (int r = -3; r < rounds; r++) {
            for (int turn = 0; turn < 2; turn++) {
                boolean fused = (turn == 0) == ((r & 1) == 0);
                long t0 = System.nanoTime();
                for (int k = 0; k < PAIRS.length; k++) {
                    for (int i = 0; i < PAIRS[k][2]; i++) {
                        Tensor[] in = {xs[k]};
                        boolean[] needed = {true};
                        if (fused) {
                            bns[k].takeActivation(ActivationFunction.RELU);
                            bns[k].forward(in, true);
                            bns[k].backward(dys[k], needed, true);
                        } else {
                            Tensor y = bns[k].forward(in, true);
                            relus[k].forward(new Tensor[] {y}, true);
                            Tensor g = relus[k].backward(dys[k], needed, false)[0];
                            bns[k].backward(g, needed, true);
                        }
                    }
                }
                if (r >= 0) {
                    t[fused ? 1 : 0][r] = (System.nanoTime() - t0) / 1e6;
                }
            }
        }
        double[] ratio = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            ratio[r] = t[1][r] / t[0][r];
        }
        double[] sorted = ratio.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "33 pairs, batch %d, %d rounds: one by one %.1f ms, fused %.1f ms (medians); "
                + "fused / one by one %.3f (%.3f-%.3f)%n", batch, rounds, PeerProbe.median(t[0]), PeerProbe.median(t[1]),
                PeerProbe.median(ratio), sorted[rounds / 4], sorted[(3 * rounds) / 4]);
    }
}
