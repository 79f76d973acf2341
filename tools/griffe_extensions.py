"""Griffe extensions for the API reference (``mkdocs.yml``); no source file is changed.

:class:`SphinxRoles`: matchkit's docstrings are numpydoc with Sphinx cross-reference roles
(``:class:`~matchkit.Cohort```, ``:func:`solve```), which Markdown would print as written.
Each role becomes the object's name in code, linked to the object's entry where the reference
documents it and plain code where it does not (internal modules, private helpers): an
*optional* autorefs link, which never warns. A ``::`` that opens a reStructuredText literal
block becomes ``:`` (the indented block below it is a code block in Markdown too).

:class:`PydanticRecords`, listed after ``griffe_pydantic``, tidies what that extension shows
of the records: a private validator (``_check_ids``) is not listed beside the fields, and
``__hash__ = None`` (records are not hashable) is not taken for a field without a type, which
griffe-pydantic cannot render.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:py:)?(class|func|meth|data|attr|mod|exc|obj|const):`(~?)([^`]+)`")
_LITERAL = re.compile(r"(?<=\S)::$", re.MULTILINE)


class SphinxRoles(griffe.Extension):
    """Rewrite the Sphinx roles of every docstring in a package once it is loaded."""

    def on_package(self, *, pkg: griffe.Module, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        collection = loader.modules_collection
        for obj in _objects(pkg):
            if obj.docstring is not None:
                obj.docstring.value = _rewrite(obj.docstring.value, obj, collection)


class PydanticRecords(griffe.Extension):
    """Hide private validators and ``__hash__`` from griffe-pydantic's field lists."""

    def on_class_members(self, *, cls: griffe.Class, **kwargs: Any) -> None:
        # Runs while the class is visited, before griffe-pydantic looks for fields.
        hash_ = cls.members.get("__hash__")
        if isinstance(hash_, griffe.Attribute) and hash_.annotation is None:
            hash_.labels.discard("instance-attribute")

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        # Runs after griffe-pydantic's on_package, which labels the validators.
        for obj in _objects(pkg):
            if obj.is_function and obj.name.startswith("_"):
                obj.labels.discard("pydantic-validator")


def _objects(obj: griffe.Object) -> list[griffe.Object]:
    found = [obj]
    for member in obj.members.values():
        if not member.is_alias:
            found.extend(_objects(member))  # type: ignore[arg-type]
    return found


def _rewrite(text: str, obj: griffe.Object, collection: griffe.ModulesCollection) -> str:
    def link(match: re.Match[str]) -> str:
        role, short, target = match[1], match[2], match[3].strip()
        title = target.rsplit(".", 1)[-1] if short else target
        if role in ("func", "meth"):
            title += "()"
        identifier = _canonical(target, obj, collection)
        if identifier is None:
            return f"`{title}`"
        return f'<autoref identifier="{identifier}" optional><code>{title}</code></autoref>'

    return _LITERAL.sub(":", _ROLE.sub(link, text))


def _canonical(target: str, obj: griffe.Object, collection: griffe.ModulesCollection) -> str | None:
    """The path where ``target``, as written in ``obj``'s docstring, is defined; None if it
    names nothing that can be found. Aliases are followed by hand: they are not resolved yet
    when a package has just been loaded."""
    head, _, rest = target.partition(".")
    try:
        start = obj.resolve(head)
    except griffe.NameResolutionError:
        start = head
    parts = [*start.split("."), *(rest.split(".") if rest else [])]
    try:
        current: Any = collection[parts[0]]
        for part in parts[1:]:
            current = _followed(current.members[part], collection)
        return str(_followed(current, collection).path)
    except (KeyError, ValueError, griffe.AliasResolutionError, griffe.CyclicAliasError):
        return None


def _followed(obj: Any, collection: griffe.ModulesCollection, depth: int = 0) -> Any:
    """The object an alias (chain) points to, or ``obj`` itself."""
    while obj.is_alias:
        if depth > 20:
            raise griffe.CyclicAliasError([obj.path])
        parts = obj.target_path.split(".")
        obj = collection[parts[0]]
        for part in parts[1:]:
            obj = _followed(obj.members[part], collection, depth + 1)
    return obj
