"""Gradcheck rows of the losses of ag.nn.functional (first and second order, float64), with every
reduction, weights, ignore_index, label smoothing, class probabilities and N-d inputs.

Targets that are not differentiated are fixed arrays; regression targets are inputs too, so their
gradients are checked. Inputs stay off the kinks (|d| == beta or delta, d == 0) by their domain.
"""

import numpy as np
from cases import Case

import autogradcli.engine as ag

F = ag.nn.functional
_R = ("none", "mean", "sum")
_CLS = ag.tensor([0, 3, 1, 3, 2])
_CLS_IGNORED = ag.tensor([0, -100, 1, 3, -100])
_CLS_ND = ag.tensor([[[0, 3], [1, -100], [2, 2]], [[3, 3], [0, 1], [1, 0]]])  # (2, 3, 2)
_W4 = ag.tensor([0.5, 2.0, 1.0, 1.5], dtype=ag.float64)
_BIN = ag.tensor(np.array([[0, 1, 1], [1, 0, 0.25]]), dtype=ag.float64)
_PROBS = ag.tensor(np.random.default_rng(3).dirichlet(np.ones(4), 5))


def _prob(x):
    """Values in (0.1, 0.9) from any real x, for binary_cross_entropy's input."""
    return x.sigmoid() * 0.8 + 0.1


CASES = [
    *[Case(f"mse_loss_{r}", lambda x, y, r=r: F.mse_loss(x, y, reduction=r), ((2, 3), (2, 3)))
      for r in _R],
    *[Case(f"l1_loss_{r}", lambda x, y, r=r: F.l1_loss(x, y, reduction=r), ((2, 3), (2, 3)),
           "distinct") for r in _R],
    *[Case(f"smooth_l1_loss_{r}", lambda x, y, r=r: F.smooth_l1_loss(x, y, reduction=r, beta=0.5),
           ((3, 4), (3, 4)), "distinct") for r in _R],
    Case("smooth_l1_loss_beta0", lambda x, y: F.smooth_l1_loss(x, y, beta=0.0), ((4,), (4,)),
         "distinct"),
    *[Case(f"huber_loss_{r}", lambda x, y, r=r: F.huber_loss(x, y, reduction=r, delta=0.7),
           ((3, 4), (3, 4)), "distinct") for r in _R],
    *[Case(f"binary_cross_entropy_{r}",
           lambda x, y, r=r: F.binary_cross_entropy(_prob(x), _prob(y), reduction=r),
           ((2, 3), (2, 3))) for r in _R],
    Case("binary_cross_entropy_weight",
         lambda x, w: F.binary_cross_entropy(_prob(x), _BIN, weight=w), ((2, 3), (3,))),
    *[Case(f"bce_with_logits_{r}",
           lambda x, r=r: F.binary_cross_entropy_with_logits(x * 3, _BIN, reduction=r), ((2, 3),),
           "nonzero") for r in _R],
    Case("bce_with_logits_pos_weight",
         lambda x, p, w: F.binary_cross_entropy_with_logits(x, _BIN, weight=w, pos_weight=p),
         ((2, 3), (3,), (2, 1)), ("nonzero", "positive", "positive")),
    Case("bce_with_logits_target_grad",
         lambda x, y: F.binary_cross_entropy_with_logits(x, y.sigmoid()), ((4,), (4,)),
         "nonzero"),
    *[Case(f"cross_entropy_{r}", lambda x, r=r: F.cross_entropy(x, _CLS, reduction=r), ((5, 4),))
      for r in _R],
    *[Case(f"cross_entropy_weight_ignore_{r}",
           lambda x, r=r: F.cross_entropy(x, _CLS_IGNORED, weight=_W4, reduction=r), ((5, 4),))
      for r in _R],
    *[Case(f"cross_entropy_smoothing_{r}",
           lambda x, r=r: F.cross_entropy(x, _CLS_IGNORED, weight=_W4, reduction=r,
                                          label_smoothing=0.2), ((5, 4),)) for r in _R],
    *[Case(f"cross_entropy_probs_{r}",
           lambda x, r=r: F.cross_entropy(x, _PROBS, weight=_W4, reduction=r,
                                          label_smoothing=0.1), ((5, 4),)) for r in _R],
    Case("cross_entropy_probs_target_grad",
         lambda x, t: F.cross_entropy(x, t.softmax(1)), ((5, 4), (5, 4))),
    Case("cross_entropy_nd", lambda x: F.cross_entropy(x, _CLS_ND, label_smoothing=0.3),
         ((2, 4, 3, 2),)),
    Case("cross_entropy_1d", lambda x: F.cross_entropy(x, ag.tensor(2)), ((4,),)),
    *[Case(f"nll_loss_{r}", lambda x, r=r: F.nll_loss(x, _CLS_IGNORED, weight=_W4, reduction=r),
           ((5, 4),)) for r in _R],
    *[Case(f"kl_div_{r}", lambda x, t, r=r: F.kl_div(x.log_softmax(1), t.softmax(1), reduction=r),
           ((3, 4), (3, 4))) for r in (*_R, "batchmean")],
    Case("kl_div_log_target",
         lambda x, t: F.kl_div(x.log_softmax(1), t.log_softmax(1), log_target=True,
                               reduction="batchmean"), ((3, 4), (3, 4))),
]
