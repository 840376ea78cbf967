package dev.convey.fuzz;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.convey.keras.KerasModelFile;
import dev.convey.layers.Layer;
import dev.convey.models.Model;
import dev.convey.tensor.Tensor;

/**
 * The child JVM of {@link KillNineTest}: saves two versions of a model over the same file, alternately, until it
 * is killed; prints {@code saving N} before each save.
 * <pre>  java -cp TEST_CLASSPATH dev.convey.fuzz.SaveLoop SOURCE.h5 TARGET.h5</pre>
 */
public final class SaveLoop {

    private SaveLoop() {
    }

    public static void main(String[] args) {
        Model old = KerasModelFile.load(Path.of(args[0]));
        Model changed = KerasModelFile.load(Path.of(args[0]));
        shift(changed, 1);
        Path target = Path.of(args[1]);
        for (long i = 0; ; i++) {
            System.out.println("saving " + i);
            System.out.flush();
            KerasModelFile.save(i % 2 == 0 ? changed : old, target);
        }
    }

    /** Adds {@code delta} to every weight: the "new" model. */
    static void shift(Model model, float delta) {
        for (Layer layer : model.layers()) {
            List<Tensor> shifted = new ArrayList<>();
            for (Tensor w : layer.getWeights()) {
                for (int i = 0; i < w.size(); i++) {
                    w.data().put(i, w.data().get(i) + delta);
                }
                shifted.add(w);
            }
            layer.setWeights(shifted);
        }
    }

    /** The sum of all weights: tells the old model from the shifted one. */
    static double fingerprint(Model model) {
        double sum = 0;
        for (Layer layer : model.layers()) {
            for (Tensor w : layer.getWeights()) {
                for (int i = 0; i < w.size(); i++) {
                    sum += w.data().get(i);
                }
            }
        }
        return sum;
    }
}
