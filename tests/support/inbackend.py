"""The wheel-writing half of the in-tree PEP 517 backends tests write into projects.

A backend's source starts with :data:`WHEEL_WRITER` and its ``build_wheel`` ends with
``return write_wheel(wheel_directory, filename, files)``: the files it builds, with the
RECORD of their hashes (PEP 376/627) added, zipped as the named wheel. It runs in the
backend's own interpreter, so it is source text, standard library only.
"""

from __future__ import annotations

import textwrap

WHEEL_WRITER = textwrap.dedent(
    '''
    import base64 as _base64, hashlib as _hashlib, os as _os, zipfile as _zipfile

    def write_wheel(wheel_directory, filename, files, record_tail=b""):
        """Zip *files* (path: bytes) as *filename* with their RECORD (then *record_tail*)."""
        info = next(p.split("/")[0] for p in files if p.split("/")[0].endswith(".dist-info"))
        rows = ""
        for path, data in files.items():
            digest = _base64.urlsafe_b64encode(_hashlib.sha256(data).digest()).rstrip(b"=")
            rows += path + ",sha256=" + digest.decode() + "," + str(len(data)) + "\\n"
        record = (rows + info + "/RECORD,,\\n").encode() + record_tail
        with _zipfile.ZipFile(_os.path.join(wheel_directory, filename), "w") as zf:
            for path, data in {**files, info + "/RECORD": record}.items():
                zf.writestr(path, data)
        return filename
    '''
)
