#!/usr/bin/python3
"""tf.image.resize references without TensorFlow: PyTorch's interpolate(antialias=False) computes the same
half-pixel bilinear ('bilinear', align_corners=False: negative source positions clamp to 0, as TF's
lower = max(floor(s), 0), upper = min(ceil(s), in - 1)) and half-pixel nearest ('nearest-exact' =
TF's min(floor((i + 0.5) * in / out), in - 1)). Input: Pillow's pixels of rgb.png (21x30)."""
import numpy as np, torch
import torch.nn.functional as F

a = np.load("rgb.png.rgb.npy").astype(np.float32)
x = torch.from_numpy(a).permute(2, 0, 1)[None]
for h, w in [(13, 17), (40, 50)]:
    for mode, name in [("bilinear", "bilinear"), ("nearest-exact", "nearest")]:
        kw = {"align_corners": False} if mode == "bilinear" else {}
        y = F.interpolate(x, size=(h, w), mode=mode, **kw)[0].permute(1, 2, 0).numpy()
        np.save(f"rgb.png.tf_{name}_{h}x{w}.npy", y.astype(np.float32))
        print(name, h, w, y.shape)
