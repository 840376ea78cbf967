package dev.convey.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.convey.tensor.Tensor;
import dev.convey.testdata.TestData;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {

    private static int[] counts(int[] labels) {
        int[] c = new int[5];
        for (int l : labels) {
            c[l]++;
        }
        return c;
    }

    @Test
    void shippedPartsHaveTheAdvertisedSizesAndLabels() {
        FashionMnist.Subset pretrain = FashionMnist.loadShipped(FashionMnist.Part.PRETRAIN);
        assertArrayEquals(new int[] {10000, 28, 28, 1}, pretrain.images().shape());
        assertArrayEquals(new int[] {2000, 2000, 2000, 2000, 2000}, counts(pretrain.labels()));
        assertEquals(List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat"), pretrain.classNames());
        // The first training labels are 9 0 0 3 0 2 7 2 5 5 0 9 5 5 7 9 1 0 6 4: classes 0-4 in file order.
        assertArrayEquals(new int[] {0, 0, 3, 0, 2, 2, 0, 1, 0, 4}, java.util.Arrays.copyOf(pretrain.labels(), 10));

        FashionMnist.Subset targetTrain = FashionMnist.loadShipped(FashionMnist.Part.TARGET_TRAIN);
        assertArrayEquals(new int[] {250, 28, 28, 1}, targetTrain.images().shape());
        assertArrayEquals(new int[] {50, 50, 50, 50, 50}, counts(targetTrain.labels()));
        assertArrayEquals(new int[] {4, 2, 0, 0, 4}, java.util.Arrays.copyOf(targetTrain.labels(), 5));
        assertEquals(List.of("Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"), targetTrain.classNames());

        FashionMnist.Subset targetTest = FashionMnist.loadShipped(FashionMnist.Part.TARGET_TEST);
        assertArrayEquals(new int[] {1000, 1000, 1000, 1000, 1000}, counts(targetTest.labels()));
        Tensor oneHot = targetTest.oneHotLabels();
        assertArrayEquals(new int[] {5000, 5}, oneHot.shape());
        assertEquals(1f, oneHot.get(0, 4)); // the first test image is an ankle boot (9 -> 4)
        float max = 0;
        for (float v : targetTest.images().toArray()) {
            max = Math.max(max, v);
        }
        assertEquals(1f, max);
    }

    @Test
    void shippedFilesEqualARegenerationFromTheOriginals(@TempDir Path tmp) throws IOException {
        Optional<Path> originals = TestData.shared("datasets/fashion-mnist");
        Assumptions.assumeTrue(originals.isPresent(), "../shared/datasets/fashion-mnist is absent");
        FashionMnist.regenerate(originals.get(), tmp);
        for (FashionMnist.Part part : FashionMnist.Part.values()) {
            for (String file : List.of(part.imagesFile(), part.labelsFile())) {
                Idx.Array fresh = Idx.read(tmp.resolve(file));
                Idx.Array shipped = Idx.read(TestData.file("fashion-mnist/" + file));
                assertArrayEquals(fresh.shape(), shipped.shape(), file);
                assertArrayEquals(fresh.data(), shipped.data(), file);
            }
        }
    }
}
