package dev.convey.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.convey.data.Images;
import dev.convey.data.Interpolation;
import dev.convey.tensor.Tensor;

/**
 * One image of a {@code binaryFile} row decoded exactly as single-machine Convey decodes the same file:
 * through {@link Images#load(Path, int, int, Interpolation)}, Keras' {@code load_img} + {@code img_to_array}.
 * {@code Images} reads files, so the row's bytes go to a scratch file of the task first (a few hundred
 * kilobytes, in the page cache: small beside a forward pass); one decoder means Spark's pixels are the
 * single-machine pixels by construction.
 */
final class ImageBytes {

    private ImageBytes() {
    }

    /**
     * The image {@code (height, width, 3)} as 0..255 floats. Throws {@link IllegalArgumentException} naming
     * {@code path} (the row's, not the scratch file's) when the bytes are not an image Convey decodes.
     */
    static Tensor load(String path, byte[] content, int height, int width, Interpolation filter) {
        if (content == null || content.length == 0) {
            throw new IllegalArgumentException("Cannot decode image " + path + ": the file is empty");
        }
        Path scratch = null;
        try {
            scratch = Files.createTempFile("convey-image-", ".img");
            Files.write(scratch, content);
            return Images.load(scratch, height, width, filter);
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
