package dev.convey.testdata;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The data the project ships in {@code src-test-data}: Keras fixtures copied from {@code ../shared/fixtures}
 * (see {@code convey-test-data/README.md}), the Keras elephant photo, and the demo's Fashion-MNIST subset.
 *
 * <p>Resources are addressed relative to {@code convey-test-data/}, e.g.
 * {@code TestData.file("keras-real/cnn_batch_norm.h5")}. Inside a jar they are extracted to a temporary file,
 * because HDF5 needs a real file.
 */
public final class TestData {

    private static final String ROOT = "convey-test-data/";

    private TestData() {
    }

    /** The shipped resource as a file on disk. */
    public static Path file(String relative) {
        URL url = TestData.class.getClassLoader().getResource(ROOT + relative);
        if (url == null) {
            throw new IllegalArgumentException("No shipped test data '" + relative + "' under src-test-data/src/main/resources/"
                    + ROOT);
        }
        try {
            if ("file".equals(url.getProtocol())) {
                return Paths.get(url.toURI());
            }
            String name = relative.substring(relative.lastIndexOf('/') + 1);
            Path tmp = Files.createTempFile("convey-", "-" + name);
            tmp.toFile().deleteOnExit();
            try (InputStream in = url.openStream()) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            return tmp;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not extract test data '" + relative + "'", e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The shipped resource as a stream. */
    public static InputStream open(String relative) {
        InputStream in = TestData.class.getClassLoader().getResourceAsStream(ROOT + relative);
        if (in == null) {
            throw new IllegalArgumentException("No shipped test data '" + relative + "'");
        }
        return in;
    }

    /**
     * A path inside {@code ../shared} (the read-only material beside the project's root on build machines and
     * in CI), or empty where it is absent, as on a user's fresh clone. Tests use it with JUnit's Assumptions.
     */
    public static Optional<Path> shared(String relative) {
        Path dir = Paths.get("").toAbsolutePath();
        for (int up = 0; up < 4 && dir != null; up++, dir = dir.getParent()) {
            Path candidate = dir.resolveSibling("shared").resolve(relative);
            if (Files.exists(candidate)) {
                return Optional.of(candidate);
            }
            Path inside = dir.resolve("shared").resolve(relative);
            if (up > 0 && Files.exists(inside)) {
                return Optional.of(inside);
            }
        }
        return Optional.empty();
    }
}
