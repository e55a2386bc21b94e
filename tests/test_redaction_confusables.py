"""tools/confusables.py reads Unicode's confusables.txt (UTS #39) into the table the name
matching uses: letters only, as the folding reads them, capitals apart where their small
letters look different. Fed lines in the data file's own format."""

from __future__ import annotations

import importlib.util
from pathlib import Path

TOOL = Path(__file__).resolve().parent.parent / "tools" / "confusables.py"

LINES = """\ufeff# confusables.txt
# Version: 16.0.0

0430 ;\t0061 ;\tMA\t# ( \u0430 \u2192 a ) CYRILLIC SMALL LETTER A \u2192 LATIN SMALL LETTER A\t#
0410 ;\t0041 ;\tMA\t# ( \u0410 \u2192 A ) CYRILLIC CAPITAL LETTER A \u2192 LATIN CAPITAL LETTER A\t#
0397 ;\t0048 ;\tMA\t# ( \u0397 \u2192 H ) GREEK CAPITAL LETTER ETA \u2192 LATIN CAPITAL LETTER H\t#
03B7 ;\t006E ;\tMA\t# ( \u03b7 \u2192 n ) GREEK SMALL LETTER ETA \u2192 LATIN SMALL LETTER N\t#
0030 ;\t004F ;\tMA\t# ( 0 \u2192 O ) DIGIT ZERO \u2192 LATIN CAPITAL LETTER O\t#
1D400 ;\t0041 ;\tMA\t# ( \U0001d400 \u2192 A ) MATHEMATICAL BOLD CAPITAL A\t#
2488 ;\t0031 002E ;\tMA\t# ( \u2488 \u2192 1. ) DIGIT ONE FULL STOP \u2192 DIGIT ONE, FULL STOP\t#
0192 ;\t0066 ;\tMA\t# ( \u0192 \u2192 f ) LATIN SMALL LETTER F WITH HOOK\t#
0561 ;\t026F ;\tMA\t# ( \u0561 \u2192 \u026f ) ARMENIAN SMALL LETTER AYB\t#
"""


def _tool():  # noqa: ANN202 - the module under test
    spec = importlib.util.spec_from_file_location("confusables_tool", TOOL)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_tool_keeps_letters_a_reader_takes_for_latin_ones(tmp_path: Path) -> None:
    data = tmp_path / "confusables.txt"
    data.write_text(LINES, encoding="utf-8")
    tool = _tool()
    before_case, look_alikes = tool.read(data)
    # Cyrillic a, the hooked f; not a digit, not what NFKC reads already, not a letter
    # whose target is not a Latin letter.
    assert look_alikes == {"\u0430": "a", "\u03b7": "n", "\u0192": "f"}
    # Eta's capital reads H, its small letter n; Cyrillic A's capital needs no entry.
    assert before_case == {"\u0397": "h"}
    namespace: dict = {}
    exec(tool.write(before_case, look_alikes, "confusables.txt"), namespace)  # noqa: S102
    assert namespace["LOOK_ALIKES"] == look_alikes
    assert namespace["BEFORE_CASE"] == before_case


def test_the_tool_says_what_it_needs_without_the_data_file(capsys) -> None:  # noqa: ANN001
    assert _tool().main(["confusables.py"]) == 2
    assert "confusables.txt" in capsys.readouterr().err
