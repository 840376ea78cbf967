package dev.convey.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.convey.layers.Conv2D;
import dev.convey.layers.Layer;
import dev.convey.models.Model;

/**
 * One convolution problem at batch 1: input height x width x channels, kernel, stride, padding and filters. Its
 * key, e.g. {@code 56x56x64-3x3s1-same-64}, is the JMH parameter of {@link ConvBenchmark}.
 */
record ConvShape(int height, int width, int channels, int kernelHeight, int kernelWidth, int stride, String padding,
                 int filters) {

    private static final Pattern KEY = Pattern.compile("(\\d+)x(\\d+)x(\\d+)-(\\d+)x(\\d+)s(\\d+)-(same|valid)-(\\d+)");

    /** The JMH parameter: {@code HxWxC-KHxKWsS-padding-F}. */
    String key() {
        return height + "x" + width + "x" + channels + "-" + kernelHeight + "x" + kernelWidth + "s" + stride + "-"
                + padding + "-" + filters;
    }

    static ConvShape parse(String key) {
        Matcher m = KEY.matcher(key);
        if (!m.matches()) {
            throw new IllegalArgumentException("Convolution shape '" + key + "' does not read as HxWxC-KHxKWsS-padding-F,"
                    + " e.g. 56x56x64-3x3s1-same-64");
        }
        return new ConvShape(group(m, 1), group(m, 2), group(m, 3), group(m, 4), group(m, 5), group(m, 6), m.group(7),
                group(m, 8));
    }

    private static int group(Matcher m, int i) {
        return Integer.parseInt(m.group(i));
    }

    /** A fresh Conv2D of this shape (linear: the benchmark measures the convolution itself). */
    Conv2D newLayer() {
        Conv2D conv = new Conv2D(filters, new int[] {kernelHeight, kernelWidth}).strides(stride).padding(padding);
        conv.build(new int[] {height, width, channels});
        return conv;
    }

    /** MACs of the forward pass at batch 1: output pixels x kh x kw x in x out. */
    long forwardMacs() {
        return (long) outputSize(height) * outputSize(width) * kernelHeight * kernelWidth * channels * filters;
    }

    /** TensorFlow's output size: ceil(in / s) for "same", ceil((in - k + 1) / s) for "valid" (square kernels here). */
    private int outputSize(int in) {
        int span = padding.equals("same") ? in : in - kernelHeight + 1;
        return (span + stride - 1) / stride;
    }

    /** The shape of a Conv2D layer, read from its Keras config. */
    private static ConvShape of(Layer conv) {
        int[] in = conv.inputShapes()[0];
        Map<String, Object> c = conv.getConfig();
        List<?> k = (List<?>) c.get("kernel_size");
        List<?> s = (List<?>) c.get("strides");
        if (!s.get(0).equals(s.get(1))) {
            throw new IllegalArgumentException(conv.describe() + ": the benchmark keys need equal strides, got " + s.get(0)
                    + "x" + s.get(1));
        }
        return new ConvShape(in[0], in[1], in[2], (Integer) k.get(0), (Integer) k.get(1), (Integer) s.get(0),
                (String) c.get("padding"), (Integer) c.get("filters"));
    }

    /**
     * Every distinct convolution of VGG16 and ResNet50 at 224 x 224, in model order, with the names of the layers
     * that have it ("model/layer", the first one first).
     */
    static Map<ConvShape, List<String>> ofModels() {
        Map<ConvShape, List<String>> shapes = new LinkedHashMap<>();
        for (String name : new String[] {Models.VGG16_NAME, Models.RESNET50_NAME}) {
            Model base = Models.base(name);
            for (Layer layer : base.layers()) {
                if (layer.className().equals("Conv2D")) {
                    shapes.computeIfAbsent(of(layer), s -> new ArrayList<>()).add(name + "/" + layer.name());
                }
            }
        }
        return shapes;
    }
}
