"""torchvision models with seeded random weights and their eval-mode outputs, for dev.convey.torch's tests.

  /usr/bin/python3 make_torchvision_fixtures.py OUT_DIR NAME...   (Debian python3-torch 1.13, python3-torchvision 0.14)

Per NAME writes OUT_DIR/NAME.pth (torch.save(model.state_dict())), NAME_input.npy (2x224x224x3 float32, NHWC:
the NCHW input PyTorch saw, transposed; 299x299 for inception_v3) and NAME_output.npy (2x1000 float32 logits,
model.eval(): dropout and stochastic depth off, inception's AuxLogits not run).
Weights: torchvision's own initialisation under torch.manual_seed(15), then every BatchNorm's weight, bias,
running_mean and running_var randomised too (otherwise BN is nearly the identity and a bug hides).
Too large to commit (resnet18 45 MB, vgg16 528 MB, densenet121 32 MB, efficientnet_b0 21 MB): the slow tests
run this script where python3-torch exists.
`keys` as NAME writes OUT_DIR/torchvision_keys.json: every model's state_dict keys and shapes (committed).
"""
import json, os, sys
import numpy as np
import torch, torchvision

ALL = ['resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnet152', 'mobilenet_v2', 'vgg11', 'vgg11_bn', 'vgg13', 'vgg13_bn',
       'vgg16', 'vgg16_bn', 'vgg19', 'vgg19_bn', 'mobilenet_v3_large', 'mobilenet_v3_small',
       'efficientnet_b0', 'efficientnet_b1', 'efficientnet_b2', 'efficientnet_b3', 'efficientnet_b4', 'efficientnet_b5',
       'efficientnet_b6', 'efficientnet_b7', 'densenet121', 'densenet161', 'densenet169', 'densenet201', 'inception_v3',
       'squeezenet1_0', 'squeezenet1_1', 'googlenet']


def build(name):
    if name == 'inception_v3':
        # aux_logits=True, transform_input=False; PyTorch's default initialisation: init_weights' trunc_normal(0.1)
        # with randomised BatchNorm grows the logits to ~1e13, a weak reference
        return torchvision.models.inception_v3(init_weights=False)
    if name == 'googlenet':
        return torchvision.models.googlenet(init_weights=False)   # aux_logits=True, transform_input=False
    return getattr(torchvision.models, name)()

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for name in sys.argv[2:]:
    if name == 'keys':
        keys = {n: [[k, list(v.shape)] for k, v in build(n).state_dict().items()] for n in ALL}
        with open(os.path.join(out, 'torchvision_keys.json'), 'w') as f:
            json.dump(keys, f, separators=(',', ':'))
        continue
    torch.manual_seed(15)
    model = build(name)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0, 0.2)
                m.running_mean.normal_(0, 0.2)
                m.running_var.uniform_(0.5, 1.5)
                m.num_batches_tracked.fill_(1000)
    model.eval()
    torch.save(model.state_dict(), os.path.join(out, name + '.pth'))
    g = torch.Generator().manual_seed(1)
    size = 299 if name == 'inception_v3' else 224
    x = torch.rand(2, 3, size, size, generator=g) * 4 - 2
    with torch.no_grad():
        y = model(x)
    np.save(os.path.join(out, name + '_input.npy'), x.permute(0, 2, 3, 1).contiguous().numpy())
    np.save(os.path.join(out, name + '_output.npy'), y.numpy())
    print(name, 'output rms', float(y.pow(2).mean().sqrt()))
