"""Small PyTorch checkpoint fixtures for dev.convey.torch's readers, written by PyTorch itself.

Run with Debian's python3-torch 1.13:  /usr/bin/python3 make_torch_format_fixtures.py OUT_DIR
Writes (all tiny, committed under src-test-data/.../convey-test-data/torch/):
  formats_zip.pth, formats_legacy.pth     torch.save of a dict with float32/16/bf16/64 tensors, a transposed
                                          (strided) view, a slice with a storage offset and an int64 scalar
  formats.safetensors                     the same tensors (made contiguous) in safetensors, written by hand
                                          (Debian has no safetensors package) after the format's specification
  formats_expected.json                   every tensor as float64 lists (float16/bf16 values exact in float64)
  evil_*.pth                              zip checkpoints whose data.pkl names a forbidden global
"""
import collections, io, json, os, pickle, struct, sys, zipfile
import torch

out = sys.argv[1]
os.makedirs(out, exist_ok=True)

sd = collections.OrderedDict()
a = torch.arange(6, dtype=torch.float32).reshape(2, 3) * 0.5 - 1
sd['f32'] = a
sd['f32_transposed'] = a.t()                     # strides (1, 3): not contiguous
base = torch.arange(10, dtype=torch.float64) / 3
sd['f64'] = base
sd['f64_slice'] = base[4:].view(2, 3)            # storage offset 4, shares base's storage
sd['f16'] = torch.tensor([1.5, -2.25, 65504, 6e-8, float('inf')], dtype=torch.float16)
sd['bf16'] = torch.tensor([1.5, -2.25, 3.0e38, -1e-20], dtype=torch.bfloat16)
sd['i64'] = torch.tensor(7)
sd['param'] = torch.nn.Parameter(torch.tensor([[0.25, -4.0]]))
torch.save(sd, os.path.join(out, 'formats_zip.pth'))
torch.save(sd, os.path.join(out, 'formats_legacy.pth'), _use_new_zipfile_serialization=False)

expected = {k: {'shape': list(v.shape), 'values': v.detach().double().flatten().tolist(),
                'dtype': str(v.dtype).replace('torch.', '')} for k, v in sd.items()}
with open(os.path.join(out, 'formats_expected.json'), 'w') as f:
    json.dump(expected, f, indent=1, allow_nan=True)

# safetensors by its specification: u64 LE header length, JSON header, C-contiguous little-endian data
codes = {torch.float32: 'F32', torch.float16: 'F16', torch.bfloat16: 'BF16', torch.float64: 'F64', torch.int64: 'I64'}
header, blobs, offset = {'__metadata__': {'format': 'pt'}}, [], 0
for k, v in sd.items():
    v = v.detach().contiguous()
    raw = v.view(torch.int16).numpy().tobytes() if v.dtype == torch.bfloat16 else v.numpy().tobytes()
    header[k] = {'dtype': codes[v.dtype], 'shape': list(v.shape), 'data_offsets': [offset, offset + len(raw)]}
    blobs.append(raw)
    offset += len(raw)
h = json.dumps(header).encode()
h += b' ' * (-len(h) % 8)
with open(os.path.join(out, 'formats.safetensors'), 'wb') as f:
    f.write(struct.pack('<Q', len(h)) + h + b''.join(blobs))


def evil_zip(name, payload):
    """A torch.save-shaped zip whose data.pkl is the given pickle bytes."""
    with zipfile.ZipFile(os.path.join(out, name), 'w', zipfile.ZIP_STORED) as z:
        z.writestr('archive/data.pkl', payload)
        z.writestr('archive/version', '3\n')


class SystemCall:
    def __reduce__(self):
        return (os.system, ('echo pwned > /tmp/convey-pwned',))


class Eval:
    def __reduce__(self):
        return (eval, ("__import__('os').system('echo pwned')",))


class Exec:
    def __reduce__(self):
        return (exec, ("import os",))


evil_zip('evil_os_system.pth', pickle.dumps(collections.OrderedDict(w=SystemCall()), protocol=2))
evil_zip('evil_builtins_eval.pth', pickle.dumps({'w': Eval()}, protocol=2))
evil_zip('evil_builtins_exec.pth', pickle.dumps({'w': Exec()}, protocol=4))   # protocol 4: STACK_GLOBAL
# a whole module pickled (torch.save(model)), not a state_dict: names torch.nn.modules.linear.Linear
buf = io.BytesIO()
torch.save(torch.nn.Linear(2, 1), buf)
with open(os.path.join(out, 'evil_whole_module.pth'), 'wb') as f:
    f.write(buf.getvalue())
print('wrote fixtures to', out)
