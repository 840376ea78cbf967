package dev.convey.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The project's structural rules, checked on the main source trees of every module by a small import scan:
 * no cycle between packages (tensor &lt;- layers &lt;- training &lt;- models ...), no {@code instanceof} on a concrete
 * layer class outside the layers package and the Keras factory that maps class names to layers, and no
 * main-code file over 400 lines.
 */
class ArchitectureTest {

    private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+);", Pattern.MULTILINE);
    private static final Pattern IMPORT = Pattern.compile("^import\\s+(?:static\\s+)?(dev\\.convey\\.[\\w.]+?)\\.[A-Z]",
            Pattern.MULTILINE);
    private static final Pattern CLASS = Pattern.compile("\\bclass\\s+(\\w+)(?:<[^{]*?>)?\\s+extends\\s+(\\w+)");
    private static final Pattern INSTANCEOF = Pattern.compile("\\binstanceof\\s+(\\w+)");
    /** Where class names meet layers by design: the layers package itself and the Keras config factory. */
    private static final Set<String> LAYER_REGISTRIES = Set.of("dev.convey.layers", "dev.convey.keras");

    private record Source(Path path, String pkg, String text) {
    }

    private static List<Source> mainSources() {
        Path root = Path.of("").toAbsolutePath();
        while (root != null && !Files.exists(root.resolve("core").resolve("pom.xml"))) {
            root = root.getParent();
        }
        assertTrue(root != null, "the repository root (with core/pom.xml) above " + Path.of("").toAbsolutePath());
        List<Source> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String s = p.toString().replace('\\', '/');
                if (s.endsWith(".java") && s.contains("/src/main/java/") && !s.contains("/target/")) {
                    String text = Files.readString(p);
                    Matcher m = PACKAGE.matcher(text);
                    out.add(new Source(p, m.find() ? m.group(1) : "", text));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertFalse(out.isEmpty(), "no main sources found under " + root);
        return out;
    }

    /** Package -> the dev.convey packages it imports. */
    static Map<String, Set<String>> packageGraph(List<Source> sources) {
        Map<String, Set<String>> graph = new TreeMap<>();
        for (Source src : sources) {
            Set<String> deps = graph.computeIfAbsent(src.pkg(), k -> new TreeSet<>());
            Matcher m = IMPORT.matcher(src.text());
            while (m.find()) {
                if (!m.group(1).equals(src.pkg())) {
                    deps.add(m.group(1));
                }
            }
        }
        return graph;
    }

    /** A cycle of the graph as a list of packages (first = last), or an empty list. */
    static List<String> findCycle(Map<String, Set<String>> graph) {
        Map<String, Integer> state = new HashMap<>();   // 1 on the path, 2 done
        List<String> path = new ArrayList<>();
        for (String start : graph.keySet()) {
            List<String> cycle = visit(start, graph, state, path);
            if (!cycle.isEmpty()) {
                return cycle;
            }
        }
        return List.of();
    }

    private static List<String> visit(String p, Map<String, Set<String>> graph, Map<String, Integer> state, List<String> path) {
        Integer s = state.get(p);
        if (s != null && s == 2) {
            return List.of();
        }
        if (s != null) {
            List<String> cycle = new ArrayList<>(path.subList(path.indexOf(p), path.size()));
            cycle.add(p);
            return cycle;
        }
        state.put(p, 1);
        path.add(p);
        for (String q : graph.getOrDefault(p, Set.of())) {
            List<String> cycle = visit(q, graph, state, path);
            if (!cycle.isEmpty()) {
                return cycle;
            }
        }
        path.remove(path.size() - 1);
        state.put(p, 2);
        return List.of();
    }

    @Test
    void noPackageCycle() {
        Map<String, Set<String>> graph = packageGraph(mainSources());
        assertEquals(List.of(), findCycle(graph), "a cycle between packages; the package graph is " + graph);
        assertFalse(graph.get("dev.convey.training").contains("dev.convey.models"),
                "training must not import models (Model inherits training): " + graph.get("dev.convey.training"));
        assertFalse(graph.get("dev.convey.layers").contains("dev.convey.models"),
                "layers must not import models: " + graph.get("dev.convey.layers"));
    }

    @Test
    void theCycleFinderFindsACycle() {
        Map<String, Set<String>> g = new TreeMap<>();
        g.put("a", Set.of("b"));
        g.put("b", Set.of("c"));
        g.put("c", Set.of("a"));
        assertEquals(List.of("a", "b", "c", "a"), findCycle(g));
        g.put("c", Set.of());
        assertEquals(List.of(), findCycle(g));
    }

    /** Every class extending Layer, directly or through other layer classes (by simple name). */
    private static Set<String> layerClasses(List<Source> sources) {
        Map<String, String> superOf = new HashMap<>();
        for (Source src : sources) {
            Matcher m = CLASS.matcher(src.text());
            while (m.find()) {
                superOf.put(m.group(1), m.group(2));
            }
        }
        Set<String> layers = new HashSet<>();
        for (String c : superOf.keySet()) {
            for (String s = c; s != null; s = superOf.get(s)) {
                if (s.equals("Layer")) {
                    layers.add(c);
                    break;
                }
            }
        }
        return layers;
    }

    @Test
    void noInstanceofOnLayerClassesOutsideTheRegistries() {
        List<Source> sources = mainSources();
        Set<String> layers = layerClasses(sources);
        assertTrue(layers.containsAll(Set.of("Conv2D", "Dense", "Model", "InputLayer", "BaseConv")), layers.toString());
        List<String> offences = new ArrayList<>();
        for (Source src : sources) {
            if (LAYER_REGISTRIES.contains(src.pkg())) {
                continue;
            }
            Matcher m = INSTANCEOF.matcher(src.text());
            while (m.find()) {
                if (layers.contains(m.group(1))) {
                    offences.add(src.path().getFileName() + ": instanceof " + m.group(1));
                }
            }
        }
        assertEquals(List.of(), offences, "ask the layer (outputActivation, sublayers, isInput, epilogueStep, ...)"
                + " instead of switching on its class");
    }

    @Test
    void noMainFileOver400Lines() {
        List<String> long_ = new ArrayList<>();
        for (Source src : mainSources()) {
            long lines = src.text().lines().count();
            if (lines > 400) {
                long_.add(src.path().getFileName() + " (" + lines + " lines)");
            }
        }
        assertEquals(List.of(), long_);
    }
}
