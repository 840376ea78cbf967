#!/usr/bin/env python3
"""Makes the shipped hymenoptera photos (src-test-data/.../hymenoptera) from the original dataset.

The hymenoptera ants/bees dataset (PyTorch's transfer-learning tutorial; 245 train + 153 val photos of
ImageNet origin) is copied with every photo resized so that its shorter side is 256 pixels (Pillow's
Image.resize with LANCZOS, aspect kept; photos already smaller are kept at their size), converted to RGB and
saved as baseline JPEG, quality 75 (Pillow's default). Run with Debian's python3-pil:

    python3 src-test-data/tools/downscale_hymenoptera.py /work/shared/datasets/hymenoptera \
        src-test-data/src/main/resources/convey-test-data/hymenoptera
"""
import os
import sys

from PIL import Image

SHORTER_SIDE = 256


def main(source, target):
    count = 0
    for split in ("train", "val"):
        for label in ("ants", "bees"):
            src_dir = os.path.join(source, split, label)
            dst_dir = os.path.join(target, split, label)
            os.makedirs(dst_dir, exist_ok=True)
            for name in sorted(os.listdir(src_dir)):
                with Image.open(os.path.join(src_dir, name)) as img:
                    img = img.convert("RGB")
                    w, h = img.size
                    scale = SHORTER_SIDE / min(w, h)
                    if scale < 1:
                        img = img.resize((max(1, round(w * scale)), max(1, round(h * scale))), Image.LANCZOS)
                    out = os.path.splitext(name)[0] + ".jpg"
                    img.save(os.path.join(dst_dir, out), "JPEG", quality=75)
                    count += 1
    print(count, "photos written to", target)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
