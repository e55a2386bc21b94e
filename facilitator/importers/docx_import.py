"""Word records (.docx) as Markdown: mammoth to HTML, then the HTML importer."""

from __future__ import annotations

import io
import zipfile
import zlib

from facilitator.importers import Converted, ImportProblem

# A Word package is a zip: its parts, unpacked, are checked before mammoth reads any of
# them, so a small file that unpacks to hundreds of megabytes (a zip bomb) is refused.
MAX_UNPACKED = 64 * 1024 * 1024
MAX_RATIO = 100  # unpacked size / file size; Word's own files stay well under 20
MAX_PARTS = 2000
# mammoth keeps about a kilobyte of Python objects per XML element it reads: a 400 KB file
# of a million tiny runs (under both caps above) took 1.9 GB. 250,000 elements is some 600
# pages of ordinary formatted text, and about 300 MB in mammoth.
MAX_ELEMENTS = 250_000
_CHUNK = 1024 * 1024
_DECLARATIONS = (b"<!DOCTYPE", b"<!ENTITY")


def _size(count: float) -> str:
    return f"{count / 1024 / 1024:.1f} MB" if count >= 1024 * 1024 else f"{count / 1024:.0f} KB"


def check_package(raw: bytes, name: str, *, no_declarations: bool = False) -> None:
    """Refuse a package that is not a zip, or unpacks too large or too far, reading each
    part in bounded chunks (the sizes a zip declares can lie). ``no_declarations``: refuse
    a DTD or entity declarations too, for readers that expand entities (mammoth does;
    the returned-draft reader parses with entities off and may take them)."""
    if not zipfile.is_zipfile(io.BytesIO(raw)):
        raise ImportProblem(f"{name} is not a readable Word document (it is not a .docx package)")
    limit = min(MAX_UNPACKED, MAX_RATIO * len(raw))
    too_big = ImportProblem(
        f"{name} unpacks to more than {_size(limit)} from a {_size(len(raw))} file, far "
        "more than a Word document does; it was not opened (save it again from Word, or "
        "export the text)"
    )
    declarations = ImportProblem(
        f"{name} holds XML declarations (a DTD or entities), which Word never writes and "
        "which can expand a tiny file to gigabytes; it was not opened (save it again from Word)"
    )
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as package:
            parts = package.infolist()
            if len(parts) > MAX_PARTS:
                raise ImportProblem(
                    f"{name} holds {len(parts)} parts; a Word document has far fewer"
                )
            if sum(part.file_size for part in parts) > limit:
                raise too_big
            total = elements = 0
            for part in parts:
                xml = part.filename.lower().endswith((".xml", ".rels"))
                tail = b""
                with package.open(part) as unpacking:
                    while chunk := unpacking.read(_CHUNK):
                        total += len(chunk)
                        if total > limit:
                            raise too_big
                        # Entities expand after the count below: refuse any declaration
                        # (the tail catches one split between chunks).
                        if (
                            xml
                            and no_declarations
                            and any(d in tail + chunk for d in _DECLARATIONS)
                        ):
                            raise declarations
                        tail = chunk[-16:]
                        if xml:  # start and empty tags: every "<" that is not "</"
                            elements += chunk.count(b"<") - chunk.count(b"</")
                            if elements > MAX_ELEMENTS:
                                raise ImportProblem(
                                    f"{name} holds more than {MAX_ELEMENTS:,} pieces of "
                                    "formatting (far more than a long report; reading it "
                                    "would take gigabytes of memory); it was not opened: "
                                    "split it, or save it again from Word as plain text"
                                )
    except RuntimeError:  # zipfile's word for an encrypted part
        raise ImportProblem(
            f"{name} is protected with a password; open it in Word, remove the password "
            "and save it again"
        ) from None
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,
        OSError,
        EOFError,
        zlib.error,
    ) as exc:
        raise ImportProblem(
            f"{name} is not a readable Word document ({type(exc).__name__}); "
            "open it in Word and save it again"
        ) from None


def docx_to_markdown(raw: bytes, name: str) -> Converted:
    import mammoth

    from facilitator.importers.html import html_to_markdown

    check_package(raw, name, no_declarations=True)
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
