package dev.convey.applications;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.convey.layers.Layer;
import dev.convey.models.Model;

/**
 * The ResNet family and VGG19 against Keras. Totals: the Keras 3 {@code model.summary()} figures of each model with
 * its top (keras.io/api/applications lists them rounded: ResNet101 44.7M, ResNet152 60.4M, ResNet50V2 25.6M,
 * ResNet101V2 44.7M, ResNet152V2 60.4M, VGG19 143.7M); the layer counts follow from {@code resnet.py}'s stacks
 * (ResNet50: 177, as {@code len(ResNet50().layers)}); the rows are those of the summaries, each convolution's
 * parameters kh*kw*in*out (+ out with a bias).
 */
class ResNetFamilyTest {

    /** Rows of each model's summary (beyond ResNet50V2's, below). */
    private static final java.util.Map<String, String[]> ROWS = java.util.Map.of(
            "resnet101", new String[] {
                "conv4_block23_3_bn BatchNormalization 14,14,1024 4096",
                "conv4_block23_out Activation 14,14,1024 0",
                "conv5_block1_0_conv Conv2D 7,7,2048 2099200",
                "conv5_block3_out Activation 7,7,2048 0"},
            "resnet152", new String[] {
                "conv3_block8_out Activation 28,28,512 0",
                "conv4_block36_out Activation 14,14,1024 0"},
            "resnet50v2", new String[] {
                "conv1_conv Conv2D 112,112,64 9472",
                "pool1_pool MaxPooling2D 56,56,64 0",
                "conv2_block1_preact_bn BatchNormalization 56,56,64 256",
                "conv2_block1_preact_relu Activation 56,56,64 0",
                "conv2_block1_1_conv Conv2D 56,56,64 4096",
                "conv2_block1_2_pad ZeroPadding2D 58,58,64 0",
                "conv2_block1_2_conv Conv2D 56,56,64 36864",
                "conv2_block1_0_conv Conv2D 56,56,256 16640",
                "conv2_block1_3_conv Conv2D 56,56,256 16640",
                "conv2_block1_out Add 56,56,256 0",
                "conv2_block3_2_conv Conv2D 28,28,64 36864",
                "conv2_block3_out Add 28,28,256 0",
                "conv3_block4_out Add 14,14,512 0",
                "conv4_block6_out Add 7,7,1024 0",
                "conv5_block1_0_conv Conv2D 7,7,2048 2099200",
                "conv5_block3_out Add 7,7,2048 0",
                "post_bn BatchNormalization 7,7,2048 8192",
                "post_relu Activation 7,7,2048 0",
                "avg_pool GlobalAveragePooling2D 2048 0",
                "predictions Dense 1000 2049000"},
            "resnet152v2", new String[] {
                "conv3_block8_2_conv Conv2D 14,14,128 147456",
                "conv4_block36_out Add 7,7,1024 0"},
            "vgg19", new String[] {
                "block3_conv4 Conv2D 56,56,256 590080",
                "block5_conv4 Conv2D 14,14,512 2359808",
                "block5_pool MaxPooling2D 7,7,512 0",
                "fc1 Dense 4096 102764544"});

    @ParameterizedTest
    @CsvSource({
        "resnet50, ResNet50, caffe, 25636712, 53120, 177",
        "resnet101, ResNet101, caffe, 44707176, 105344, 347",
        "resnet152, ResNet152, caffe, 60419944, 151424, 517",
        "resnet50v2, ResNet50V2, tf, 25613800, 45440, 192",
        "resnet101v2, ResNet101V2, tf, 44675560, 97664, 379",
        "resnet152v2, ResNet152V2, tf, 60380648, 143744, 566",
        "vgg19, VGG19, caffe, 143667240, 0, 26",
    })
    void totalsLayerCountsAndRegistry(String name, String kerasName, String mode, long total, long nonTrainable,
                                      int layers) {
        Applications.Application app = Applications.get(kerasName);
        assertEquals(name, app.name());
        assertEquals(mode, app.preprocessMode());
        Model m = app.create(new ApplicationOptions().weights(null));
        assertEquals(name, m.name());
        LayerTable.assertTotals(m, total, total - nonTrainable, nonTrainable);
        assertEquals(layers, m.layers().size());
        LayerTable.assertRows(m, ROWS.getOrDefault(name, new String[0]));
        assertEquals(name + "_weights_tf_dim_ordering_tf_kernels.h5", app.weights().get(0).fileName());
        assertEquals(name + "_weights_tf_dim_ordering_tf_kernels_notop.h5", app.weights().get(1).fileName());
        assertTrue(app.weights().get(1).url().endsWith("/" + app.weights().get(1).fileName()));
    }

    @Test
    void weightsHashesAreKerasWeightsHashes() {
        // resnet.py's WEIGHTS_HASHES: (with top, without top)
        String[][] hashes = {
            {"resnet101", "f1aeb4b969a6efcfb50fad2f0c20cfc5", "88cf7a10940856eca736dc7b7e228a21"},
            {"resnet152", "100835be76be38e30d865e96f2aaae62", "ee4c566cf9a93f14d82f913c2dc6dd0c"},
            {"resnet50v2", "3ef43a0b657b3be2300d5770ece849e0", "fac2f116257151a9d068a22e544a4917"},
            {"resnet101v2", "6343647c601c52e1368623803854d971", "c0ed64b8031c3730f411d2eb4eea35b5"},
            {"resnet152v2", "a49b44d1979771252814e80f8ec446f9", "ed17cf2e0169df9d443503ef94b23b33"},
            // vgg19.py's file_hash arguments
            {"vgg19", "cbe5617147190e668d6c5d5026f83318", "253f8cb515780f3b799900260a226db6"},
        };
        for (String[] h : hashes) {
            List<Applications.WeightsEntry> w = Applications.get(h[0]).weights();
            assertEquals(h[1], w.get(0).md5(), h[0]);
            assertEquals(h[2], w.get(1).md5(), h[0]);
            String base = h[0].equals("vgg19") ? "vgg19" : "resnet";
            assertEquals("https://storage.googleapis.com/tensorflow/keras-applications/" + base + "/"
                    + w.get(0).fileName(), w.get(0).url());
        }
    }

    @Test
    void resNet50V2ShortcutsPoolingAndEpsilon() {
        Model m = ResNet.create(ResNet.Variant.RESNET50V2, new ApplicationOptions().weights(null).includeTop(false)
                .pooling("max").inputShape(64, 64, 3));
        // the strided identity shortcuts: unnamed 1x1/2 max poolings of the block input, in conv2, conv3, conv4
        List<Layer> pools = m.layers().stream().filter(l -> l.className().equals("MaxPooling2D")
                && l.name().startsWith("max_pooling2d")).toList();
        assertEquals(List.of("8,8,256", "4,4,512", "2,2,1024"), pools.stream().map(l -> String.join(",",
                java.util.Arrays.stream(m.outputOf(l.name()).shape()).mapToObj(String::valueOf).toList())).toList());
        assertEquals(1.001e-5f, ((dev.convey.layers.BatchNormalization) m.getLayer("post_bn")).epsilon());
        assertEquals("max_pool", m.layers().get(m.layers().size() - 1).name());
        assertEquals(25_613_800 - 2_049_000, m.countParams());
        assertEquals(20_024_384, VGG19.create(new ApplicationOptions().weights(null).includeTop(false)).countParams());
    }
}
