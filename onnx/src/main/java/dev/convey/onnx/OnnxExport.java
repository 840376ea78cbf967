package dev.convey.onnx;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import dev.convey.io.AtomicFiles;
import dev.convey.layers.Layer;
import dev.convey.models.Model;
import dev.convey.models.SymbolicTensor;
import dev.convey.tensor.Shapes;

/**
 * Writes a Convey model as an ONNX model (opset 13) that ONNX Runtime, TensorRT and the other ONNX back ends run:
 * <pre>
 *   OnnxExport.write(model, Path.of("model.onnx"));
 * </pre>
 * Inputs and outputs keep Keras' NHWC layout and a free batch axis, so the exported graph takes the arrays
 * {@code model.predict} takes and returns what it returns. Inside, convolutions run NCHW as ONNX defines them;
 * {@link OnnxGraph} transposes only where the layout changes (the input, Flatten, the output).
 */
public final class OnnxExport {

    /** ONNX opset 13 and its IR version (https://onnx.ai/onnx/repo-docs/Versioning.html). */
    static final int OPSET = 13;
    static final int IR_VERSION = 7;

    private OnnxExport() {
    }

    /** Writes {@code model} to {@code file} (via a temporary file renamed into place). */
    public static void write(Model model, Path file) throws IOException {
        Protobuf proto = toProto(model);
        AtomicFiles.write(file, tmp -> {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                proto.writeTo(out);
            }
        });
    }

    /** The ONNX ModelProto's bytes (for models under 2 GB; ONNX Runtime's {@code createSession(byte[])}). */
    public static byte[] toBytes(Model model) throws IOException {
        Protobuf proto = toProto(model);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream((int) Math.min(proto.size(), 1 << 30));
        proto.writeTo(out);
        return out.toByteArray();
    }

    /** ONNX's ModelProto: ir_version = 1, producer_name = 2, producer_version = 3, graph = 7, opset_import = 8. */
    static Protobuf toProto(Model model) {
        OnnxGraph graph = new OnnxGraph();
        List<OnnxGraph.Value> inputs = new ArrayList<>();
        for (SymbolicTensor in : model.inputs()) {
            inputs.add(graph.input(in.layer().name(), Shapes.withBatch(Shapes.UNKNOWN, in.shape())));
        }
        OnnxGraph.Value out = graph.channelsLast(inline(graph, model, inputs));
        graph.output(out, Shapes.withBatch(Shapes.UNKNOWN, model.output().shape()));
        Protobuf proto = new Protobuf().varint(1, IR_VERSION).string(2, "convey").string(3, "0.1")
                .message(7, graph.toProto(model.name()));
        proto.message(8, new Protobuf().string(1, "").varint(2, OPSET));
        if (proto.size() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("ONNX export of '" + model.name() + "': " + proto.size()
                    + " bytes is over protobuf's 2 GB limit (external weight files are not written)");
        }
        return proto;
    }

    /** Adds {@code model}'s layers to {@code graph} with its inputs bound to {@code inputs}; returns its output. */
    static OnnxGraph.Value inline(OnnxGraph graph, Model model, List<OnnxGraph.Value> inputs) {
        if (inputs.size() != model.inputs().size()) {
            throw new IllegalArgumentException("ONNX export of model '" + model.name() + "': it takes "
                    + model.inputs().size() + " inputs, got " + inputs.size());
        }
        Map<SymbolicTensor, OnnxGraph.Value> values = new IdentityHashMap<>();
        for (int i = 0; i < inputs.size(); i++) {
            values.put(model.inputs().get(i), inputs.get(i));
        }
        return valueOf(graph, model.output(), values);
    }

    /** The value of {@code t}, exporting its producers first (depth-first, each symbolic tensor once). */
    private static OnnxGraph.Value valueOf(OnnxGraph graph, SymbolicTensor t, Map<SymbolicTensor, OnnxGraph.Value> values) {
        OnnxGraph.Value known = values.get(t);
        if (known != null) {
            return known;
        }
        Layer layer = t.layer();
        if (t.inputs().isEmpty()) {
            throw new IllegalArgumentException("ONNX export: '" + layer.name() + "' is an input the model does not list");
        }
        List<OnnxGraph.Value> in = new ArrayList<>();
        List<int[]> shapes = new ArrayList<>();
        for (SymbolicTensor x : t.inputs()) {
            in.add(valueOf(graph, x, values));
            shapes.add(x.shape());
        }
        LayerCall call = new LayerCall(graph, layer, in, shapes, t.shape());
        OnnxGraph.Value out = LayerExporters.forCall(call).export(call);
        values.put(t, out);
        return out;
    }
}
