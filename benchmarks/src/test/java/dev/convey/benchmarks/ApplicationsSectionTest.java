package dev.convey.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.convey.layers.SeparableConv2D;
import dev.convey.models.Input;
import dev.convey.models.Model;
import dev.convey.models.SymbolicTensor;

/**
 * The multiply-accumulates of a separable convolution count both kernels (depthwise then pointwise, not the bias),
 * and the applications section lists the suite's models, skipping those that did not run.
 */
class ApplicationsSectionTest {

    @Test
    void aSeparableConvolutionCountsItsDepthwiseAndPointwiseKernels() {
        SymbolicTensor x = Input.of(9, 9, 4);
        Model m = new Model(x, new SeparableConv2D(6, 3).depthMultiplier(2).strides(2).padding("same").apply(x), "sep");
        // 5 x 5 output positions, each 3*3*4*2 depthwise + 8*6 pointwise multiply-adds
        assertEquals(25L * (3 * 3 * 4 * 2 + 8 * 6), Models.macsPerImage(m));
    }

    @Test
    void theSectionListsTheSuitesModelsAndSkipsThoseThatDidNotRun() {
        assertTrue(ApplicationsSection.models().containsAll(java.util.List.of(Models.XCEPTION_NAME,
                Models.INCEPTION_V3_NAME, Models.VGG19_NAME, Models.RESNET152_V2_NAME)));
        String md = ApplicationsSection.markdown(new Scores(), 100, 8);
        assertTrue(md.startsWith("## Every application"), md);
        assertFalse(md.contains("| xception |"), md);
    }
}
