package dev.convey.onnx;

/** Pooling and padding layers: MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool, Pad (all NCHW in ONNX). */
final class PoolingExporters {

    private PoolingExporters() {
    }

    static void register() {
        LayerExporters.register("MaxPooling2D", call -> pool(call, "MaxPool"));
        LayerExporters.register("AveragePooling2D", call -> pool(call, "AveragePool"));
        LayerExporters.register("GlobalAveragePooling2D", call -> globalPool(call, "GlobalAveragePool"));
        LayerExporters.register("GlobalMaxPooling2D", call -> globalPool(call, "GlobalMaxPool"));
        LayerExporters.register("ZeroPadding2D", PoolingExporters::zeroPadding);
    }

    /**
     * Max or average over each window. Keras' "same" average divides by the real (unpadded) pixels of a window,
     * which is ONNX's {@code count_include_pad = 0}; a max ignores ONNX's padding (as TensorFlow's).
     */
    private static OnnxGraph.Value pool(LayerCall call, String opType) {
        OnnxGraph g = call.graph();
        OnnxGraph.Node node = g.op(opType, call.stem(opType)).input(g.channelsFirst(call.input()));
        ConvolutionExporters.window(node, call, call.ints("pool_size", 2), call.ints("strides", 2), null,
                call.string("padding"));
        if (opType.equals("AveragePool")) {
            node.attribute("count_include_pad", 0L);
        }
        return node.output(4, OnnxGraph.Layout.CHANNELS_FIRST);
    }

    /**
     * Mean or max over height and width. ONNX keeps (N, C, 1, 1), which is Keras' {@code keepdims=True} output
     * (N, 1, 1, C) in channels-first order; without keepdims it is flattened to (N, C).
     */
    private static OnnxGraph.Value globalPool(LayerCall call, String opType) {
        OnnxGraph g = call.graph();
        OnnxGraph.Value pooled = g.op(opType, call.stem(opType)).input(g.channelsFirst(call.input()))
                .output(4, OnnxGraph.Layout.CHANNELS_FIRST);
        if (call.outputRank() == 4) {
            return pooled;
        }
        return g.op("Flatten", call.stem("Flatten")).input(pooled).attribute("axis", 1L)
                .output(2, OnnxGraph.Layout.CHANNELS_LAST);
    }

    /** Zeros around the image: Keras' {@code ((top, bottom), (left, right))} as ONNX Pad's [begins..., ends...]. */
    private static OnnxGraph.Value zeroPadding(LayerCall call) {
        OnnxGraph g = call.graph();
        Object padding = call.config().get("padding");
        int[] topBottom;
        int[] leftRight;
        if (padding instanceof java.util.List<?> pair && pair.size() == 2 && pair.get(0) instanceof java.util.List<?>) {
            topBottom = listInts(call, pair.get(0));
            leftRight = listInts(call, pair.get(1));
        } else {
            throw call.failure("config 'padding' should be ((top, bottom), (left, right)), got " + padding);
        }
        String pads = g.int64Initializer(call.stem("pads"), 0, 0, topBottom[0], leftRight[0], 0, 0, topBottom[1], leftRight[1]);
        return g.op("Pad", call.stem("Pad")).input(g.channelsFirst(call.input())).input(pads)
                .output(4, OnnxGraph.Layout.CHANNELS_FIRST);
    }

    private static int[] listInts(LayerCall call, Object pair) {
        java.util.List<?> list = (java.util.List<?>) pair;
        if (list.size() != 2 || !(list.get(0) instanceof Number a) || !(list.get(1) instanceof Number b)) {
            throw call.failure("config 'padding' should be ((top, bottom), (left, right)) ints, got " + pair);
        }
        return new int[] {a.intValue(), b.intValue()};
    }
}
