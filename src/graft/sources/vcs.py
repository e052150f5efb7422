"""Version-control sources: ``name @ git+https://…@REV#subdirectory=DIR``, as pip and uv take them.

Git only (``hg+``, ``svn+`` and ``bzr+`` are refused by name). The URL's parts follow pip: the
scheme after ``git+`` is git's, ``@REV`` names a branch, a tag or a commit (none: the default
branch), ``#subdirectory=`` the project inside the repository, ``#egg=NAME`` the name of a
bare URL (else the build says it).

A repository is fetched into graft's cache once, as a bare clone (``git/db/<key>``), and
fetched again on each use of a revision that can move (a branch, a tag); a full commit id
the clone holds needs no network, so ``--offline`` works with one. Each commit is checked out
once (``git/checkouts/<commit>``, submodules included, ``.git`` kept so that setuptools-scm
reads the version) and built like any project directory. ``direct_url.json`` has PEP 610's
``vcs_info`` with the commit, as pip writes it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import urllib.parse
from dataclasses import dataclass

from graft.errors import SourceError, UsageError

_COMMIT = re.compile(r"[0-9a-f]{40}")
_PASSWORD = re.compile(r"(://)[^/@\s:]+:[^/@\s]+@")  # user:password@ in a URL
_REFERENCES = re.compile(r"\$\{[A-Za-z0-9_-]+\}(:\$\{[A-Za-z0-9_-]+\})?")  # PEP 610


@dataclass(frozen=True, slots=True)
class VcsUrl:
    """A ``git+`` URL, taken apart as pip takes it."""

    repo: str  # the URL git fetches ("https://host/repo.git"), no "git+", revision or fragment
    rev: str | None  # the revision asked for (a branch, tag or commit); None: the default branch
    subdirectory: str | None  # the project's directory inside the repository
    egg: str | None  # pip's #egg=NAME: the name of a bare URL

    @property
    def public(self) -> str:
        """The repository URL without a password (PEP 610: what ``direct_url.json`` may hold).

        ``ssh://git@host/…`` keeps its user (no secret), ``https://user:token@host/…`` loses
        both, unless they are ``${VARIABLE}`` references.
        """
        parts = urllib.parse.urlsplit(self.repo)
        userinfo, at, host = parts.netloc.rpartition("@")
        if not at or ":" not in userinfo or _REFERENCES.fullmatch(userinfo):
            return self.repo
        return urllib.parse.urlunsplit(parts._replace(netloc=host))

    @property
    def label(self) -> str:
        """The URL as the user wrote it, short of its fragment and any password."""
        return f"git+{self.public}" + (f"@{self.rev}" if self.rev else "")


def parse_vcs(url: str, where: str) -> VcsUrl:
    """The parts of a ``git+`` *url*; a one-line error for other systems or a bad URL."""
    if not url.lower().startswith("git+"):  # hg+, svn+, bzr+ (requirements.VCS_SCHEMES)
        raise UsageError(
            f"only git repositories are supported, not {url.partition('+')[0]}: {url}",
            where=where,
            hint="build a wheel or sdist of that revision and name its path",
        )
    parts = urllib.parse.urlsplit(url[len("git+") :])
    if not parts.scheme or not parts.path:
        raise UsageError(f"not a repository URL: {url}", where=where, hint="git+https://host/repo")
    path, at, rev = parts.path.rpartition("@")
    if not at:
        path, rev = parts.path, ""
    fragment = dict(urllib.parse.parse_qsl(parts.fragment))
    repo = urllib.parse.urlunsplit(parts._replace(path=path, fragment=""))
    egg = fragment.get("egg", "").partition("[")[0] or None
    return VcsUrl(repo, rev or None, fragment.get("subdirectory") or None, egg)


def checkout(url: VcsUrl, cache_dir: str, *, offline: bool, where: str) -> tuple[str, str]:
    """The project directory of *url*'s revision, checked out in the cache, and its commit."""
    from graft._fs import flock  # noqa: PLC0415

    key = hashlib.sha256(url.repo.encode()).hexdigest()[:16]
    db = os.path.join(cache_dir, "git", "db", key)
    os.makedirs(os.path.dirname(db), exist_ok=True)
    with flock(f"{db}.lock"):  # one git at a time per repository (fetches take ref locks)
        commit = _known_commit(db, url.rev)
        if commit is None:
            if offline:
                raise SourceError(
                    f"{url.label} is not in the cache and --offline was given",
                    where=where,
                    hint="name a full commit id fetched before, or go online",
                )
            _fetch(url, db, where)
            commit = _resolve(db, url, where)
        tree = os.path.join(cache_dir, "git", "checkouts", commit)
        if not os.path.isdir(tree):
            _check_out(url, db, commit, tree, where)
    project = os.path.normpath(os.path.join(tree, url.subdirectory or "."))
    if os.path.commonpath([project, tree]) != tree:
        raise UsageError(f"{url.label}: the subdirectory leaves the repository", where=where)
    if not os.path.isdir(project):
        raise SourceError(
            f"{url.label}: no directory {url.subdirectory} at commit {commit[:12]}", where=where
        )
    return project, commit


def vcs_direct_url(url: VcsUrl, commit: str, requested: str | None = None) -> str:
    """PEP 610 ``direct_url.json`` for a build of *url* at *commit*, as pip writes it.

    *requested*: the revision the user asked for, where *url* names another (a lock's entry
    names the commit it resolved ``main`` to); else *url*'s own.
    """
    info: dict[str, object] = {"commit_id": commit, "vcs": "git"}
    if revision := requested or url.rev:
        info["requested_revision"] = revision
    data: dict[str, object] = {"url": url.public, "vcs_info": info}
    if url.subdirectory:
        data["subdirectory"] = url.subdirectory
    return json.dumps(data, sort_keys=True)


def _git(args: list[str], where: str, what: str) -> str:
    """Run git; its stdout, or a one-line error with git's last words."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "", "LC_ALL": "C"}
    try:
        run = subprocess.run(
            ["git", *args],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            env=env,
            check=False,
        )
    except FileNotFoundError:
        raise SourceError(
            f"{what} needs git, which is not on PATH", where=where, hint="install git"
        ) from None
    if run.returncode != 0:
        said = run.stderr.strip().splitlines() or [f"exit status {run.returncode}"]
        first = next((line for line in said if line.startswith(("fatal:", "error:"))), said[-1])
        first = _PASSWORD.sub(r"\1", first)  # git names the URL it was given, token and all
        raise SourceError(f"{what}: git {args[0]} failed: {first}", where=where)
    return run.stdout.strip()


def _known_commit(db: str, rev: str | None) -> str | None:
    """*rev*, when it is a full commit id the cached clone already holds (no network)."""
    if rev is None or _COMMIT.fullmatch(rev) is None or not os.path.isdir(db):
        return None
    try:
        _git(["--git-dir", db, "cat-file", "-e", f"{rev}^{{commit}}"], "", "")
    except SourceError:
        return None
    return rev


def _fetch(url: VcsUrl, db: str, where: str) -> None:
    """Bring the cached bare clone of the repository up to date (clone it the first time)."""
    if not os.path.isdir(db):
        tmp = tempfile.mkdtemp(prefix="clone-", dir=os.path.dirname(db))
        try:
            _git(["clone", "--bare", "--quiet", url.repo, tmp], where, url.label)
            # no password at rest in the cache: every fetch names the URL itself
            _git(["--git-dir", tmp, "remote", "set-url", "origin", url.public], where, url.label)
            os.rename(tmp, db)
        except OSError:  # another sync cloned it first: theirs is as good
            shutil.rmtree(tmp, ignore_errors=True)
        except SourceError:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return
    refs = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"]
    _git(["--git-dir", db, "fetch", "--quiet", "--prune", url.repo, *refs], where, url.label)


def _resolve(db: str, url: VcsUrl, where: str) -> str:
    """The commit *url*'s revision names in the clone (a commit off every branch is fetched)."""
    rev = url.rev or "HEAD"
    try:
        return _git(["--git-dir", db, "rev-parse", "--verify", f"{rev}^{{commit}}"], where, "")
    except SourceError:
        pass
    if re.fullmatch(r"[0-9a-f]{7,40}", rev):  # a commit no branch holds (a pull request's)
        _git(["--git-dir", db, "fetch", "--quiet", url.repo, rev], where, url.label)
        verify = ["--git-dir", db, "rev-parse", "--verify", "FETCH_HEAD^{commit}"]
        return _git(verify, where, url.label)
    raise SourceError(
        f"{url.label}: no branch, tag or commit named {rev} in {url.public}",
        where=where,
        hint="check the revision after @",
    )


def _check_out(url: VcsUrl, db: str, commit: str, tree: str, where: str) -> None:
    """Check *commit* out into *tree*, submodules too, whole or not at all."""
    parent = os.path.dirname(tree)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="checkout-", dir=parent)
    try:
        _git(["clone", "--quiet", "--no-checkout", db, tmp], where, url.label)
        _git(["-C", tmp, "checkout", "--quiet", "--detach", commit], where, url.label)
        if os.path.isfile(os.path.join(tmp, ".gitmodules")):
            # relative submodule URLs are relative to the repository, not the cache's clone
            _git(["-C", tmp, "remote", "set-url", "origin", url.public], where, url.label)
            update = ["-C", tmp, "submodule", "update", "--init", "--recursive", "--quiet"]
            _git(update, where, url.label)
        os.rename(tmp, tree)
    except OSError:  # another sync checked it out first
        shutil.rmtree(tmp, ignore_errors=True)
    except SourceError:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
