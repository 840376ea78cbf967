package dev.convey.fuzz;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.convey.data.Images;
import dev.convey.io.Npy;
import dev.convey.keras.Hdf5File;
import dev.convey.keras.Hdf5Group;
import dev.convey.keras.KerasModelFile;
import dev.convey.keras.KerasWeights;

/**
 * The child JVM of {@link FuzzHarness}: reads each file of a list with the reader a user would call, and reports
 * on stdout, one line per file, {@code @@fuzz begin}, then {@code @@fuzz ok} or
 * {@code @@fuzz error CLASS<TAB>MESSAGE}. A crash shows as the process ending between the two, a hang as no
 * answer within the harness's time limit.
 * <pre>  java -cp TEST_CLASSPATH dev.convey.fuzz.FuzzWorker model|npy|image LIST_FILE</pre>
 */
public final class FuzzWorker {

    static final String PREFIX = "@@fuzz ";

    private FuzzWorker() {
    }

    public static void main(String[] args) throws Exception {
        String kind = args[0];
        List<String> files = Files.readAllLines(Path.of(args[1]), StandardCharsets.UTF_8);
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(new PrintStream(PrintStream.nullOutputStream())); // library chatter must not mix in
        for (String name : files) {
            out.println(PREFIX + "begin");
            try {
                read(kind, Path.of(name));
                out.println(PREFIX + "ok");
            } catch (Throwable e) {
                out.println(PREFIX + "error " + describe(e));
            }
        }
    }

    /** What a user of each file kind calls. */
    static void read(String kind, Path file) throws Exception {
        switch (kind) {
            case "model" -> readKerasFile(file);
            case "npy" -> Npy.load(file);
            case "image" -> Images.load(file);
            default -> throw new IllegalArgumentException("unknown kind " + kind);
        }
    }

    /** A whole-model file is rebuilt and loaded; a weights file is listed and every dataset read. */
    private static void readKerasFile(Path file) {
        boolean wholeModel;
        try (Hdf5File f = Hdf5File.open(file)) {
            wholeModel = f.root().hasAttribute("model_config");
        }
        if (wholeModel) {
            KerasModelFile.load(file);
            return;
        }
        List<KerasWeights.SavedLayerInfo> layers = KerasWeights.list(file);
        try (Hdf5File f = Hdf5File.open(file)) {
            Hdf5Group weights = f.root().hasGroup("model_weights") ? f.root().group("model_weights") : f.root();
            for (KerasWeights.SavedLayerInfo layer : layers) {
                for (KerasWeights.SavedWeight w : layer.weights()) {
                    weights.group(layer.name()).readDataset(w.name());
                }
            }
        }
    }

    /** {@code CLASS<TAB>message} on one line, with the causes' classes after the message. */
    static String describe(Throwable e) {
        StringBuilder s = new StringBuilder(e.getClass().getName()).append('\t').append(e.getMessage());
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            s.append(" <- ").append(c.getClass().getName());
        }
        StackTraceElement[] trace = e.getStackTrace();
        if (trace.length > 0) {
            s.append(" @ ").append(trace[0]);
        }
        return s.toString().replace('\n', ' ').replace('\r', ' ');
    }
}
