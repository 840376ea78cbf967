package dev.convey.training;

import java.nio.FloatBuffer;

import dev.convey.tensor.Scratch;

/**
 * Keras' {@code SGD(learning_rate=0.01, momentum=0.0, nesterov=False)}.
 *
 * <pre>
 * momentum = 0:   w <- w - lr * g
 * momentum > 0:   v <- momentum * v - lr * g          (v: the "momentum" slot, starts at 0)
 *                 w <- w + v                           plain momentum
 *                 w <- w + momentum * v - lr * g       nesterov = true (Keras' form: the step looks ahead
 *                                                      along the updated velocity)
 * </pre>
 */
public final class SGD extends Optimizer {

    private final float momentum;
    private final boolean nesterov;

    /** Keras' defaults: learning rate 0.01, no momentum. */
    public SGD() {
        this(0.01);
    }

    public SGD(double learningRate) {
        this(learningRate, 0.0, false);
    }

    public SGD(double learningRate, double momentum, boolean nesterov) {
        super("SGD", learningRate);
        this.momentum = (float) requireInRange("SGD momentum", momentum, 0, 1);
        this.nesterov = nesterov;
    }

    @Override
    public java.util.Map<String, Object> getConfig() {
        java.util.Map<String, Object> c = super.getConfig();
        c.put("momentum", (double) momentum);
        c.put("nesterov", nesterov);
        return c;
    }

    public float momentum() {
        return momentum;
    }

    public boolean nesterov() {
        return nesterov;
    }

    @Override
    protected int slotCount() {
        return momentum == 0f ? 0 : 1;
    }

    @Override
    protected void update(FloatBuffer w, FloatBuffer g, FloatBuffer[] slots, StepConstants c, int start, int end) {
        float lr = c.learningRate();
        if (momentum == 0f) {
            // w - lr * g over tiles copied into arrays, which C2 vectorises (indexed gets and puts on a direct
            // buffer it does not): the same float operations, so the same result
            Scratch.forEachTile(start, end - start, 1, w, g, null, w, (ws, gs, unused, length) -> {
                for (int i = 0; i < length; i++) {
                    ws[i] = ws[i] - lr * gs[i];
                }
            });
            return;
        }
        FloatBuffer v = slots[0];
        for (int i = start; i < end; i++) {
            float gi = g.get(i);
            float vi = momentum * v.get(i) - lr * gi;
            v.put(i, vi);
            w.put(i, nesterov ? w.get(i) + momentum * vi - lr * gi : w.get(i) + vi);
        }
    }
}
