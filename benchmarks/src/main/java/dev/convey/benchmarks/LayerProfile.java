package dev.convey.benchmarks;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

import dev.convey.layers.Layer;
import dev.convey.models.Model;
import dev.convey.onnx.OnnxExport;
import dev.convey.tensor.Tensor;

/**
 * Where the time goes, layer by layer, in Convey and in ONNX Runtime, at batch 1, measured in rounds so that both
 * see the same background load:
 * <pre>
 *   java -cp benchmarks/target/benchmarks.jar dev.convey.benchmarks.LayerProfile [--kinds] [ROUNDS [MODEL...]]
 * </pre>
 * ({@code --kinds}: the tables by kind of layer only, as RunAll puts them in RESULTS.md.)
 * Each round runs ONNX Runtime's whole model once with its profiler on (per-node kernel times), then each of
 * Convey's convolution and dense layers alone on an input of its shape, twice in a row and timed the second
 * time, then Convey's whole model once. (Timed at its first call of the round, a layer's plain forward took
 * 5-20x its time in a loop, e.g. 1x1 56x56x64 -> 256: 10.4 ms against 0.54 ms, nearly idle machine, 2026-12-02,
 * and the layers summed to twice the whole model; timed at the second call VGG16's sum to its whole model. Why the
 * first call is slow was not pinned down: cold buffers and caches, ONNX Runtime's threads, which no longer spin
 * here: {@link OrtInferenceBenchmark#inJvmProbeOptions}.) Printed: the medians over the rounds per layer (ONNX
 * Runtime's nodes are named {@code layer/Op} by the export; a batch norm, Add or activation counts with the
 * convolution before it, as both engines fuse them into it), summed by kind of layer, and the whole models.
 * Convey's layers run alone here, without the batch norm, Add and ReLU that its inference folds into them: their
 * epilogue's cost is in the gap between the whole model and the sum of its layers, with the pooling and layout
 * work.
 */
public final class LayerProfile {

    private LayerProfile() {
    }

    /** Print the tables by kind of layer only, not every layer's row. */
    private static boolean kindsOnly;

    public static void main(String[] args) throws Exception {
        kindsOnly = args.length > 0 && args[0].equals("--kinds");
        if (kindsOnly) {
            args = Arrays.copyOfRange(args, 1, args.length);
        }
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        String[] models = args.length > 1 ? Arrays.copyOfRange(args, 1, args.length)
                : new String[] {Models.RESNET50_NAME, Models.VGG16_NAME};
        for (String name : models) {
            profile(name, rounds);
        }
    }

    private static void profile(String name, int rounds) throws Exception {
        Model model = Models.classifier(name);
        List<Layer> timed = new ArrayList<>();
        List<Tensor> inputs = new ArrayList<>();
        for (Layer layer : model.layers()) {
            if (layer.className().equals("Conv2D") || layer.className().equals("Dense")
                    || layer.className().equals("DepthwiseConv2D")) {
                timed.add(layer);
                int[] shape = layer.inputShapes()[0];
                int[] withBatch = new int[shape.length + 1];
                withBatch[0] = 1;
                System.arraycopy(shape, 0, withBatch, 1, shape.length);
                Tensor x = Tensor.zeros(withBatch);
                for (int i = 0; i < x.size(); i++) {
                    x.data().put(i, (float) Math.sin(i * 0.37));
                }
                inputs.add(x);
            }
        }
        double[][] convey = new double[timed.size()][rounds];
        double[] conveyTotal = new double[rounds];
        double[] ortTotal = new double[rounds];
        Tensor images = Models.images(1);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Path file = Files.createTempFile("convey-" + name, ".onnx");
        Path profileFile;
        try (OrtSession.SessionOptions options = OrtInferenceBenchmark.inJvmProbeOptions()) {
            OnnxExport.write(model, file);
            options.enableProfiling(Files.createTempDirectory("ort-profile").resolve(name).toString());
            try (OrtSession session = env.createSession(file.toString(), options);
                 OnnxTensor ortImages = OnnxTensor.createTensor(env, images.data(),
                         new long[] {1, Models.IMAGE_SIZE, Models.IMAGE_SIZE, 3})) {
                String input = session.getInputNames().iterator().next();
                for (int r = -2; r < rounds; r++) {   // two rounds warm up (ORT's profile keeps them: dropped below)
                    long t0 = System.nanoTime();
                    session.run(Map.of(input, ortImages)).close();
                    long t1 = System.nanoTime();
                    for (int i = 0; i < timed.size(); i++) {
                        timed.get(i).forward(inputs.get(i));   // untimed: see the class comment
                        long s = System.nanoTime();
                        timed.get(i).forward(inputs.get(i));
                        if (r >= 0) {
                            convey[i][r] = (System.nanoTime() - s) / 1e6;
                        }
                    }
                    long t2 = System.nanoTime();
                    model.forward(images);
                    long t3 = System.nanoTime();
                    if (r >= 0) {
                        ortTotal[r] = (t1 - t0) / 1e6;
                        conveyTotal[r] = (t3 - t2) / 1e6;
                    }
                }
                profileFile = Path.of(session.endProfiling());
            }
        } finally {
            Files.deleteIfExists(file);
        }
        // ORT names a fused node after one of its layers (conv2_block1_2_relu/Relu holds the conv, its batch norm
        // and its ReLU): a batch norm, Add or activation counts with the convolution before it.
        Map<String, String> owner = new LinkedHashMap<>();
        String lastTimed = null;
        for (Layer layer : model.layers()) {
            lastTimed = timed.contains(layer) ? layer.name() : lastTimed;
            boolean folds = layer.epilogueStep() != null && lastTimed != null;
            owner.put(layer.name(), timed.contains(layer) || folds ? lastTimed : "(" + layer.name() + ")");
        }
        Map<String, double[]> ort = ortNodeMedians(profileFile, rounds, owner);
        Files.deleteIfExists(profileFile);
        report(name, rounds, timed, convey, ort, conveyTotal, ortTotal);
    }

    /**
     * Per owner (the timed layer a node's layer folds into, see {@code owner}; the ONNX node name up to '/' is the
     * layer's; ORT's own nodes by operator), the median over the last {@code rounds} runs of the summed kernel
     * times of its nodes, in ms.
     */
    private static Map<String, double[]> ortNodeMedians(Path profile, int rounds, Map<String, String> owner)
            throws Exception {
        JsonArray events;
        try (Reader in = Files.newBufferedReader(profile)) {
            events = JsonParser.parseReader(in).getAsJsonArray();
        }
        // Runs are delimited by "model_run" events; node events fall inside one.
        List<double[]> runs = new ArrayList<>();
        for (JsonElement el : events) {
            JsonObject e = el.getAsJsonObject();
            if ("model_run".equals(e.get("name").getAsString())) {
                double ts = e.get("ts").getAsDouble();
                runs.add(new double[] {ts, ts + e.get("dur").getAsDouble()});
            }
        }
        int first = Math.max(0, runs.size() - rounds);
        Map<String, double[]> perRun = new LinkedHashMap<>();
        for (JsonElement el : events) {
            JsonObject e = el.getAsJsonObject();
            String node = e.get("name").getAsString();
            if (!"Node".equals(e.get("cat").getAsString()) || !node.endsWith("_kernel_time")) {
                continue;
            }
            double ts = e.get("ts").getAsDouble();
            int run = -1;
            for (int i = first; i < runs.size(); i++) {
                if (ts >= runs.get(i)[0] && ts <= runs.get(i)[1]) {
                    run = i - first;
                }
            }
            if (run < 0) {
                continue;
            }
            node = node.substring(0, node.length() - "_kernel_time".length());
            String op = e.getAsJsonObject("args").get("op_name").getAsString();
            String layer = node.contains("/") ? node.substring(0, node.indexOf('/')) : node;
            layer = layer.startsWith("fused ") ? layer.substring("fused ".length()) : layer;   // ORT's fused Gemm
            String key = owner.getOrDefault(layer, "(ORT " + op + " " + node + ")");
            perRun.computeIfAbsent(key, k -> new double[rounds])[run] += e.get("dur").getAsDouble() / 1000;
        }
        Map<String, double[]> medians = new LinkedHashMap<>();
        perRun.forEach((k, v) -> medians.put(k, new double[] {PeerProbe.median(v)}));
        return medians;
    }

    private static void report(String name, int rounds, List<Layer> timed, double[][] convey, Map<String, double[]> ort,
                               double[] conveyTotal, double[] ortTotal) {
        System.out.printf(Locale.ROOT, "%n### %s, batch 1 (medians of %d rounds)%n", name, rounds);
        if (!kindsOnly) {
            System.out.println();
            System.out.println("| layer | kind | input | Convey ms | ONNX Runtime ms | ratio |");
            System.out.println("| --- | --- | --- | --- | --- | --- |");
        }
        Map<String, double[]> byKind = new LinkedHashMap<>();
        double ortLayers = 0;
        for (int i = 0; i < timed.size(); i++) {
            Layer layer = timed.get(i);
            String kind = kind(layer);
            double c = PeerProbe.median(convey[i]);
            double[] o = ort.remove(layer.name());
            double om = o == null ? Double.NaN : o[0];
            ortLayers += o == null ? 0 : om;
            double[] k = byKind.computeIfAbsent(kind, x -> new double[3]);
            k[0] += c;
            k[1] += o == null ? 0 : om;
            k[2]++;
            if (!kindsOnly) {
                System.out.printf(Locale.ROOT, "| %s | %s | %s | %.3f | %.3f | %.2f |%n", layer.name(), kind,
                        Arrays.toString(layer.inputShapes()[0]), c, om, c / om);
            }
        }
        System.out.printf(Locale.ROOT, "%n| %s kind of layer | layers | Convey ms | ONNX Runtime ms | ratio |%n", name);
        System.out.println("| --- | --- | --- | --- | --- |");
        double conveyLayers = 0;
        for (Map.Entry<String, double[]> k : byKind.entrySet()) {
            double[] v = k.getValue();
            conveyLayers += v[0];
            System.out.printf(Locale.ROOT, "| %s | %d | %.2f | %.2f | %.2f |%n", k.getKey(), (int) v[2], v[0], v[1], v[0] / v[1]);
        }
        double ortOther = 0;
        StringBuilder others = new StringBuilder();
        for (Map.Entry<String, double[]> o : ort.entrySet()) {
            ortOther += o.getValue()[0];
            if (o.getValue()[0] >= 0.05) {
                others.append(String.format(Locale.ROOT, " %s %.2f;", o.getKey(), o.getValue()[0]));
            }
        }
        double ct = PeerProbe.median(conveyTotal);
        double ot = PeerProbe.median(ortTotal);
        System.out.printf(Locale.ROOT, "| all conv/dense layers | %d | %.2f | %.2f | %.2f |%n", timed.size(), conveyLayers,
                ortLayers, conveyLayers / ortLayers);
        System.out.printf(Locale.ROOT, "| everything else (Convey: whole model - layers alone) | | %.2f | %.2f | |%n",
                ct - conveyLayers, ortOther);
        System.out.printf(Locale.ROOT, "| whole model (median) | | %.2f | %.2f | %.2f |%n", ct, ot, ct / ot);
        System.out.println();
        System.out.println("ONNX Runtime's other nodes (>= 0.05 ms):" + others);
    }

    /** "3x3 s1 14x14" and the like: kernel, stride and input map size, by the layer's Keras config. */
    private static String kind(Layer layer) {
        if (layer.className().equals("Dense")) {
            return "dense";
        }
        Map<String, Object> config = layer.getConfig();
        List<?> k = (List<?>) config.get("kernel_size");
        List<?> s = (List<?>) config.get("strides");
        int[] in = layer.inputShapes()[0];
        String prefix = layer.className().equals("DepthwiseConv2D") ? "dw " : "";
        return prefix + k.get(0) + "x" + k.get(1) + " s" + s.get(0) + " " + in[0] + "x" + in[1];
    }
}
