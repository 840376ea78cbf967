package dev.convey.layers;

/** The scalar functions {@link ActivationFunction}'s formulas are built from, in double. */
final class ActivationMath {

    private ActivationMath() {
    }

    static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    /** log(1 + e^x) = max(x, 0) + log1p(e^-|x|): no overflow for large x, no lost digits for very negative x. */
    static double softplus(double x) {
        return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    }

    static double relu6(double x) {
        return Math.min(Math.max(x, 0), 6);
    }

    /** Phi(x) = (1 + erf(x / sqrt 2)) / 2, the standard normal CDF. */
    static double normalCdf(double x) {
        return 0.5 * (1 + erf(x / Math.sqrt(2)));
    }

    /**
     * erf(x) to double precision: the Maclaurin series 2/sqrt(pi) sum_n (-1)^n x^(2n+1) / (n! (2n+1)) for
     * |x| &lt; 2.5 (terms stay below 40, so cancellation costs under 2 of the 16 digits), and 1 - erfc(x) beyond,
     * with erfc's continued fraction e^-x^2 / sqrt(pi) / (x + (1/2) / (x + 1 / (x + (3/2) / (x + ...)))).
     */
    static double erf(double x) {
        double a = Math.abs(x);
        if (a < 2.5) {
            double term = x;
            double sum = x;
            for (int n = 1; n < 60 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
                term *= -x * x / n;
                sum += term / (2 * n + 1);
            }
            return 2 / Math.sqrt(Math.PI) * sum;
        }
        if (a > 6) {
            return Math.signum(x);
        }
        double fraction = a;
        for (int k = 60; k >= 1; k--) {
            fraction = a + (k / 2.0) / fraction;
        }
        double erfc = Math.exp(-a * a) / Math.sqrt(Math.PI) / fraction;
        return Math.signum(x) * (1 - erfc);
    }
}
