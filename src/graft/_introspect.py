# Run by the *target* interpreter (any CPython 3.9+ or PyPy), never imported by graft.
# argv[1]: a directory holding graft's copy of `packaging`. Prints one JSON object.
import json
import os
import sys
import sysconfig

sys.path.insert(0, sys.argv[1])
from packaging import markers, tags  # noqa: E402

PREFIX = "/__graft_prefix__"


def scheme() -> "dict[str, str]":
    names = sysconfig.get_scheme_names()
    name = "venv" if "venv" in names else ("posix_prefix" if os.name == "posix" else "nt")
    keys = {"base", "platbase", "installed_base", "installed_platbase"}
    paths = sysconfig.get_paths(name, vars={k: PREFIX for k in keys})
    out = {}
    for key in ("purelib", "platlib", "scripts", "data", "include"):
        value = paths[key]
        if value == PREFIX:
            out[key] = ""
        elif value.startswith(PREFIX + "/"):
            out[key] = value[len(PREFIX) + 1 :]
    return out


version = "%d.%d" % sys.version_info[:2]
print(
    json.dumps(
        {
            "executable": sys.executable,
            "real_executable": os.path.realpath(sys.executable),
            "version": "%d.%d.%d" % sys.version_info[:3],
            "implementation": sys.implementation.name,
            "cache_tag": sys.implementation.cache_tag,
            "tags": [str(t) for t in tags.sys_tags()],
            "markers": markers.default_environment(),
            "scheme": scheme(),
            "include_site": "include/site/python" + version,
            "gil_disabled": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
            "prefix": sys.prefix,
            "base_prefix": sys.base_prefix,
        }
    )
)
