package dev.convey.layers;

import java.util.Map;
import java.util.Random;

import dev.convey.data.FillMode;
import dev.convey.data.ProjectiveTransform;
import dev.convey.tensor.Parallel;

/**
 * The augmentation layers that resample each image through a random affine map (Keras 3's RandomRotation,
 * RandomZoom, RandomTranslation): a subclass draws each image's 8 transform numbers
 * ({@link ProjectiveTransform}: output pixel -> input position), this class resamples with Keras'
 * {@code fill_mode} ({@code "reflect"} by default), {@code interpolation} ({@code "bilinear"}) and
 * {@code fill_value}, and backward is the transform's adjoint.
 */
abstract class AffineImageLayer extends RandomImageLayer {

    private final FillMode fillMode;
    private final boolean bilinear;
    private final float fillValue;
    private float[][] transforms = new float[0][];

    AffineImageLayer(String nameStem, String layer, String fillMode, String interpolation, double fillValue, Long seed) {
        super(nameStem, seed);
        if (!java.util.List.of("reflect", "wrap", "constant", "nearest").contains(fillMode)) {
            throw new IllegalArgumentException(layer + " fill_mode must be \"reflect\", \"wrap\", \"constant\" or"
                    + " \"nearest\", got " + fillMode);
        }
        if (!"bilinear".equals(interpolation) && !"nearest".equals(interpolation)) {
            throw new IllegalArgumentException(layer + " interpolation must be \"bilinear\" or \"nearest\", got "
                    + interpolation);
        }
        this.fillMode = FillMode.of(fillMode);
        this.bilinear = interpolation.equals("bilinear");
        this.fillValue = (float) fillValue;
    }

    /** One image's transform [a0, a1, a2, b0, b1, b2, c0, c1] for an (h, w) image. */
    abstract float[] draw(int h, int w, Random random);

    @Override
    void transform(float[] x, int n, int h, int w, int c, Random random, float[] y) {
        transforms = new float[n][];
        for (int b = 0; b < n; b++) {
            transforms[b] = draw(h, w, random);   // drawn in image order, then resampled image by image on the cores
        }
        int size = h * w * c;
        Parallel.range(n, 1, (b0, b1) -> {
            for (int b = b0; b < b1; b++) {
                ProjectiveTransform.apply(x, b * size, h, w, c, transforms[b], fillMode, fillValue, bilinear, y, b * size);
            }
        });
    }

    @Override
    void transformBackward(float[] dy, int n, int h, int w, int c, float[] dx) {
        int size = h * w * c;
        Parallel.range(n, 1, (b0, b1) -> {
            for (int b = b0; b < b1; b++) {
                ProjectiveTransform.backward(dy, b * size, h, w, c, transforms[b], fillMode, bilinear, dx, b * size);
            }
        });
    }

    /** fill_mode, interpolation, fill_value under Keras' names (the subclass orders them as Keras does). */
    String fillModeName() {
        return fillMode.name().toLowerCase(java.util.Locale.ROOT);
    }

    String interpolationName() {
        return bilinear ? "bilinear" : "nearest";
    }

    double fillValue() {
        return fillValue;
    }

    Map<String, Object> putFill(Map<String, Object> c) {
        c.put("fill_mode", fillModeName());
        c.put("interpolation", interpolationName());
        return c;
    }
}
