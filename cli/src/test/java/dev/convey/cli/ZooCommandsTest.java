package dev.convey.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code convey summary} knows Xception, InceptionV3, VGG19 and the ResNet family by their registry and Keras names
 * (predict, infer and train --base go through the same registry, {@code Applications.get}), and prints Keras' totals.
 */
class ZooCommandsTest {

    @ParameterizedTest
    @CsvSource({
        "xception, block14_sepconv2, '22,910,480'",
        "InceptionV3, mixed10, '23,851,784'",
        "vgg19, block5_conv4, '143,667,240'",
        "ResNet152V2, post_relu, '60,380,648'",
        "resnet101, conv4_block23_out, '44,707,176'",
    })
    void summaryPrintsTheKerasTable(String name, String layer, String total) {
        ConveyTest.Result r = ConveyTest.run("summary", "--model", name);
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains(layer), r.out());
        assertTrue(r.out().contains(total), r.out());
    }
}
