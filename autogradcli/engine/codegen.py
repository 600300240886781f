"""The program of a trace as one generated Python function (what ag.compile replays).

The tracer (trace.py) describes each value of the call as an Operand: its value at trace time and
the source that recomputes it. Values are locals of the generated function; the objects it needs
(rows, constants, tensors read from outside) are bound once as keyword-only defaults, so a replay
is a straight run of numpy calls without lists, closures or lookups. An operation whose operands
are all constants is computed once, at trace time (the same numpy call on the same values, so
the same bits), and becomes a constant itself. Imports numpy and the standard library only.
"""

import operator
import re

import numpy as np

from . import grad_mode as _gm

_BINARY = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
           "@": operator.matmul, "**": operator.pow}


class Stale(Exception):
    """A tensor read from outside the call changed shape, dtype or requires_grad: trace again."""


class Eager(Exception):
    """This call's data would take another path than the trace's (labels out of range...): run
    the function eagerly this once. Raised before the replay changes anything."""


class Operand:
    """A value of the program: a constant (`const`, its value fixed) or a local named `src`.

    `fresh`: a new array that only this operand holds (a numpy result, not a view or a row's
    output, which may alias its inputs); `base`: the operand a view was taken of."""

    __slots__ = ("base", "const", "fresh", "large", "src", "uses", "value")

    def __init__(self, src, value, const=False, fresh=False, base=None):
        self.src, self.value, self.const = src, value, const
        self.fresh, self.base, self.uses = fresh, base, 0
        self.large = getattr(value, "nbytes", 0) >= 4096  # worth a `del` after its last use

    def owned(self):
        """Whether the array is new and referenced once (by its consumer) in the whole program,
        its bases too: handing it over without a copy cannot alias anything else."""
        operand = self
        while operand is not None:
            if operand.const or operand.uses != 1:
                return False
            if operand.base is None:
                return operand.fresh
            operand = operand.base
        return False


class Line:
    """One statement: `text` with {0}, {1}... standing for its operands, or a function of the
    operands' names (a statement decided when the whole program is known)."""

    __slots__ = ("refs", "text")

    def __init__(self, text, refs=()):
        self.text, self.refs = text, tuple(refs)


class Source:
    """The generated function under construction: bound objects, statements, their operands."""

    def __init__(self):
        self.head = []  # statements run first: the call's arguments, tensors from outside
        self.lines = []
        self.bound = {}  # name -> object
        self._names = {}  # id(object) -> name
        self._keep = []  # bound objects, so that their ids stay unique
        self.count = 0
        self.made = []  # Operands assigned since the last settled replay form
        self.calls_rows = False  # a row runs as a call: grad mode off around the replay
        self.effects = False  # a statement changed state outside the replay (.grad, in place)

    # ------------------------------------------------------------------ names
    def bind(self, obj, prefix="k"):
        """The name under which the function sees obj (bound once)."""
        name = self._names.get(id(obj))
        if name is None:
            name = f"{prefix}{len(self.bound)}"
            self.bound[name] = obj
            self._names[id(obj)] = name
            self._keep.append(obj)
        return name

    def local(self, prefix="v"):
        self.count += 1
        return f"{prefix}{self.count}"

    def const(self, value):
        return Operand(None, value, const=True)

    def emit(self, text, refs=(), head=False):
        (self.head if head else self.lines).append(Line(text, refs))

    def assign(self, text, refs, value, fresh=False, base=None):
        """A new local holding `text` (with {0}... for refs); its Operand."""
        name = self.local()
        self.emit(f"{name} = {text}", refs)
        operand = Operand(name, value, fresh=fresh, base=base)
        self.made.append(operand)
        return operand

    def mark(self):
        return len(self.lines), len(self.made)

    def rollback(self, mark):
        """Forget the statements emitted since mark (a replay form that did not match)."""
        del self.lines[mark[0]:]
        del self.made[mark[1]:]

    def settle(self, mark, outputs, values):
        """A replay form matched: its outputs take the row's own arrays (the same bits) and its
        intermediate values are dropped, so that tracing holds no second copy of them."""
        for operand in self.made[mark[1]:]:
            if not operand.const:
                operand.value = None
        for operand, value in zip(outputs, values):
            if operand is not None and not operand.const:
                operand.value = value
        del self.made[mark[1]:]

    # ------------------------------------------------------------------ operations
    def binop(self, op, a, b):
        value = _BINARY[op](a.value, b.value)
        if a.const and b.const:
            return self.const(value)
        return self.assign(f"{{0}} {op} {{1}}", (a, b), value, fresh=True)

    def neg(self, a):
        value = -a.value
        return self.const(value) if a.const else self.assign("-{0}", (a,), value, fresh=True)

    def call(self, fn, *args, fresh=True, **kwargs):
        """fn(*args, **kwargs): Operands among args are values of the program; the rest are
        Python values bound as constants."""
        refs = [a if isinstance(a, Operand) else self.const(a) for a in args]
        krefs = {k: v if isinstance(v, Operand) else self.const(v) for k, v in kwargs.items()}
        value = fn(*[r.value for r in refs], **{k: r.value for k, r in krefs.items()})
        if all(r.const for r in refs) and all(r.const for r in krefs.values()):
            return self.const(value)
        n = len(refs)
        text = ", ".join([f"{{{i}}}" for i in range(n)]
                         + [f"{k}={{{n + i}}}" for i, k in enumerate(krefs)])
        return self.assign(f"{self.bind(fn, 'f')}({text})", refs + list(krefs.values()), value,
                           fresh=fresh)

    def method(self, a, name, *args, view=False, **kwargs):
        """a.name(*args, **kwargs); a view (reshape) shares a's array."""
        fn = operator.methodcaller(name, *args, **kwargs)
        if a.const:
            return self.const(fn(a.value))
        consts = [self.const(v) for v in args]
        kconsts = [self.const(v) for v in kwargs.values()]
        text = ", ".join([f"{{{i + 1}}}" for i in range(len(consts))]
                         + [f"{k}={{{len(consts) + 1 + i}}}" for i, k in enumerate(kwargs)])
        value = fn(a.value)
        return self.assign(f"{{0}}.{name}({text})", [a, *consts, *kconsts], value,
                           fresh=not view, base=a if view else None)

    def attr(self, a, name):
        """a.name, a view of a (such as .mT)."""
        value = getattr(a.value, name)
        if a.const:
            return self.const(value)
        return self.assign(f"{{0}}.{name}", (a,), value, base=a)

    def as_array(self, a):
        """np.asarray(a), as the engine wraps a row's result that is not an array."""
        if type(a.value) is np.ndarray:
            return a
        return self.call(np.asarray, a, fresh=a.fresh)

    # ------------------------------------------------------------------ the function
    def build(self, result_text, result_refs):
        """Compile the program into `replay(args, kwargs)`, returning `result_text`."""
        self.emit(f"return {result_text}", result_refs)
        for line in self.head + self.lines:
            for r in line.refs:
                r.uses += 1
        names = {}
        body = [self._render(line, names) for line in self.lines]
        body = _free_dead(body, {name for name, o in names.items() if o.large})
        head = [self._render(line, names) for line in self.head]
        if self.calls_rows:
            gm = self.bind(_gm, "m")
            body = ([f"prev = {gm}._enabled", f"{gm}._enabled = False", "try:"]
                    + ["    " + s for s in _indent(body)]
                    + ["finally:", f"    {gm}._enabled = prev"])
        defaults = ", ".join(f"{name}={name}" for name in self.bound)
        text = "\n".join([f"def replay(args, kwargs, *, {defaults}):" if defaults
                          else "def replay(args, kwargs):"]
                         + ["    " + s for s in _indent(head + body)])
        namespace = dict(self.bound)
        exec(compile(text, "<ag.compile>", "exec"), namespace)
        replay = namespace["replay"]
        replay.source = text
        return replay

    def clear(self):
        """Drop the statements and bound objects: statements decided late are closures that
        refer back here (a cycle), and their operands hold every traced value."""
        self.head, self.lines, self.made = [], [], []
        self.bound, self._names, self._keep = {}, {}, []

    def _render(self, line, names):
        args = [self._name(r, names) for r in line.refs]
        if callable(line.text):
            return line.text(*args)
        return line.text.format(*args)

    def _name(self, operand, names):
        if not operand.const:
            names[operand.src] = operand
            return operand.src
        return self.bind(operand.value, "c")


def _indent(lines):
    """Statements may span lines (an if/else): indent every physical line alike."""
    return [part for s in lines for part in s.split("\n")]



_LOCAL = re.compile(r"\bv\d+\b")


def _free_dead(lines, large):
    """`del` each large intermediate array after the statement that reads it last, as eager
    drops a value once nothing refers to it: fewer live buffers, so numpy reuses memory that is
    still in the cache instead of asking for more (small ones are not worth the statement)."""
    last = {}
    for i, text in enumerate(lines):
        for name in _LOCAL.findall(text):
            if name in large:
                last[name] = i
    dead = [[] for _ in lines]
    for name, i in last.items():
        dead[i].append(name)
    out = []
    for text, names in zip(lines, dead):
        out.append(text)
        if names and not text.startswith("return "):
            out.append("del " + ", ".join(sorted(names)))
    return out
