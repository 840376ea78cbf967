package dev.convey.data;

import dev.convey.tensor.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Keras' {@code load_img} + {@code img_to_array}: decode an image file (JPEG, PNG, GIF, BMP, TIFF, whatever
 * {@code javax.imageio} reads), convert it to RGB or grayscale, resize it as Pillow does, and return a float
 * tensor {@code (H, W, C)} of values 0..255.
 *
 * <p>Keras works on 8-bit Pillow images until {@code img_to_array}: colour conversion and resizing round to
 * integers 0..255 at each step. {@link Pixels} is that 8-bit image, and the resampling below reproduces Pillow's
 * fixed-point arithmetic so that the floats are the ones Keras would see.
 */
public final class Images {

    /** File name endings Keras' {@code flow_from_directory} lists ({@code Iterator.white_list_formats}). */
    public static final java.util.List<String> KERAS_EXTENSIONS =
            java.util.List.of("png", "jpg", "jpeg", "bmp", "ppm", "tif", "tiff");

    // Pillow's fixed point for 8-bit resampling: weights are integers scaled by 2^22 (32 - 8 - 2 bits).
    private static final int PRECISION_BITS = 32 - 8 - 2;

    static {
        // Decode from memory, not through temporary cache files.
        ImageIO.setUseCache(false);
    }

    private Images() {
    }

    /**
     * An 8-bit image as Pillow holds it: {@code values[(y * width + x) * channels + c]} in 0..255, channels R, G, B
     * or one luma channel.
     */
    public record Pixels(int height, int width, int channels, int[] values) {
        public Pixels {
            if (values.length != height * width * channels) {
                throw new IllegalArgumentException(values.length + " values do not fill a " + height + "x" + width
                        + "x" + channels + " image");
            }
        }

        int at(int y, int x, int c) {
            return values[(y * width + x) * channels + c];
        }
    }

    /** The image as an RGB float tensor {@code (H, W, 3)} of 0..255, at its own size. */
    public static Tensor load(Path file) {
        return load(file, ColorMode.RGB, 0, 0, Interpolation.NEAREST);
    }

    /** Keras' {@code load_img(path, target_size=(h, w), interpolation=...)} as an RGB tensor {@code (h, w, 3)}. */
    public static Tensor load(Path file, int targetHeight, int targetWidth, Interpolation interpolation) {
        return load(file, ColorMode.RGB, targetHeight, targetWidth, interpolation);
    }

    /**
     * Keras' {@code load_img} with a colour mode: a tensor {@code (h, w, channels)} of 0..255. A target size of 0
     * keeps the image's own size. Throws {@link UncheckedIOException} naming the file if it cannot be decoded.
     */
    public static Tensor load(Path file, ColorMode mode, int targetHeight, int targetWidth,
                              Interpolation interpolation) {
        return toTensor(decodeAndResize(file, mode, targetHeight, targetWidth, interpolation));
    }

    /** Decodes, converts and resizes (no resize if the target size is 0 or already the image's size). */
    public static Pixels decodeAndResize(Path file, ColorMode mode, int targetHeight, int targetWidth,
                                         Interpolation interpolation) {
        Pixels pixels = decode(file, mode);
        if (targetHeight <= 0 || targetWidth <= 0
                || (pixels.height() == targetHeight && pixels.width() == targetWidth)) {
            return pixels;
        }
        return resize(pixels, targetHeight, targetWidth, interpolation);
    }

    /**
     * Decodes a file into 8-bit RGB or luma pixels as Pillow's {@code open(...).convert("RGB" | "L")}: no ICC
     * colour conversion, no EXIF rotation, alpha dropped (not composited), palettes looked up, luma is Pillow's
     * {@code L = (19595 R + 38470 G + 7471 B + 32768) >> 16} ({@link ImageDecoder} says how each kind of file
     * becomes RGB).
     */
    public static Pixels decode(Path file, ColorMode mode) {
        Pixels pixels;
        ImageHeaders.check(file); // empty, truncated, decompression bombs: refused before decoding
        try {
            pixels = ImageDecoder.decodeRgb(Files.readAllBytes(file));
        } catch (IOException | RuntimeException e) {
            // ImageIO throws IIOException for corrupt data and sometimes runtime exceptions for odd files.
            String why = e instanceof java.nio.file.NoSuchFileException ? "the file does not exist" : e.getMessage();
            throw new UncheckedIOException(new IOException("Cannot decode image " + file + ": " + why, e));
        }
        return mode == ColorMode.GRAYSCALE ? toLuma(pixels) : pixels;
    }

    /**
     * True if some {@code javax.imageio} reader recognises the file's header. Cheap (reads a few bytes): used to
     * report files that cannot be images before training starts.
     */
    public static boolean isDecodable(Path file) {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                return false;
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            return readers.hasNext();
        } catch (IOException e) {
            return false;
        }
    }

    // Pillow's RGB -> L conversion (Convert.c, L24): ITU-R 601-2 luma in 16-bit fixed point, rounded.
    static Pixels toLuma(Pixels rgb) {
        int n = rgb.height() * rgb.width();
        int[] luma = new int[n];
        int[] v = rgb.values();
        for (int i = 0; i < n; i++) {
            luma[i] = (v[3 * i] * 19595 + v[3 * i + 1] * 38470 + v[3 * i + 2] * 7471 + 0x8000) >> 16;
        }
        return new Pixels(rgb.height(), rgb.width(), 1, luma);
    }

    /** Resizes as Pillow's {@code Image.resize((width, height), filter)} does on an 8-bit image. */
    public static Pixels resize(Pixels in, int height, int width, Interpolation interpolation) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("Cannot resize to " + height + "x" + width + ": sizes must be positive");
        }
        if (interpolation == Interpolation.NEAREST) {
            return resizeNearest(in, height, width);
        }
        Pixels out = in;
        // Two separable passes, horizontal first, each rounding to 8 bits, as Pillow's ImagingResampleInner.
        if (width != in.width()) {
            out = resampleAxis(out, width, interpolation, true);
        }
        if (height != in.height()) {
            out = resampleAxis(out, height, interpolation, false);
        }
        return out;
    }

    /**
     * Nearest neighbour, Pillow's ImagingScaleAffine: source index = (int) of {@code in/out * 0.5 + k * in/out}
     * with the position accumulated by repeated addition. This is {@code floor((dst + 0.5) * in / out)} in exact
     * arithmetic, but the accumulated double rounds differently for some sizes, and Keras gets Pillow's answer.
     */
    static int[] nearestSourceIndex(int in, int out) {
        double step = (double) in / out;
        double position = step * 0.5;
        int[] index = new int[out];
        for (int i = 0; i < out; i++) {
            index[i] = Math.min(in - 1, (int) position);
            position += step;
        }
        return index;
    }

    private static Pixels resizeNearest(Pixels in, int height, int width) {
        int[] sourceRow = nearestSourceIndex(in.height(), height);
        int[] sourceCol = nearestSourceIndex(in.width(), width);
        int c = in.channels();
        int[] out = new int[height * width * c];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                System.arraycopy(in.values(), (sourceRow[y] * in.width() + sourceCol[x]) * c, out,
                        (y * width + x) * c, c);
            }
        }
        return new Pixels(height, width, c, out);
    }

    /**
     * Pillow's precompute_coeffs: for output pixel i, centre {@code ctr = (i + 0.5) * scale}, taps
     * {@code first .. first + count - 1} with {@code first = (int)(ctr - support + 0.5)} clipped to the image, and
     * weights {@code filter((j - ctr + 0.5) / filterScale)} normalised to sum 1 then rounded to 22-bit fixed point.
     */
    record Taps(int[] first, int[] count, int[] weights, int stride) {
        static Taps of(int in, int out, Interpolation filter) {
            double scale = (double) in / out;
            double filterScale = Math.max(scale, 1.0);
            double support = filter.support * filterScale;
            int stride = (int) Math.ceil(support) * 2 + 1;
            int[] first = new int[out];
            int[] count = new int[out];
            int[] weights = new int[out * stride];
            double[] w = new double[stride];
            for (int i = 0; i < out; i++) {
                double center = (i + 0.5) * scale;
                int min = Math.max(0, (int) (center - support + 0.5));
                int max = Math.min(in, (int) (center + support + 0.5));
                double sum = 0;
                for (int j = 0; j < max - min; j++) {
                    w[j] = filter.weight((j + min - center + 0.5) / filterScale);
                    sum += w[j];
                }
                for (int j = 0; j < max - min; j++) {
                    double normalised = sum != 0 ? w[j] / sum : w[j];
                    double fixed = normalised * (1 << PRECISION_BITS);
                    weights[i * stride + j] = (int) (fixed < 0 ? fixed - 0.5 : fixed + 0.5);
                }
                first[i] = min;
                count[i] = max - min;
            }
            return new Taps(first, count, weights, stride);
        }
    }

    // One resampling pass along x (horizontal) or y: out = clip8((2^21 + sum_j in[j] * w_j) >> 22), Pillow's
    // rounding of the fixed-point sum.
    private static Pixels resampleAxis(Pixels in, int outSize, Interpolation filter, boolean horizontal) {
        int inSize = horizontal ? in.width() : in.height();
        Taps taps = Taps.of(inSize, outSize, filter);
        int h = horizontal ? in.height() : outSize;
        int w = horizontal ? outSize : in.width();
        int c = in.channels();
        int[] out = new int[h * w * c];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = horizontal ? x : y;
                int first = taps.first()[i];
                for (int ch = 0; ch < c; ch++) {
                    int sum = 1 << (PRECISION_BITS - 1);
                    for (int j = 0; j < taps.count()[i]; j++) {
                        int value = horizontal ? in.at(y, first + j, ch) : in.at(first + j, x, ch);
                        sum += value * taps.weights()[i * taps.stride() + j];
                    }
                    out[(y * w + x) * c + ch] = clip8(sum);
                }
            }
        }
        return new Pixels(h, w, c, out);
    }

    private static int clip8(int fixed) {
        if (fixed >= (1 << PRECISION_BITS << 8)) {
            return 255;
        }
        return fixed <= 0 ? 0 : fixed >> PRECISION_BITS;
    }

    /** Keras' {@code img_to_array}: the 8-bit values as floats, shape {@code (H, W, C)}. */
    public static Tensor toTensor(Pixels pixels) {
        Tensor t = Tensor.zeros(pixels.height(), pixels.width(), pixels.channels());
        copyInto(pixels, t.data(), 0);
        return t;
    }

    /** Writes the values as floats into {@code buffer} from {@code offset} (a slot of a batch tensor). */
    static void copyInto(Pixels pixels, FloatBuffer buffer, int offset) {
        int[] v = pixels.values();
        for (int i = 0; i < v.length; i++) {
            buffer.put(offset + i, v[i]);
        }
    }

    /** Keras' test {@code fname.lower().endswith(white_list_formats)} (without a dot, as Keras). */
    static boolean hasKerasExtension(Path file) {
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        for (String ext : KERAS_EXTENSIONS) {
            if (name.endsWith(ext)) {
                return true;
            }
        }
        return false;
    }
}
