package dev.convey.models;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.convey.layers.Layer;
import dev.convey.layers.Parameter;
import dev.convey.tensor.Shapes;

/**
 * Keras' {@code model.summary()} (keras/utils/layer_utils.py, print_summary), as text. A model whose graph is
 * a chain gets Keras' three columns (line width 65); any other graph gets the fourth column "Connected to"
 * (line width 98), listing for each layer the layers it reads as {@code name[node][tensor]}. Long fields are
 * cut at the column edge, as Keras does.
 */
final class Summary {

    private Summary() {
    }

    static String of(Model model, Graph graph) {
        boolean chain = isChain(graph);
        int width = chain ? 65 : 98;
        double[] fractions = chain ? new double[] {.45, .85, 1} : new double[] {.33, .55, .67, 1};
        int[] positions = new int[fractions.length];
        for (int i = 0; i < positions.length; i++) {
            positions[i] = (int) (width * fractions[i]);
        }
        StringBuilder s = new StringBuilder();
        s.append("Model: \"").append(model.name()).append("\"\n");
        s.append("_".repeat(width)).append('\n');
        row(s, positions, "Layer (type)", "Output Shape", "Param #", "Connected to");
        s.append("=".repeat(width)).append('\n');
        List<Layer> layers = model.layers();
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            Node node = graph.nodeByLayerName.get(layer.name());
            List<String> connections = new ArrayList<>();
            for (Node in : node.inputs) {
                // Keras numbers a layer's calls; a model's call 0 is its own construction, so its first use is 1.
                connections.add(in.layer.name() + "[" + (in.layer.sublayers().isEmpty() ? 0 : 1) + "][0]");
            }
            row(s, positions, node.label(), Shapes.toString(Shapes.withBatch(Shapes.UNKNOWN, node.tensor.shape())),
                    String.valueOf(layer.countParams()), connections.isEmpty() ? "" : connections.get(0));
            for (int c = 1; !chain && c < connections.size(); c++) {
                row(s, positions, "", "", "", connections.get(c));
            }
            s.append((i == layers.size() - 1 ? "=" : "_").repeat(width)).append('\n');
        }
        long trainable = count(model.trainableWeights());
        long total = model.countParams();
        s.append(String.format(Locale.ROOT, "Total params: %,d%n", total));
        s.append(String.format(Locale.ROOT, "Trainable params: %,d%n", trainable));
        s.append(String.format(Locale.ROOT, "Non-trainable params: %,d%n", total - trainable));
        s.append("_".repeat(width)).append('\n');
        return s.toString().replace(System.lineSeparator(), "\n");
    }

    /** Keras' sequential_like: one node per depth and no node with several inputs. */
    private static boolean isChain(Graph graph) {
        boolean[] depthSeen = new boolean[graph.nodes.size() + 1];
        for (Node n : graph.nodes) {
            int d = graph.depth[n.index];
            if (n.inputs.length > 1 || depthSeen[d]) {
                return false;
            }
            depthSeen[d] = true;
        }
        return true;
    }

    /** Keras' print_row: each field is cut or padded to end at its column position. */
    private static void row(StringBuilder s, int[] positions, String... fields) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < positions.length; i++) {
            if (i > 0) {
                line.setLength(line.length() - 1);
                line.append(' ');
            }
            line.append(fields[i]);
            line.setLength(Math.min(line.length(), positions[i]));
            while (line.length() < positions[i]) {
                line.append(' ');
            }
        }
        s.append(line).append('\n');
    }

    private static long count(List<Parameter> weights) {
        long n = 0;
        for (Parameter p : weights) {
            n += p.value().size();
        }
        return n;
    }
}
