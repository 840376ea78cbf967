package dev.convey.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

import dev.convey.testdata.TestData;

/** model_config / config.json as a schema: clear errors naming file, layer, key, value; safe mode. */
class KerasConfigSchemaTest {

    private static JsonObject genuine() throws IOException {
        return Keras3LayoutTest.config(TestData.file(KerasArchiveTest.FIXTURE));
    }

    private static JsonObject conv(JsonObject root) {
        return root.getAsJsonObject("config").getAsJsonArray("layers").get(1).getAsJsonObject().getAsJsonObject("config");
    }

    private static String error(JsonObject root) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KerasModelConfig.fromJson(root, "m.keras (config.json)"));
        return e.getMessage();
    }

    @Test
    void absurdValuesNameTheFileTheLayerTheKeyTheValueAndTheExpectation() throws IOException {
        JsonObject root = genuine();
        conv(root).addProperty("filters", -3);
        assertEquals("m.keras (config.json): Conv2D 'conv2d': 'filters' is -3; expected an integer in [1, 1048576]",
                error(root));
        conv(root).addProperty("filters", 2147483648L);
        assertTrue(error(root).contains("'filters' is 2147483648; expected an integer in [1, 1048576]"));
        conv(root).addProperty("filters", "32");
        assertTrue(error(root).contains("'filters' is \"32\"; expected an integer"));
        conv(root).addProperty("filters", 32);
        JsonArray zero = new JsonArray();
        zero.add(0);
        zero.add(3);
        conv(root).add("kernel_size", zero);
        assertEquals("m.keras (config.json): Conv2D 'conv2d': 'kernel_size' is [0,3]; expected 2 integers in [1, 4096]",
                error(root));
        conv(root).add("kernel_size", new JsonObject());
        assertTrue(error(root).contains("'kernel_size' is {}; expected an integer or a list of 2 integers"));
    }

    @Test
    void nanAndUnknownActivationAreErrors() throws IOException {
        JsonObject root = genuine();
        JsonObject dropout = root.getAsJsonObject("config").getAsJsonArray("layers").get(6).getAsJsonObject()
                .getAsJsonObject("config");
        dropout.add("rate", new JsonPrimitive(Double.NaN));
        assertEquals("m.keras (config.json): Dropout 'dropout': 'rate' is NaN; expected a finite number in [0.0, 1.0]",
                error(root));
        root = genuine();
        conv(root).addProperty("activation", "swoosh");
        assertTrue(error(root).startsWith("m.keras (config.json): Conv2D 'conv2d': Unknown activation 'swoosh'"));
    }

    @Test
    void lambdaAndCustomClassesAreRefusedByName() throws IOException {
        JsonObject root = genuine();
        JsonObject lambda = root.getAsJsonObject("config").getAsJsonArray("layers").get(5).getAsJsonObject();
        lambda.addProperty("class_name", "Lambda");
        lambda.getAsJsonObject("config").addProperty("name", "my_lambda");
        lambda.getAsJsonObject("config").addProperty("function", "4wEAAAAAAAAA...");
        assertEquals("m.keras (config.json): Lambda 'my_lambda' holds Python code (a Lambda layer); Convey never runs"
                + " code from a model file (Keras' safe_mode). Replace it with built-in layers before saving", error(root));

        root = genuine();
        JsonObject custom = root.getAsJsonObject("config").getAsJsonArray("layers").get(5).getAsJsonObject();
        custom.addProperty("module", "my_project.layers");
        custom.addProperty("class_name", "MyLayer");
        custom.addProperty("registered_name", "my_project>MyLayer");
        assertTrue(error(root).startsWith("m.keras (config.json): MyLayer 'flatten' is a custom class (registered as"
                + " 'my_project>MyLayer')"));
    }

    @Test
    void tfOpLambdaInALegacyConfigIsRefused() {
        String json = "{\"class_name\": \"Functional\", \"config\": {\"name\": \"m\", \"layers\": [{\"class_name\":"
                + " \"TFOpLambda\", \"config\": {\"name\": \"tf.math.multiply\", \"function\": \"math.multiply\"}}],"
                + " \"input_layers\": [], \"output_layers\": []}}";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KerasModelFile.fromJson(json));
        assertTrue(e.getMessage().contains("TFOpLambda 'tf.math.multiply' holds Python code"), e.getMessage());
    }

    /** Every value of the genuine config replaced by each of 8 wrong things: a model or a clear error, never Gson's. */
    @org.junit.jupiter.api.Tag("slow")
    @Test
    void everyValueReplacedByAnythingGivesAModelOrAClearError() throws IOException {
        JsonElement[] replacements = {JsonNull.INSTANCE, new JsonPrimitive("x"), new JsonPrimitive(-1),
            new JsonPrimitive(1e10), new JsonArray(), new JsonObject(), new JsonPrimitive(Double.NaN), new JsonPrimitive(true)};
        JsonObject root = genuine();
        root.remove("compile_config");
        List<List<Object>> paths = new ArrayList<>();
        collect(root, new ArrayList<>(), paths);
        int loaded = 0;
        int errors = 0;
        for (List<Object> path : paths) {
            for (JsonElement r : replacements) {
                JsonObject copy = root.deepCopy();
                set(copy, path, r);
                try {
                    KerasModelConfig.fromJson(copy, "m.keras");
                    loaded++;
                } catch (IllegalArgumentException e) {
                    if (!e.getMessage().startsWith("m.keras") || e.getMessage().contains("Exception")) {
                        fail(path + " = " + r + ": unclear error " + e.getMessage());
                    }
                    errors++;
                } catch (RuntimeException e) {
                    fail(path + " = " + r + ": " + e);
                }
            }
        }
        System.out.println("schema mutations: " + paths.size() + " values x 8: " + loaded + " loaded, " + errors
                + " clear errors, 0 unclear");
        assertTrue(errors > 1000, "mutations that fail: " + errors);
    }

    private static void collect(JsonElement e, List<Object> prefix, List<List<Object>> out) {
        if (e.isJsonObject()) {
            for (String k : e.getAsJsonObject().keySet()) {
                List<Object> p = new ArrayList<>(prefix);
                p.add(k);
                out.add(p);
                collect(e.getAsJsonObject().get(k), p, out);
            }
        } else if (e.isJsonArray()) {
            for (int i = 0; i < e.getAsJsonArray().size(); i++) {
                List<Object> p = new ArrayList<>(prefix);
                p.add(i);
                out.add(p);
                collect(e.getAsJsonArray().get(i), p, out);
            }
        }
    }

    private static void set(JsonElement root, List<Object> path, JsonElement value) {
        JsonElement e = root;
        for (int i = 0; i < path.size() - 1; i++) {
            Object k = path.get(i);
            e = k instanceof String s ? e.getAsJsonObject().get(s) : e.getAsJsonArray().get((Integer) k);
        }
        Object last = path.get(path.size() - 1);
        if (last instanceof String s) {
            e.getAsJsonObject().add(s, value);
        } else {
            e.getAsJsonArray().set((Integer) last, value);
        }
    }
}
