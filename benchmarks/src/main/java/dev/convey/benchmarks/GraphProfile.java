package dev.convey.benchmarks;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.convey.layers.Epilogue;
import dev.convey.layers.Layer;
import dev.convey.models.Model;
import dev.convey.models.SymbolicTensor;
import dev.convey.tensor.Tensor;

/**
 * Where Convey's inference time goes, every layer of the graph, at batch 1:
 * <pre>
 *   java -cp benchmarks/target/benchmarks.jar dev.convey.benchmarks.GraphProfile [ROUNDS [MODEL...]]
 *   java -Dprofile.ab=PROPERTY,A,B ... GraphProfile ...     (before/after: the rounds alternate A and B)
 * </pre>
 * Each round runs every step of the inference plan alone on inputs of its shapes, then the whole model once.
 * A step is a layer, or a chain the inference planner fuses into one convolution (conv -> batch norm [-> Add]
 * [-> Activation], each link the sole reader of the one before): timed fused, as the model runs it. Printed per
 * model: the medians over the rounds summed by kind (the layer's class, with what is fused into it and its
 * activation), their shares of the sum, and the whole model beside it. Run alone a layer finds its input in
 * cache less often than inside the model, so the sum can exceed the whole; the shares are what to read.
 */
public final class GraphProfile {

    private GraphProfile() {
    }

    /** One step of the plan: a layer, or a fused chain (producer first), with inputs of its shapes. */
    private record Step(String kind, List<Layer> chain, Tensor[] inputs, Tensor residual) {

        Tensor run() {
            Layer first = chain.get(0);
            if (chain.size() == 1) {
                return first.forward(inputs, false);
            }
            Epilogue e = Epilogue.NONE;
            for (Layer link : chain.subList(1, chain.size())) {
                e = link.appendToEpilogue(e, link.epilogueStep() == Epilogue.Step.RESIDUAL ? residual : null);
            }
            return first.forwardWithEpilogue(inputs[0], e);
        }
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        String[] models = args.length > 1 ? Arrays.copyOfRange(args, 1, args.length)
                : new String[] {Models.EFFICIENTNET_B0_NAME, Models.MOBILENET_V2_NAME};
        String[] ab = System.getProperty("profile.ab", "").isEmpty() ? null : System.getProperty("profile.ab").split(",");
        for (String name : models) {
            if (ab == null) {
                profile(name, rounds, null, null);
            } else {
                profile(name, rounds, ab[0], new String[] {ab[1], ab[2]});
            }
        }
    }

    private static void profile(String name, int rounds, String property, String[] values) {
        Model model = Models.classifier(name);
        List<Step> steps = steps(model);
        int variants = values == null ? 1 : values.length;
        double[][][] times = new double[variants][steps.size()][rounds];
        double[][] whole = new double[variants][rounds];
        Tensor images = Models.images(1);
        for (int r = -3; r < rounds; r++) {   // three rounds warm up
            for (int v = 0; v < variants; v++) {
                int variant = (r & 1) == 0 ? v : variants - 1 - v;   // A and B take turns first
                if (property != null) {
                    System.setProperty(property, values[variant]);
                }
                for (int i = 0; i < steps.size(); i++) {
                    long s = System.nanoTime();
                    steps.get(i).run();
                    if (r >= 0) {
                        times[variant][i][r] = (System.nanoTime() - s) / 1e6;
                    }
                }
                long t0 = System.nanoTime();
                model.forward(images);
                if (r >= 0) {
                    whole[variant][r] = (System.nanoTime() - t0) / 1e6;
                }
            }
        }
        if (property != null) {
            System.clearProperty(property);
        }
        report(name, rounds, steps, times, whole, property, values);
    }

    /** The plan's steps in execution order: fused chains found as {@code InferenceFusion} finds them. */
    private static List<Step> steps(Model model) {
        Map<Layer, List<Layer>> consumers = new IdentityHashMap<>();
        Set<Layer> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<SymbolicTensor> todo = new ArrayDeque<>(List.of(model.output()));
        while (!todo.isEmpty()) {
            SymbolicTensor t = todo.pop();
            if (!seen.add(t.layer())) {
                continue;
            }
            for (SymbolicTensor in : t.inputs()) {
                consumers.computeIfAbsent(in.layer(), k -> new ArrayList<>()).add(t.layer());
                todo.push(in);
            }
        }
        Layer outputLayer = model.output().layer();
        Set<Layer> fused = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        List<Step> steps = new ArrayList<>();
        for (Layer layer : model.layers()) {
            if (layer.isInput() || fused.contains(layer)) {
                continue;
            }
            List<Layer> chain = new ArrayList<>(List.of(layer));
            if (layer.canTakeEpilogue()) {
                Epilogue.Step[] order = {Epilogue.Step.SCALE_SHIFT, Epilogue.Step.RESIDUAL, Epilogue.Step.ACTIVATION};
                for (Epilogue.Step want : order) {
                    Layer last = chain.get(chain.size() - 1);
                    List<Layer> readers = consumers.getOrDefault(last, List.of());
                    Layer next = readers.size() == 1 && last != outputLayer ? readers.get(0) : null;
                    if (next != null && next.epilogueStep() == want
                            && (want != Epilogue.Step.RESIDUAL || next.inputShapes().length == 2)) {
                        chain.add(next);
                    } else if (want == Epilogue.Step.SCALE_SHIFT) {
                        break;
                    }
                }
            }
            fused.addAll(chain);
            StringBuilder kind = new StringBuilder(layer.className());
            for (Layer link : chain.subList(1, chain.size())) {
                kind.append('+').append(link.epilogueStep() == Epilogue.Step.ACTIVATION
                        && link.outputActivation() != null ? link.outputActivation().kerasName() : link.className());
            }
            if (chain.size() == 1 && layer.outputActivation() != null
                    && !layer.outputActivation().kerasName().equals("linear") && !layer.className().equals("Activation")) {
                kind.append('(').append(layer.outputActivation().kerasName()).append(')');
            }
            if (layer.className().equals("Activation") && layer.outputActivation() != null) {
                kind.append(' ').append(layer.outputActivation().kerasName());
            }
            int[][] shapes = layer.inputShapes();
            Tensor[] inputs = new Tensor[chain.size() == 1 ? shapes.length : 1];
            for (int i = 0; i < inputs.length; i++) {
                inputs[i] = input(shapes[i], i);
            }
            Layer add = chain.stream().filter(l -> l.epilogueStep() == Epilogue.Step.RESIDUAL).findFirst().orElse(null);
            Tensor residual = add == null ? null : input(add.inputShapes()[0], 7);
            steps.add(new Step(kind.toString(), chain, inputs, residual));
        }
        return steps;
    }

    /** A batch-1 tensor of {@code shape} (without the batch axis) holding a smooth pattern in [-3, 3]. */
    private static Tensor input(int[] shape, int seed) {
        int[] withBatch = new int[shape.length + 1];
        withBatch[0] = 1;
        System.arraycopy(shape, 0, withBatch, 1, shape.length);
        Tensor x = Tensor.zeros(withBatch);
        for (int i = 0; i < x.size(); i++) {
            x.data().put(i, (float) (3 * Math.sin(i * 0.37 + seed)));
        }
        return x;
    }

    private static void report(String name, int rounds, List<Step> steps, double[][][] times, double[][] whole,
                               String property, String[] values) {
        System.out.printf(Locale.ROOT, "%n### %s, batch 1, every step of the inference plan alone (medians of %d rounds)%n%n",
                name, rounds);
        int variants = times.length;
        StringBuilder head = new StringBuilder("| kind | steps |");
        StringBuilder rule = new StringBuilder("| --- | --- |");
        for (int v = 0; v < variants; v++) {
            String label = property == null ? "" : " " + property + "=" + values[v];
            head.append(" ms").append(label).append(" | share").append(label).append(" |");
            rule.append(" --- | --- |");
        }
        if (variants == 2) {
            head.append(" B / A |");
            rule.append(" --- |");
        }
        System.out.println(head);
        System.out.println(rule);
        Map<String, double[]> byKind = new LinkedHashMap<>();
        Map<String, Integer> count = new LinkedHashMap<>();
        double[] sum = new double[variants];
        for (int i = 0; i < steps.size(); i++) {
            String kind = steps.get(i).kind();
            count.merge(kind, 1, Integer::sum);
            double[] k = byKind.computeIfAbsent(kind, x -> new double[variants]);
            for (int v = 0; v < variants; v++) {
                double m = PeerProbe.median(times[v][i]);
                k[v] += m;
                sum[v] += m;
            }
        }
        List<Map.Entry<String, double[]>> sorted = new ArrayList<>(byKind.entrySet());
        sorted.sort((x, y) -> Double.compare(y.getValue()[0], x.getValue()[0]));
        for (Map.Entry<String, double[]> k : sorted) {
            StringBuilder row = new StringBuilder("| " + k.getKey() + " | " + count.get(k.getKey()) + " |");
            for (int v = 0; v < variants; v++) {
                row.append(String.format(Locale.ROOT, " %.3f | %.1f %% |", k.getValue()[v], 100 * k.getValue()[v] / sum[v]));
            }
            if (variants == 2) {
                row.append(String.format(Locale.ROOT, " %.2f |", k.getValue()[1] / k.getValue()[0]));
            }
            System.out.println(row);
        }
        StringBuilder total = new StringBuilder("| sum of the steps alone | " + steps.size() + " |");
        StringBuilder model = new StringBuilder("| whole model (median) | |");
        for (int v = 0; v < variants; v++) {
            total.append(String.format(Locale.ROOT, " %.2f | 100 %% |", sum[v]));
            model.append(String.format(Locale.ROOT, " %.2f | |", PeerProbe.median(whole[v])));
        }
        if (variants == 2) {
            total.append(String.format(Locale.ROOT, " %.2f |", sum[1] / sum[0]));
            double[] ratio = new double[whole[0].length];
            for (int r = 0; r < ratio.length; r++) {
                ratio[r] = whole[1][r] / whole[0][r];
            }
            double[] sortedRatio = ratio.clone();
            Arrays.sort(sortedRatio);
            model.append(String.format(Locale.ROOT, " %.2f (per round; quartiles %.2f-%.2f) |", PeerProbe.median(ratio),
                    sortedRatio[ratio.length / 4], sortedRatio[(3 * ratio.length) / 4]));
        }
        System.out.println(total);
        System.out.println(model);
    }
}
