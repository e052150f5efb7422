"""The venv skeleton: what ``python -m venv --without-pip`` makes, made once per interpreter.

graft keeps one such venv per interpreter in its cache (the *template*) and copies it into
each new venv, replacing the template's path and name with the venv's. Every template has a
``.gitignore`` of ``*``, as ``uv venv`` writes one and Python 3.13's venv module does: a venv
in a project is not committed by accident. The template is made by :mod:`graft.venv.template`.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # (not typing's: a new venv made from a flat form imports this module)
if TYPE_CHECKING:
    from graft.venv.state import Options

_TEMPLATE_NAME = "graft-venv-template"


#: The template's files, each with its SHA-256 and mode, and its links with their targets
_SUMS = ".graft-template-sums"


def _listing(template: str) -> bytes:
    """What *template* holds, one line each: ``F <sha256> <mode> <path>`` or ``L <target> <path>``.

    The list itself is left out; the path the template was made at (``.graft-template-path``,
    which each copy replaces) is in.
    """
    from graft._sha256 import sha256_hex  # noqa: PLC0415

    lines = []
    for dirpath, dirnames, filenames in os.walk(template):
        rel = os.path.relpath(dirpath, template)
        for name in sorted([*dirnames, *filenames]):
            path = os.path.join(dirpath, name)
            where = name if rel == "." else f"{rel}/{name}"
            if os.path.islink(path):
                lines.append(f"L {os.readlink(path)} {where}")
            elif name in filenames and where != _SUMS:
                with open(path, "rb") as fh:
                    mode = os.fstat(fh.fileno()).st_mode & 0o7777
                    lines.append(f"F {sha256_hex(fh.read())} {mode:o} {where}")
    return "".join(f"{line}\n" for line in sorted(lines)).encode()


def intact(template: str) -> bool:
    """Whether *template* holds what it held when it was made (its list of sums; decision 268).

    A venv made from a garbled template (its ``pyvenv.cfg`` without ``home``, an activate
    script cut short) was broken, and so was every later one: the cache is the user's to
    damage (a full disk, a tool that cleans it by halves, an edit). About 0.2 ms: five small
    files read once more, for each venv made.
    """
    try:
        with open(os.path.join(template, _SUMS), "rb") as fh:
            listed = fh.read()
        return listed == _listing(template)
    except OSError:
        return False


def _retarget(  # noqa: PLR0917 - the file, where it goes, and what it names
    template: str,
    final: str,
    data: bytes,
    old_path: bytes | None = None,
    prompt: str | None = None,
    rel: str = "",
) -> bytes:
    """A template file's bytes for the venv at *final*: the template's path and name replaced.

    *old_path*: the template's recorded path, if the caller has read it already. The name
    left once the path is replaced is the activate scripts' prompt (``python -m venv``'s
    ``__VENV_PROMPT__``): *prompt*, else the venv's directory name, as ``python -m venv``
    gives it; in the activate script *rel* (venv-relative), written so that its shell reads
    it as text (:func:`as_shell_text`).
    """
    if old_path is None:
        old_path = _template_path(template)
    name = os.path.basename(final) if prompt is None else prompt
    data = data.replace(old_path, final.encode())
    shell = _SHELLS.get(rel.rpartition("/")[2]) if rel.startswith("bin/") else None
    if shell is None:
        return data.replace(_TEMPLATE_NAME.encode(), name.encode())
    return as_shell_text(data, _TEMPLATE_NAME.encode(), name, shell)


#: The activate scripts ``python -m venv`` writes, by name, and the shell that reads each.
_SHELLS = {"activate": "sh", "activate.csh": "csh", "activate.fish": "fish", "Activate.ps1": "ps1"}


def as_shell_text(script: bytes, placeholder: bytes, text: str, shell: str) -> bytes:
    """*script* with each *placeholder* replaced by *text*, which *shell* reads as text.

    Each place is quoted for where it stands in its line: within double quotes (as Python up
    to 3.13.0 writes ``"(__VENV_PROMPT__) "``), within single quotes, or bare (as later
    releases write ``shlex.quote``'s value); in bash's ``PS1``, as its prompt shows it
    (:func:`_as_ps1`). A prompt such as ``x $(cmd)`` or ``a"b`` ran ``cmd`` or broke the
    script when it was sourced (decision 242).
    """
    out: list[bytes] = []
    for line in script.split(b"\n"):
        parts = line.split(placeholder)
        if len(parts) > 1:
            done = parts[0]
            said = _as_ps1(text) if shell == "sh" and line.lstrip().startswith(b"PS1=") else text
            for part in parts[1:]:
                done += _quoted(said, shell, _quoting(done, shell)).encode() + part
            line = done  # noqa: PLW2901 - the line, each place quoted
        out.append(line)
    return b"\n".join(out)


def _as_ps1(text: str) -> str:
    r"""*text* as bash's ``PS1`` shows it: no ``$(...)`` or backquote run at each prompt.

    A prompt string is expanded again whenever it is shown (``promptvars``); bash's ``\$``
    shows ``$`` (``#`` as root) unexpanded, ``\\`` a backslash, and a backquote after a
    backslash is itself.
    """
    return text.replace("\\", "\\\\").replace("$", "\\$").replace("`", "\\`")


def _quoting(before: bytes, shell: str) -> str:
    """The quotes open at the end of *before* (a line's start): ``"``, ``'`` or none."""
    state, escaped = "", False
    escape = "`" if shell == "ps1" else "\\"
    for byte in before.decode("utf-8", "surrogateescape"):
        if escaped:
            escaped = False
        elif byte == escape and state != "'" and not (shell == "csh" and state == '"'):
            escaped = True
        elif state == "" and byte in "'\"":
            state = byte
        elif byte == state:
            state = ""
    return state


#: What needs no quotes in any of the shells (``shlex.quote``'s safe characters).
_BARE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-")


def _quoted(text: str, shell: str, state: str) -> str:  # noqa: PLR0911 - per shell and quote
    """*text* as *shell* reads it literally where the quotes *state* are open."""
    if text and _BARE.issuperset(text):
        return text  # (as before, and as shlex.quote leaves it)
    if shell == "ps1":
        single = text.replace("'", "''")
        if state == '"':  # (the backtick escapes in PowerShell's double quotes)
            return "".join("`" + c if c in '`$"' else c for c in text)
        return single if state == "'" else f"'{single}'"
    if shell == "fish":  # (single quotes take \' and \\; double quotes \", \$ and \\)
        single = text.replace("\\", "\\\\").replace("'", "\\'")
        if state == '"':
            return "".join("\\" + c if c in '\\"$' else c for c in text)
        return single if state == "'" else f"'{single}'"
    if shell == "csh":  # (no escape in csh's double quotes: they are closed around it)
        if state == '"' and not any(c in '$`"!\\\n' for c in text):
            return text
        single = text.replace("'", "'\\''").replace("!", "'\\!'")
        return {'"': f"\"'{single}'\"", "'": single}.get(state, f"'{single}'")
    single = text.replace("'", "'\\''")
    if state == '"':
        return "".join("\\" + c if c in '\\"$`' else c for c in text)
    return single if state == "'" else f"'{single}'"


def prompt_of(options: Options) -> str | None:
    """The prompt among the venv tool's *options*, unquoted; None when there is none.

    pyvenv.cfg's ``prompt`` as ``python -m venv`` writes it (Python's ``repr``) or as
    ``uv venv`` does (bare): the activate scripts get the text itself.
    """
    value = dict(options).get("prompt")
    if value is None or len(value) < 2 or value[0] != value[-1] or value[0] not in "'\"":  # noqa: PLR2004
        return value
    if "\\" in value:  # an escape repr wrote (rare: ast only then)
        import ast  # noqa: PLC0415

        try:
            text = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            return value[1:-1]
        return text if isinstance(text, str) else value[1:-1]
    return value[1:-1]


def quoted_prompt(prompt: str, cwd: str) -> str:
    """pyvenv.cfg's ``prompt`` value for ``--prompt PROMPT``, as ``python -m venv`` writes it.

    ``.`` is the name of the current directory *cwd*, as ``python -m venv`` and ``uv venv``
    take it.
    """
    return repr(os.path.basename(cwd) if prompt == "." else prompt)


def _template_path(template: str) -> bytes:
    with open(os.path.join(template, ".graft-template-path"), "rb") as fh:
        return fh.read()


def expected_config(template: str, final: str, options: Options = ()) -> bytes:
    """The pyvenv.cfg that :func:`copy_template` writes for the venv at *final*.

    A graft venv whose pyvenv.cfg, less graft's own lines, differs from it was made for another
    interpreter (or at another path) than *template* now gives. *options*: the venv tool's
    options it keeps (:func:`configured`).
    """
    with open(os.path.join(template, "pyvenv.cfg"), "rb") as fh:
        return configured(_retarget(template, final, fh.read()), options)


def fresh(
    template: str, final: str, rel: str, options: Options, *, quoted: bool = True
) -> bytes | None:
    """The bytes :func:`copy_template` writes at *rel* for the venv at *final* with *options*.

    None when the template has no regular file there. Not *quoted*: the prompt as graft wrote
    it into the activate scripts before decision 242, as given.
    """
    path = os.path.join(template, rel)
    if os.path.islink(path) or not os.path.isfile(path):
        return None
    with open(path, "rb") as fh:
        prompt = prompt_of(options)
        data = _retarget(template, final, fh.read(), prompt=prompt, rel=rel if quoted else "")
    return configured(data, options) if rel == "pyvenv.cfg" else data


def configured(config: bytes, options: Options) -> bytes:
    """The template's pyvenv.cfg *config* with the venv tool's *options* in it (decision 111).

    As ``python -m venv`` writes them: ``include-system-site-packages = true`` in place of
    the template's ``false``, and ``prompt`` after ``version`` (each value as given). Without
    the template's ``command`` line (Python 3.11+): the venv was not made by that command but
    by graft, which ``graft = VERSION`` says, as ``uv venv`` and virtualenv write none.
    """
    lines = [
        line
        for line in config.splitlines(keepends=True)
        if line.partition(b"=")[0].strip().lower() != b"command"
    ]
    keys = [line.partition(b"=")[0].strip().lower() for line in lines]
    for key, value in options:
        if key.encode() in keys:
            lines[keys.index(key.encode())] = f"{key} = {value}\n".encode()
            continue
        at = keys.index(b"version") + 1 if b"version" in keys else len(lines)
        lines.insert(at, f"{key} = {value}\n".encode())
        keys.insert(at, key.encode())
    return b"".join(lines)


def contents(template: str) -> tuple[frozenset[str], frozenset[str]]:
    """What every venv made from *template* holds, venv-relative: its directories, and the rest.

    The rest: files and links (``bin/python``, ``lib64``, ``pyvenv.cfg``); links are not entered.
    """
    directories: set[str] = set()
    others: set[str] = set()
    pending = [""]
    while pending:  # (os.scandir's kinds: os.walk's relpath and islink cost ~0.4 ms)
        rel = pending.pop()
        try:
            listed = os.scandir(os.path.join(template, rel) if rel else template)
        except OSError:
            continue  # (as os.walk skips a directory it cannot list)
        with listed as entries:
            for entry in entries:
                path = f"{rel}/{entry.name}" if rel else entry.name
                if entry.is_dir(follow_symlinks=False):
                    directories.add(path)
                    pending.append(path)
                else:
                    others.add(path)
    others.discard(".graft-template-path")
    others.discard(_SUMS)
    return frozenset(directories), frozenset(others)


def copy_template(template: str, dest: str, final: str, options: Options = ()) -> None:
    """Copy *template* to *dest* for the venv at *final*: its path and name replaced, links kept.

    Each file is read once and written once, with its template's mode; pyvenv.cfg with the
    venv tool's *options* the venv keeps (:func:`configured`), the activate scripts with
    its prompt (:func:`prompt_of`).
    """
    old_path = _template_path(template)
    prompt = prompt_of(options)
    for dirpath, dirnames, filenames in os.walk(template):
        rel = os.path.relpath(dirpath, template)
        out_dir = dest if rel == "." else os.path.join(dest, rel)
        os.makedirs(out_dir, exist_ok=True)
        for name in dirnames + filenames:
            src = os.path.join(dirpath, name)
            out = os.path.join(out_dir, name)
            if os.path.islink(src):
                os.symlink(os.readlink(src), out)
                if name in dirnames:
                    dirnames.remove(name)
            elif name in filenames and name not in {".graft-template-path", _SUMS}:
                with open(src, "rb") as fh:
                    mode = os.fstat(fh.fileno()).st_mode & 0o7777
                    where = name if rel == "." else f"{rel}/{name}"
                    data = _retarget(template, final, fh.read(), old_path, prompt, where)
                if rel == "." and name == "pyvenv.cfg":
                    data = configured(data, options)
                fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, mode)
                try:
                    os.fchmod(fd, mode)  # the template's mode, whatever the umask
                    view = memoryview(data)
                    while view:
                        view = view[os.write(fd, view) :]
                finally:
                    os.close(fd)
