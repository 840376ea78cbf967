package dev.convey.data;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * File bytes to 8-bit RGB pixels as Pillow's {@code Image.open(f).convert("RGB")} gives them, which is what Keras'
 * {@code load_img} sees:
 * <ul>
 *   <li>an embedded ICC profile is ignored (Pillow keeps it in {@code info["icc_profile"]} and never applies it);
 *       the JDK's JPEG reader would convert colours with it, so the JPEG's APP2 {@code ICC_PROFILE} segments are
 *       removed before decoding, and other formats' samples are read raw from the raster;</li>
 *   <li>EXIF orientation is not applied (neither does Pillow's {@code open});</li>
 *   <li>grey (+alpha): the grey value in R, G and B, alpha dropped; 1/2/4-bit grey scaled to 0..255
 *       (Pillow's {@code L;1/2/4} unpackers); 16-bit grey clipped to 255 (Pillow opens it as mode {@code I} and
 *       {@code I -> RGB} clips);</li>
 *   <li>palette: looked up, alpha dropped; 16-bit RGB: the high byte (Pillow's {@code RGB;16B});</li>
 *   <li>CMYK JPEG: Adobe files store inverted CMYK (Pillow's {@code CMYK;I}); Pillow's {@code cmyk2rgb} is
 *       {@code R = clip8(nk - nk * C / 255)} with {@code nk = 255 - K} and its rounded {@code MULDIV255}.</li>
 * </ul>
 * JPEG decoding itself is the JDK's libjpeg (islow DCT, fancy upsampling) where Pillow uses libjpeg-turbo: the
 * pixels can differ by rounding (the tests bound it).
 */
final class ImageDecoder {

    private ImageDecoder() {
    }

    /** RGB values {@code (y * w + x) * 3 + c}, or throws IOException saying what the bytes are not. */
    static Images.Pixels decodeRgb(byte[] bytes) throws IOException {
        if (bytes.length >= 2 && (bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xD8) {
            return decodeJpeg(bytes);
        }
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
        if (image == null) {
            throw new IOException("not a format javax.imageio reads (JPEG, PNG, GIF, BMP, WBMP, TIFF)");
        }
        return fromRaster(image);
    }

    // ---- JPEG ----------------------------------------------------------------------------------------------

    private static Images.Pixels decodeJpeg(byte[] bytes) throws IOException {
        JpegMarkers markers = JpegMarkers.withoutIccProfile(bytes);
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(markers.bytes()))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new IOException("no JPEG reader");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                if (markers.components() == 4) {
                    return cmykToRgb(reader.readRaster(0, null), markers);
                }
                return fromRaster(reader.read(0));
            } finally {
                reader.dispose();
            }
        }
    }

    // Pillow's cmyk2rgb on Pillow's CMYK values (inverted when an Adobe marker says so, as Photoshop writes them).
    private static Images.Pixels cmykToRgb(Raster raster, JpegMarkers markers) throws IOException {
        if (markers.adobeTransform() == 2) {
            throw new IOException("YCCK JPEG (Adobe transform 2) is not supported; re-save it as RGB or CMYK");
        }
        int h = raster.getHeight();
        int w = raster.getWidth();
        int[] cmyk = raster.getPixels(raster.getMinX(), raster.getMinY(), w, h, (int[]) null);
        int[] rgb = new int[h * w * 3];
        for (int i = 0; i < h * w; i++) {
            int[] v = new int[4];
            for (int c = 0; c < 4; c++) {
                v[c] = markers.adobe() ? 255 - cmyk[4 * i + c] : cmyk[4 * i + c];
            }
            int nk = 255 - v[3];
            for (int c = 0; c < 3; c++) {
                rgb[3 * i + c] = clip8(nk - mulDiv255(v[c], nk));
            }
        }
        return new Images.Pixels(h, w, 3, rgb);
    }

    // Pillow's MULDIV255(a, b): a * b / 255 rounded, as (t + (t >> 8)) >> 8 with t = a * b + 128.
    static int mulDiv255(int a, int b) {
        int t = a * b + 128;
        return ((t >> 8) + t) >> 8;
    }

    private static int clip8(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }

    // ---- any decoded image: raw samples, no colour management ----------------------------------------------

    private static Images.Pixels fromRaster(BufferedImage image) throws IOException {
        Raster raster = image.getRaster();
        ColorModel model = image.getColorModel();
        int h = image.getHeight();
        int w = image.getWidth();
        int[] rgb = new int[h * w * 3];
        int bands = raster.getNumBands();
        int bits = raster.getSampleModel().getSampleSize(0);
        int colours = model.getNumColorComponents();
        if (model instanceof IndexColorModel palette) {
            int[] index = raster.getSamples(0, 0, w, h, 0, new int[h * w]);
            for (int i = 0; i < h * w; i++) {
                int argb = palette.getRGB(index[i]);
                put(rgb, i, (argb >> 16) & 0xFF, (argb >> 8) & 0xFF, argb & 0xFF);
            }
        } else if (colours == 1 && bands <= 2) {
            int[] grey = raster.getSamples(0, 0, w, h, 0, new int[h * w]);
            for (int i = 0; i < h * w; i++) {
                int v = grey[i];
                v = bits < 8 ? v * 255 / ((1 << bits) - 1) : bits == 8 ? v : Math.min(v, 255);
                put(rgb, i, v, v, v);
            }
        } else if (colours == 3 && bands >= 3 && (bits == 8 || bits == 16) && sameSampleSizes(raster, 3)) {
            int shift = bits - 8;
            for (int c = 0; c < 3; c++) {
                int[] band = raster.getSamples(0, 0, w, h, c, new int[h * w]);
                for (int i = 0; i < h * w; i++) {
                    rgb[3 * i + c] = band[i] >> shift;
                }
            }
        } else {
            // Packed or unusual layouts (e.g. 5-6-5 BMP): the colour model scales them to 8 bits.
            int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
            for (int i = 0; i < h * w; i++) {
                put(rgb, i, (argb[i] >> 16) & 0xFF, (argb[i] >> 8) & 0xFF, argb[i] & 0xFF);
            }
        }
        return new Images.Pixels(h, w, 3, rgb);
    }

    private static boolean sameSampleSizes(Raster raster, int bands) {
        for (int b = 1; b < bands; b++) {
            if (raster.getSampleModel().getSampleSize(b) != raster.getSampleModel().getSampleSize(0)) {
                return false;
            }
        }
        return true;
    }

    private static void put(int[] rgb, int i, int r, int g, int b) {
        rgb[3 * i] = r;
        rgb[3 * i + 1] = g;
        rgb[3 * i + 2] = b;
    }

    /**
     * The JPEG's header segments up to the scan: the bytes with every APP2 {@code ICC_PROFILE} segment removed,
     * the number of colour components (from the SOF marker) and the Adobe APP14 marker's colour transform.
     */
    record JpegMarkers(byte[] bytes, int components, boolean adobe, int adobeTransform) {

        static JpegMarkers withoutIccProfile(byte[] in) throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
            out.write(in, 0, 2);
            int pos = 2;
            int components = 0;
            boolean adobe = false;
            int transform = -1;
            while (pos + 4 <= in.length) {
                if ((in[pos] & 0xFF) != 0xFF) {
                    throw new IOException("JPEG marker expected at byte " + pos);
                }
                int marker = in[pos + 1] & 0xFF;
                if (marker == 0xFF) {      // fill byte
                    out.write(0xFF);
                    pos++;
                    continue;
                }
                if (marker == 0xDA || marker == 0xD9) {   // start of scan: the rest is entropy-coded data
                    break;
                }
                int length = ((in[pos + 2] & 0xFF) << 8) | (in[pos + 3] & 0xFF);
                if (length < 2 || pos + 2 + length > in.length) {
                    throw new IOException("JPEG segment 0x" + Integer.toHexString(marker) + " at byte " + pos
                            + " has length " + length + ", beyond the file's " + in.length + " bytes");
                }
                int body = pos + 4;
                boolean sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
                if (sof && length >= 8) {
                    components = in[body + 5] & 0xFF;
                }
                if (marker == 0xEE && length >= 14 && startsWith(in, body, "Adobe")) {
                    adobe = true;
                    transform = in[body + 11] & 0xFF;
                }
                boolean icc = marker == 0xE2 && length >= 16 && startsWith(in, body, "ICC_PROFILE\0");
                if (!icc) {
                    out.write(in, pos, 2 + length);
                }
                pos += 2 + length;
            }
            out.write(in, pos, in.length - pos);
            return new JpegMarkers(out.toByteArray(), components, adobe, transform);
        }

        private static boolean startsWith(byte[] in, int at, String ascii) {
            for (int i = 0; i < ascii.length(); i++) {
                if (at + i >= in.length || in[at + i] != (byte) ascii.charAt(i)) {
                    return false;
                }
            }
            return true;
        }
    }
}
