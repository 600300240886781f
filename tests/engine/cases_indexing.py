"""Gradcheck rows of gather, scatter, scatter_add, index_select, masked_fill, where with scalars,
sort, argsort and topk (first and second order, float64).

Repeated indices are included on purpose: gather and index_select add their gradients, scatter
gives src's gradient to every element (written or overwritten), as torch. sort and topk draw from
"distinct" values so that no tie decides an order.
"""

import numpy as np
from cases import Case

import autogradcli.engine as ag

_IDX_COLS = ag.tensor([[0, 2, 2], [1, 0, 0], [3, 3, 1]])  # a (3, 3) index into dim 1 of (3, 4)
# (2, 4) into dim 0 of (3, 4), distinct per column
_IDX_ROWS = ag.tensor([[2, 0, 1, 0], [0, 1, 2, 2]])
_IDX_UNIQUE = ag.tensor([[3, 0], [1, 2], [0, 1]])  # distinct per row: scatter writes once
_MASK = ag.tensor(np.arange(12).reshape(3, 4) % 3 == 1)
_ROW_MASK = ag.tensor([True, False, False, True])

CASES = [
    Case("gather", lambda x: x.gather(1, _IDX_COLS), ((3, 4),)),
    Case("gather_dim0", lambda x: ag.gather(x, 0, _IDX_ROWS), ((3, 4),)),
    Case("gather_smaller_index", lambda x: x.gather(1, _IDX_COLS[:2, :2]), ((3, 4),)),
    Case("gather_neg_dim", lambda x: x.gather(-1, ag.tensor([[[1], [0]]])), ((1, 2, 3),)),
    Case("scatter", lambda x, s: x.scatter(1, _IDX_UNIQUE, s), ((3, 4), (3, 2))),
    Case("scatter_dim0", lambda x, s: x.scatter(0, _IDX_ROWS, s), ((3, 4), (2, 4))),
    Case("scatter_value", lambda x: x.scatter(1, _IDX_UNIQUE, 0.5), ((3, 4),)),
    Case("scatter_add", lambda x, s: x.scatter_add(1, _IDX_COLS, s), ((3, 4), (3, 3))),
    Case("scatter_add_dim0", lambda x, s: ag.scatter_add(x, 0, _IDX_ROWS, s), ((3, 4), (2, 4))),
    Case("index_select", lambda x: x.index_select(1, ag.tensor([3, 0, 3])), ((3, 4),)),
    Case("index_select_dim0", lambda x: ag.index_select(x, 0, ag.tensor([2, 2])), ((3, 2, 2),)),
    Case("masked_fill", lambda x: x.masked_fill(_MASK, -1.0), ((3, 4),)),
    Case("masked_fill_broadcast", lambda x: x.masked_fill(_ROW_MASK, 2.0), ((3, 4),)),
    Case("masked_fill_tensor_value", lambda x, v: ag.masked_fill(x, _MASK, v), ((3, 4), ())),
    Case("where_scalar_first", lambda x: ag.where(_MASK, 1.0, x), ((3, 4),)),
    Case("where_scalar_both_tensor_cond", lambda x: ag.where(x > 0, x, 0.0), ((3, 4),), "distinct"),
    Case("sort", lambda x: x.sort().values, ((3, 4),), "distinct"),
    Case("sort_dim0_descending", lambda x: x.sort(0, descending=True)[0], ((3, 4),), "distinct"),
    Case("sort_fn", lambda x: ag.sort(x, dim=1, stable=True)[0], ((2, 3, 2),), "distinct"),
    Case("sort_by_argsort", lambda x: x.gather(1, x.argsort(1)), ((3, 4),), "distinct"),
    Case("topk", lambda x: x.topk(2).values, ((3, 4),), "distinct"),
    Case("topk_smallest_dim0", lambda x: ag.topk(x, 2, dim=0, largest=False)[0], ((3, 4),),
         "distinct"),
    Case("topk_all", lambda x: x.topk(5)[0], ((5,),), "distinct"),
    # ------------------------------------------------------------ edge shapes
    Case("gather_0d", lambda x: x.gather(0, ag.tensor(0)), ((),)),
    Case("gather_empty_index", lambda x: x.gather(1, ag.tensor(np.zeros((3, 0), np.int64))).sum()
         + x.sum(), ((3, 4),)),
    Case("index_select_empty", lambda x: x.index_select(0, ag.tensor(np.zeros(0, np.int64))).sum()
         + x.sum(), ((3, 4),)),
    Case("index_select_0d_index", lambda x: x.index_select(1, ag.tensor(2)), ((3, 4),)),
    Case("sort_0d", lambda x: x.sort()[0], ((),)),
    Case("sort_length1", lambda x: x.sort(0)[0], ((1, 3),)),
    Case("topk_zero", lambda x: x.topk(0)[0].sum() + x.sum(), ((4,),)),
    Case("masked_fill_0d", lambda x: x.masked_fill(ag.tensor(True), 1.0) + x, ((),)),
]
