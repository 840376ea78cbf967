"""Loads a state_dict Convey wrote into torchvision and runs it:  load_in_torchvision.py NAME FILE X.npy Y.npy [CLASSES]

FILE is a .pth (torch.load) or a .safetensors (parsed here after the format's specification: Debian has no
safetensors package). X.npy is NHWC float32; Y.npy receives the eval-mode logits. load_state_dict is strict.
"""
import json, struct, sys
import numpy as np
import torch, torchvision

name, path, x_path, y_path = sys.argv[1:5]
classes = int(sys.argv[5]) if len(sys.argv) > 5 else 1000
if path.endswith('.safetensors'):
    types = {'F32': torch.float32, 'I64': torch.int64}
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    sd = {}
    for k, v in header.items():
        if k == '__metadata__':
            continue
        b, e = v['data_offsets']
        sd[k] = torch.frombuffer(bytearray(data[b:e]), dtype=types[v['dtype']]).reshape(v['shape'])
else:
    sd = torch.load(path)
model = getattr(torchvision.models, name)(num_classes=classes)
model.load_state_dict(sd)
model.eval()
x = torch.from_numpy(np.load(x_path)).permute(0, 3, 1, 2).contiguous()
with torch.no_grad():
    np.save(y_path, model(x).numpy())
print('loaded', len(sd), 'tensors into', name)
