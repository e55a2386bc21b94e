"""Word records (.docx) as Markdown: mammoth to HTML, then the HTML importer."""

from __future__ import annotations

import io
import zipfile

from facilitator.importers import Converted, ImportProblem


def docx_to_markdown(raw: bytes, name: str) -> Converted:
    import mammoth

    from facilitator.importers.html import html_to_markdown

    if not zipfile.is_zipfile(io.BytesIO(raw)):
        raise ImportProblem(f"{name} is not a readable Word document (it is not a .docx package)")
    try:
        result = mammoth.convert_to_html(io.BytesIO(raw))
    except Exception as exc:  # noqa: BLE001 - mammoth raises many kinds for a damaged file
        raise ImportProblem(
            f"{name} is not a readable Word document ({type(exc).__name__}); "
            "open it in Word and save it again"
        ) from None
    converted = html_to_markdown(result.value.encode("utf-8"))
    ignored = [m for m in result.messages if m.type == "warning"]
    if ignored:
        converted.warnings.append(
            f"{name}: {len(ignored)} part(s) of the formatting could not be kept (text is kept)"
        )
    return converted
