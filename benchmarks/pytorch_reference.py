#!/usr/bin/env python3
"""PyTorch's figures for benchmarks/RESULTS.md (not part of the build).

The same models as Convey's benchmarks, from torchvision (random weights: the time depends only on the
shapes), 224 x 224 RGB, float32, on CPU with the given number of threads:

  * inference: model.eval() under torch.no_grad(), the median (and min) of CALLS calls, ms per batch;
  * a training step at batch 8 with every layer trainable: the base + global average pooling + a new
    Linear(…, 10) head, cross-entropy, backward, SGD step (what Convey's TrainingBenchmark.trainAllLayers does).

Usage (Debian: apt-get install -y python3-torch python3-torchvision):

    python3 benchmarks/pytorch_reference.py --threads 2 [--calls1 20] [--calls8 10] [--train-calls 5]

Prints markdown rows: model | what | batch | median ms | min ms, and the torch version.
"""
import argparse
import statistics
import time

import torch
import torchvision


def base_and_features(name):
    """The convolutional base (no classifier) and its number of output channels."""
    if name == "vgg16":
        return torchvision.models.vgg16().features, 512
    model = torchvision.models.resnet50()
    return torch.nn.Sequential(*list(model.children())[:-2]), 2048


def classifier(name):
    return torchvision.models.vgg16() if name == "vgg16" else torchvision.models.resnet50()


def timed(fn, calls, warmup=3):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(calls):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times), min(times)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--calls1", type=int, default=20)
    p.add_argument("--calls8", type=int, default=10)
    p.add_argument("--train-calls", type=int, default=5)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    print(f"torch {torch.__version__}, torchvision {torchvision.__version__}, {torch.get_num_threads()} threads,"
          f" oneDNN {torch.backends.mkldnn.is_available()}")
    print("| model | what | batch | median ms | min ms |")
    print("| --- | --- | --- | --- | --- |")
    for name in ("vgg16", "resnet50"):
        model = classifier(name).eval()
        for batch, calls in ((1, args.calls1), (8, args.calls8)):
            x = torch.randn(batch, 3, 224, 224)
            with torch.no_grad():
                med, low = timed(lambda: model(x), calls)
            print(f"| {name} | inference | {batch} | {med:.1f} | {low:.1f} |")
        del model

        base, channels = base_and_features(name)
        net = torch.nn.Sequential(base, torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(),
                                  torch.nn.Linear(channels, 10)).train()
        optimizer = torch.optim.SGD(net.parameters(), lr=1e-3)
        loss_fn = torch.nn.CrossEntropyLoss()
        x = torch.randn(8, 3, 224, 224)
        y = torch.arange(8) % 10

        def step():
            optimizer.zero_grad()
            loss_fn(net(x), y).backward()
            optimizer.step()

        med, low = timed(step, args.train_calls, warmup=2)
        print(f"| {name} | train step, all layers | 8 | {med:.1f} | {low:.1f} |")


if __name__ == "__main__":
    main()
