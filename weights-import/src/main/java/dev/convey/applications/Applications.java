package dev.convey.applications;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

import dev.convey.models.Model;
import dev.convey.tensor.Tensor;

/**
 * The Keras applications by name, as {@code keras.applications} offers them: create one from
 * {@link ApplicationOptions}, preprocess its input the way its {@code preprocess_input} does, decode its
 * predictions, and list the official weight files it can load. The CLI's {@code --model NAME} goes through here.
 * <pre>
 *   Applications.Application app = Applications.get("mobilenet");
 *   Model model = app.create(new ApplicationOptions().alpha(0.25).includeTop(false));
 *   Tensor x = app.preprocessInput(rgbPixels);
 * </pre>
 */
public final class Applications {

    /** One official weights file: Keras' cache file name, its URL, and the MD5 Keras checks (null: none published). */
    public record WeightsEntry(String fileName, String url, String md5) {
    }

    /**
     * An application: its registry name ({@code mobilenet}), Keras' function name ({@code MobileNet}), the
     * {@code preprocess_input} mode of its Keras module ({@code caffe}, {@code tf}, {@code torch} or {@code none}),
     * the builder, and the official weights files for the default options.
     */
    public record Application(String name, String kerasName, String preprocessMode,
                              Function<ApplicationOptions, Model> factory, List<WeightsEntry> weights) {

        public Model create(ApplicationOptions options) {
            return factory.apply(options);
        }

        /** The module's {@code preprocess_input} on RGB pixels in [0, 255]. */
        public Tensor preprocessInput(Tensor rgb) {
            return ImageNet.preprocessInput(rgb, preprocessMode);
        }

        /** The module's {@code decode_predictions} (ImageNet's, for every application). */
        public List<List<ImageNet.Prediction>> decodePredictions(Tensor predictions, int top) {
            return ImageNet.decodePredictions(predictions, top);
        }
    }

    private static final Map<String, Application> BY_NAME = new LinkedHashMap<>();

    static {
        register("vgg16", "VGG16", "caffe", VGG16::create, entries(VGG16.WEIGHTS));
        register("resnet50", "ResNet50", "caffe", ResNet50::create, entries(ResNet50.WEIGHTS));
        List<WeightsEntry> mobilenet = new ArrayList<>();
        for (String alpha : new String[] {"1_0", "7_5", "5_0", "2_5"}) {
            for (int rows : new int[] {128, 160, 192, 224}) {
                String stem = "mobilenet_" + alpha + "_" + rows + "_tf";
                mobilenet.add(new WeightsEntry(stem + ".h5", MobileNet.BASE_URL + stem + ".h5", null));
                mobilenet.add(new WeightsEntry(stem + "_no_top.h5", MobileNet.BASE_URL + stem + "_no_top.h5", null));
            }
        }
        register("mobilenet", "MobileNet", "tf", MobileNet::create, mobilenet);
        register("mobilenet_v2", "MobileNetV2", "tf", MobileNetV2::create, MobileNetV2.weightsEntries());
        // EfficientNetB0..B7 (preprocessing inside the model) and DenseNet121/169/201.
        for (int size = 0; size < EfficientNet.SIZES; size++) {
            int b = size;
            register("efficientnet_b" + b, "EfficientNetB" + b, "none", options -> EfficientNet.create(b, options),
                    entries(EfficientNet.weights(b)));
        }
        for (int depth : new int[] {121, 169, 201}) {
            register("densenet" + depth, "DenseNet" + depth, "torch", options -> DenseNet.create(depth, options),
                    entries(DenseNet.weights(depth)));
        }
        // Xception, InceptionV3, VGG19 and the rest of the ResNet family (resnet.py's WEIGHTS_HASHES)
        register("xception", "Xception", "tf", Xception::create, entries(Xception.WEIGHTS));
        register("inception_v3", "InceptionV3", "tf", InceptionV3::create, entries(InceptionV3.WEIGHTS));
        register("vgg19", "VGG19", "caffe", VGG19::create, entries(VGG19.WEIGHTS));
        for (ResNet.Variant v : List.of(ResNet.Variant.RESNET101, ResNet.Variant.RESNET152, ResNet.Variant.RESNET50V2,
                ResNet.Variant.RESNET101V2, ResNet.Variant.RESNET152V2)) {
            register(v.modelName(), v.kerasName(), v.preprocessMode(), options -> ResNet.create(v, options),
                    entries(v.weights()));
        }
    }

    private Applications() {
    }

    private static void register(String name, String kerasName, String mode, Function<ApplicationOptions, Model> factory,
                                 List<WeightsEntry> weights) {
        BY_NAME.put(name, new Application(name, kerasName, mode, factory, List.copyOf(weights)));
    }

    private static List<WeightsEntry> entries(Pretrained p) {
        return List.of(new WeightsEntry(p.topFile(), p.baseUrl() + p.topFile(), p.topMd5()),
                new WeightsEntry(p.noTopFile(), p.baseUrl() + p.noTopFile(), p.noTopMd5()));
    }

    /** The registry names, in a stable order. */
    public static List<String> names() {
        return List.copyOf(BY_NAME.keySet());
    }

    /**
     * The application called {@code name}: the registry name or Keras' function name, any case, with or without
     * underscores ({@code mobilenet_v2}, {@code MobileNetV2}).
     */
    public static Application get(String name) {
        String key = normalise(name);
        for (Application a : BY_NAME.values()) {
            if (normalise(a.name()).equals(key) || normalise(a.kerasName()).equals(key)) {
                return a;
            }
        }
        throw new IllegalArgumentException("Unknown model '" + name + "': expected one of "
                + String.join(", ", names()));
    }

    private static String normalise(String name) {
        return name == null ? "" : name.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
    }
}
