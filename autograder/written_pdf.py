"""The PDF of a notebook's written answers, for Gradescope's manually graded assignment.

One page per question (nbgrader's manually graded cells): its prompt (the markdown cell before
it), the student's answer, and the figures the notebook drew since the previous answer. Made
with pip-installed packages only (fpdf2, nbconvert's markdown rendering, matplotlib's DejaVu
font): no TeX, no browser. Images in an answer (attachments, files beside the notebook) are
embedded; one that cannot be found is reported, never silently dropped.
"""
from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .notebook_cells import grade_id, is_written, nbgrader

PLACEHOLDER = "YOUR ANSWER HERE"
IMAGE_WIDTH = 480  # the widest an image in an answer is drawn, in fpdf2's HTML pixels
_IMAGE_SOURCE = re.compile(r'<img[^>]*src="([^"]*)"')
_IMAGE = re.compile(r'<img[^>]*src="(data:image/[^"]*)"[^>]*>')
_ANCHOR = re.compile(r'<a class="anchor-link"[^>]*>.*?</a>')  # a heading's "¶" link


class WrittenPDFError(RuntimeError):
    """The PDF could not be made; the message says why and what to do."""


@dataclass
class Question:
    """One manually graded cell: what it asks, what the student wrote, the figures before it."""

    grade_id: str
    points: float
    prompt: str
    answer: str
    attachments: dict = field(default_factory=dict)
    figures: list[bytes] = field(default_factory=list)


def questions(notebook: nbformat.NotebookNode,
              released: nbformat.NotebookNode | None = None) -> list[Question]:
    """The written questions of `released` (the notebook as handed out; else `notebook`'s own),
    each with the answer and figures of the student's `notebook`."""
    released = released or notebook
    found, prompt = [], ""
    for cell in released.cells:
        if is_written(cell):
            found.append(Question(grade_id(cell), float(nbgrader(cell).get("points", 0)),
                                  prompt, ""))
        elif cell.cell_type == "markdown":
            prompt = cell.source
    by_id = {q.grade_id: q for q in found}
    figures = []
    for cell in notebook.cells:
        question = by_id.get(grade_id(cell))
        if question is not None and is_written(cell):
            question.answer, question.attachments = cell.source, cell.get("attachments", {})
            question.figures, figures = figures, []
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if "image/png" in output.get("data", {}):
                figures.append(base64.b64decode(output["data"]["image/png"]))
    return found


def _html(markdown: str, attachments: dict, folder: Path) -> tuple[str, list[str]]:
    """The markdown as HTML by nbconvert's own renderer, images embedded; the images it could
    not find."""
    from nbconvert.filters.markdown_mistune import (IPythonRenderer, InvalidNotebook,
                                                    MarkdownWithMath)

    try:
        html = str(MarkdownWithMath(renderer=IPythonRenderer(
            escape=False, attachments=attachments, embed_images=True, path=str(folder)))(markdown))
    except InvalidNotebook as error:  # an attachment the cell names but does not hold
        return re.sub(r"!\[[^\]]*\]\([^)]*\)", "", markdown), [str(error)]
    html = _ANCHOR.sub("", html)
    missing = [src for src in _IMAGE_SOURCE.findall(html) if not src.startswith("data:")]
    for src in missing:
        html = re.sub(rf'<img[^>]*src="{re.escape(src)}"[^>]*>', f"[image {src} missing]", html)
    return _IMAGE.sub(_image_block, html), missing


def _image_block(match: re.Match) -> str:
    """An embedded image as a block of its own, at most the page's width: fpdf2 draws an image
    inside a paragraph before the paragraph's text."""
    from io import BytesIO

    from PIL import Image

    width = Image.open(BytesIO(base64.b64decode(match[1].split(",", 1)[1]))).width
    return f'</p><img src="{match[1]}" width="{min(width, IMAGE_WIDTH)}"><p>'


def write_pdf(notebook_path: Path, pdf_path: Path, title: str,
              released: Path | None = None) -> tuple[int, list[str]]:
    """Write the written answers of the notebook at `notebook_path` to `pdf_path`; the number
    of questions and warnings (answers left blank, images not found). WrittenPDFError when the
    PDF cannot be made."""
    try:
        import matplotlib
        import nbconvert  # noqa: F401 -- _html renders with it
        from fpdf import FPDF
        from fpdf.fonts import FontFace
    except ImportError as error:
        raise WrittenPDFError(f"{error.name} is not installed; install the assignment's "
                              "requirements: pip install -r requirements.txt") from None
    try:
        notebook = nbformat.read(notebook_path, as_version=4)
        handed_out = nbformat.read(released, as_version=4) if released else None
    except Exception as error:  # noqa: BLE001 -- nbformat raises several kinds on a bad file
        raise WrittenPDFError(f"{notebook_path} could not be read ({error}); open it in "
                              "Jupyter and save it again") from None
    asked = questions(notebook, handed_out)
    if not asked:
        raise WrittenPDFError(f"{notebook_path} has no manually graded answer cells (nbgrader "
                              "metadata); use the notebook as handed out")
    fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdf = FPDF(format="letter")
    pdf.set_auto_page_break(True, margin=15)
    for style, name in (("", "DejaVuSans"), ("B", "DejaVuSans-Bold"),
                        ("I", "DejaVuSans-Oblique"), ("BI", "DejaVuSans-BoldOblique")):
        pdf.add_font("dejavu", style, str(fonts / f"{name}.ttf"))
    pdf.add_font("dejavu-mono", "", str(fonts / "DejaVuSansMono.ttf"))
    styles = {"code": FontFace(family="dejavu-mono"), "pre": FontFace(family="dejavu-mono"),
              **{f"h{n}": FontFace(emphasis="BOLD", size_pt=12 - n, color=(60, 60, 60))
                 for n in range(1, 5)}}
    warnings = []
    for number, question in enumerate(asked, start=1):
        pdf.add_page()
        pdf.set_font("dejavu", "B", 13)
        points = f"{question.points:g} point{'' if question.points == 1 else 's'}"
        pdf.cell(0, 8, f"{title}: question {number} ({question.grade_id}, {points})",
                 new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("dejavu", "", 9)
        pdf.set_text_color(90, 90, 90)
        prompt, _ = _html(question.prompt, {}, notebook_path.parent)
        pdf.write_html(prompt, font_family="dejavu", tag_styles=styles)
        pdf.set_text_color(0, 0, 0)
        pdf.ln(3)
        pdf.set_font("dejavu", "B", 11)
        pdf.cell(0, 7, "Answer", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("dejavu", "", 11)
        if not question.answer.strip() or PLACEHOLDER in question.answer:
            warnings.append(f"question {number} ({question.grade_id}) has no answer yet")
        answer, missing = _html(question.answer or "(no answer)", question.attachments,
                                notebook_path.parent)
        warnings += [f"question {number} ({question.grade_id}): {m}: put the image beside the "
                     "notebook or paste it into the cell (an attachment), then rerun" for m in
                     missing]
        pdf.write_html(answer, font_family="dejavu", tag_styles=styles)
        _figures(pdf, question.figures)
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(pdf_path))
    return len(asked), warnings


def _figures(pdf, figures: list[bytes]) -> None:
    """The figures stacked below the answer, shrunk together to fit what is left of the page."""
    if not figures:
        return
    from io import BytesIO

    from PIL import Image

    sizes = [Image.open(BytesIO(png)).size for png in figures]
    width = pdf.epw
    heights = [width * h / w for w, h in sizes]
    room = pdf.h - pdf.b_margin - pdf.get_y() - 4
    scale = min(1.0, max(room, 40) / sum(heights))
    pdf.ln(2)
    for png, height in zip(figures, heights):
        pdf.image(BytesIO(png), w=width * scale, h=height * scale)
