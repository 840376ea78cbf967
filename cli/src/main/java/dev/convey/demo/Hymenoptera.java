package dev.convey.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import dev.convey.data.Images;
import dev.convey.data.Interpolation;
import dev.convey.tensor.Tensor;
import dev.convey.testdata.TestData;

/**
 * The shipped hymenoptera photos (ants and bees; 245 train, 153 val; downscaled to a 256-pixel shorter side by
 * {@code src-test-data/tools/downscale_hymenoptera.py}), decoded once and resized as Keras' {@code load_img} does
 * (nearest neighbour), as RGB pixels in [0, 255] with one-hot labels (ants 0, bees 1).
 */
public final class Hymenoptera {

    public static final List<String> CLASSES = List.of("ants", "bees");

    /** One split: the images (N, size, size, 3), one-hot labels (N, 2), and the photos' resource paths. */
    public record Split(Tensor images, Tensor labels, List<String> files) {
        public int size() {
            return files.size();
        }

        /** The class index of photo i. */
        public int label(int i) {
            return labels.data().get(i * 2) > 0.5f ? 0 : 1;
        }
    }

    private Hymenoptera() {
    }

    /** Split "train" or "val", resized to size x size. */
    public static Split load(String split, int size) {
        List<String> files = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(TestData.open("hymenoptera/index.txt"),
                StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.startsWith(split + "/")) {
                    files.add("hymenoptera/" + line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the shipped hymenoptera index", e);
        }
        Tensor x = Tensor.zeros(files.size(), size, size, 3);
        Tensor y = Tensor.zeros(files.size(), 2);
        for (int i = 0; i < files.size(); i++) {
            String f = files.get(i);
            x.batchSlice(i, 1).copyFrom(Images.load(TestData.file(f), size, size, Interpolation.NEAREST)
                    .reshape(1, size, size, 3));
            y.data().put(i * 2 + CLASSES.indexOf(f.split("/")[2]), 1f);
        }
        return new Split(x, y, files);
    }
}
