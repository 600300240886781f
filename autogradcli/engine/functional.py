"""The `ag.` function forms of Tensor methods (torch offers both: ag.exp(x) and x.exp())."""

from . import ops
from .tensor import Tensor, _operand


def _arg(x):
    return x if isinstance(x, Tensor) else Tensor(x)


def sum(x, dim=None, keepdim=False):
    return _arg(x).sum(dim, keepdim)


def mean(x, dim=None, keepdim=False):
    return _arg(x).mean(dim, keepdim)


def max(x, dim=None, keepdim=False):
    return _arg(x).max(dim, keepdim)


def min(x, dim=None, keepdim=False):
    return _arg(x).min(dim, keepdim)


def pow(x, exponent):
    return _arg(x) ** exponent if isinstance(x, Tensor) else _operand(x) ** exponent


def exp(x):
    return _arg(x).exp()


def log(x):
    return _arg(x).log()


def sqrt(x):
    return _arg(x).sqrt()


def abs(x):
    return _arg(x).abs()


def relu(x):
    return _arg(x).relu()


def sigmoid(x):
    return _arg(x).sigmoid()


def tanh(x):
    return _arg(x).tanh()


def clamp(x, min=None, max=None):
    return _arg(x).clamp(min, max)


def softmax(x, dim):
    return _arg(x).softmax(dim)


def log_softmax(x, dim):
    return _arg(x).log_softmax(dim)


def reshape(x, shape):
    return _arg(x).reshape(shape)


view = reshape


def transpose(x, dim0, dim1):
    return _arg(x).transpose(dim0, dim1)


def permute(x, dims):
    return _arg(x).permute(dims)


def t(x):
    return _arg(x).t()


def unsqueeze(x, dim):
    return _arg(x).unsqueeze(dim)


def squeeze(x, dim=None):
    return _arg(x).squeeze(dim)


def flatten(x, start_dim=0, end_dim=-1):
    return _arg(x).flatten(start_dim, end_dim)


def matmul(x, y):
    return ops.matmul(_operand(x), _operand(y))


def maximum(x, y):
    return ops.Maximum.apply(_operand(x), _operand(y))


def minimum(x, y):
    return ops.Minimum.apply(_operand(x), _operand(y))


where = ops.where
cat = ops.cat
stack = ops.stack
