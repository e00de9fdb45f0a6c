"""vispy's parse of a shader program's variables, done once per distinct source code.

Whenever a visual's shaders change (each visual builds its program on its first draw, so
every new canvas builds them all), vispy's ``Program._parse_variables_from_code`` strips
comments with a regular expression that backtracks over every line and then scans for
uniforms, attributes and varyings: ~7 ms a program, 0.15 s for the 22 programs of each
new 3-D view (a second window, each 3-D figure of a report), a third of its first frame.
The result depends only on the source, so ``_parse_variables_cached`` keeps it per source
text and gives each program its own copy, then processes that program's pending
variables exactly as vispy does.
"""

from __future__ import annotations

from vispy.gloo import program as _vispy_program

#: vispy's own parser: sets ``program._code_variables`` from the program's shader source
_vispy_parse = _vispy_program.Program._parse_variables_from_code
#: source text (the shaders joined as vispy joins them) -> the variables it declares
_PARSED: dict[str, dict[str, tuple]] = {}
#: distinct sources kept at most (each a few kB; a session sees a few dozen)
MAX_SOURCES = 512


def _parse_variables_cached(self: _vispy_program.Program, update_variables: bool = True) -> None:
    """``Program._parse_variables_from_code`` from the per-source cache."""
    code = "\n\n".join(sh.code for sh in self._shaders)
    parsed = _PARSED.get(code)
    if parsed is None:
        _vispy_parse(self, update_variables=False)
        if len(_PARSED) < MAX_SOURCES:
            _PARSED[code] = dict(self._code_variables)
    else:
        self._code_variables = dict(parsed)
    if update_variables:
        self._process_pending_variables()


_vispy_program.Program._parse_variables_from_code = _parse_variables_cached
