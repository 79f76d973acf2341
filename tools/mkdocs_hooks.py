"""mkdocs hooks: files kept outside ``docs/`` rendered in the site, without a copy in git.

mkdocs renders only what is in ``docs_dir``. The example notebooks and scripts, the README and
the benchmark reports live elsewhere in the repository, and the docs link to them where they
are (``../../examples/hiring_curve.ipynb``), so the links work when the Markdown is read in the
repository too. This hook (``hooks:`` in ``mkdocs.yml``):

- adds those files to the site (``on_files``): the notebooks as pages for mkdocs-jupyter to
  render, each example script as a generated page of highlighted source, the README as the
  first tutorial, the benchmark reports and their figures as they are;
- rewrites every link of a page that leaves ``docs/`` for one of those files into a link to its
  place in the site (``on_page_markdown``), so mkdocs resolves it; a link to anything else
  outside ``docs/`` is left alone, and ``mkdocs build --strict`` fails on it.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

# Repository files shown as they are, at the same path in the site (globs from the root).
AS_IS = ("examples/*.ipynb", "benchmarks/results/*.md", "benchmarks/results/*.png")
# Repository files shown as a page of their source, ``examples/x.py`` at ``examples/x.md``.
AS_SOURCE = ("examples/*.py",)
# Single repository files given a page elsewhere: (path, page in the site).
RENAMED = (("README.md", "tutorials/readme.md"),)

# Repository path (from the root, "/"-separated) -> the site file's src_uri, for every file of
# the site; filled by on_files on each build.
_site: dict[str, str] = {}
# The reverse: src_uri -> repository path.
_repo: dict[str, str] = {}

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# An inline code span (left alone), or the target of an inline link or image, or of a
# reference-style link definition.
_TARGET = re.compile(
    r"(?P<code>(`+).+?(?<!`)\2(?!`))"
    r"|(?P<inline>\]\()(?P<url>[^)\s]+)"
    r"|^(?P<ref> {0,3}\[[^\]]+\]:[ \t]+)(?P<refurl>\S+)",
    re.MULTILINE,
)


@event_priority(100)  # before mkdocs-jupyter's on_files, which claims the notebooks
def on_files(files: Files, config: MkDocsConfig) -> Files:
    root = Path(config.config_file_path).parent.resolve()
    docs = Path(config.docs_dir).resolve().relative_to(root).as_posix()
    _site.clear()
    _repo.clear()
    for file in files:
        _remember(f"{docs}/{file.src_uri}", file.src_uri)

    def add(file: File, path: Path) -> None:
        files.append(file)
        _remember(path.relative_to(root).as_posix(), file.src_uri)

    for pattern in AS_IS:
        for path in sorted(root.glob(pattern)):
            # A real file with the repository as its source folder, not File.generated:
            # mkdocs-jupyter's wrapper finds a notebook through src_dir and src_uri only.
            src_uri = path.relative_to(root).as_posix()
            add(File(src_uri, str(root), config.site_dir, config.use_directory_urls), path)
    for pattern in AS_SOURCE:
        for path in sorted(root.glob(pattern)):
            src_uri = path.relative_to(root).with_suffix(".md").as_posix()
            add(File.generated(config, src_uri, content=_source_page(path, root)), path)
    for name, src_uri in RENAMED:
        add(File.generated(config, src_uri, abs_src_path=str(root / name)), root / name)
    return files


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    src_uri = page.file.src_uri
    if src_uri.endswith(".ipynb") or src_uri not in _repo:
        return markdown
    here = posixpath.dirname(src_uri)
    there = posixpath.dirname(_repo[src_uri])

    def relink(url: str) -> str:
        if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:|[#/]", url):
            return url  # external, an anchor on this page, or absolute
        path, hash_, fragment = url.partition("#")
        if posixpath.normpath(posixpath.join(here, path)) in _repo:
            return url  # mkdocs resolves it itself
        target = _site.get(posixpath.normpath(posixpath.join(there, path)))
        if target is None:
            return url  # mkdocs reports it
        return posixpath.relpath(target, here or ".") + hash_ + fragment

    def replace(match: re.Match[str]) -> str:
        if match["inline"]:
            return match["inline"] + relink(match["url"])
        if match["ref"]:
            return match["ref"] + relink(match["refurl"])
        return match[0]

    out: list[str] = []
    prose: list[str] = []
    fence = ""
    for line in markdown.splitlines(keepends=True):
        opening = _FENCE.match(line)
        if fence:
            out.append(line)
            if opening and opening[1][0] == fence[0] and len(opening[1]) >= len(fence):
                fence = ""
        elif opening:
            out.append(_TARGET.sub(replace, "".join(prose)))
            prose = []
            out.append(line)
            fence = opening[1]
        else:
            prose.append(line)
    out.append(_TARGET.sub(replace, "".join(prose)))
    return "".join(out)


def _remember(repo_path: str, src_uri: str) -> None:
    _site[repo_path] = src_uri
    _repo[src_uri] = repo_path


def _source_page(path: Path, root: Path) -> str:
    """A page showing a script's source, fenced with more backticks than it contains."""
    source = path.read_text(encoding="utf-8")
    longest = max((len(run) for run in re.findall(r"`+", source)), default=0)
    fence = "`" * max(3, longest + 1)
    name = path.relative_to(root).as_posix()
    return (
        f"# `{name}`\n\n"
        f"Run it from a checkout of the repository: `python {name}`.\n\n"
        f"{fence}python\n{source.rstrip()}\n{fence}\n"
    )
