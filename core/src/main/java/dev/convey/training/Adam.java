package dev.convey.training;

import java.nio.FloatBuffer;

/**
 * Keras' {@code Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7)}, in the form TensorFlow
 * computes it (the bias correction folded into the step size, epsilon added <em>after</em> the correction,
 * the "epsilon hat" of Kingma and Ba, section 2):
 *
 * <pre>
 * t      <- t + 1
 * lr_t   =  lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)
 * m      <- m + (g - m) * (1 - beta_1)          first moment, = beta_1 * m + (1 - beta_1) * g
 * v      <- v + (g^2 - v) * (1 - beta_2)        second moment
 * w      <- w - lr_t * m / (sqrt(v) + epsilon)
 * </pre>
 * Slots: m ("m"), v ("v"), both starting at 0.
 */
public final class Adam extends Optimizer {

    private final double beta1;
    private final double beta2;
    private final float epsilon;

    /** Keras' defaults: learning rate 0.001, beta_1 0.9, beta_2 0.999, epsilon 1e-7. */
    public Adam() {
        this(0.001);
    }

    public Adam(double learningRate) {
        this(learningRate, 0.9, 0.999, 1e-7);
    }

    public Adam(double learningRate, double beta1, double beta2, double epsilon) {
        super("Adam", learningRate);
        this.beta1 = requireInRange("Adam beta_1", beta1, 0, 1);
        this.beta2 = requireInRange("Adam beta_2", beta2, 0, 1);
        this.epsilon = (float) requireInRange("Adam epsilon", epsilon, 0, 1);
    }

    @Override
    public java.util.Map<String, Object> getConfig() {
        java.util.Map<String, Object> c = super.getConfig();
        c.put("beta_1", beta1);
        c.put("beta_2", beta2);
        c.put("epsilon", (double) epsilon);
        c.put("amsgrad", false);
        return c;
    }

    @Override
    protected int slotCount() {
        return 2;
    }

    /** a = lr_t (bias-corrected step size), b = 1 - beta_1; 1 - beta_2 is recomputed from the field. */
    @Override
    protected StepConstants stepConstants(long t) {
        double lrT = learningRate() * Math.sqrt(1 - Math.pow(beta2, t)) / (1 - Math.pow(beta1, t));
        return new StepConstants(learningRate(), (float) lrT, (float) (1 - beta1));
    }

    @Override
    protected void update(FloatBuffer w, FloatBuffer g, FloatBuffer[] slots, StepConstants c, int start, int end) {
        FloatBuffer m = slots[0];
        FloatBuffer v = slots[1];
        float lrT = c.a();
        float oneMinusBeta1 = c.b();
        float oneMinusBeta2 = (float) (1 - beta2);
        for (int i = start; i < end; i++) {
            float gi = g.get(i);
            float mi = m.get(i) + (gi - m.get(i)) * oneMinusBeta1;
            float vi = v.get(i) + (gi * gi - v.get(i)) * oneMinusBeta2;
            m.put(i, mi);
            v.put(i, vi);
            w.put(i, w.get(i) - lrT * mi / ((float) Math.sqrt(vi) + epsilon));
        }
    }
}
