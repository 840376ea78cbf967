"""Reference values for ActivationFunctionTest: Keras 3's activation formulas
(keras/src/activations/activations.py) evaluated in float64 with Python's math module, and their derivatives
by central differences in float64 (h = 1e-6; no input lies within 1e-3 of a kink). Prints Java arrays."""
import math

X = [-7.5, -3.2, -2.9, -1.3, -0.4, -0.01, 0.02, 0.7, 1.9, 2.95, 3.4, 6.5, 9.0]
A, S = 1.67326324, 1.05070098
sig = lambda x: 1 / (1 + math.exp(-x))
sp = lambda x: math.log1p(math.exp(x)) if x < 30 else x
relu6 = lambda x: min(max(x, 0.0), 6.0)
F = {
    "softplus": sp,
    "softsign": lambda x: x / (abs(x) + 1),
    "elu": lambda x: x if x > 0 else math.exp(x) - 1,
    "selu": lambda x: S * x if x > 0 else S * A * (math.exp(x) - 1),
    "gelu": lambda x: 0.5 * x * (1 + math.erf(x / math.sqrt(2))),
    "silu": lambda x: x * sig(x),
    "hard_sigmoid": lambda x: relu6(x + 3) / 6,
    "hard_silu": lambda x: x * relu6(x + 3) / 6,
    "exponential": math.exp,
    "relu6": relu6,
    "leaky_relu": lambda x: x if x > 0 else 0.2 * x,
    "mish": lambda x: x * math.tanh(sp(x)),
}
h = 1e-6
for name, f in F.items():
    ys = ", ".join(repr(f(x)) for x in X)
    ds = ", ".join(repr((f(x + h) - f(x - h)) / (2 * h)) for x in X)
    print('            Map.entry("%s", new double[][] {{%s},\n                    {%s}}),' % (name, ys, ds))
