package dev.convey.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.convey.tensor.Parallel;
import dev.convey.tensor.Tensor;

/**
 * One image of a {@code binaryFile} row decoded exactly as single-machine Convey decodes the same file:
 * through {@link ModelSpec}'s decoder (Keras' {@code load_img} or {@code image_dataset_from_directory}'s).
 * The decoders read files, so the row's bytes go to a scratch file of the task first (a few hundred
 * kilobytes, in the page cache: small beside a forward pass); one decoder means Spark's pixels are the
 * single-machine pixels by construction.
 */
final class ImageBytes {

    private ImageBytes() {
    }

    /** A batch's decoded images and, where one could not be decoded, its error instead (null otherwise). */
    record Decoded(Tensor[] images, String[] errors) {
    }

    /** Decodes every image of a batch ({@link #load}), the images split over the cores; failures become errors. */
    static Decoded decodeAll(String[] paths, byte[][] contents, int height, int width, ModelSpec spec) {
        Tensor[] images = new Tensor[paths.length];
        String[] errors = new String[paths.length];
        Parallel.range(paths.length, 1, (start, end) -> {
            for (int i = start; i < end; i++) {
                try {
                    images[i] = load(paths[i], contents[i], height, width, spec);
                } catch (RuntimeException e) {
                    errors[i] = e.getMessage() != null ? e.getMessage() : e.toString();
                }
            }
        });
        return new Decoded(images, errors);
    }

    /**
     * The image {@code (height, width, 3)} as 0..255 floats. Throws {@link IllegalArgumentException} naming
     * {@code path} (the row's, not the scratch file's) when the bytes are not an image Convey decodes.
     */
    static Tensor load(String path, byte[] content, int height, int width, ModelSpec spec) {
        if (content == null || content.length == 0) {
            throw new IllegalArgumentException("Cannot decode image " + path + ": the file is empty");
        }
        Path scratch = null;
        try {
            scratch = Files.createTempFile("convey-image-", ".img");
            Files.write(scratch, content);
            return spec.decode(scratch, height, width);
        } catch (IOException e) {
            throw new UncheckedIOException(new IOException("Cannot write a scratch file for " + path + ": " + e, e));
        } catch (RuntimeException e) {
            // Images wraps its IOException (which carries the message) in an UncheckedIOException.
            Throwable cause = e instanceof UncheckedIOException && e.getCause() != null ? e.getCause() : e;
            String message = String.valueOf(cause.getMessage());
            throw new IllegalArgumentException(scratch == null ? message : message.replace(scratch.toString(), path), e);
        } finally {
            if (scratch != null) {
                scratch.toFile().delete();
            }
        }
    }
}
