package dev.convey.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.convey.io.Npy;
import dev.convey.keras.KerasModelFile;
import dev.convey.layers.Conv2D;
import dev.convey.layers.Dense;
import dev.convey.layers.Flatten;
import dev.convey.layers.Layer;
import dev.convey.models.Input;
import dev.convey.models.Model;
import dev.convey.models.SymbolicTensor;
import dev.convey.tensor.Tensor;
import dev.convey.training.Loss;
import dev.convey.training.SGD;
import dev.convey.training.Trainer;

/** {@code convey fit} on a tiny classifier: (6, 6, 1) -> conv 3x3 x2 relu -> flatten -> dense 3 softmax. */
class FitCommandTest {

    private static final int N = 8;
    private static final int CLASSES = 3;

    @TempDir
    Path tmp;

    private Path modelFile;
    private Path xFile;
    private Path yFile;
    private Path out;
    private Tensor x;
    private Tensor y;

    @BeforeEach
    void writeModelAndData() throws IOException {
        Layer.setRandomSeed(3);
        SymbolicTensor input = Input.of("image", 6, 6, 1);
        SymbolicTensor h = new Conv2D(2, 3).activation("relu").name("conv").apply(input);
        h = new Flatten().name("flatten").apply(h);
        SymbolicTensor p = new Dense(CLASSES).activation("softmax").name("out").apply(h);
        modelFile = tmp.resolve("tiny.h5");
        KerasModelFile.save(new Model(input, p, "tiny"), modelFile);

        Random random = new Random(11);
        x = Tensor.zeros(N, 6, 6, 1);
        for (int i = 0; i < x.size(); i++) {
            x.data().put(i, random.nextFloat());
        }
        y = Tensor.zeros(N, CLASSES);
        for (int n = 0; n < N; n++) {
            y.set(1f, n, n % CLASSES);
        }
        xFile = tmp.resolve("x.npy");
        yFile = tmp.resolve("y.npy");
        Npy.write(xFile, x);
        Npy.write(yFile, y);
        out = tmp.resolve("out.h5");
    }

    private ConveyTest.Result fit(String... more) {
        List<String> args = new ArrayList<>(List.of("fit", "--model-file", modelFile.toString(), "--save", out.toString()));
        args.addAll(Arrays.asList(more));
        return ConveyTest.run(args.toArray(new String[0]));
    }

    private ConveyTest.Result fitArrays(String... more) {
        List<String> args = new ArrayList<>(List.of("--x", xFile.toString(), "--y", yFile.toString()));
        args.addAll(Arrays.asList(more));
        return fit(args.toArray(new String[0]));
    }

    // ---------------------------------------------------------------- training

    @Test
    void oneFullBatchEpochWithoutShufflingIsExactlyOneSgdStep() {
        float lr = 0.5f;
        ConveyTest.Result r = fitArrays("--optimizer", "sgd", "--lr", String.valueOf(lr), "--batch-size", String.valueOf(N),
                "--epochs", "1", "--no-shuffle");
        assertEquals(0, r.exitCode(), r.err());

        // The step by hand through the library: forward in training mode, the loss' gradient, backward.
        Model model = KerasModelFile.load(modelFile);
        Trainer compiled = new Trainer(model, new SGD(lr), "categorical_crossentropy");
        Tensor p = model.forward(new Tensor[] {x}, true);
        Tensor dp = Tensor.zeros(p.shape());
        Loss loss = compiled.loss();
        if (compiled.isFusedWithSoftmax()) {
            loss.computeFused(p, y, dp);
        } else {
            loss.compute(p, y, dp);
        }
        model.backward(dp, new boolean[] {false}, true);

        Model trained = KerasModelFile.load(out);
        assertEquals(4, model.weights().size());
        for (int i = 0; i < model.weights().size(); i++) {
            float[] w = model.weights().get(i).value().toArray();
            float[] g = model.weights().get(i).gradient().toArray();
            float[] saved = trained.weights().get(i).value().toArray();
            double change = 0;
            for (int j = 0; j < w.length; j++) {
                float expected = w[j] - lr * g[j];
                assertEquals(expected, saved[j], 1e-6f * Math.max(1f, Math.abs(expected)),
                        model.weights().get(i).fullName() + "[" + j + "]");
                change += Math.abs(saved[j] - w[j]);
            }
            assertTrue(change > 1e-4, model.weights().get(i).fullName() + " did not move: " + change);
        }
    }

    @Test
    void trainLastFreezesEveryEarlierLayerBitForBit() throws IOException {
        ConveyTest.Result r = fitArrays("--train-last", "1", "--optimizer", "adam", "--lr", "0.01", "--epochs", "3",
                "--batch-size", "4");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("99 of 119 weights trainable"), r.out()); // out: 32*3 + 3; conv: 3*3*1*2 + 2
        assertLayers(true, false);
    }

    @Test
    void trainableFromFreezesTheLayersBeforeIt() throws IOException {
        assertEquals(0, fitArrays("--trainable-from", "flatten", "--optimizer", "rmsprop", "--epochs", "2").exitCode());
        assertLayers(true, false);
        assertEquals(0, fitArrays("--trainable-from", "conv", "--optimizer", "sgd", "--momentum", "0.9", "--epochs", "2")
                .exitCode());
        assertLayers(false, false);
    }

    /** Compares the saved weights with the input file's: conv unchanged iff {@code convFrozen}; out always trained. */
    private void assertLayers(boolean convFrozen, boolean outFrozen) {
        Model before = KerasModelFile.load(modelFile);
        Model after = KerasModelFile.load(out);
        for (String layer : List.of("conv", "out")) {
            boolean frozen = layer.equals("conv") ? convFrozen : outFrozen;
            for (int i = 0; i < 2; i++) {
                float[] w0 = before.getLayer(layer).weights().get(i).value().toArray();
                float[] w1 = after.getLayer(layer).weights().get(i).value().toArray();
                if (frozen) {
                    assertArrayEquals(w0, w1, layer + " weight " + i + " changed although frozen");
                } else {
                    assertFalse(Arrays.equals(w0, w1), layer + " weight " + i + " did not train");
                }
            }
        }
    }

    @Test
    void sparseLabelsAndAValidationSplitTrain() throws IOException {
        Tensor indices = Tensor.zeros(N);
        for (int n = 0; n < N; n++) {
            indices.data().put(n, n % CLASSES);
        }
        Npy.write(yFile, indices);
        ConveyTest.Result r = fitArrays("--loss", "sparse_categorical_crossentropy", "--validation-split", "0.25",
                "--epochs", "2");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("val_accuracy"), r.out());
        assertTrue(Files.isRegularFile(out));
    }

    @Test
    void trainsOnAFolderOfClassFolders() throws IOException {
        Path data = tmp.resolve("images");
        Random random = new Random(5);
        for (String label : List.of("a", "b", "c")) {
            Files.createDirectories(data.resolve(label));
            for (int k = 0; k < 3; k++) {
                BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
                for (int yy = 0; yy < 8; yy++) {
                    for (int xx = 0; xx < 8; xx++) {
                        int v = random.nextInt(256);
                        image.getRaster().setSample(xx, yy, 0, v);
                    }
                }
                ImageIO.write(image, "png", data.resolve(label).resolve(k + ".png").toFile());
            }
        }
        ConveyTest.Result r = fit("--data", data.toString(), "--target-size", "6,6", "--rescale", "0.00392156862745098",
                "--epochs", "2", "--batch-size", "4", "--train-last", "1");
        assertEquals(0, r.exitCode(), r.err());
        assertLayers(true, false);
    }

    // ---------------------------------------------------------------- bad input

    @Test
    void labelsThatDoNotMatchTheOutputAreRefusedBeforeTraining() throws IOException {
        Npy.write(yFile, Tensor.zeros(N, CLASSES + 1));
        ConveyTest.Result r = fitArrays();
        assertEquals(Convey.EXIT_FAILURE, r.exitCode());
        assertTrue(r.err().contains("(8, 4)") && r.err().contains("3 outputs"), r.err());
        assertNoOutput();

        Tensor indices = Tensor.zeros(N);
        indices.data().put(5, CLASSES);
        Npy.write(yFile, indices);
        r = fitArrays("--loss", "sparse_categorical_crossentropy");
        assertEquals(Convey.EXIT_FAILURE, r.exitCode());
        assertTrue(r.err().contains("label 3.0 of sample 5"), r.err());
        assertNoOutput();
    }

    @Test
    void anEmptyDataFolderIsAClearErrorAndAnExistingOutputStaysIntact() throws IOException {
        Files.writeString(out, "the previous model");
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        ConveyTest.Result r = fit("--data", empty.toString(), "--target-size", "6,6");
        assertEquals(Convey.EXIT_FAILURE, r.exitCode());
        assertTrue(r.err().contains("no class sub-folders"), r.err());
        assertEquals("the previous model", Files.readString(out));
        assertEquals(4, countFiles(), "no other file than tiny.h5, x.npy, y.npy and out.h5");
    }

    @Test
    void imagesThatDoNotFitTheModelInputAreRefused() throws IOException {
        Npy.write(xFile, Tensor.zeros(N, 7, 7, 1));
        ConveyTest.Result r = fitArrays();
        assertEquals(Convey.EXIT_FAILURE, r.exitCode());
        assertTrue(r.err().contains("(8, 7, 7, 1)") && r.err().contains("(None, 6, 6, 1)"), r.err());
        assertNoOutput();
    }

    private void assertNoOutput() throws IOException {
        assertFalse(Files.exists(out), "no output file after a failure");
        assertEquals(3, countFiles(), "no temporary file left beside tiny.h5, x.npy and y.npy");
    }

    private long countFiles() throws IOException {
        try (Stream<Path> files = Files.list(tmp)) {
            return files.filter(Files::isRegularFile).count();
        }
    }
}
