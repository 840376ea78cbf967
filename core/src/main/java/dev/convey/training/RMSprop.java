package dev.convey.training;

import java.nio.FloatBuffer;

/**
 * Keras' {@code RMSprop(learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False)}: divide the
 * gradient by a running root-mean-square of recent gradients, so each weight gets its own step size.
 *
 * <p>tf.keras 2.x uses two forms, and so do we:
 * <pre>
 * ms  <- rho * ms + (1 - rho) * g^2                       mean square ("rms" slot, starts at 0)
 * mg  <- rho * mg + (1 - rho) * g                         centered only: mean gradient ("mg" slot)
 * d   =  ms  (or ms - mg^2 when centered)                 variance estimate
 *
 * momentum = 0:  w <- w - lr * g / (sqrt(d) + epsilon)
 * momentum > 0:  mom <- momentum * mom + lr * g / sqrt(d + epsilon)     (TensorFlow's ApplyRMSProp kernel:
 *                w   <- w - mom                                          epsilon inside the root)
 * </pre>
 */
public final class RMSprop extends Optimizer {

    private final float rho;
    private final float momentum;
    private final float epsilon;
    private final boolean centered;

    /** Keras' defaults: learning rate 0.001, rho 0.9, no momentum, epsilon 1e-7, not centered. */
    public RMSprop() {
        this(0.001);
    }

    public RMSprop(double learningRate) {
        this(learningRate, 0.9, 0.0, 1e-7, false);
    }

    public RMSprop(double learningRate, double rho, double momentum, double epsilon, boolean centered) {
        super("RMSprop", learningRate);
        this.rho = (float) requireInRange("RMSprop rho", rho, 0, 1);
        this.momentum = (float) requireInRange("RMSprop momentum", momentum, 0, 1);
        this.epsilon = (float) requireInRange("RMSprop epsilon", epsilon, 0, 1);
        this.centered = centered;
    }

    @Override
    public java.util.Map<String, Object> getConfig() {
        java.util.Map<String, Object> c = super.getConfig();
        c.put("rho", (double) rho);
        c.put("momentum", (double) momentum);
        c.put("epsilon", (double) epsilon);
        c.put("centered", centered);
        return c;
    }

    /** Slot 0: mean square; then the momentum accumulator when momentum > 0; then the mean gradient if centered. */
    @Override
    protected int slotCount() {
        return 1 + (momentum > 0 ? 1 : 0) + (centered ? 1 : 0);
    }

    @Override
    protected void update(FloatBuffer w, FloatBuffer g, FloatBuffer[] slots, StepConstants c, int start, int end) {
        float lr = c.learningRate();
        float oneMinusRho = 1f - rho;
        FloatBuffer ms = slots[0];
        FloatBuffer mom = momentum > 0 ? slots[1] : null;
        FloatBuffer mg = centered ? slots[slots.length - 1] : null;
        for (int i = start; i < end; i++) {
            float gi = g.get(i);
            float msi = rho * ms.get(i) + oneMinusRho * gi * gi;
            ms.put(i, msi);
            float d = msi;
            if (mg != null) {
                float mgi = rho * mg.get(i) + oneMinusRho * gi;
                mg.put(i, mgi);
                d = msi - mgi * mgi;
            }
            if (mom == null) {
                w.put(i, w.get(i) - lr * gi / ((float) Math.sqrt(d) + epsilon));
            } else {
                float step = momentum * mom.get(i) + lr * gi / (float) Math.sqrt(d + epsilon);
                mom.put(i, step);
                w.put(i, w.get(i) - step);
            }
        }
    }
}
