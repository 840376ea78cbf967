package dev.convey.training;

import java.nio.FloatBuffer;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import dev.convey.layers.Parameter;
import dev.convey.tensor.Parallel;
import dev.convey.tensor.Tensor;

/**
 * A gradient-descent rule: after each backward pass, {@link #applyGradients} moves every trainable weight
 * against its gradient {@code Parameter.gradient()}, in place.
 *
 * <p>Rules with memory (momentum, Adam's moments, RMSprop's mean square) keep per-weight <em>slots</em>:
 * tensors of the weight's shape, created as zeros on the weight's first update, as Keras' {@code add_slot}.
 * The update of one element depends only on that element's weight, gradient and slots, so the loop is split
 * over the cores with {@link Parallel#range}.
 *
 * <p>Arithmetic is float32, as TensorFlow's training kernels do for float32 variables.
 */
public abstract class Optimizer {

    /** Elements per chunk below which a parallel split is not worth it. */
    private static final int MIN_ELEMENTS_PER_CHUNK = 1 << 15;

    private final String name;
    private float learningRate;
    private long iterations;
    private final Map<Parameter, Tensor[]> slots = new IdentityHashMap<>();

    protected Optimizer(String name, double learningRate) {
        this.name = name;
        setLearningRate(learningRate);
    }

    /** Keras' class name: {@code SGD}, {@code Adam}, {@code RMSprop}. */
    public String name() {
        return name;
    }

    public float learningRate() {
        return learningRate;
    }

    /** Changes the step size from the next update on (fine-tuning uses a small one, e.g. 1e-5). */
    public void setLearningRate(double learningRate) {
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException(name + ": learning rate must be a positive finite number, got "
                    + learningRate);
        }
        this.learningRate = (float) learningRate;
    }

    /** Keras' {@code optimizer.iterations}: how many times {@link #applyGradients} has run. */
    public long iterations() {
        return iterations;
    }

    /**
     * One optimisation step: w <- rule(w, dL/dw, slots) for each parameter, using the gradient the last backward
     * pass wrote into {@link Parameter#gradient()}.
     */
    public void applyGradients(List<Parameter> parameters) {
        iterations++;
        StepConstants constants = stepConstants(iterations);
        for (Parameter p : parameters) {
            Tensor[] s = slots.computeIfAbsent(p, k -> newSlots(k.value()));
            FloatBuffer w = p.value().data();
            FloatBuffer g = p.gradient().data();
            FloatBuffer[] sb = new FloatBuffer[s.length];
            for (int i = 0; i < s.length; i++) {
                sb[i] = s[i].data();
            }
            Parallel.range(p.value().size(), MIN_ELEMENTS_PER_CHUNK,
                    (start, end) -> update(w, g, sb, constants, start, end));
            p.changed();
        }
    }

    /** The slots of a parameter (empty before its first update, or for plain SGD); for tests and inspection. */
    public Tensor[] slots(Parameter p) {
        Tensor[] s = slots.get(p);
        return s == null ? new Tensor[0] : s.clone();
    }

    /** How many slot tensors each weight has (Adam 2: m, v; RMSprop 1 to 3; SGD 0 or 1 with momentum). */
    public int slotsPerWeight() {
        return slotCount();
    }

    /**
     * Restores a saved state (Keras' optimizer variables: {@code iterations} and the slots of each weight), so
     * that training resumes exactly where it stopped. Each slot must have the weight's shape.
     */
    public void restoreState(long iterations, Map<Parameter, Tensor[]> savedSlots) {
        if (iterations < 0) {
            throw new IllegalArgumentException(name + ": iterations must be >= 0, got " + iterations);
        }
        for (Map.Entry<Parameter, Tensor[]> e : savedSlots.entrySet()) {
            if (e.getValue().length != slotCount()) {
                throw new IllegalArgumentException(name + ": " + e.getValue().length + " slots for "
                        + e.getKey().fullName() + ", expected " + slotCount());
            }
            for (Tensor t : e.getValue()) {
                if (!t.hasShape(e.getKey().value().shape())) {
                    throw new IllegalArgumentException(name + ": a slot of " + e.getKey().fullName()
                            + " has the wrong shape");
                }
            }
        }
        slots.clear();
        savedSlots.forEach((p, s) -> slots.put(p, s.clone()));
        this.iterations = iterations;
    }

    /**
     * Keras' {@code optimizer.get_config()} keys this optimizer has ({@code name}, {@code learning_rate}, then
     * the rule's own), JSON-compatible values in Keras' order.
     */
    public Map<String, Object> getConfig() {
        Map<String, Object> c = new java.util.LinkedHashMap<>();
        c.put("name", name.toLowerCase(java.util.Locale.ROOT));
        c.put("learning_rate", (double) learningRate);
        return c;
    }

    /** Forgets all slots and the step count (a new compile() starts a fresh optimizer state in Keras). */
    public void reset() {
        slots.clear();
        iterations = 0;
    }

    private Tensor[] newSlots(Tensor value) {
        Tensor[] s = new Tensor[slotCount()];
        for (int i = 0; i < s.length; i++) {
            s[i] = Tensor.zeros(value.shape());
        }
        return s;
    }

    /** Scalars shared by all elements of one step (Adam's bias-corrected step size, for instance). */
    protected record StepConstants(float learningRate, float a, float b) {
    }

    /** The per-step scalars for step {@code t} (1 for the first update). */
    protected StepConstants stepConstants(long t) {
        return new StepConstants(learningRate, 0f, 0f);
    }

    /** How many slot tensors each weight needs. */
    protected abstract int slotCount();

    /** Updates elements {@code [start, end)} of weight {@code w} from gradient {@code g} and the slots. */
    protected abstract void update(FloatBuffer w, FloatBuffer g, FloatBuffer[] slots, StepConstants c, int start, int end);

    static double requireInRange(String what, double value, double low, double high) {
        if (!(value >= low && value <= high)) {
            throw new IllegalArgumentException(what + " must be in [" + low + ", " + high + "], got " + value);
        }
        return value;
    }
}
