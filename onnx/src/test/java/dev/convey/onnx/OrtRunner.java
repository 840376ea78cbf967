package dev.convey.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import dev.convey.models.Model;
import dev.convey.tensor.Tensor;

/** Runs an exported model in ONNX Runtime and compares it with Convey's own forward pass. */
final class OrtRunner {

    /** The agreement the export promises: max |ORT - Convey| <= 1e-5 * max |Convey|. */
    static final double RELATIVE_TOLERANCE = 1e-5;

    private OrtRunner() {
    }

    /** ONNX Runtime's output for {@code inputs} (NHWC, as Convey takes them). */
    static Tensor run(byte[] onnx, Tensor... inputs) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            disablePadFusion(options);
            options.setIntraOpNumThreads(2);
            try (OrtSession session = env.createSession(onnx, options)) {
                Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
                int i = 0;
                for (String name : session.getInputNames()) {
                    Tensor x = inputs[i++];
                    feeds.put(name, OnnxTensor.createTensor(env, x.data().duplicate(), longs(x.shape())));
                }
                try (OrtSession.Result result = session.run(feeds)) {
                    OnnxTensor out = (OnnxTensor) result.get(0);
                    long[] shape = out.getInfo().getShape();
                    FloatBuffer values = out.getFloatBuffer();
                    float[] array = new float[values.remaining()];
                    values.get(array);
                    int[] intShape = new int[shape.length];
                    for (int d = 0; d < shape.length; d++) {
                        intShape[d] = (int) shape[d];
                    }
                    return Tensor.of(array, intShape);
                } finally {
                    feeds.values().forEach(OnnxTensor::close);
                }
            }
        }
    }

    /**
     * Turns off ONNX Runtime's Pad_Fusion rule (onnxruntime PR 18136), which folds a zero Pad into a following
     * MaxPool's pads although MaxPool pads with -inf: ZeroPadding2D -> MaxPooling2D over negative values (ResNet V2's
     * pool1, without a ReLU before it) then gives the window's maximum instead of 0. Every other optimisation stays.
     */
    static void disablePadFusion(OrtSession.SessionOptions options) throws OrtException {
        options.addConfigEntry("optimization.disable_specified_optimizers", "Pad_Fusion");
    }

    /** Exports {@code model}, runs it in ONNX Runtime and asserts it matches Convey's forward pass. */
    static double assertMatchesConvey(Model model, Tensor... inputs) throws Exception {
        Tensor expected = model.forward(inputs, false).copy();
        Tensor actual = run(OnnxExport.toBytes(model), inputs);
        return assertClose(model.name(), expected, actual);
    }

    /** Asserts max |actual - expected| <= 1e-5 max |expected| and returns that ratio. */
    static double assertClose(String what, Tensor expected, Tensor actual) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": output shape");
        float[] e = expected.toArray();
        float[] a = actual.toArray();
        double maxDiff = 0;
        double maxAbs = 0;
        for (int i = 0; i < e.length; i++) {
            assertTrue(Float.isFinite(a[i]), what + ": ONNX Runtime gave " + a[i] + " at " + i);
            maxDiff = Math.max(maxDiff, Math.abs(a[i] - e[i]));
            maxAbs = Math.max(maxAbs, Math.abs(e[i]));
        }
        assertTrue(maxAbs > 0, what + ": Convey's output is all zeros, the comparison would prove nothing");
        double relative = maxDiff / maxAbs;
        assertTrue(relative <= RELATIVE_TOLERANCE, what + ": max |ORT - Convey| = " + maxDiff + " is " + relative
                + " of max |Convey| = " + maxAbs + " (tolerance " + RELATIVE_TOLERANCE + ")");
        return relative;
    }

    private static long[] longs(int[] shape) {
        long[] out = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            out[i] = shape[i];
        }
        return out;
    }
}
