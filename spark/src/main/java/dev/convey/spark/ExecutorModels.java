package dev.convey.spark;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.convey.models.Model;
import dev.convey.tensor.Parallel;
import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;

/**
 * The models of one executor JVM: each (model, layer) is read once, the first time a task of this JVM needs
 * it, and shared by every later task and by the task slots running at the same time.
 *
 * <p>Why one model per JVM and one forward pass at a time: a Convey model owns its layers' buffers (not
 * thread-safe), and one forward pass already uses every core of the JVM ({@link Parallel#threads()} threads).
 * Two task slots each running its own model would put 2 x threads on the cores. Here the slots share the
 * model: while one slot's batch runs on all cores, the other slots decode their next images on their own
 * thread, then wait for the engine. Size the JVM's cores with {@code -XX:ActiveProcessorCount=N} equal to
 * {@code spark.executor.cores} (docs/SCALING.md): the JVM then reports N processors and Convey starts N threads.
 */
final class ExecutorModels {

    private static final Logger LOG = LoggerFactory.getLogger(ExecutorModels.class);
    private static final Map<String, Engine> ENGINES = new ConcurrentHashMap<>();
    private static final AtomicInteger LOADS = new AtomicInteger();

    private ExecutorModels() {
    }

    /** The engine for {@code spec} up to {@code layer} (null: the model's output), loaded on first use. */
    static Engine get(ModelSpec spec, String layer) {
        return ENGINES.computeIfAbsent(spec.key(layer), key -> {
            LOADS.incrementAndGet();
            Engine engine = new Engine(spec, layer);
            LOG.info("Convey loaded {} up to {} in this JVM: {} threads per forward pass", spec,
                    layer == null ? "its output" : layer, Parallel.threads());
            return engine;
        });
    }

    /** How many models this JVM has read so far (a test's check that it is once per JVM, not per task). */
    static int loads() {
        return LOADS.get();
    }

    /** Keras' {@code Model(m.inputs, m.get_layer(layer).output)}; the model itself for a null layer. */
    static Model cut(Model full, String layer) {
        return layer == null ? full : new Model(full.inputs(), full.outputOf(layer), full.name() + "_" + layer);
    }

    /** A loaded model cut at a layer: the image size it takes and a forward pass that one thread runs at a time. */
    static final class Engine {

        private final Model model;
        private final int height;
        private final int width;
        private final int[] outputShape;

        Engine(ModelSpec spec, String layer) {
            this.model = cut(spec.load(), layer);
            int[] in = model.input().shape();
            if (in.length != 3 || in[0] == Shapes.UNKNOWN || in[1] == Shapes.UNKNOWN || in[2] != 3) {
                throw new IllegalArgumentException(spec + ": Spark jobs need a model with a fixed RGB image size,"
                        + " got input " + Shapes.toString(Shapes.withBatch(Shapes.UNKNOWN, in))
                        + " (save the model with input_shape=(H, W, 3))");
            }
            this.height = in[0];
            this.width = in[1];
            this.outputShape = model.output().shape();
        }

        int height() {
            return height;
        }

        int width() {
            return width;
        }

        /** The output shape of one image, without the batch axis. */
        int[] outputShape() {
            return outputShape.clone();
        }

        /** The outputs of a preprocessed batch {@code (n, H, W, 3)}, one flat array per image. */
        synchronized float[][] run(Tensor batch) {
            Tensor y = model.forward(batch);
            int n = batch.dim(0);
            int per = y.size() / n;
            float[][] rows = new float[n][per];
            for (int i = 0; i < n; i++) {
                y.data().get(i * per, rows[i]);
            }
            return rows;
        }
    }
}
