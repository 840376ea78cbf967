"""Reference outputs for ProjectiveTransformTest: TensorFlow's ImageProjectiveTransformV3 (bilinear) for Keras 3's
fill modes, computed by PyTorch's grid_sample instead of TensorFlow (not installed here).

For each output pixel (x, y) the input position is TF's  k = c0 x + c1 y + 1,  x' = (a0 x + a1 y + a2) / k,
y' = (b0 x + b1 y + b2) / k  (float32, as TF). grid_sample(align_corners=False) then samples it with, per mode:
  zeros      = TF "constant" with fill 0 (each bilinear tap outside the image reads 0),
  border     = TF "nearest" (the position clamped to [0, n - 1]),
  reflection = TF "reflect" (reflected about the image's edges -0.5 and n - 0.5, then clamped).
TF's "wrap" has no grid_sample equivalent and is tested by its formula in Java.

Run: /usr/bin/python3 core/src/test/python/projective_transform_references.py
Writes src-test-data/src/main/resources/convey-test-data/images/tf_projective/*.npy"""
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), "../../../../src-test-data/src/main/resources/convey-test-data/images/tf_projective")
H, W, C = 6, 7, 2
image = np.random.RandomState(0).uniform(-1, 1, size=(H, W, C)).astype(np.float32)


def rotation(a):
    c, s = math.cos(a), math.sin(a)
    return [c, -s, ((W - 1) - (c * (W - 1) - s * (H - 1))) / 2, s, c, ((H - 1) - (s * (W - 1) + c * (H - 1))) / 2, 0, 0]


TRANSFORMS = {
    "rotation": rotation(0.7),
    "zoom": [1.3, 0, (W - 1) / 2 * (1 - 1.3), 0, 0.8, (H - 1) / 2 * (1 - 0.8), 0, 0],
    "translation": [1, 0, -1.7, 0, 1, 2.2, 0, 0],
    "projective": [0.9, 0.2, 0.5, -0.1, 1.1, -0.4, 0.03, -0.02],
}
MODES = {"constant": "zeros", "nearest": "border", "reflect": "reflection"}

os.makedirs(OUT, exist_ok=True)
np.save(os.path.join(OUT, "image.npy"), image)
for tname, t in TRANSFORMS.items():
    t = np.array(t, dtype=np.float32)
    np.save(os.path.join(OUT, tname + ".transform.npy"), t)
    ys, xs = np.meshgrid(np.arange(H, dtype=np.float32), np.arange(W, dtype=np.float32), indexing="ij")
    k = t[6] * xs + t[7] * ys + np.float32(1)
    px = (t[0] * xs + t[1] * ys + t[2]) / k
    py = (t[3] * xs + t[4] * ys + t[5]) / k
    grid = np.stack([(2 * px.astype(np.float64) + 1) / W - 1, (2 * py.astype(np.float64) + 1) / H - 1], axis=-1)
    x = torch.from_numpy(image.astype(np.float64)).permute(2, 0, 1)[None]
    for mode, padding in MODES.items():
        y = F.grid_sample(x, torch.from_numpy(grid)[None], mode="bilinear", padding_mode=padding, align_corners=False)
        np.save(os.path.join(OUT, "%s.%s.npy" % (tname, mode)), y[0].permute(1, 2, 0).numpy().astype(np.float32))
print("wrote", OUT)
