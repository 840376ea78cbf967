package dev.convey.onnx;

import java.util.List;

import dev.convey.data.TfResize;

/**
 * Keras 3's preprocessing layers and Dot. An exported graph is an inference graph: the Random* augmentation
 * layers are the identity there (RandomCrop: its centred window, resized). Resizing is ONNX Resize on NCHW with
 * TensorFlow's sampling: bilinear = {@code linear} with {@code half_pixel} (ONNX Runtime clamps the source
 * position to the image as TF does), nearest = {@code tf_half_pixel_for_nn} with {@code floor}; its output size
 * is (batch, C, height, width) built from the input's shape at run time. Crops are Slice; pad_to_aspect_ratio is
 * Pad with fill_value. Dot is MatMul on the inputs moved so that the contracted axes meet.
 */
final class PreprocessingExporters {

    private PreprocessingExporters() {
    }

    static void register() {
        for (String identity : new String[] {"RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation",
                "RandomContrast"}) {
            LayerExporters.register(identity, LayerCall::input);
        }
        LayerExporters.register("Resizing", PreprocessingExporters::resizing);
        LayerExporters.register("CenterCrop", PreprocessingExporters::centerCrop);
        LayerExporters.register("RandomCrop", call -> cropAndResize(call, call.input(), image(call),
                (int) call.number("height"), (int) call.number("width")));
        LayerExporters.register("Dot", PreprocessingExporters::dot);
    }

    /** The input's (h, w), which must be known. */
    private static int[] image(LayerCall call) {
        int[] s = call.inputShape(0);
        if (s.length != 3 || s[0] < 1 || s[1] < 1) {
            throw call.failure("needs images of known height and width");
        }
        return s;
    }

    private static OnnxGraph.Value resizing(LayerCall call) {
        OnnxGraph g = call.graph();
        int[] s = image(call);
        int height = (int) call.number("height");
        int width = (int) call.number("width");
        String method = call.string("interpolation");
        OnnxGraph.Value x = g.channelsFirst(call.input());
        if (call.bool("crop_to_aspect_ratio")) {
            int[] box = TfResize.aspectRatioCrop(s[0], s[1], height, width);
            x = slice(call, x, box[0], box[1], box[2], box[3]);
        } else if (call.bool("pad_to_aspect_ratio")) {
            int padH = Math.max(s[0], (int) ((float) (s[1] * height) / width));
            int padW = Math.max(s[1], (int) ((float) (s[0] * width) / height));
            long top = (int) ((padH - s[0]) / 2f);
            long left = (int) ((padW - s[1]) / 2f);
            x = g.op("Pad", call.stem("Pad")).input(x).input(g.int64Initializer(call.stem("pads"), 0, 0, top, left, 0, 0, top, left))
                    .input(g.scalar(call.stem("fill_value"), (float) call.number("fill_value")))
                    .output(4, OnnxGraph.Layout.CHANNELS_FIRST);
        }
        return resize(call, x, height, width, method);
    }

    private static OnnxGraph.Value centerCrop(LayerCall call) {
        int[] s = image(call);
        int height = (int) call.number("height");
        int width = (int) call.number("width");
        if (s[0] >= height && s[1] >= width) {
            return slice(call, call.graph().channelsFirst(call.input()), (s[0] - height) / 2, (s[1] - width) / 2, height, width);
        }
        return cropAndResize(call, call.input(), s, height, width);
    }

    /** Keras' smart_resize: the centred window of the target's aspect ratio, resized bilinearly. */
    private static OnnxGraph.Value cropAndResize(LayerCall call, OnnxGraph.Value input, int[] s, int height, int width) {
        int[] box = TfResize.aspectRatioCrop(s[0], s[1], height, width);
        OnnxGraph.Value x = slice(call, call.graph().channelsFirst(input), box[0], box[1], box[2], box[3]);
        return resize(call, x, height, width, "bilinear");
    }

    /** Rows [y0, y0 + h) and columns [x0, x0 + w) of an NCHW value. */
    private static OnnxGraph.Value slice(LayerCall call, OnnxGraph.Value x, int y0, int x0, int h, int w) {
        OnnxGraph g = call.graph();
        return g.op("Slice", call.stem("Slice")).input(x)
                .input(g.int64Initializer(call.stem("starts"), y0, x0))
                .input(g.int64Initializer(call.stem("ends"), y0 + h, x0 + w))
                .input(g.int64Initializer(call.stem("axes"), 2, 3))
                .output(4, OnnxGraph.Layout.CHANNELS_FIRST);
    }

    /** ONNX Resize of an NCHW value to (N, C, height, width) with TF's half-pixel sampling. */
    private static OnnxGraph.Value resize(LayerCall call, OnnxGraph.Value x, int height, int width, String method) {
        OnnxGraph g = call.graph();
        OnnxGraph.Value shape = g.op("Shape", call.stem("Shape")).input(x).output(1, OnnxGraph.Layout.CHANNELS_LAST);
        OnnxGraph.Value batchAndChannels = g.op("Slice", call.stem("Slice")).input(shape)
                .input(g.int64Initializer(call.stem("starts"), 0)).input(g.int64Initializer(call.stem("ends"), 2))
                .output(1, OnnxGraph.Layout.CHANNELS_LAST);
        OnnxGraph.Value sizes = g.op("Concat", call.stem("Concat")).input(batchAndChannels)
                .input(g.int64Initializer(call.stem("size"), height, width)).attribute("axis", 0L)
                .output(1, OnnxGraph.Layout.CHANNELS_LAST);
        OnnxGraph.Node resize = g.op("Resize", call.stem("Resize")).input(x).input("").input("").input(sizes);
        if (method.equals("nearest")) {
            resize.attribute("mode", "nearest").attribute("coordinate_transformation_mode", "tf_half_pixel_for_nn")
                    .attribute("nearest_mode", "floor");
        } else {
            resize.attribute("mode", "linear").attribute("coordinate_transformation_mode", "half_pixel");
        }
        return resize.output(4, OnnxGraph.Layout.CHANNELS_FIRST);
    }

    /**
     * Keras' batch_dot of inputs of rank 2 or 3: x moved so its axis is last ((N, P, K), a vector as (N, 1, K)),
     * y so its axis is second ((N, K, Q), a vector as (N, K, 1)), MatMul, then the added axes dropped. With
     * normalize, each input first times min(1 / sqrt(sum of squares along its axis), 1e7).
     */
    private static OnnxGraph.Value dot(LayerCall call) {
        OnnxGraph g = call.graph();
        Object axesConfig = call.config().get("axes");
        List<?> axes = axesConfig instanceof List<?> l ? l : List.of(axesConfig, axesConfig);
        OnnxGraph.Value[] in = new OnnxGraph.Value[2];
        int[] rank = new int[2];
        int[] axis = new int[2];
        for (int i = 0; i < 2; i++) {
            rank[i] = call.inputShape(i).length + 1;
            if (rank[i] != 2 && rank[i] != 3) {
                throw call.failure("Dot is exported for inputs of rank 2 or 3, input " + i + " has rank " + rank[i]);
            }
            int a = ((Number) axes.get(i)).intValue();
            axis[i] = a < 0 ? Math.floorMod(a, rank[i]) : a;
            in[i] = g.channelsLast(call.inputs().get(i));
            if (call.bool("normalize")) {
                in[i] = normalize(call, in[i], axis[i]);
            }
        }
        OnnxGraph.Value x = in[0];
        if (rank[0] == 2) {
            x = unsqueeze(call, x, 1);
        } else if (axis[0] == 1) {
            x = g.op("Transpose", call.stem("Transpose")).input(x).attribute("perm", 0L, 2L, 1L).output(3, x.layout());
        }
        OnnxGraph.Value y = in[1];
        if (rank[1] == 2) {
            y = unsqueeze(call, y, 2);
        } else if (axis[1] == 2) {
            y = g.op("Transpose", call.stem("Transpose")).input(y).attribute("perm", 0L, 2L, 1L).output(3, y.layout());
        }
        OnnxGraph.Value out = g.op("MatMul", call.stem("MatMul")).input(x).input(y).output(3, OnnxGraph.Layout.CHANNELS_LAST);
        int outRank = call.outputRank();
        if (outRank == 3) {
            return out;
        }
        long drop = rank[0] == 2 ? 1 : 2;
        return g.op("Squeeze", call.stem("Squeeze")).input(out).input(g.int64Initializer(call.stem("axes"), drop))
                .output(2, OnnxGraph.Layout.CHANNELS_LAST);
    }

    private static OnnxGraph.Value unsqueeze(LayerCall call, OnnxGraph.Value v, long axis) {
        OnnxGraph g = call.graph();
        return g.op("Unsqueeze", call.stem("Unsqueeze")).input(v).input(g.int64Initializer(call.stem("axes"), axis))
                .output(v.rank() + 1, OnnxGraph.Layout.CHANNELS_LAST);
    }

    /** v * min(1 / sqrt(sum_axis v^2), 1 / 1e-7), Keras' ops.normalize. */
    private static OnnxGraph.Value normalize(LayerCall call, OnnxGraph.Value v, int axis) {
        OnnxGraph g = call.graph();
        OnnxGraph.Value squares = g.op("ReduceSumSquare", call.stem("ReduceSumSquare")).input(v)
                .attribute("axes", new long[] {axis}).attribute("keepdims", 1L).output(v);
        OnnxGraph.Value inverse = g.op("Reciprocal", call.stem("Reciprocal"))
                .input(g.op("Sqrt", call.stem("Sqrt")).input(squares).output(v)).output(v);
        OnnxGraph.Value clipped = g.op("Min", call.stem("Min")).input(inverse).input(g.scalar(call.stem("max"), 1e7f)).output(v);
        return g.op("Mul", call.stem("Mul")).input(v).input(clipped).output(v);
    }
}
