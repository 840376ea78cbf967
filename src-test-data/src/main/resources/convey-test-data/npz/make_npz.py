"""NumPy-written .npz archives for dev.convey.io.Npz: /usr/bin/python3 make_npz.py (writes beside itself).

  named.npz        np.savez(f, features_a=a, features_b=b): stored entries features_a.npy, features_b.npy
  positional.npz   np.savez(f, a, b): arr_0.npy, arr_1.npy
  compressed.npz   np.savez_compressed(f, x=c): one deflated entry
with a = arange(6).reshape(2, 3) / 4 (float32), b = -arange(6).reshape(2, 3) (float64),
c = arange(24).reshape(2, 3, 4) (uint8).
"""
import os
import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
a = (np.arange(6, dtype=np.float32) / 4).reshape(2, 3)
b = -np.arange(6, dtype=np.float64).reshape(2, 3)
c = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
np.savez(os.path.join(here, 'named.npz'), features_a=a, features_b=b)
np.savez(os.path.join(here, 'positional.npz'), a, b)
np.savez_compressed(os.path.join(here, 'compressed.npz'), x=c)
