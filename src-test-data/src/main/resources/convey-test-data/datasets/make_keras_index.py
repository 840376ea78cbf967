#!/usr/bin/python3
"""Keras 3's image_dataset_from_directory file order and split, without Keras: the steps of
keras/src/utils/dataset_utils.py (index_directory, iter_valid_files, get_training_or_validation_split) written
out with os.walk and numpy's RandomState, the parts that decide the result.
Usage: make_keras_index.py DIR SEED SPLIT OUT.json   (paths written relative to DIR)"""
import json, os, sys
import numpy as np

ALLOWLIST_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
directory, seed, split, out = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
subdirs = [d for d in sorted(os.listdir(directory))
           if os.path.isdir(os.path.join(directory, d)) and not d.startswith(".")]
paths, labels = [], []
for i, sub in enumerate(subdirs):
    for root, _, files in sorted(os.walk(os.path.join(directory, sub)), key=lambda x: x[0]):
        for f in sorted(files):
            if f.lower().endswith(ALLOWLIST_FORMATS):
                paths.append(os.path.relpath(os.path.join(root, f), directory))
                labels.append(i)
unshuffled = list(paths)
np.random.RandomState(seed).shuffle(paths)
labels = np.array(labels, dtype="int32")
np.random.RandomState(seed).shuffle(labels)
n_val = int(split * len(paths))
json.dump({"class_names": subdirs, "seed": seed, "validation_split": split, "unshuffled": unshuffled,
           "shuffled": paths, "labels": labels.tolist(), "training": paths[:-n_val], "validation": paths[-n_val:]},
          open(out, "w"), indent=0)
print(len(paths), "files,", n_val, "for validation")
