"""Expected pixels of torchvision 0.14's transforms on PIL images (Pillow 9.4), for TorchTransformsTest.

  /usr/bin/python3 make_transform_fixtures.py OUT_DIR

Input: a 90x130 crop of src-test-data's elephant.jpg, as Pillow decodes it (saved, so that JPEG decoders'
differences do not enter the test). Writes OUT_DIR/transforms.npz-like .npy files:
  tf_input.npy            (90, 130, 3) uint8       the PIL image
  tf_resize64.npy         Resize(64): shorter side 64, bilinear with Pillow's antialias (a downscale)
  tf_resize128.npy        Resize(128) (an upscale)
  tf_resize64_crop56.npy  Resize(64) then CenterCrop(56)
  tf_crop100.npy          CenterCrop(100) of the 90x130 input: zero padding above and below
  tf_eval.npy             Resize(64), CenterCrop(56), ToTensor, Normalize(ImageNet): float32, HWC
  tf_resized_crop.npy     F.resized_crop(img, top=10, left=20, height=50, width=70, size=(40, 40)) (RandomResizedCrop's work)
"""
import os, sys
import numpy as np
from PIL import Image
import torchvision.transforms as T
import torchvision.transforms.functional as F

out = sys.argv[1]
here = os.path.dirname(os.path.abspath(__file__))
src = os.path.join(here, '../../../../src-test-data/src/main/resources/convey-test-data/images/elephant.jpg')
img = Image.open(src).convert('RGB').crop((60, 40, 190, 130))     # (left, top, right, bottom): 130 x 90
assert img.size == (130, 90)
save = lambda name, a: np.save(os.path.join(out, name + '.npy'), np.asarray(a))
save('tf_input', img)
save('tf_resize64', T.Resize(64)(img))
save('tf_resize128', T.Resize(128)(img))
save('tf_resize64_crop56', T.CenterCrop(56)(T.Resize(64)(img)))
save('tf_crop100', T.CenterCrop(100)(img))
norm = T.Compose([T.Resize(64), T.CenterCrop(56), T.ToTensor(), T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
save('tf_eval', norm(img).permute(1, 2, 0).contiguous().numpy())
save('tf_resized_crop', F.resized_crop(img, 10, 20, 50, 70, [40, 40]))
print('wrote', out)
