package dev.convey.applications;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import com.google.gson.reflect.TypeToken;

import dev.convey.data.CaffePreprocessing;
import dev.convey.data.PreprocessInput;
import dev.convey.tensor.Shapes;
import dev.convey.tensor.Tensor;

/**
 * Keras' {@code imagenet_utils}: the input preprocessing VGG16 and ResNet50 were trained with, and the mapping
 * from the 1000 output units to ImageNet classes.
 */
public final class ImageNet {

    /** The number of ImageNet classes (the size of the classifier's output). */
    public static final int CLASSES = 1000;

    private static final String CLASS_INDEX_RESOURCE = "imagenet_class_index.json";
    private static volatile List<ImageNetClass> classIndex;

    /** One ImageNet class: its WordNet id ({@code n02504458}) and Keras' label ({@code African_elephant}). */
    public record ImageNetClass(String wnid, String label) {
    }

    /** One decoded guess: the class and the probability the model gave it (Keras' (wnid, label, score)). */
    public record Prediction(String wnid, String label, float probability) {
        @Override
        public String toString() {
            return wnid + " " + label + " " + probability;
        }
    }

    private ImageNet() {
    }

    /**
     * Keras' {@code preprocess_input(x, mode="caffe")} for VGG16 and ResNet50: RGB to BGR, then subtract the
     * ImageNet mean of each channel, without scaling:
     * <pre>
     *   out[..., 0] = x[..., 2] - 103.939      (B)
     *   out[..., 1] = x[..., 1] - 116.779      (G)
     *   out[..., 2] = x[..., 0] - 123.68       (R)
     * </pre>
     * in float32, as Keras computes it. {@code x} holds RGB pixels in [0, 255] with 3 channels last (any
     * rank, e.g. (N, H, W, 3) or (H, W, 3)); the result is a new tensor of the same shape.
     */
    public static Tensor preprocessInput(Tensor rgb) {
        return CaffePreprocessing.apply(rgb);
    }

    /**
     * Keras' {@code imagenet_utils.preprocess_input(x, mode)}: caffe, tf, torch or none (see {@link PreprocessInput}).
     */
    public static Tensor preprocessInput(Tensor rgb, String mode) {
        return PreprocessInput.apply(rgb, mode);
    }

    /**
     * Keras' {@code decode_predictions}: for each row of {@code predictions} (shape (N, 1000)), the {@code top}
     * most probable classes, most probable first (ties: the higher class index first, as reversing NumPy's
     * ascending argsort gives).
     */
    public static List<List<Prediction>> decodePredictions(Tensor predictions, int top) {
        if (predictions.rank() != 2 || predictions.dim(1) != CLASSES) {
            throw new IllegalArgumentException("decodePredictions expects a batch of predictions of shape (samples, "
                    + CLASSES + "), got shape " + Shapes.toString(predictions.shape()));
        }
        if (top < 1 || top > CLASSES) {
            throw new IllegalArgumentException("decodePredictions: top must be in 1.." + CLASSES + ", got " + top);
        }
        List<ImageNetClass> classes = classIndex();
        List<List<Prediction>> out = new ArrayList<>();
        for (int n = 0; n < predictions.dim(0); n++) {
            int row = n * CLASSES;
            Integer[] order = new Integer[CLASSES];
            Arrays.setAll(order, i -> i);
            Comparator<Integer> byProbability = Comparator.comparingDouble(i -> predictions.data().get(row + i));
            Arrays.sort(order, byProbability.thenComparingInt(i -> i).reversed());
            List<Prediction> guesses = new ArrayList<>();
            for (int k = 0; k < top; k++) {
                ImageNetClass c = classes.get(order[k]);
                guesses.add(new Prediction(c.wnid(), c.label(), predictions.data().get(row + order[k])));
            }
            out.add(guesses);
        }
        return out;
    }

    /** The 1000 classes in output order, from Keras' {@code imagenet_class_index.json} (bundled). */
    public static List<ImageNetClass> classIndex() {
        List<ImageNetClass> index = classIndex;
        if (index == null) {
            index = loadClassIndex();
            classIndex = index;
        }
        return index;
    }

    private static List<ImageNetClass> loadClassIndex() {
        InputStream in = ImageNet.class.getResourceAsStream(CLASS_INDEX_RESOURCE);
        if (in == null) {
            throw new IllegalStateException("The ImageNet class index " + CLASS_INDEX_RESOURCE
                    + " is missing from the classpath (package dev.convey.applications)");
        }
        try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            // {"0": ["n01440764", "tench"], "1": [...], ...}
            Map<String, List<String>> json = new Gson().fromJson(reader, new TypeToken<Map<String, List<String>>>() { }.getType());
            ImageNetClass[] classes = new ImageNetClass[CLASSES];
            for (Map.Entry<String, List<String>> e : json.entrySet()) {
                int i = Integer.parseInt(e.getKey());
                classes[i] = new ImageNetClass(e.getValue().get(0), e.getValue().get(1));
            }
            for (int i = 0; i < CLASSES; i++) {
                if (classes[i] == null) {
                    throw new IllegalStateException("The ImageNet class index has no entry for class " + i);
                }
            }
            return List.of(classes);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read the ImageNet class index " + CLASS_INDEX_RESOURCE, e);
        } catch (JsonParseException | NumberFormatException | IndexOutOfBoundsException e) {
            throw new IllegalStateException("The ImageNet class index " + CLASS_INDEX_RESOURCE + " is malformed: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Keras' {@code imagenet_utils.correct_pad(inputs, kernel_size)}: the ZeroPadding2D before a stride-2 "valid"
     * convolution that places the window as TensorFlow's "same" would, ((k/2 - adjust, k/2), (k/2 - adjust, k/2))
     * with adjust 1 for an even size and 0 for an odd one. As in Keras, an unknown height makes both adjusts 1.
     */
    static int[][] correctPad(int[] hwc, int kernelSize) {
        boolean unknown = hwc[0] < 0;
        int adjustH = unknown ? 1 : 1 - hwc[0] % 2;
        int adjustW = unknown ? 1 : 1 - Math.floorMod(hwc[1], 2);
        int half = kernelSize / 2;
        return new int[][] {{half - adjustH, half}, {half - adjustW, half}};
    }
}
