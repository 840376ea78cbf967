package dev.convey.layers;

import dev.convey.tensor.Tensor;

/**
 * One weight tensor of a layer (Keras calls it a variable): a conv kernel, a bias, a batch-norm statistic.
 *
 * <p>{@code trainable} is intrinsic to the weight: a BatchNormalization's moving mean and variance are updated
 * by the forward pass, never by the optimizer, so they are non-trainable even in a trainable layer. Whether
 * the optimizer touches a trainable weight also depends on its layer's {@code trainable} flag.
 */
public final class Parameter {

    private final Layer owner;
    private final String name;
    private final boolean trainable;
    private Tensor value;
    private Tensor gradient;
    private long version;
    private float[] valueArray;
    private long valueArrayVersion = -1;

    Parameter(Layer owner, String name, Tensor value, boolean trainable) {
        this.owner = owner;
        this.name = name;
        this.value = value;
        this.trainable = trainable;
    }

    /** The short name, as in Keras: {@code kernel}, {@code bias}, {@code gamma}, {@code moving_mean}. */
    public String name() {
        return name;
    }

    /** Keras' full name: {@code block1_conv1/kernel:0}. */
    public String fullName() {
        return owner.name() + "/" + name + ":0";
    }

    public Layer layer() {
        return owner;
    }

    /**
     * The current value. Optimizers and weight loaders update it in place; whoever writes into it directly must
     * call {@link #changed()} afterwards.
     */
    public Tensor value() {
        return value;
    }

    /**
     * Says that the value was written to, so that what a layer derived from it is recomputed (a Conv2D keeps
     * its kernel in Winograd form, see {@link Winograd}). {@link #assign} and the optimizers call it themselves.
     */
    public void changed() {
        version++;
    }

    /** How many times the value has {@link #changed()}: a layer's cache of a derived form is valid while it holds. */
    public long version() {
        return version;
    }

    /**
     * The value as an array, copied again only after it has {@link #changed()} (a layer's bias, read by every
     * forward pass). Shared: read it, never write it.
     */
    float[] valueArray() {
        if (valueArray == null || valueArrayVersion != version) {
            valueArray = value.toArray();
            valueArrayVersion = version;
        }
        return valueArray;
    }

    /** Whether an optimizer may update this weight (false for BatchNormalization's moving statistics). */
    public boolean isTrainable() {
        return trainable;
    }

    /**
     * dLoss/dWeight from the last backward pass, the same shape as the value; allocated on first use. Layers
     * overwrite it on each backward pass.
     */
    public Tensor gradient() {
        if (gradient == null) {
            gradient = Tensor.zeros(value.shape());
        }
        return gradient;
    }

    /** Copies new values in; the shape must match exactly (the message names the layer and both shapes). */
    public void assign(Tensor newValue) {
        if (!newValue.hasShape(value.shape())) {
            throw new IllegalArgumentException("Weight '" + fullName() + "' has shape "
                    + dev.convey.tensor.Shapes.toString(value.shape()) + " but the new value has shape "
                    + dev.convey.tensor.Shapes.toString(newValue.shape()));
        }
        value.copyFrom(newValue);
        changed();
    }

    @Override
    public String toString() {
        return fullName() + dev.convey.tensor.Shapes.toString(value.shape());
    }
}
