# orkc --check's look at python task files (compiler/pycheck.c embeds this
# file and runs it with the workflow's python, once per check).
#
# Reads {"root": DIR, "tasks": [{"i", "file", "module", "function",
# "keys"}]} on stdin; writes [{"i", "what", "severity", "msg"}] on stdout.
# Nothing is imported or run: a file is compiled and its syntax tree read,
# a module is only located (importlib's PathFinder, which executes no
# package), so checking costs no task code and needs no dependency.
# "what" says where the message belongs: "file", "module" or "function".
import ast
import difflib
import json
import sys
from importlib.machinery import PathFinder


def locate(mod, root):
    """The source file of module mod, or None (not found), or "" (found,
    but not a python source: an extension, a namespace package)."""
    path = [root] + [p for p in sys.path if p]
    name = ""
    spec = None
    for i, part in enumerate(mod.split(".")):
        name = part if i == 0 else name + "." + part
        spec = PathFinder.find_spec(name, path)
        if spec is None:
            return None
        path = list(spec.submodule_search_locations or [])
    origin = getattr(spec, "origin", None) or ""
    return origin if origin.endswith(".py") else ""


def top_names(body, defs, other):
    """Functions defined at the top level (also under if/try), and other
    names bound there (assigned, imported), which exist but cannot be
    read without running the module."""
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            defs.setdefault(node.name, node)
        elif isinstance(node, ast.ClassDef):
            other.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for a in node.names:
                other.add((a.asname or a.name).split(".")[0])
        elif isinstance(node, ast.Assign):
            for t in node.targets:
                if isinstance(t, ast.Name):
                    other.add(t.id)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            if isinstance(node.target, ast.Name):
                other.add(node.target.id)
        elif isinstance(node, ast.If):
            top_names(node.body, defs, other)
            top_names(node.orelse, defs, other)
        elif isinstance(node, ast.Try):
            for part in (node.body, node.orelse, node.finalbody):
                top_names(part, defs, other)
            for h in node.handlers:
                top_names(h.body, defs, other)


def dotted(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return dotted(node.value) + "." + node.attr
    if isinstance(node, ast.Call):
        return dotted(node.func)
    if isinstance(node, ast.Subscript):
        return dotted(node.value)
    if isinstance(node, ast.Constant if hasattr(ast, "Constant") else ast.Str):
        return str(getattr(node, "value", getattr(node, "s", "")))
    return ""


def is_context(arg):
    """The runtime's rule: annotated Context, or ctx/context unannotated."""
    if arg.annotation is None:
        return arg.arg in ("ctx", "context")
    return dotted(arg.annotation).split(".")[-1] == "Context"


def check_signature(fn, keys, say):
    """Ork's calling rules (runtime/python/ork/_run.py) against the input
    keys the task will get."""
    a = fn.args
    params = list(getattr(a, "posonlyargs", [])) + list(a.args)
    ndef = len(a.defaults)
    has_default = {p.arg: i >= len(params) - ndef for i, p in enumerate(params)}
    for p, d in zip(a.kwonlyargs, a.kw_defaults):
        params.append(p)
        has_default[p.arg] = d is not None
    others = [p for p in params if not is_context(p)]
    varkw = a.kwarg is not None
    task = any(dotted(d).split(".")[-1] == "task" for d in fn.decorator_list)
    if task and others and not varkw and \
            all(has_default[p.arg] for p in others[1:]):
        return                      # the whole input, to its first parameter
    if not others or (len(others) == 1 and not varkw):
        return                      # f(), its key, or the whole input
    shown = ", ".join(keys) if keys else "none"
    for p in others:
        if p.arg not in keys and not has_default[p.arg]:
            say("function", "error", "parameter '%s' of %s() has no input "
                "key of that name (input keys: %s); it is called with "
                "keyword arguments, one per input key" % (p.arg, fn.name, shown))
    names = set(p.arg for p in others)
    left = [k for k in keys if k not in names]
    if left and not varkw:
        say("function", "warning", "input key%s %s not a parameter of %s() "
            "(it gets keyword arguments): the value%s unused" % (
                "s" if len(left) > 1 else "",
                ", ".join("'%s'" % k for k in left) +
                (" are" if len(left) > 1 else " is"), fn.name,
                "s are" if len(left) > 1 else " is"))


_parsed = {}


def parse(path):
    """The syntax tree of path, once per file however many tasks name it;
    raises SyntaxError, OSError or ValueError."""
    if path not in _parsed:
        try:
            with open(path, "rb") as f:
                src = f.read()
            tree = compile(src, path, "exec", ast.PyCF_ONLY_AST, True)
            compile(tree, path, "exec", 0, True)
            _parsed[path] = tree
        except (SyntaxError, OSError, ValueError) as e:
            _parsed[path] = e
    if isinstance(_parsed[path], Exception):
        raise _parsed[path]
    return _parsed[path]


def check_task(t, root, say):
    path = t.get("file")
    if not path:
        path = locate(t["module"], root)
        if path is None:
            say("module", "error", "module '%s' is not found (looked in '%s' "
                "and the python's sys.path)" % (t["module"], root))
            return
        if not path:
            return
    try:
        tree = parse(path)
    except SyntaxError as e:
        say("file", "error", "'%s' does not compile: line %s: %s" % (
            path, e.lineno, e.msg))
        return
    except (OSError, ValueError) as e:
        say("file", "error", "cannot read '%s': %s" % (path, e))
        return
    defs, other = {}, set()
    top_names(tree.body, defs, other)
    fn = t["function"]
    if fn in defs:
        if t.get("keys") is not None:
            check_signature(defs[fn], t["keys"], say)
        return
    if fn in other:
        return
    near = difflib.get_close_matches(fn, list(defs), 1)
    say("function", "error", "function '%s' is not defined in '%s'%s" % (
        fn, path, "; did you mean '%s'?" % near[0] if near else ""))


def main():
    req = json.loads(sys.stdin.read())
    out = []
    for t in req["tasks"]:
        def say(what, severity, msg, i=t["i"]):
            out.append({"i": i, "what": what, "severity": severity,
                        "msg": msg})
        check_task(t, req["root"], say)
    sys.stdout.write(json.dumps(out))


main()
