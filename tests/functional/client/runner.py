"""Our ``mistral`` CLI run in-process (as ``mistral ARGS`` would run it, without the cost
of a new interpreter per command): exit code, stdout and stderr."""

from __future__ import annotations

import contextlib
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mistralclient.shell import MistralShell


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def json(self) -> Any:
        return json.loads(self.out)


class Cli:
    def __init__(self, url: str, workdir: Path) -> None:
        self.url = url
        self.workdir = workdir
        self.steps = 0

    def run(self, *args: str, ok: bool = True, url: str | None = None) -> Result:
        out, err = io.StringIO(), io.StringIO()
        target = self.url if url is None else url
        argv = (["--os-mistral-url", target] if target else []) + list(args)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = MistralShell(stdout=out, stderr=err).run(argv)
            except SystemExit as exc:  # argparse's usage errors end the process
                code = exc.code if isinstance(exc.code, int) else 1
        result = Result(code, out.getvalue(), err.getvalue())
        self.steps += 1
        if ok:
            assert code == 0, "mistral %s: %s" % (" ".join(args), result.err or result.out)
        return result

    def json(self, *args: str) -> Any:
        return self.run(*args, "-f", "json").json

    def file(self, name: str, text: str) -> str:
        path = self.workdir / name
        path.write_text(text)
        return str(path)
