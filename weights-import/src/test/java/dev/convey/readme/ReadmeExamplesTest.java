package dev.convey.readme;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.convey.applications.ApplicationOptions;
import dev.convey.applications.ImageNet;
import dev.convey.applications.VGG16;
import dev.convey.data.BatchSequence;
import dev.convey.data.ClassMode;
import dev.convey.data.ImageDataGenerator;
import dev.convey.data.Images;
import dev.convey.data.Interpolation;
import dev.convey.layers.Dense;
import dev.convey.layers.GlobalAveragePooling2D;
import dev.convey.layers.Layer;
import dev.convey.models.Model;
import dev.convey.models.SymbolicTensor;
import dev.convey.tensor.Tensor;
import dev.convey.testdata.TestData;
import dev.convey.training.RMSprop;
import dev.convey.training.SGD;

/**
 * The README's tutorial code, run as written but on the tiny VGG16 of the fixtures (every channel count / 16,
 * 64x64 inputs, the fixture's weights instead of "imagenet"), so that the documented API cannot drift.
 */
class ReadmeExamplesTest {

    private static ApplicationOptions tinyVgg16(String weightsFile, boolean includeTop) {
        return new ApplicationOptions().weights(TestData.file("applications/" + weightsFile).toString())
                .includeTop(includeTop).widthDivisor(16).inputShape(64, 64, 3);
    }

    @Test
    void classifyAnImage() {
        Model model = VGG16.create(tinyVgg16("tiny_vgg16_keras2.h5", true));
        Tensor img = Images.load(TestData.file("images/elephant.jpg"), 64, 64, Interpolation.NEAREST);
        Tensor x = ImageNet.preprocessInput(img.reshape(1, 64, 64, 3));
        Tensor preds = model.predict(x, 1);
        List<List<ImageNet.Prediction>> top = ImageNet.decodePredictions(preds, 3);
        assertEquals(1, top.size());
        assertEquals(3, top.get(0).size());
        float sum = 0;
        for (float p : preds.toArray()) {
            sum += p;
        }
        assertEquals(1f, sum, 1e-4f, "softmax output sums to 1");
        assertTrue(top.get(0).get(0).probability() >= top.get(0).get(1).probability());
    }

    @Test
    void frozenBaseWithANewHeadThenFineTuning() {
        Model base = VGG16.create(tinyVgg16("tiny_vgg16_notop_keras2.h5", false));
        SymbolicTensor x = new GlobalAveragePooling2D().apply(base.output());
        x = new Dense(64).activation("relu").apply(x);
        SymbolicTensor predictions = new Dense(10).activation("softmax").apply(x);
        Model model = new Model(base.input(), predictions, "transfer");
        base.setTrainable(false);
        model.compile(new RMSprop(), "categorical_crossentropy", "accuracy");

        Random random = new Random(7);
        Tensor xTrain = Tensor.zeros(6, 64, 64, 3);
        Tensor yTrain = Tensor.zeros(6, 10);
        for (int i = 0; i < xTrain.size(); i++) {
            xTrain.data().put(i, (float) (random.nextGaussian() * 50));
        }
        for (int n = 0; n < 6; n++) {
            yTrain.set(1f, n, n % 10);
        }
        List<Tensor> baseBefore = base.getWeights();
        Layer head = model.layers().get(model.layers().size() - 1);
        float[] headBefore = head.getWeights().get(0).toArray();
        model.fit(xTrain, yTrain, 3, 2);
        List<Tensor> baseAfter = base.getWeights();
        for (int i = 0; i < baseBefore.size(); i++) {
            assertArrayEquals(baseBefore.get(i).toArray(), baseAfter.get(i).toArray(), 0f, "frozen base weight " + i);
        }
        assertTrue(differs(headBefore, head.getWeights().get(0).toArray()), "the head trained");

        // Phase two: unfreeze the last conv block (block5_conv1 .. the head), recompile with a low learning rate.
        int n = model.layers().size() - model.layers().indexOf(model.getLayer("block5_conv1"));
        model.trainOnlyLast(n);
        model.compile(new SGD(1e-4, 0.9, false), "categorical_crossentropy", "accuracy");
        float[] block5Before = model.getLayer("block5_conv1").getWeights().get(0).toArray();
        float[] block4Before = model.getLayer("block4_conv3").getWeights().get(0).toArray();
        model.fit(xTrain, yTrain, 3, 1);
        assertArrayEquals(block4Before, model.getLayer("block4_conv3").getWeights().get(0).toArray(), 0f);
        assertTrue(differs(block5Before, model.getLayer("block5_conv1").getWeights().get(0).toArray()),
                "block5_conv1 is fine-tuned");
        for (Layer layer : model.layers()) {
            boolean top = model.layers().indexOf(layer) >= model.layers().size() - n;
            assertEquals(top, layer.isTrainable(), layer.name());
        }
    }

    @Test
    void customDataFromADirectoryWithAugmentation(@TempDir Path dir) throws IOException {
        writeImages(dir.resolve("train/cats"), 4, 0xff8040);
        writeImages(dir.resolve("train/dogs"), 4, 0x4080ff);
        Model base = VGG16.create(tinyVgg16("tiny_vgg16_notop_keras2.h5", false));
        SymbolicTensor x = new GlobalAveragePooling2D().apply(base.output());
        Model model = new Model(base.input(), new Dense(2).activation("softmax").apply(x), "cats_and_dogs");
        base.setTrainable(false);
        model.compile(new RMSprop(), "categorical_crossentropy", "accuracy");

        ImageDataGenerator augment = new ImageDataGenerator()
                .rescale(1 / 255f).shearRange(0.2).zoomRange(0.2).horizontalFlip(true);
        BatchSequence train = augment.flowFromDirectory(dir.resolve("train"), 64, 64, 4,
                ClassMode.CATEGORICAL, true, 42, null);
        assertEquals(8, train.sampleCount());
        var history = model.fit(train, 2, null);
        assertEquals(2, history.history().get("loss").size());
    }

    private static boolean differs(float[] a, float[] b) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                return true;
            }
        }
        return false;
    }

    private static void writeImages(Path folder, int count, int rgb) throws IOException {
        Files.createDirectories(folder);
        for (int i = 0; i < count; i++) {
            BufferedImage image = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 30; y++) {
                for (int x = 0; x < 40; x++) {
                    image.setRGB(x, y, (x + y + i) % 7 == 0 ? 0 : rgb);
                }
            }
            ImageIO.write(image, "png", folder.resolve("img" + i + ".png").toFile());
        }
    }
}
