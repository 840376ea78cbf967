#!/usr/bin/python3
"""Makes the decoding test images and Pillow's pixels for them (Debian python3-pil 9.4, libjpeg-turbo).

Run from this directory: /usr/bin/python3 make_pillow_images.py [ICC_SOURCE.jpg]
Each IMAGE gets IMAGE.rgb.npy = np.asarray(Image.open(IMAGE).convert("RGB")) and IMAGE.l.npy with "L" (uint8),
which is what Keras' load_img(color_mode="rgb" | "grayscale") + img_to_array see (no ICC conversion, no EXIF
rotation). The ICC profile embedded in icc_*.{jpg,png} is taken from a wide-gamut photo given as argument
(default: the hymenoptera ants photo named in issue 13); without it an sRGB profile from ImageCms is used.
"""
import io, struct, sys, zlib
import numpy as np
from PIL import Image

rng = np.random.default_rng(13)
H, W = 21, 30   # odd sizes: chroma subsampling edges


def smooth_rgb():
    y, x = np.mgrid[0:H, 0:W]
    r = (x * 255 // (W - 1))
    g = (y * 255 // (H - 1))
    b = ((x + y) * 7) % 256
    a = np.stack([r, g, b], axis=-1).astype(np.int32) + rng.integers(-20, 20, (H, W, 3))
    return np.clip(a, 0, 255).astype(np.uint8)


def icc_profile():
    src = sys.argv[1] if len(sys.argv) > 1 else \
        "/work/shared/datasets/hymenoptera/val/ants/1119630822_cd325ea21a.jpg"
    try:
        p = Image.open(src).info.get("icc_profile")
        if p:
            return p
    except OSError:
        pass
    from PIL import ImageCms
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)


def write_png16_rgb(path, a16):
    """Pillow cannot write 16-bit RGB PNGs: a minimal writer (colour type 2, depth 16)."""
    h, w, _ = a16.shape
    raw = b"".join(b"\x00" + a16[y].astype(">u2").tobytes() for y in range(h))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0)))
        f.write(png_chunk(b"IDAT", zlib.compress(raw)))
        f.write(png_chunk(b"IEND", b""))


rgb = smooth_rgb()
icc = icc_profile()
img = Image.fromarray(rgb, "RGB")

img.save("rgb.png")
img.save("icc_rgb.png", icc_profile=icc)
img.save("icc_rgb.jpg", quality=90, icc_profile=icc)
img.save("rgb_444.jpg", quality=95, subsampling=0)
img.save("rgb_progressive.jpg", quality=85, progressive=True)
exif = Image.Exif()
exif[0x0112] = 6     # Orientation: rotate 90 CW to display; Pillow (and Keras) do not apply it
img.save("exif_rotated.jpg", quality=90, exif=exif)
img.convert("L").save("gray.jpg", quality=90)
img.convert("L").save("gray.png")
la = Image.fromarray(np.dstack([np.asarray(img.convert("L")), rng.integers(0, 256, (H, W), dtype=np.uint8)]), "LA")
la.save("gray_alpha.png")
rgba = Image.fromarray(np.dstack([rgb, rng.integers(0, 256, (H, W), dtype=np.uint8)]), "RGBA")
rgba.save("rgba.png")
pal = img.convert("P", palette=Image.ADAPTIVE, colors=37)
pal.save("palette.png", transparency=3)
# values around 255: Pillow clips 16-bit grey to 8 bits (mode I -> RGB), it does not scale
Image.fromarray(rng.integers(0, 600, (H, W), dtype=np.uint16).astype(np.uint16)).save("gray16.png")
write_png16_rgb("rgb16.png", rng.integers(0, 65536, (H, W, 3), dtype=np.uint16))
img.convert("CMYK").save("cmyk.jpg", quality=95)
img.convert("1").save("bilevel.png")

names = ["rgb.png", "icc_rgb.png", "icc_rgb.jpg", "rgb_444.jpg", "rgb_progressive.jpg", "exif_rotated.jpg",
         "gray.jpg", "gray.png", "gray_alpha.png", "rgba.png", "palette.png", "gray16.png", "rgb16.png",
         "cmyk.jpg", "bilevel.png"]
for n in names:
    im = Image.open(n)
    print(n, im.mode, im.size)
    np.save(n + ".rgb.npy", np.asarray(im.convert("RGB")))
    np.save(n + ".l.npy", np.asarray(Image.open(n).convert("L")))

# The ICC photo of issue 13 (not shipped: it lives in ../shared): every 4th row and column of Pillow's pixels.
ants = "/work/shared/datasets/hymenoptera/val/ants/1119630822_cd325ea21a.jpg"
try:
    a = np.asarray(Image.open(ants).convert("RGB"))
    print("ants", a.shape)
    np.save("ants_1119630822.jpg.rgb4.npy", a[::4, ::4])
except OSError as e:
    print("skipped the ants photo:", e)
