"""Legacy full-model .h5 files in the layouts of the newer Keras writers, for dev.convey.keras's readers.

No genuine file of these writers is available here (../shared/fixtures has Keras 2.1 and Keras 3.10 .keras
files only) and neither Keras nor TensorFlow is installed, so the files are written with h5py following the
format facts of issue 11, collected from genuine files of public repositories, and Keras' writers
(tf.keras 2.x keras/saving/legacy/hdf5_format.py, Keras 3 keras/src/legacy/saving/legacy_h5_format.py):

  tfkeras2_nested.h5      tf.keras 2.12: class "Functional" with build_config, layer configs without
                          module/registered_name,
                          inbound_nodes as [[[name, node, tensor, kwargs], ...]], the nested Functional "base"
                          called with {"training": false} and read by its consumers as node 1 (its node 0 is its
                          own graph), one unwrapped node [name, 0, 0, {}] (the "ragged" form of layers that keep
                          their input structure), BatchNormalization axis [3], an activation serialised as the
                          function object {"module": "builtins", "class_name": "function", "config": "softmax_v2"};
                          weights under model_weights: weight_names "conv2d/kernel:0" (a path relative to the
                          layer's group), the nested model's weights in its group, trainable ones first, and the
                          top_level_model_weights group (empty weight_names) written since 2.12.
  keras30_sequential.h5   Keras 3.0's legacy writer: the Keras 3 config serialisation (module, class_name, config,
                          registered_name, build_config) and weight names without ":0", the variable's name
                          only: "kernel" directly under the layer group.
  keras35_nested.h5       Keras 3.5+: weight names are variable paths, "sequential_1/conv2d_2/kernel": a Functional
                          with a nested Sequential "sequential_1" (Keras 3 numbers a Sequential's calls from 0),
                          Keras 3 inbound_nodes {"args": [__keras_tensor__ ...], "kwargs": {...}}.

Each X.h5 comes with X_input.npy (float32) and X_expected.npy: the model's output computed here in float64
from the layers' formulas (valid convolution, BatchNormalization in inference mode
y = gamma * (x - mean) / sqrt(var + eps) + beta, ReLU, Add, global average pooling, Dense, softmax).

Run with Debian's python3 (h5py, numpy): /usr/bin/python3 make_legacy_h5_fixtures.py OUT_DIR
"""
import json
import os
import sys

import h5py
import numpy as np

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(11)


def w(*shape, scale=0.5):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def conv(x, k, b):
    """Valid, stride 1, NHWC x HWIO, float64."""
    n, h, wd, c = x.shape
    kh, kw, _, f = k.shape
    y = np.zeros((n, h - kh + 1, wd - kw + 1, f))
    for i in range(y.shape[1]):
        for j in range(y.shape[2]):
            patch = x[:, i:i + kh, j:j + kw, :].astype(np.float64)
            y[:, i, j, :] = np.tensordot(patch, k.astype(np.float64), axes=([1, 2, 3], [0, 1, 2]))
    return y + b.astype(np.float64)


def bn(x, gamma, beta, mean, var, eps=1e-3):
    return gamma * (x - mean) / np.sqrt(var.astype(np.float64) + eps) + beta


def softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def relu(x):
    return np.maximum(x, 0)


def strings(values):
    return np.array([v.encode('utf8') for v in values]) if values else np.array([], dtype=np.float64)


def write_weights(group, layer_names, weights):
    """weights: layer name -> [(weight name as in weight_names, value)]; every layer gets a group."""
    group.attrs['layer_names'] = strings(layer_names)
    for name in sorted(layer_names):
        g = group.create_group(name)
        ws = weights.get(name, [])
        g.attrs['weight_names'] = strings([n for n, _ in ws])
        for n, v in ws:
            g.create_dataset(n, data=v)


def save(name, config, layer_names, weights, keras_version, x, y, top_level=False):
    with h5py.File(os.path.join(out, name + '.h5'), 'w') as f:
        f.attrs['backend'] = b'tensorflow'
        f.attrs['keras_version'] = keras_version.encode()
        f.attrs['model_config'] = json.dumps(config).encode('utf8')
        mw = f.create_group('model_weights')
        mw.attrs['backend'] = b'tensorflow'
        mw.attrs['keras_version'] = keras_version.encode()
        write_weights(mw, layer_names, weights)
        if top_level:
            t = mw.create_group('top_level_model_weights')
            t.attrs['weight_names'] = strings([])
    np.save(os.path.join(out, name + '_input.npy'), x.astype(np.float32))
    np.save(os.path.join(out, name + '_expected.npy'), y.astype(np.float32))


def bn_weights(c):
    return [w(c, scale=0.3) + 1, w(c, scale=0.3), w(c, scale=0.3), (np.abs(w(c)) + 0.5).astype(np.float32)]


# ---------------------------------------------------------------- tf.keras 2.12, nested Functional

def k2(cls, config, inbound):
    return {'class_name': cls, 'config': config, 'name': config['name'], 'inbound_nodes': inbound}


x = w(3, 6, 6, 2, scale=1.0)
k_a, b_a = w(3, 3, 2, 3), w(3)
g_a, be_a, m_a, v_a = bn_weights(3)
k_b, b_b = w(1, 1, 3, 3), w(3)
k_c, b_c = w(1, 1, 3, 3), w(3)
k_d, b_d = w(3, 4), w(4)
base_out = conv(bn(relu(conv(x, k_a, b_a)), g_a, be_a, m_a, v_a), k_b, b_b)
added = base_out + conv(base_out, k_c, b_c)
y = softmax(added.mean(axis=(1, 2)) @ k_d.astype(np.float64) + b_d)

base = {'name': 'base', 'trainable': True, 'layers': [
    k2('InputLayer', {'batch_input_shape': [None, 6, 6, 2], 'dtype': 'float32', 'sparse': False,
                      'ragged': False, 'name': 'input_2'}, []),
    k2('Conv2D', {'name': 'conv2d', 'trainable': True, 'dtype': 'float32', 'filters': 3, 'kernel_size': [3, 3],
                  'strides': [1, 1], 'padding': 'valid', 'data_format': 'channels_last', 'dilation_rate': [1, 1],
                  'groups': 1, 'activation': 'relu', 'use_bias': True,
                  'kernel_initializer': {'class_name': 'GlorotUniform', 'config': {'seed': None}}},
       [[['input_2', 0, 0, {}]]]),
    k2('BatchNormalization', {'name': 'batch_normalization', 'trainable': True, 'dtype': 'float32', 'axis': [3],
                              'momentum': 0.99, 'epsilon': 0.001, 'center': True, 'scale': True},
       [[['conv2d', 0, 0, {}]]]),
    k2('Conv2D', {'name': 'conv2d_1', 'trainable': True, 'dtype': 'float32', 'filters': 3, 'kernel_size': [1, 1],
                  'strides': [1, 1], 'padding': 'valid', 'data_format': 'channels_last', 'dilation_rate': [1, 1],
                  'groups': 1, 'activation': 'linear', 'use_bias': True},
       [[['batch_normalization', 0, 0, {}]]]),
], 'input_layers': [['input_2', 0, 0]], 'output_layers': [['conv2d_1', 0, 0]]}

top = {'name': 'classifier', 'trainable': True, 'layers': [
    k2('InputLayer', {'batch_input_shape': [None, 6, 6, 2], 'dtype': 'float32', 'sparse': False,
                      'ragged': False, 'name': 'input_1'}, []),
    {'class_name': 'Functional', 'config': base, 'name': 'base',
     'inbound_nodes': [[['input_1', 0, 0, {'training': False}]]]},
    dict(k2('Conv2D', {'name': 'conv2d_2', 'trainable': True, 'dtype': 'float32', 'filters': 3,
                       'kernel_size': [1, 1], 'strides': [1, 1], 'padding': 'valid', 'data_format': 'channels_last',
                       'dilation_rate': [1, 1], 'groups': 1, 'activation': 'linear', 'use_bias': True},
            [[['base', 1, 0, {}]]]), build_config={'input_shape': [None, 4, 4, 3]}),
    k2('Add', {'name': 'add', 'trainable': True, 'dtype': 'float32'},
       [[['base', 1, 0, {}], ['conv2d_2', 0, 0, {}]]]),
    k2('GlobalAveragePooling2D', {'name': 'global_average_pooling2d', 'trainable': True, 'dtype': 'float32',
                                  'data_format': 'channels_last', 'keepdims': False},
       [['add', 0, 0, {}]]),
    k2('Dense', {'name': 'dense', 'trainable': True, 'dtype': 'float32', 'units': 4,
                 'activation': {'module': 'builtins', 'class_name': 'function', 'config': 'softmax_v2',
                                'registered_name': 'function'}, 'use_bias': True},
       [[['global_average_pooling2d', 0, 0, {}]]]),
], 'input_layers': [['input_1', 0, 0]], 'output_layers': [['dense', 0, 0]]}

save('tfkeras2_nested', {'class_name': 'Functional', 'config': top, 'keras_version': '2.12.0',
                         'backend': 'tensorflow', 'build_config': {'input_shape': [None, 6, 6, 2]}},
     ['input_1', 'base', 'conv2d_2', 'add', 'global_average_pooling2d', 'dense'],
     {'base': [('conv2d/kernel:0', k_a), ('conv2d/bias:0', b_a), ('batch_normalization/gamma:0', g_a),
               ('batch_normalization/beta:0', be_a), ('conv2d_1/kernel:0', k_b), ('conv2d_1/bias:0', b_b),
               ('batch_normalization/moving_mean:0', m_a), ('batch_normalization/moving_variance:0', v_a)],
      'conv2d_2': [('conv2d_2/kernel:0', k_c), ('conv2d_2/bias:0', b_c)],
      'dense': [('dense/kernel:0', k_d), ('dense/bias:0', b_d)]},
     '2.12.0', x, y, top_level=True)

# ---------------------------------------------------------------- Keras 3 serialisation helpers


def policy():
    return {'module': 'keras', 'class_name': 'DTypePolicy', 'config': {'name': 'float32'}, 'registered_name': None}


def k3(cls, config, build_shape=None, module='keras.layers'):
    o = {'module': module, 'class_name': cls, 'config': config, 'registered_name': None}
    if build_shape is not None:
        o['build_config'] = {'input_shape': build_shape}
    return o


def conv3(name, filters, kernel, activation):
    return {'name': name, 'trainable': True, 'dtype': policy(), 'filters': filters, 'kernel_size': [kernel, kernel],
            'strides': [1, 1], 'padding': 'valid', 'data_format': 'channels_last', 'dilation_rate': [1, 1],
            'groups': 1, 'activation': activation, 'use_bias': True,
            'kernel_initializer': {'module': 'keras.initializers', 'class_name': 'GlorotUniform',
                                   'config': {'seed': None}, 'registered_name': None},
            'bias_initializer': {'module': 'keras.initializers', 'class_name': 'Zeros', 'config': {},
                                 'registered_name': None},
            'kernel_regularizer': None, 'bias_regularizer': None, 'activity_regularizer': None,
            'kernel_constraint': None, 'bias_constraint': None}


def bn3(name):
    return {'name': name, 'trainable': True, 'dtype': policy(), 'axis': -1, 'momentum': 0.99, 'epsilon': 0.001,
            'center': True, 'scale': True}


def dense3(name, units, activation):
    return {'name': name, 'trainable': True, 'dtype': policy(), 'units': units, 'activation': activation,
            'use_bias': True}


def tensor(shape, layer, node=0):
    return {'class_name': '__keras_tensor__', 'config': {'shape': shape, 'dtype': 'float32',
                                                         'keras_history': [layer, node, 0]}}


# ---------------------------------------------------------------- Keras 3.0 legacy .h5, Sequential

x = w(2, 5, 5, 1, scale=1.0)
k1, b1 = w(3, 3, 1, 2), w(2)
g1, be1, m1, v1 = bn_weights(2)
k2_, b2 = w(18, 3), w(3)
h = bn(conv(x, k1, b1), g1, be1, m1, v1)
y = softmax(relu(h).reshape(2, -1) @ k2_.astype(np.float64) + b2)
seq = {'name': 'sequential', 'trainable': True, 'dtype': policy(), 'layers': [
    k3('InputLayer', {'batch_shape': [None, 5, 5, 1], 'dtype': 'float32', 'sparse': False, 'name': 'input_layer'}),
    k3('Conv2D', conv3('conv2d', 2, 3, 'linear'), [None, 5, 5, 1]),
    k3('BatchNormalization', bn3('batch_normalization'), [None, 3, 3, 2]),
    k3('Activation', {'name': 'activation', 'trainable': True, 'dtype': policy(), 'activation': 'relu'}),
    k3('Flatten', {'name': 'flatten', 'trainable': True, 'dtype': policy(), 'data_format': 'channels_last'},
       [None, 3, 3, 2]),
    k3('Dense', dense3('dense', 3, 'softmax'), [None, 18]),
], 'build_input_shape': [None, 5, 5, 1]}
save('keras30_sequential', {'module': 'keras', 'class_name': 'Sequential', 'config': seq, 'registered_name': None,
                            'build_config': {'input_shape': [None, 5, 5, 1]}},
     ['conv2d', 'batch_normalization', 'activation', 'flatten', 'dense'],
     {'conv2d': [('kernel', k1), ('bias', b1)],
      'batch_normalization': [('gamma', g1), ('beta', be1), ('moving_mean', m1), ('moving_variance', v1)],
      'dense': [('kernel', k2_), ('bias', b2)]},
     '3.0.5', x, y, top_level=True)

# ---------------------------------------------------------------- Keras 3.5+ legacy .h5, nested Sequential

x = w(2, 6, 6, 3, scale=1.0)
k1, b1 = w(3, 3, 3, 4), w(4)
g1, be1, m1, v1 = bn_weights(4)
k2_, b2 = w(4, 2), w(2)
h = relu(bn(conv(x, k1, b1), g1, be1, m1, v1))
y = softmax(h.mean(axis=(1, 2)) @ k2_.astype(np.float64) + b2)
inner = {'name': 'sequential_1', 'trainable': True, 'dtype': policy(), 'layers': [
    k3('InputLayer', {'batch_shape': [None, 6, 6, 3], 'dtype': 'float32', 'sparse': False, 'name': 'input_layer_1'}),
    k3('Conv2D', conv3('conv2d_2', 4, 3, 'linear'), [None, 6, 6, 3]),
    k3('BatchNormalization', bn3('batch_normalization_1'), [None, 4, 4, 4]),
    k3('ReLU', {'name': 're_lu', 'trainable': True, 'dtype': policy(), 'max_value': None, 'negative_slope': 0.0,
                'threshold': 0.0}),
], 'build_input_shape': [None, 6, 6, 3]}
nested_seq = k3('Sequential', inner, [None, 6, 6, 3], module='keras')
nested_seq['name'] = 'sequential_1'
nested_seq['inbound_nodes'] = [{'args': [tensor([None, 6, 6, 3], 'input_layer_2')], 'kwargs': {}}]
gap = k3('GlobalAveragePooling2D', {'name': 'global_average_pooling2d_1', 'trainable': True, 'dtype': policy(),
                                    'data_format': 'channels_last', 'keepdims': False})
gap['name'] = 'global_average_pooling2d_1'
gap['inbound_nodes'] = [{'args': [tensor([None, 4, 4, 4], 'sequential_1')], 'kwargs': {}}]
dense = k3('Dense', dense3('dense_3', 2, 'softmax'), [None, 4])
dense['name'] = 'dense_3'
dense['inbound_nodes'] = [{'args': [tensor([None, 4], 'global_average_pooling2d_1')], 'kwargs': {}}]
inp = k3('InputLayer', {'batch_shape': [None, 6, 6, 3], 'dtype': 'float32', 'sparse': False,
                        'name': 'input_layer_2'})
inp['name'] = 'input_layer_2'
inp['inbound_nodes'] = []
functional = {'name': 'functional_1', 'trainable': True, 'layers': [inp, nested_seq, gap, dense],
              'input_layers': [['input_layer_2', 0, 0]], 'output_layers': [['dense_3', 0, 0]]}
save('keras35_nested', {'module': 'keras.src.models.functional', 'class_name': 'Functional', 'config': functional,
                        'registered_name': 'Functional', 'build_config': {'input_shape': None}},
     ['input_layer_2', 'sequential_1', 'global_average_pooling2d_1', 'dense_3'],
     {'sequential_1': [('sequential_1/conv2d_2/kernel', k1), ('sequential_1/conv2d_2/bias', b1),
                       ('sequential_1/batch_normalization_1/gamma', g1),
                       ('sequential_1/batch_normalization_1/beta', be1),
                       ('sequential_1/batch_normalization_1/moving_mean', m1),
                       ('sequential_1/batch_normalization_1/moving_variance', v1)],
      'dense_3': [('dense_3/kernel', k2_), ('dense_3/bias', b2)]},
     '3.5.0', x, y, top_level=True)
print('wrote', sorted(os.listdir(out)))
