package dev.convey.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.convey.tensor.Tensor;

/**
 * The activations added for Keras 3 against values of Keras' formulas computed in float64 by Python's math module
 * (core/src/test/python/activation_references.py; derivatives by central differences in float64), forward and
 * backward through the Activation layer; names and aliases as Keras serialises them.
 */
class ActivationFunctionTest {

    private static final float[] X = {-7.5f, -3.2f, -2.9f, -1.3f, -0.4f, -0.01f, 0.02f, 0.7f, 1.9f, 2.95f, 3.4f, 6.5f, 9.0f};

    /** name -> {f(x), f'(x)} at the points X (as doubles of the float32 inputs' decimal values). */
    private static final Map<String, double[][]> REFERENCE = Map.ofEntries(
            Map.entry("softplus", new double[][] {{0.0005529314753607964, 0.039953333162430354, 0.053562776217963175, 0.2410084538329922, 0.5130152523999526, 0.6881596805078624, 0.7031971797266342, 1.103186048885458, 2.0393867582829603, 3.0010159765895352, 3.432828470424865, 6.501502310159754, 9.000123402189724},
                    {0.0005527786369917062, 0.039165722803824465, 0.052153563086243526, 0.21416501695681323, 0.4013123398594054, 0.49750002079074207, 0.5049998332840033, 0.6681877721126384, 0.8698915254790052, 0.9502634887859074, 0.9677045353928548, 0.9984988178501908, 0.9998766046237506}}),
            Map.entry("softsign", new double[][] {{-0.8823529411764706, -0.7619047619047619, -0.7435897435897436, -0.5652173913043479, -0.28571428571428575, -0.009900990099009901, 0.0196078431372549, 0.4117647058823529, 0.6551724137931034, 0.7468354430379747, 0.7727272727272726, 0.8666666666666667, 0.9},
                    {0.013840830315192676, 0.05668934244251744, 0.06574621957966542, 0.18903591680885512, 0.5102040816218345, 0.9802960494083302, 0.961168781241431, 0.3460207612937527, 0.1189060642170503, 0.06409229291737262, 0.051652892574249876, 0.017777777749916623, 0.009999999994736442}}),
            Map.entry("elu", new double[][] {{-0.9994469156298522, -0.9592377960216338, -0.9449767799435927, -0.7274682069659875, -0.3296799539643607, -0.009950166250831893, 0.02, 0.7, 1.9, 2.95, 3.4, 6.5, 9.0},
                    {0.0005530843560919152, 0.04076220394555463, 0.05502322003581028, 0.2725317930218907, 0.6703200459701186, 0.9900498337267472, 1.000000000001, 1.0000000000287557, 0.9999999999177334, 1.000000000139778, 1.000000000139778, 1.000000000139778, 0.9999999992515995}}),
            Map.entry("selu", new double[][] {{-1.7571269488075607, -1.6864353227226458, -1.6613630399668258, -1.278961364401326, -0.5796101048822042, -0.017493380579831963, 0.0210140196, 0.735490686, 1.996331862, 3.0995678910000004, 3.572383332, 6.82955637, 9.45630882},
                    {0.0009723771787761848, 0.07166400328717515, 0.09673628609263574, 0.47913796163978617, 1.178489221043133, 1.7406059454466716, 1.0507009800004437, 1.05070098005422, 1.0507009799987088, 1.0507009802207534, 1.0507009802207534, 1.0507009799987088, 1.0507009786664412}}),
            Map.entry("gelu", new double[][] {{-2.393918396847994e-13, -0.0021988414013307533, -0.00541085857111373, -0.12584062996129347, -0.13783130335587032, -0.004960106436853684, 0.010159566274338038, 0.5306254434438489, 1.8454385363495966, 2.9453128345402737, 3.3988544404966987, 6.49999999973896, 9.0},
                    {3.191891195942728e-14, -0.006941944228006439, -0.015396530772971567, -0.1259786850810185, 0.19727020224291625, 0.49202142034764085, 0.5159555637162389, 0.9766141012002016, 1.0959534881838096, 1.013581921283091, 1.003852616365819, 1.0000000019161348, 0.9999999992515995}}),
            Map.entry("silu", new double[][] {{-0.004145839776926997, -0.12533031294964594, -0.15124533292741144, -0.2784145220446738, -0.1605249359550192, -0.004975000208331251, 0.010099996666799995, 0.46773144051771626, 1.652793898710304, 2.8032772909022583, 3.290195420025268, 6.490242315331209, 8.998889448816124},
                    {-0.0035907694088087305, -0.0812559378671196, -0.09120378686999775, -0.004622854238300889, 0.30520804158995496, 0.49500008333187506, 0.5099993333739644, 0.8233867834772646, 1.0849340180696387, 1.089688722144544, 1.0739629257017214, 1.0082418544499205, 1.000987018606736}}),
            Map.entry("hard_sigmoid", new double[][] {{0.0, 0.0, 0.01666666666666668, 0.2833333333333333, 0.43333333333333335, 0.49833333333333335, 0.5033333333333333, 0.6166666666666667, 0.8166666666666668, 0.9916666666666667, 1.0, 1.0, 1.0},
                    {0.0, 0.0, 0.166666666689963, 0.16666666663445184, 0.16666666666220742, 0.16666666666220742, 0.166666666689963, 0.16666666663445184, 0.1666666665789407, 0.166666666689963, 0.0, 0.0, 0.0}}),
            Map.entry("hard_silu", new double[][] {{-0.0, -0.0, -0.048333333333333374, -0.36833333333333335, -0.17333333333333334, -0.0049833333333333335, 0.010066666666666666, 0.43166666666666664, 1.5516666666666667, 2.925416666666667, 3.4, 6.5, 9.0},
                    {0.0, 0.0, -0.46666666673328416, 0.06666666665933185, 0.36666666665408076, 0.49666666666675285, 0.5066666666679945, 0.7333333333359171, 1.133333333180886, 1.4833333334962617, 1.000000000139778, 1.000000000139778, 0.9999999992515995}}),
            Map.entry("exponential", new double[][] {{0.0005530843701478336, 0.04076220397836621, 0.05502322005640723, 0.2725317930340126, 0.6703200460356393, 0.9900498337491681, 1.0202013400267558, 2.0137527074704766, 6.6858944422792685, 19.10595372823165, 29.96410004739701, 665.1416330443618, 8103.083927575384},
                    {0.0005530843702407535, 0.04076220398371855, 0.05502322006356586, 0.2725317930218907, 0.6703200459701186, 0.9900498337267472, 1.020201339962945, 2.0137527074748363, 6.6858944416381405, 19.105953731113345, 29.96410005096095, 665.1416331351356, 8103.083921469079}}),
            Map.entry("relu6", new double[][] {{0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.02, 0.7, 1.9, 2.95, 3.4, 6.0, 6.0},
                    {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.000000000001, 1.0000000000287557, 0.9999999999177334, 1.000000000139778, 1.000000000139778, 0.0, 0.0}}),
            Map.entry("leaky_relu", new double[][] {{-1.5, -0.6400000000000001, -0.58, -0.26, -0.08000000000000002, -0.002, 0.02, 0.7, 1.9, 2.95, 3.4, 6.5, 9.0},
                    {0.20000000000575113, 0.20000000006126228, 0.20000000006126228, 0.19999999997799556, 0.19999999999881224, 0.19999999999989646, 1.000000000001, 1.0000000000287557, 0.9999999999177334, 1.000000000139778, 1.000000000139778, 1.000000000139778, 0.9999999992515995}}),
            Map.entry("mish", new double[][] {{-0.004146985642582228, -0.12778268151702063, -0.15518367358960297, -0.3073824647494959, -0.18891648239351463, -0.0059679844586215235, 0.012127864660640126, 0.5611483776438518, 1.8367436005523152, 2.9354410633074637, 3.3929150097512544, 6.499970703939837, 8.999999725928019},
                    {-0.003592907091200942, -0.08519837682574583, -0.097300631468622, -0.026400962194195188, 0.34757279904207294, 0.593595383443623, 0.6127793321175982, 0.9687948682168823, 1.0749275909383016, 1.0226661411039117, 1.0116142468152844, 1.0000539969468036, 1.0000005170596182}}));

    @Test
    void forwardAndBackwardMatchKerasFormulas() {
        Tensor x = Tensor.zeros(1, X.length);
        for (int i = 0; i < X.length; i++) {
            x.data().put(i, X[i]);
        }
        for (Map.Entry<String, double[][]> e : REFERENCE.entrySet()) {
            Activation layer = new Activation(e.getKey());
            Tensor y = layer.forward(x.copy());
            Tensor ones = Tensor.zeros(1, X.length);
            for (int i = 0; i < X.length; i++) {
                ones.data().put(i, 1f);
            }
            Tensor dx = layer.backward(ones, new boolean[] {true}, true)[0];
            for (int i = 0; i < X.length; i++) {
                // The reference is evaluated at the decimal x, the layer at float32(x): allow |f'| * |x - float(x)|.
                double drift = Math.abs(e.getValue()[1][i]) * Math.abs(X[i] - (double) X[i]) + 1e-7;
                double expected = e.getValue()[0][i];
                assertEquals(expected, y.data().get(i), 2e-7 * Math.abs(expected) + drift + 1e-7 * 10,
                        e.getKey() + "(" + X[i] + ")");
                double expectedGrad = e.getValue()[1][i];
                assertEquals(expectedGrad, dx.data().get(i), 1e-6 * Math.abs(expectedGrad) + 2e-6,
                        e.getKey() + "'(" + X[i] + ")");
            }
        }
    }

    @Test
    void kerasNamesAndAliases() {
        assertEquals(ActivationFunction.SILU, ActivationFunction.forName("swish"));
        assertEquals(ActivationFunction.SILU, ActivationFunction.forName("silu"));
        assertEquals(ActivationFunction.HARD_SILU, ActivationFunction.forName("hard_swish"));
        assertEquals("silu", ActivationFunction.SILU.kerasName());
        assertEquals("hard_silu", ActivationFunction.HARD_SILU.kerasName());
        assertTrue(ActivationFunction.GELU.needsInput());
        assertTrue(!ActivationFunction.ELU.needsInput());
    }

    @Test
    void erfIsAccurateAcrossItsBranches() {
        // erf values from Python's math.erf (libm)
        assertEquals(0.1124629160182849, ActivationMath.erf(0.1), 1e-16);
        assertEquals(0.9953222650189527, ActivationMath.erf(2.0), 1e-15);
        assertEquals(0.9999779095030014, ActivationMath.erf(3.0), 1e-15);
        assertEquals(-0.9999999845827421, ActivationMath.erf(-4.0), 1e-15);
        assertEquals(0.999593047982555, ActivationMath.erf(2.5), 1e-15);
    }

    @Test
    void aDerivativeThatNeedsXWithoutXIsRefused() {
        Tensor t = Tensor.zeros(1, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ActivationFunction.GELU.backward(null, t, t, t));
        assertTrue(e.getMessage().contains("gelu"), e.getMessage());
    }

    @Test
    void fusedActivationsThatNeedXKeepIt() {
        // Dense and Conv2D with gelu/mish: gradient checks through the fused epilogue
        Layer dense = new Dense(3).activation("gelu");
        dense.build(new int[] {4});
        TestTensors.randomizeWeights(dense, 3);
        GradientCheck.of(dense).inputs(TestTensors.uniform(1, 2, 4)).training(true).assertMatches(2e-3);
        Layer conv = new Conv2D(2, 3).activation("mish");
        conv.build(new int[] {4, 4, 2});
        TestTensors.randomizeWeights(conv, 4);
        GradientCheck.of(conv).inputs(TestTensors.uniform(2, 1, 4, 4, 2)).training(true).assertMatches(2e-3);
    }
}
