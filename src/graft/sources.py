"""Finding and fetching wheels: find-links directories, a simple-API index, the download cache.

Selection is per wheel file: of the wheels a release offers, the one whose best
tag ranks highest in the *target's* own tag order is chosen, and everything
graft later projects comes from that one file.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import urllib.parse
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

from packaging.utils import InvalidWheelFilename, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from graft._fs import remember
from graft.errors import SourceError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from graft.requirements import Wanted
    from graft.target import Target

PYPI_SIMPLE = "https://pypi.org/simple/"
_ACCEPT = "application/vnd.pypi.simple.v1+json, text/html;q=0.1"
_PAGE_TTL = 600.0  # seconds an index page is fresh, as PyPI's Cache-Control says
_RETRIES = 3


@dataclass(frozen=True, slots=True)
class Candidate:
    filename: str
    url: str  # file path for local wheels
    sha256: str | None  # known before download (index hash, or computed locally)
    local: bool
    origin: str = ""  # who vouched for sha256 (a lock file entry); "" for the index


def _version_matches(filename: str, name: str, version: str) -> tuple[bool, tuple[str, ...]]:
    try:
        wname, wversion, build, tags = parse_wheel_filename(filename)
    except InvalidWheelFilename:
        return False, ()
    if str(wname) != name:
        return False, ()
    try:
        same = wversion == Version(version)
    except InvalidVersion:
        same = str(wversion) == version
    return same, tuple(str(t) for t in tags) + (("build", str(build[0])) if build else ())


def rank(filename: str, target_rank: dict[str, int]) -> tuple[int, int] | None:
    """Lower is better: the best tag's position in the target's order, then build tag."""
    try:
        _, _, build, tags = parse_wheel_filename(filename)
    except InvalidWheelFilename:
        return None
    positions = [target_rank[str(t)] for t in tags if str(t) in target_rank]
    if not positions:
        return None
    return min(positions), -(build[0] if build else 0)


def select(candidates: Sequence[Candidate], target: Target) -> Candidate | None:
    """The best candidate for *target*; local files win ties."""
    order = target.tag_rank()
    best: tuple[tuple[int, int, int], Candidate] | None = None
    for candidate in candidates:
        ranked = rank(candidate.filename, order)
        if ranked is None:
            continue
        key = (*ranked, 0 if candidate.local else 1)
        if best is None or key < best[0]:
            best = (key, candidate)
    return best[1] if best else None


class FindLinks:
    """Wheels in ``--find-links`` directories, listed once and grouped by canonical name."""

    def __init__(self, directories: Sequence[str]) -> None:
        self.directories = list(directories)
        self._by_name: dict[str, list[tuple[str, str]]] | None = None
        self._index()  # list once, before any worker thread asks

    def _index(self) -> dict[str, list[tuple[str, str]]]:
        if self._by_name is None:
            by_name: dict[str, list[tuple[str, str]]] = {}
            for directory in self.directories:
                try:
                    names = os.listdir(directory)
                except OSError as exc:
                    raise SourceError(
                        f"cannot list find-links directory ({exc.strerror})", where=directory
                    ) from None
                for name in names:
                    if not name.endswith(".whl"):
                        continue
                    # the name part of a wheel filename never contains "-"
                    key = name.split("-", 1)[0].replace("_", "-").replace(".", "-").lower()
                    by_name.setdefault(key, []).append((name, os.path.join(directory, name)))
            self._by_name = by_name
        return self._by_name

    def candidates(self, wanted: Wanted) -> list[Candidate]:
        files = self._index().get(wanted.name, [])
        return [
            Candidate(name, path, None, local=True)
            for name, path in files
            if _version_matches(name, wanted.name, wanted.version or "")[0]
        ]


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href = dict(attrs).get("href")

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self.links.append((data.strip(), self._href))
            self._href = None


class Index:
    """A PEP 503/691 simple repository, with pages cached on disk."""

    def __init__(self, url: str, cache_dir: str, offline: bool = False) -> None:
        self.url = url if url.endswith("/") else url + "/"
        self.cache_dir = os.path.join(cache_dir, "index")
        self.offline = offline

    def files(self, name: str) -> list[Candidate]:
        page_url = urllib.parse.urljoin(self.url, f"{name}/")
        page = self._page(page_url)
        out = []
        for entry in page:
            filename, url, sha256 = entry["filename"], entry["url"], entry.get("sha256")
            if filename.endswith(".whl"):
                out.append(Candidate(filename, urllib.parse.urljoin(page_url, url), sha256, False))
        return out

    def _page(self, url: str) -> list[dict[str, Any]]:
        key = hashlib.sha256(url.encode()).hexdigest()[:32]
        path = os.path.join(self.cache_dir, key + ".json")
        cached = None
        try:
            with open(path, encoding="utf-8") as fh:
                cached = json.load(fh)
        except (OSError, ValueError):
            pass
        if cached is not None and (self.offline or time.time() - cached["fetched"] < _PAGE_TTL):
            files: list[dict[str, Any]] = cached["files"]
            return files
        if self.offline:
            raise SourceError(
                "not in the cache and --offline was given", where=url, hint="run once online"
            )
        files = self._fetch(url)
        remember(path, json.dumps({"fetched": time.time(), "files": files}))
        return files

    def _fetch(self, url: str) -> list[dict[str, Any]]:
        import urllib.error  # noqa: PLC0415
        import urllib.request  # noqa: PLC0415

        request = urllib.request.Request(url, headers={"Accept": _ACCEPT})  # noqa: S310
        body, content_type = b"", ""
        for attempt in range(_RETRIES):
            try:
                with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                    body = response.read()
                    content_type = response.headers.get("Content-Type", "")
                break
            except urllib.error.HTTPError as exc:
                if exc.code == 404:  # noqa: PLR2004
                    return []
                if attempt == _RETRIES - 1:
                    raise SourceError(f"index answered HTTP {exc.code}", where=url) from None
            except (urllib.error.URLError, OSError) as exc:
                if attempt == _RETRIES - 1:
                    raise SourceError(
                        f"cannot reach the index ({getattr(exc, 'reason', exc)})",
                        where=url,
                        hint="check the network, or use --find-links DIR --no-index",
                    ) from None
            time.sleep(0.5 * 2**attempt)
        if "json" in content_type:
            data = json.loads(body)
            return [
                {
                    "filename": f["filename"],
                    "url": f["url"],
                    "sha256": f.get("hashes", {}).get("sha256"),
                }
                for f in data.get("files", [])
            ]
        parser = _Anchors()
        parser.feed(body.decode("utf-8", "replace"))
        out = []
        for text, href in parser.links:
            link, _, fragment = href.partition("#")
            sha256 = fragment.removeprefix("sha256=") if fragment.startswith("sha256=") else None
            filename = text or urllib.parse.unquote(link.rsplit("/", 1)[-1])
            out.append({"filename": filename, "url": link, "sha256": sha256})
        return out


def download(
    candidate: Candidate, cache_dir: str, on_bytes: Callable[[int], None] | None = None
) -> tuple[str, str]:
    """Fetch *candidate* into the content-addressed download cache; return (path, sha256)."""
    import urllib.request  # noqa: PLC0415

    wheels = os.path.join(cache_dir, "wheels")
    if candidate.sha256:
        cached = os.path.join(wheels, candidate.sha256, candidate.filename)
        if os.path.isfile(cached):
            return cached, candidate.sha256
    os.makedirs(wheels, exist_ok=True)
    tmp = os.path.join(wheels, f".{candidate.filename}.{os.getpid()}.part")
    last_error: Exception | None = None
    for attempt in range(_RETRIES):
        digest = hashlib.sha256()
        try:
            with (
                urllib.request.urlopen(candidate.url, timeout=60) as response,  # noqa: S310
                open(tmp, "wb") as out,
            ):
                while chunk := response.read(1 << 16):
                    digest.update(chunk)
                    out.write(chunk)
                    if on_bytes is not None:
                        on_bytes(len(chunk))
            break
        except OSError as exc:
            last_error = exc
            time.sleep(0.5 * 2**attempt)
    else:
        raise SourceError(f"download failed ({last_error})", where=candidate.url)
    sha256 = digest.hexdigest()
    if candidate.sha256 and sha256 != candidate.sha256:
        os.unlink(tmp)
        if candidate.origin:
            raise SourceError(
                f"{candidate.filename} has sha256 {sha256}, not the hash given here",
                where=candidate.origin,
                hint="the lock is wrong or the file changed; nothing was installed",
            )
        raise SourceError(
            "downloaded file does not match the index's sha256",
            where=candidate.url,
            hint="retry; if it persists the index or a proxy serves a different file",
        )
    final_dir = os.path.join(wheels, sha256)
    os.makedirs(final_dir, exist_ok=True)
    final = os.path.join(final_dir, candidate.filename)
    os.replace(tmp, final)
    return final, sha256


def local_sha256(path: str, cache_dir: str) -> str:
    """The sha256 of a local wheel, remembered by file identity (path, inode, size, mtime)."""
    st = os.stat(path)
    identity = f"{os.path.abspath(path)}|{st.st_ino}|{st.st_size}|{st.st_mtime_ns}"
    key = hashlib.sha256(identity.encode()).hexdigest()[:32]
    memo = os.path.join(cache_dir, "local-hashes", key)
    try:
        with open(memo, encoding="ascii") as fh:
            digest = fh.read().strip()
        if len(digest) == 64:  # noqa: PLR2004
            return digest
    except OSError:
        pass
    from graft.store import file_sha256  # noqa: PLC0415

    digest = file_sha256(path)
    remember(memo, digest)
    return digest
