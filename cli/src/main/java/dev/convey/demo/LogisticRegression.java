package dev.convey.demo;

/**
 * Binary logistic regression with an L2 penalty, fitted by full-batch gradient descent in double on standardised
 * features: minimise mean_i log(1 + exp(-s_i (w . x_i + b))) + lambda / 2 |w|^2, s_i = +-1. The linear probe of
 * frozen features (scikit-learn's LogisticRegression does the same with another solver), lambda chosen by
 * cross-validation on the training set.
 */
final class LogisticRegression {

    /** The penalties tried; the one with the best 5-fold cross-validated accuracy on the training set is used. */
    private static final double[] LAMBDAS = {1e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1};
    private static final int FOLDS = 5;
    private static final int STEPS = 500;
    private static final double RATE = 0.5;

    private LogisticRegression() {
    }

    /**
     * Picks lambda by 5-fold cross-validation on the training set (folds i mod 5), fits on all of it and returns the
     * accuracy on (testX, testLabels); the test set chooses nothing.
     */
    static double fitAndScore(dev.convey.tensor.Tensor trainX, int[] trainY, dev.convey.tensor.Tensor testX, int[] testY) {
        double[][] x = rows(trainX);
        double best = LAMBDAS[0];
        double bestAccuracy = -1;
        for (double lambda : LAMBDAS) {
            int correct = 0;
            for (int fold = 0; fold < FOLDS; fold++) {
                java.util.List<double[]> fx = new java.util.ArrayList<>();
                java.util.List<Integer> fy = new java.util.ArrayList<>();
                java.util.List<double[]> hx = new java.util.ArrayList<>();
                java.util.List<Integer> hy = new java.util.ArrayList<>();
                for (int i = 0; i < x.length; i++) {
                    (i % FOLDS == fold ? hx : fx).add(x[i]);
                    (i % FOLDS == fold ? hy : fy).add(trainY[i]);
                }
                correct += (int) Math.round(score(fx.toArray(new double[0][]), fy.stream().mapToInt(v -> v).toArray(),
                        hx.toArray(new double[0][]), hy.stream().mapToInt(v -> v).toArray(), lambda) * hx.size());
            }
            if (correct > bestAccuracy) {
                bestAccuracy = correct;
                best = lambda;
            }
        }
        return score(x, trainY, rows(testX), testY, best);
    }

    /** Fits with penalty lambda on (x, y) and returns the accuracy on (tx, ty). The arrays are not modified. */
    private static double score(double[][] x0, int[] trainY, double[][] t0, int[] testY, double lambda) {
        int n = x0.length;
        int d = x0[0].length;
        double[] mean = new double[d];
        double[] std = new double[d];
        double[][] x = new double[n][];
        for (int i = 0; i < n; i++) {
            x[i] = x0[i].clone();
        }
        for (double[] row : x) {
            for (int j = 0; j < d; j++) {
                mean[j] += row[j] / n;
            }
        }
        for (double[] row : x) {
            for (int j = 0; j < d; j++) {
                std[j] += (row[j] - mean[j]) * (row[j] - mean[j]) / n;
            }
        }
        for (int j = 0; j < d; j++) {
            std[j] = Math.sqrt(std[j]) + 1e-8;
        }
        standardise(x, mean, std);
        double[] w = new double[d];
        double b = 0;
        for (int step = 0; step < STEPS; step++) {
            double[] gw = new double[d];
            double gb = 0;
            for (int i = 0; i < n; i++) {
                double p = 1 / (1 + Math.exp(-(dot(w, x[i]) + b)));
                double e = (p - trainY[i]) / n;
                for (int j = 0; j < d; j++) {
                    gw[j] += e * x[i][j];
                }
                gb += e;
            }
            for (int j = 0; j < d; j++) {
                w[j] -= RATE * (gw[j] + lambda * w[j]);
            }
            b -= RATE * gb;
        }
        double[][] t = new double[t0.length][];
        for (int i = 0; i < t.length; i++) {
            t[i] = t0[i].clone();
        }
        standardise(t, mean, std);
        int correct = 0;
        for (int i = 0; i < t.length; i++) {
            correct += (dot(w, t[i]) + b > 0 ? 1 : 0) == testY[i] ? 1 : 0;
        }
        return (double) correct / t.length;
    }

    private static double[][] rows(dev.convey.tensor.Tensor x) {
        double[][] out = new double[x.dim(0)][x.dim(1)];
        for (int i = 0; i < out.length; i++) {
            for (int j = 0; j < out[i].length; j++) {
                out[i][j] = x.data().get(i * out[i].length + j);
            }
        }
        return out;
    }

    private static void standardise(double[][] x, double[] mean, double[] std) {
        for (double[] row : x) {
            for (int j = 0; j < row.length; j++) {
                row[j] = (row[j] - mean[j]) / std[j];
            }
        }
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int j = 0; j < a.length; j++) {
            s += a[j] * b[j];
        }
        return s;
    }
}
