package dev.convey.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import dev.convey.io.Npy;
import dev.convey.tensor.Tensor;
import dev.convey.testdata.TestData;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ImageDatasets} against Keras' rules (dataset_utils.py) and numpy's shuffle. */
class ImageDatasetsTest {

    @TempDir
    Path tmp;

    @Test
    void numpyRandomStateShuffleIsNumpys() {
        // /usr/bin/python3 -c 'import numpy as np; l=list(range(n)); np.random.RandomState(seed).shuffle(l)'
        assertEquals(List.of(6, 3, 0, 4, 5, 2, 1, 9, 8, 7), shuffled(1337, 10));
        assertEquals(List.of(6, 2, 1, 3, 0, 5, 4), shuffled(0, 7));
        assertEquals(List.of(203, 266, 152, 9, 233, 226, 196, 109, 5, 175, 237, 57), shuffled(42, 300).subList(0, 12));
    }

    private static List<Integer> shuffled(long seed, int n) {
        List<Integer> l = new ArrayList<>(IntStream.range(0, n).boxed().toList());
        new NumpyRandomState(seed).shuffle(l);
        return l;
    }

    /** The hymenoptera training folder: Keras' order, labels and split for seed 1337 (make_keras_index.py). */
    @Test
    void hymenopteraOrderAndSplitAreKeras() throws Exception {
        Optional<Path> dir = TestData.shared("datasets/hymenoptera/train");
        Assumptions.assumeTrue(dir.isPresent(), "../shared/datasets/hymenoptera is absent");
        JsonObject keras = new Gson().fromJson(Files.readString(
                TestData.file("datasets/hymenoptera_train_seed1337.json")), JsonObject.class);
        ImageDatasets.Options o = ImageDatasets.options().imageSize(32, 32).seed(1337).validationSplit(0.2);
        List<ImageDataset> both = ImageDatasets.fromDirectoryBoth(dir.get(), o.subset("both"));
        assertEquals(strings(keras, "training"), relative(dir.get(), both.get(0).filePaths()));
        assertEquals(strings(keras, "validation"), relative(dir.get(), both.get(1).filePaths()));
        assertEquals(List.of("ants", "bees"), both.get(0).classNames());
        assertEquals(196, both.get(0).sampleCount());
        assertEquals(49, both.get(1).sampleCount());
        assertEquals(7, both.get(0).size());   // ceil(196 / 32)
        ImageDatasets.Index index = ImageDatasets.index(dir.get(), o);
        assertEquals(strings(keras, "shuffled"), relative(dir.get(), index.paths()));
        int[] labels = new Gson().fromJson(keras.get("labels"), int[].class);
        assertArrayEquals(labels, index.labels());
        ImageDataset validation = ImageDatasets.fromDirectory(dir.get(), o.subset("validation"));
        assertEquals(strings(keras, "validation"), relative(dir.get(), validation.filePaths()));
        ImageDataset unshuffled = ImageDatasets.fromDirectory(dir.get(),
                ImageDatasets.options().imageSize(8, 8).shuffle(false));
        assertEquals(strings(keras, "unshuffled"), relative(dir.get(), unshuffled.filePaths()));
    }

    @Test
    void listingLabelModesAndClassNamesFollowKeras() throws Exception {
        Path png = TestData.file("images/pillow/rgb.png");
        for (String f : List.of("b/x.png", "b/sub/a.PNG", "b/c.png", "a/z.png", "a/notes.txt", ".hidden/h.png",
                "c/y.jpg.bak", "c/k.png")) {
            Files.createDirectories(tmp.resolve(f).getParent());
            Files.copy(png, tmp.resolve(f));
        }
        ImageDataset ds = ImageDatasets.fromDirectory(tmp, ImageDatasets.options().imageSize(4, 5).shuffle(false)
                .batchSize(2).labelMode(ImageDatasets.LabelMode.CATEGORICAL));
        assertEquals(List.of("a", "b", "c"), ds.classNames());
        assertEquals(List.of("a/z.png", "b/c.png", "b/x.png", "b/sub/a.PNG", "c/k.png"), relative(tmp, ds.filePaths()));
        assertArrayEquals(new int[] {0, 1, 1, 1, 2}, ds.labels());
        assertEquals(3, ds.size());
        BatchSequence.Batch b = ds.get(0);
        assertArrayEquals(new int[] {2, 4, 5, 3}, b.x().shape());
        assertArrayEquals(new float[] {1, 0, 0, 0, 1, 0}, b.y().toArray());
        assertEquals(1, ds.get(2).size());

        ImageDataset ints = ImageDatasets.fromDirectory(tmp, ImageDatasets.options().imageSize(4, 5).shuffle(false)
                .classNames(List.of("c", "a")));
        assertEquals(List.of("c/k.png", "a/z.png"), relative(tmp, ints.filePaths()));
        assertArrayEquals(new float[] {0, 1}, ints.get(0).y().toArray());

        ImageDataset binary = ImageDatasets.fromDirectory(tmp, ImageDatasets.options().imageSize(4, 5)
                .shuffle(false).classNames(List.of("b", "a")).labelMode(ImageDatasets.LabelMode.BINARY));
        assertArrayEquals(new int[] {4, 1}, binary.get(0).y().shape());
        assertArrayEquals(new float[] {0, 0, 0, 1}, binary.get(0).y().toArray());

        assertThrows(IllegalArgumentException.class, () -> ImageDatasets.fromDirectory(tmp,
                ImageDatasets.options().labelMode(ImageDatasets.LabelMode.BINARY)));
        assertThrows(IllegalArgumentException.class, () -> ImageDatasets.fromDirectory(tmp,
                ImageDatasets.options().validationSplit(0.2).subset("training")));   // shuffling needs a seed
        assertThrows(IllegalArgumentException.class, () -> ImageDatasets.fromDirectory(tmp,
                ImageDatasets.options().classNames(List.of("a", "nope"))));
        assertThrows(IllegalArgumentException.class, () -> ImageDatasets.fromDirectory(tmp,
                ImageDatasets.options().seed(1).validationSplit(0.1).subset("training")));  // int(0.1 * 5) = 0
    }

    /** tf.image.resize references made with PyTorch's identical interpolate (make_tf_resize.py). */
    @Test
    void resizeIsTensorFlowsHalfPixelResize() throws Exception {
        Images.Pixels in = Images.decode(TestData.file("images/pillow/rgb.png"), ColorMode.RGB);
        for (String size : List.of("13x17", "40x50")) {
            int h = Integer.parseInt(size.split("x")[0]);
            int w = Integer.parseInt(size.split("x")[1]);
            for (TfResize.Method m : TfResize.Method.values()) {
                Tensor expected = Npy.read(TestData.file("images/pillow/rgb.png.tf_"
                        + m.name().toLowerCase(java.util.Locale.ROOT) + "_" + size + ".npy"));
                Tensor actual = TfResize.resize(in, h, w, m);
                assertArrayEquals(expected.shape(), actual.shape());
                for (int i = 0; i < expected.size(); i++) {
                    assertEquals(expected.data().get(i), actual.data().get(i), 1e-3, m + " " + size + " at " + i);
                }
            }
        }
    }

    @Test
    void cropAndPadKeepTheAspectRatio() throws Exception {
        Images.Pixels in = Images.decode(TestData.file("images/pillow/rgb.png"), ColorMode.RGB);  // 21x30
        // smart_resize to 20x20: the centred 21x21 window, x from int((30 - 21) / 2) = 4.
        Tensor crop = TfResize.cropToAspectRatio(in, 20, 20, TfResize.Method.BILINEAR);
        assertArrayEquals(TfResize.resize(in, 0, 4, 21, 21, 20, 20, TfResize.Method.BILINEAR).toArray(), crop.toArray());
        // resize_with_pad to 20x20: ratio max(30/20, 21/20) = 1.5, resized to 14x20, 3 rows of zeros on top.
        Tensor pad = TfResize.padToAspectRatio(in, 20, 20, TfResize.Method.BILINEAR);
        float[] fitted = TfResize.resize(in, 14, 20, TfResize.Method.BILINEAR).toArray();
        float[] p = pad.toArray();
        for (int i = 0; i < 3 * 20 * 3; i++) {
            assertEquals(0f, p[i]);
            assertEquals(0f, p[p.length - 1 - i]);
        }
        assertArrayEquals(fitted, java.util.Arrays.copyOfRange(p, 3 * 20 * 3, 17 * 20 * 3));
    }

    private static List<String> strings(JsonObject o, String key) {
        return List.of(new Gson().fromJson(o.get(key), String[].class));
    }

    private static List<String> relative(Path dir, List<Path> paths) {
        return paths.stream().map(p -> dir.relativize(p).toString()).toList();
    }
}
