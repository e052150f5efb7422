# Run by the *target* interpreter (any CPython 3.9+ or PyPy 3.9+), never imported by graft.
# Only the standard library: nothing of graft's dependencies runs inside a target (their newer
# releases may not even import there). It reports raw facts; graft computes the tags and keeps
# the marker values itself (target.py). Prints one JSON object.
import importlib.machinery
import json
import os
import platform
import struct
import sys
import sysconfig
from typing import Any, Optional, Union

PREFIX = "/__graft_prefix__"


def scheme() -> "dict[str, str]":
    names = sysconfig.get_scheme_names()
    name = "venv" if "venv" in names else ("posix_prefix" if os.name == "posix" else "nt")
    keys = {"base", "platbase", "installed_base", "installed_platbase"}
    paths = sysconfig.get_paths(name, vars={k: PREFIX for k in keys})
    out: "dict[str, str]" = {}
    for key in ("purelib", "platlib", "scripts", "data", "include"):
        value = paths[key]
        if value == PREFIX:
            out[key] = ""
        elif value.startswith(PREFIX + "/"):
            out[key] = value[len(PREFIX) + 1 :]
    return out


def full_version(info: "Any") -> str:
    version = "%d.%d.%d" % (info.major, info.minor, info.micro)
    if info.releaselevel != "final":
        version += info.releaselevel[0] + str(info.serial)
    return version


def glibc() -> "Optional[str]":
    try:
        value = os.confstr("CS_GNU_LIBC_VERSION")
    except (AttributeError, OSError, ValueError):
        return None
    return value.split()[1] if value and value.startswith("glibc ") else None


def config(name: str) -> "Union[int, str, None]":
    value = sysconfig.get_config_var(name)
    return value if isinstance(value, (int, str)) or value is None else str(value)


version = "%d.%d" % sys.version_info[:2]
print(
    json.dumps(
        {
            "facts_version": 2,
            "executable": sys.executable,
            "real_executable": os.path.realpath(sys.executable),
            "version": "%d.%d.%d" % sys.version_info[:3],
            "implementation": sys.implementation.name,
            "cache_tag": sys.implementation.cache_tag,
            "markers": {
                "implementation_name": sys.implementation.name,
                "implementation_version": full_version(sys.implementation.version),
                "os_name": os.name,
                "platform_machine": platform.machine(),
                "platform_release": platform.release(),
                "platform_system": platform.system(),
                "platform_version": platform.version(),
                "python_full_version": platform.python_version(),
                "platform_python_implementation": platform.python_implementation(),
                "python_version": ".".join(platform.python_version_tuple()[:2]),
                "sys_platform": sys.platform,
            },
            "platform": sysconfig.get_platform(),
            "pointer_bits": struct.calcsize("P") * 8,
            "glibc": glibc(),
            "mac_version": platform.mac_ver()[0] if sys.platform == "darwin" else None,
            "config": {
                name: config(name)
                for name in ("Py_DEBUG", "Py_GIL_DISABLED", "EXT_SUFFIX", "py_version_nodot")
            },
            "has_totalrefcount": hasattr(sys, "gettotalrefcount"),
            "extension_suffixes": list(importlib.machinery.EXTENSION_SUFFIXES),
            "scheme": scheme(),
            "include_site": "include/site/python" + version,
            "gil_disabled": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
            "prefix": sys.prefix,
            "base_prefix": sys.base_prefix,
        }
    )
)
