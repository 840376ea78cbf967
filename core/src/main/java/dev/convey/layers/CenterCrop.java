package dev.convey.layers;

import java.util.Map;

import dev.convey.data.TfResize;

/**
 * Keras 3's {@code CenterCrop(height, width)}, in training and inference: when the image is at least (height,
 * width), the centred window y[i, j] = x[int((H - height) / 2) + i, int((W - width) / 2) + j]; otherwise Keras'
 * {@code smart_resize}: the largest centred window of the target's aspect ratio, resized bilinearly to (height,
 * width). Backward puts dL/dy back in the window (or through the resize's adjoint).
 */
public final class CenterCrop extends WindowResizeLayer {

    public CenterCrop(int height, int width) {
        super("center_crop", height, width);
    }

    @Override
    int[] window(int h, int w) {
        if (h >= height && w >= width) {
            return new int[] {(h - height) / 2, (w - width) / 2, height, width};
        }
        return TfResize.aspectRatioCrop(h, w, height, width);
    }

    @Override
    TfResize.Method method() {
        return TfResize.Method.BILINEAR;
    }

    /** Keras' get_config: height, width, data_format. */
    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("height", height);
        c.put("width", width);
        c.put("data_format", "channels_last");
        return c;
    }
}
