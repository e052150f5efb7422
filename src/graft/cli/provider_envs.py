"""Provider venvs: the command line's side of third-party variant provider plugins (PEP 850).

:class:`ProviderEnvs` is what ``graft sync`` and ``graft variants`` hand to the resolution
as its :class:`graft.model.variants.ProviderPlugins`. For an allowed namespace it installs
the plugin's requirements with ``graft sync`` into a venv of their own,
``<cache>/variant-providers/<digest of the interpreter and the requirements>`` (so a
second use is a no-op sync; resolved with the command's sources, cut-off and index
strategy, which do not key it: each use syncs it to the newest they allow, keeping no
version it holds, decision 241), then runs the plugin
in that venv's interpreter (:func:`graft.variants.plugins.ask`). Answers are kept for the
process, per venv and plugin; nothing is kept on disk (a warm sync recalls its resolution
and asks no plugin).
This module imports nothing of :mod:`graft.variants` until a plugin is asked, so a sync
that meets no plugin pays nothing for it.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING

from graft.errors import GraftError, VariantError

if TYPE_CHECKING:
    import argparse

    from graft.model.variants import PluginAnswer, Provider
    from graft.variants.plugins import PluginSpec


class ProviderEnvs:
    """Installs and asks allowed provider plugins, with the sources of the command line."""

    def __init__(self, args: argparse.Namespace, python: str | None = None) -> None:
        self.args = args
        self.python = python  # the interpreter of the provider venvs (None: graft's own)
        self.notes: list[str] = []  # what was made and asked, for -v
        self._answers: dict[tuple[str, str, str], PluginAnswer] = {}
        self._lock = threading.Lock()

    def supported(self, namespace: str, provider: Provider) -> PluginAnswer:
        """The plugin's answer for *namespace* (installed and run once per process)."""
        from graft.model.variants import PluginAnswer  # noqa: PLC0415
        from graft.variants.plugins import ask, plugin_spec  # noqa: PLC0415

        spec = plugin_spec(namespace, provider)
        if spec is None:  # (with_plugins asks only for providers with requirements)
            raise VariantError("the provider names no plugin", where=f"providers.{namespace}")
        with self._lock:
            venv = self.venv_dir(spec.requires)
            key = (venv, spec.api, namespace)
            if key not in self._answers:
                made = self._make(spec, venv)
                if made is None:  # (no provider venv, and none is made: nothing answers)
                    self._answers[key] = PluginAnswer(namespace, (), "no provider venv")
                    return self._answers[key]
                python, version = made
                source = f"plugin {spec.distribution} {version}"
                answer = ask(python, spec, source)
                values = "; ".join(f"{f}: {', '.join(v)}" for f, v in answer.features)
                self.notes.append(f"variant provider {namespace}: {source} answered {values}")
                self._answers[key] = answer
            return self._answers[key]

    def venv_dir(self, requires: tuple[str, ...]) -> str:
        """``<cache>/variant-providers/<digest>``: one venv per interpreter and requirements."""
        import hashlib  # noqa: PLC0415

        from graft._home import cache_root  # noqa: PLC0415
        from graft.venv.interpreter import find_interpreter, introspect  # noqa: PLC0415

        target = introspect(find_interpreter(self.python))
        text = "\0".join([target.real_executable, target.version, *sorted(requires)])
        digest = hashlib.sha256(text.encode()).hexdigest()[:24]
        return os.path.join(cache_root(), "variant-providers", digest)

    def _make(self, spec: PluginSpec, venv: str) -> tuple[str, str] | None:
        """``graft sync`` of the plugin's requirements into *venv*: its python, the version."""
        from graft.model.sync_request import SyncRequest  # noqa: PLC0415
        from graft.sync import sync  # noqa: PLC0415

        args = self.args
        os.makedirs(os.path.dirname(venv), exist_ok=True)
        try:
            result = sync(
                SyncRequest(
                    venv=venv,
                    specs=spec.requires,
                    python=self.python,
                    index_url=getattr(args, "index_url", None),
                    extra_index_urls=tuple(getattr(args, "extra_index_url", ())),
                    find_links=tuple(getattr(args, "find_links", ())),
                    no_index=getattr(args, "no_index", False),
                    offline=getattr(args, "offline", False),
                    # the sync's cut-off and index strategy hold for its plugins (decision 209)
                    index_strategy=getattr(args, "index_strategy", None) or "first-index",
                    exclude_newer=getattr(args, "exclude_newer", None),
                    exclude_newer_packages=tuple(getattr(args, "exclude_newer_package", ())),
                    store=getattr(args, "store", None),
                    variant_detect=False,
                    no_variants=True,  # a plugin's own requirements are chosen variant-unaware
                    # the newest the options allow, as a provider venv made afresh holds: no
                    # version it holds is kept (decision 241)
                    upgrade=True,
                )
            )
        except GraftError as exc:
            raise VariantError(
                f"cannot install the provider plugin ({', '.join(spec.requires)}): {exc}",
                where=f"variant provider {spec.namespace}",
            ) from None
        how = "made" if result.plan is not None else "already in sync"
        self.notes.append(f"variant provider {spec.namespace}: venv {venv} ({how})")
        version = next(
            (d.split("==", 1)[1] for d in result.distributions if _name(d) == spec.distribution),
            "?",
        )
        return os.path.join(venv, "bin", "python"), version


def _name(label: str) -> str:
    from packaging.utils import canonicalize_name  # noqa: PLC0415

    return canonicalize_name(label.split("==", 1)[0])


class MadeProviderEnvs(ProviderEnvs):
    """Provider plugins asked in the provider venvs a sync made; never installs one.

    ``graft audit``'s: a provider venv that is not there is an error (named in the finding).
    ``graft sync --dry-run``'s (*dry*, decision 162): a provider venv that is not there is
    noted in :attr:`unmade` (what a sync would install, and where) and its namespace is
    answered by nothing, as if the plugin supported no value of it.
    """

    def __init__(
        self, args: argparse.Namespace, python: str | None = None, *, dry: bool = False
    ) -> None:
        super().__init__(args, python)
        self.dry = dry
        self.unmade: list[tuple[str, tuple[str, ...], str]] = []  # namespace, requires, venv

    def _make(self, spec: PluginSpec, venv: str) -> tuple[str, str] | None:
        python = os.path.join(venv, "bin", "python")
        if os.path.isfile(python):
            self.notes.append(
                f"variant provider {spec.namespace}: venv {venv} (made already, asked as it is)"
            )
            return python, _version(venv, spec.distribution)
        if self.dry:
            self.unmade.append((spec.namespace, spec.requires, venv))
            return None
        raise VariantError(
            f"its provider plugin ({', '.join(spec.requires)}) has no provider venv for"
            " this venv's interpreter; graft sync with --allow-variant-provider"
            f" {spec.namespace} makes it",
            where=f"variant provider {spec.namespace}",
        )


def _version(venv: str, distribution: str) -> str:
    """The version of *distribution* installed in *venv* ("?" when not found)."""
    import glob  # noqa: PLC0415

    for info in glob.glob(os.path.join(venv, "lib", "python*", "site-packages", "*.dist-info")):
        name, _, version = os.path.basename(info).removesuffix(".dist-info").partition("-")
        if _name(name) == distribution:
            return version
    return "?"
