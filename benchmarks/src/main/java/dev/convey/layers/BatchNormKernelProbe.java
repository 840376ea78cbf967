package dev.convey.layers;

import java.util.Arrays;

import dev.convey.tensor.Tensor;

/**
 * BatchNormalization's training kernels alone, {@link BatchNormKernels} against the references in
 * {@link BatchStatistics} ({@code convey.batchnorm.reference}), in turn in one JVM (who goes first alternates), on
 * three ResNet50 shapes at batch 8; prints the medians of 30 rounds per kernel. In package dev.convey.layers
 * because the kernels are package-private:
 * <pre>
 *   java -cp benchmarks/target/benchmarks.jar dev.convey.layers.BatchNormKernelProbe
 * </pre>
 */
public final class BatchNormKernelProbe {

    private BatchNormKernelProbe() {
    }

    public static void main(String[] args) {
        int[][] shapes = {{8 * 56 * 56, 64}, {8 * 28 * 28, 512}, {8 * 7 * 7, 2048}};
        for (int[] sh : shapes) {
            int rows = sh[0], ch = sh[1];
            Tensor x = Tensor.zeros(rows, ch);
            Tensor dy = Tensor.zeros(rows, ch);
            Tensor dx = Tensor.zeros(rows, ch);
            for (int i = 0; i < x.size(); i++) {
                x.data().put(i, (float) (1 + Math.sin(i * 0.37)));
                dy.data().put(i, (float) Math.cos(i * 0.11));
            }
            float[] mean = new float[ch], istd = new float[ch], s = new float[ch];
            Arrays.fill(istd, 1f);
            Arrays.fill(s, 0.5f);
            int rounds = 30;
            double[][] t = new double[3][rounds * 2];
            for (int r = -10; r < rounds; r++) {
                for (int turn = 0; turn < 2; turn++) {
                    boolean ref = (turn == 0) == ((r & 1) == 0);
                    System.setProperty(BatchNormKernels.REFERENCE_PROPERTY, Boolean.toString(ref));
                    long t0 = System.nanoTime();
                    double[][] m = BatchNormKernels.channelMoments(x, rows, ch);
                    long t1 = System.nanoTime();
                    double[][] sums = BatchNormKernels.gradientSums(dy, x, mean, istd, rows, ch, null);
                    long t2 = System.nanoTime();
                    BatchNormKernels.inputGradient(dy, x, mean, istd, s, sums, rows, dx, null);
                    long t3 = System.nanoTime();
                    if (r >= 0) {
                        int k = ref ? 0 : 1;
                        t[0][r * 2 + k] = (t1 - t0) / 1e6;
                        t[1][r * 2 + k] = (t2 - t1) / 1e6;
                        t[2][r * 2 + k] = (t3 - t2) / 1e6;
                    }
                }
            }
            String[] names = {"moments", "gradientSums", "inputGradient"};
            for (int p = 0; p < 3; p++) {
                double[] ref = new double[rounds], fast = new double[rounds];
                for (int r = 0; r < rounds; r++) { ref[r] = t[p][2 * r]; fast[r] = t[p][2 * r + 1]; }
                Arrays.sort(ref); Arrays.sort(fast);
                System.out.printf("%d x %d %s: reference %.2f ms, fast %.2f ms (medians; GB/s of one read: %.1f)%n", rows, ch,
                        names[p], ref[rounds / 2], fast[rounds / 2], x.size() * 4.0 / fast[rounds / 2] / 1e6);
            }
        }
    }
}
