"""Conversions the runner (ork._run) needs only now and then: an input
value to a parameter's annotation (a model, a dataclass, a TypedDict,
generics, dates, enums...), an output value JSON does not know to one it
does, and where in an output the value that is not JSON lies.

A separate module because most tasks never need it: a parameter without
an annotation, or annotated with the JSON value's own type (str, int,
float, bool, dict, list), takes the value as it is, and most outputs are
plain data.  ork._run imports this on first use; loading it with the runner
cost every python task about 1.7 ms (bench P1).
"""

import os
import sys

from ork._run import _Fail, _Invalid, _loads


def _is_pydantic2(a):
    return isinstance(a, type) and hasattr(a, "model_validate") and \
        hasattr(a, "model_dump")


def _is_pydantic1(a):
    return isinstance(a, type) and hasattr(a, "parse_obj") and \
        hasattr(a, "__fields__")


def _is_typeddict(a):
    return isinstance(a, type) and issubclass(a, dict) and \
        hasattr(a, "__total__") and hasattr(a, "__annotations__")


def _is_structured(a):
    """Annotations that mean "the whole input object"."""
    if a is None or isinstance(a, str):
        return False
    a = _strip(a)
    if isinstance(a, type):
        return (a is dict or _is_pydantic2(a) or _is_pydantic1(a)
                or hasattr(a, "__dataclass_fields__") or _is_typeddict(a)
                or _is_mapping_abc(a))
    origin = getattr(a, "__origin__", None)
    return origin is dict or (isinstance(origin, type)
                              and _is_mapping_abc(origin))


def _is_mapping_abc(t):
    abc = sys.modules.get("collections.abc")
    return abc is not None and isinstance(t, type) and \
        t in (abc.Mapping, abc.MutableMapping)


def _is_any(a):
    if a is None or a is object:
        return True
    typing = sys.modules.get("typing")
    return typing is not None and a is typing.Any


def _path_str(path):
    out = ""
    for c in path:
        if isinstance(c, int):
            out += "[%d]" % c
        else:
            out += ("." if out else "") + str(c)
    return out or "input"


def _invalid_fail(errors, also=None, also_details=()):
    """The failure for conversion errors [(path, message)], with `also`
    (a sentence, and its details) after them."""
    msgs = ["%s: %s" % (_path_str(p), m) for p, m in errors]
    if also:
        msgs.append(also)
    details = [{"loc": _path_str(p), "msg": m} for p, m in errors]
    details.extend(also_details)
    return _Fail("input validation failed: " + "; ".join(msgs), details)


def _jtype(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "str"
    if isinstance(v, list):
        return "list"
    if isinstance(v, dict):
        return "object"
    return type(v).__name__


def _tname(a):
    if a is type(None):
        return "None"
    if isinstance(a, type):
        return a.__name__
    typing = sys.modules.get("typing")
    if (typing is not None and getattr(a, "__origin__", None) is typing.Union) \
            or type(a).__name__ == "UnionType":
        return " | ".join(_tname(x) for x in a.__args__)
    return str(a).replace("typing.", "")


def _strip(a):
    """NewType and Annotated down to the type they wrap."""
    for _ in range(20):
        if hasattr(a, "__supertype__"):
            a = a.__supertype__
        elif hasattr(a, "__metadata__") and hasattr(a, "__origin__"):
            a = a.__origin__
        else:
            break
    return a


def _bad(path, ann, v):
    return _Invalid([(path, "expected %s, got %s" % (_tname(ann), _jtype(v)))])


def _convert(v, ann, path):
    if _is_any(ann) or isinstance(ann, str):
        return v
    ann = _strip(ann)
    if type(ann).__name__ == "TypeVar":
        return v
    origin = getattr(ann, "__origin__", None)
    typing = sys.modules.get("typing")
    if (typing is not None and origin is typing.Union) or \
            type(ann).__name__ == "UnionType":
        return _convert_union(v, ann, path)
    if typing is not None and origin is typing.Literal:
        if v in ann.__args__ and not (isinstance(v, bool) and not any(
                isinstance(x, bool) for x in ann.__args__)):
            return v
        raise _Invalid([(path, "expected one of %s, got %r"
                         % (", ".join(repr(x) for x in ann.__args__), v))])
    if origin is not None:
        return _convert_generic(v, ann, origin,
                                getattr(ann, "__args__", None) or (), path)
    if not isinstance(ann, type):
        return v
    if _is_pydantic2(ann):
        return _pydantic(ann.model_validate, v, path)
    if _is_pydantic1(ann):
        return _pydantic(ann.parse_obj, v, path)
    if hasattr(ann, "__dataclass_fields__"):
        return _convert_dataclass(v, ann, path)
    if _is_typeddict(ann):
        return _convert_typeddict(v, ann, path)
    if ann is bool:
        if isinstance(v, bool):
            return v
        raise _bad(path, ann, v)
    if ann is int:
        if isinstance(v, int) and not isinstance(v, bool):
            return v
        if isinstance(v, float) and v.is_integer():
            return int(v)
        raise _bad(path, ann, v)
    if ann is float:
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return float(v)
        raise _bad(path, ann, v)
    if ann is str:
        if isinstance(v, str):
            return v
        raise _bad(path, ann, v)
    if ann is type(None):
        if v is None:
            return v
        raise _bad(path, ann, v)
    if ann in (list, tuple, set, frozenset, dict) or _is_mapping_abc(ann):
        return _convert_generic(v, ann, ann, (), path)
    return _convert_class(v, ann, path)


def _pydantic(validate, v, path):
    try:
        return validate(v)
    except Exception as e:
        errs = getattr(e, "errors", None)
        if not callable(errs):
            raise _Invalid([(path, "%s: %s" % (type(e).__name__, e))])
        out = []
        try:
            for err in errs():
                loc = tuple(err.get("loc") or ())
                if loc == ("__root__",):
                    loc = ()
                out.append((path + loc, err.get("msg", "invalid")))
        except Exception:
            out = [(path, str(e))]
        raise _Invalid(out or [(path, str(e))])


def _convert_union(v, ann, path):
    args = ann.__args__
    none = type(None)
    if v is None and none in args:
        return None
    members = [a for a in args if a is not none]
    errors = []
    # An exact JSON type match first, so Union[int, str] keeps "1" a string.
    for a in sorted(members, key=lambda a: 0 if _exact(v, a) else 1):
        try:
            return _convert(v, a, path)
        except _Invalid as e:
            errors.append(e)
    deep = [e for e in errors if all(len(p) > len(path) for p, _ in e.errors)]
    if len(members) == 1 and deep:   # Optional[Model]: say which field
        raise deep[0]
    raise _Invalid([(path, "expected %s, got %s"
                     % (_tname(ann), _jtype(v)))])


def _exact(v, a):
    return isinstance(a, type) and type(v) is a


_SEQ_ABCS = ("Sequence", "MutableSequence", "Iterable", "Collection",
             "Set", "MutableSet", "AbstractSet")


def _convert_generic(v, ann, origin, args, path):
    abc = sys.modules.get("collections.abc")
    if origin is dict or _is_mapping_abc(origin):
        if not isinstance(v, dict):
            raise _bad(path, ann, v)
        if len(args) != 2 or (_is_any(args[0]) and _is_any(args[1])):
            return dict(v)
        out, errors = {}, []
        for k, x in v.items():
            kk = k
            if args[0] is int:   # JSON keys are strings; dict[int, T] wants ints
                try:
                    kk = int(k)
                except ValueError:
                    errors.append((path + (k,), "key is not an int"))
                    continue
            try:
                out[kk] = _convert(x, args[1], path + (k,))
            except _Invalid as e:
                errors.extend(e.errors)
        if errors:
            raise _Invalid(errors)
        return out
    is_seq = origin in (list, tuple, set, frozenset) or (
        abc is not None and isinstance(origin, type)
        and origin.__name__ in _SEQ_ABCS and origin.__module__ in (
            "collections.abc", "typing"))
    if not is_seq:
        if isinstance(origin, type):
            return _convert(v, origin, path)
        return v
    if not isinstance(v, list):
        raise _bad(path, ann, v)
    if origin is tuple and args and not (len(args) == 2 and args[1] is ...):
        if args == ((),):
            args = ()
        if len(v) != len(args):
            raise _Invalid([(path, "expected %d items, got %d"
                             % (len(args), len(v)))])
        items = zip(v, args)
    else:
        item = args[0] if args else None
        items = ((x, item) for x in v)
    out, errors = [], []
    for i, (x, a) in enumerate(items):
        try:
            out.append(_convert(x, a, path + (i,)))
        except _Invalid as e:
            errors.extend(e.errors)
    if errors:
        raise _Invalid(errors)
    if origin in (tuple, set, frozenset):
        try:
            return origin(out)
        except TypeError as e:
            raise _Invalid([(path, str(e))])
    if abc is not None and origin in (abc.Set, abc.MutableSet):
        return set(out)
    return out


_hint_cache = {}


def _class_hints(cls):
    hints = _hint_cache.get(cls)
    if hints is None:
        try:
            import typing
            hints = typing.get_type_hints(cls)
        except Exception:
            hints = {}
            for klass in reversed(cls.__mro__):
                hints.update(getattr(klass, "__annotations__", None) or {})
        _hint_cache[cls] = hints
    return hints


def _convert_dataclass(v, cls, path):
    if isinstance(v, cls):
        return v
    if not isinstance(v, dict):
        raise _bad(path, cls, v)
    import dataclasses
    hints = _class_hints(cls)
    kwargs, errors = {}, []
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        if f.name in v:
            try:
                kwargs[f.name] = _convert(v[f.name], hints.get(f.name, f.type),
                                          path + (f.name,))
            except _Invalid as e:
                errors.extend(e.errors)
        elif f.default is dataclasses.MISSING and \
                f.default_factory is dataclasses.MISSING:
            errors.append((path + (f.name,), "field required"))
    if errors:
        raise _Invalid(errors)
    try:
        return cls(**kwargs)
    except Exception as e:  # __post_init__ checks
        raise _Invalid([(path, "%s: %s" % (type(e).__name__, e))])


def _convert_typeddict(v, cls, path):
    if not isinstance(v, dict):
        raise _bad(path, cls, v)
    hints = _class_hints(cls)
    required = getattr(cls, "__required_keys__", None)
    if required is None:
        required = set(hints) if cls.__total__ else set()
    out, errors = dict(v), []
    for k in sorted(required):
        if k not in v:
            errors.append((path + (k,), "field required"))
    for k, a in hints.items():
        if k in v:
            try:
                out[k] = _convert(v[k], a, path + (k,))
            except _Invalid as e:
                errors.extend(e.errors)
    if errors:
        raise _Invalid(errors)
    return out


def _convert_class(v, cls, path):
    if isinstance(v, cls):
        return v
    m = sys.modules
    dt = m.get("datetime")
    if dt is not None and issubclass(cls, (dt.date, dt.time)):
        if not isinstance(v, str):
            raise _bad(path, cls, v)
        s = v[:-1] + "+00:00" if v.endswith(("Z", "z")) else v
        try:
            if issubclass(cls, dt.datetime):
                return cls.fromisoformat(s.replace(" ", "T", 1)
                                         if len(s) > 10 else s)
            if issubclass(cls, dt.date):
                return cls.fromisoformat(s)
            return cls.fromisoformat(s)
        except ValueError:
            raise _Invalid([(path, "expected an ISO 8601 %s, got %r"
                             % (cls.__name__, v))]) from None
    enum = m.get("enum")
    if enum is not None and issubclass(cls, enum.Enum):
        try:
            return cls(v)
        except ValueError:
            raise _Invalid([(path, "expected one of %s, got %r" % (
                ", ".join(repr(x.value) for x in cls), v))]) from None
    dec = m.get("decimal")
    if dec is not None and issubclass(cls, dec.Decimal):
        if isinstance(v, (int, float, str)) and not isinstance(v, bool):
            try:
                return cls(str(v))
            except dec.InvalidOperation:
                pass
        raise _bad(path, cls, v)
    uuid = m.get("uuid")
    pathlib = m.get("pathlib")
    if (uuid is not None and issubclass(cls, uuid.UUID)) or \
            (pathlib is not None and issubclass(cls, pathlib.PurePath)):
        if isinstance(v, str):
            try:
                return cls(v)
            except ValueError as e:
                raise _Invalid([(path, str(e))]) from None
        raise _bad(path, cls, v)
    raise _Invalid([(path, "cannot convert %s to %s"
                     % (_jtype(v), cls.__name__))])


def _default(o):
    """json's hook for values it does not know: return something it does."""
    if isinstance(o, type):
        raise TypeError("a class (%s) is not JSON data" % o.__name__)
    cls = type(o)   # (pydantic 2.11 warns about model_fields on instances)
    if _is_pydantic2(cls):
        return o.model_dump(mode="json")
    if _is_pydantic1(cls) and hasattr(o, "json"):
        return _loads(o.json())
    if hasattr(cls, "__dataclass_fields__"):
        import dataclasses
        return {f.name: getattr(o, f.name) for f in dataclasses.fields(o)}
    m = sys.modules
    dt = m.get("datetime")
    if dt is not None:
        if isinstance(o, (dt.date, dt.time)):
            return o.isoformat()
        if isinstance(o, dt.timedelta):
            return o.total_seconds()
    if isinstance(o, (set, frozenset)):
        try:
            return sorted(o)
        except TypeError:
            return list(o)
    dec = m.get("decimal")
    if dec is not None and isinstance(o, dec.Decimal):
        if not o.is_finite():
            raise ValueError("Decimal %s is not valid JSON" % o)
        return str(o)
    enum = m.get("enum")
    if enum is not None and isinstance(o, enum.Enum):
        return o.value
    uuid = m.get("uuid")
    if uuid is not None and isinstance(o, uuid.UUID):
        return str(o)
    if isinstance(o, os.PathLike):
        return os.fspath(o)
    if isinstance(o, (bytes, bytearray, memoryview)):
        raise TypeError("bytes are not JSON text: decode them (or base64 "
                        "them) in the task")
    tolist = getattr(o, "tolist", None)   # numpy arrays and scalars
    if callable(tolist):
        return tolist()
    abc = m.get("collections.abc")
    if abc is not None:
        if isinstance(o, abc.Mapping):
            return dict(o)
        if isinstance(o, (abc.Sequence, abc.Set)) and not isinstance(o, str):
            return list(o)
    raise TypeError("object of type %s is not JSON-serialisable"
                    % type(o).__name__)


def _out_path(path):
    s = _path_str(path)
    return "output" + ("" if s == "input" else ("." + s if not s.startswith(
        "[") else s))


def _find_bad(o, path, depth):
    """Walk what json.dumps refused to say where the problem is."""
    import math
    if depth > 200:
        return "%s: nested too deeply (a reference cycle?)" % _out_path(path)
    if o is None or isinstance(o, (bool, int, str)):
        return None
    if isinstance(o, float):
        if math.isfinite(o):
            return None
        return "%s: float %r is not valid JSON" % (_out_path(path), o)
    if isinstance(o, dict):
        for k, v in o.items():
            if not isinstance(k, (str, int, float, bool)) and k is not None:
                return "%s: a key of type %s (keys must be strings)" % (
                    _out_path(path), type(k).__name__)
            r = _find_bad(v, path + (str(k),), depth + 1)
            if r:
                return r
        return None
    if isinstance(o, (list, tuple)):
        for i, v in enumerate(o):
            r = _find_bad(v, path + (i,), depth + 1)
            if r:
                return r
        return None
    try:
        conv = _default(o)
    except Exception as e:
        return "%s: %s" % (_out_path(path), e)
    return _find_bad(conv, path, depth + 1)
