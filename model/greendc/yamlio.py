"""Safe YAML reading: safe loader only, duplicate keys are errors, clear messages."""

from __future__ import annotations

import pathlib
from typing import Any

import yaml


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate mapping keys (a silent overwrite hides typos)."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False):
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None,
                f"duplicate key {key!r} (first on line {seen[key] + 1}, again on line "
                f"{key_node.start_mark.line + 1})",
                key_node.start_mark,
            )
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping
)


def parse_yaml(text: str, origin: str, error: type[Exception]) -> Any:
    """Parse YAML text with the safe loader; raise ``error`` naming ``origin`` on failure."""
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        detail = str(exc).replace('"<unicode string>"', origin)
        raise error(f"{origin}: not valid YAML: {detail}") from None


def load_yaml(path: pathlib.Path, error: type[Exception]) -> Any:
    """Read and parse a YAML file; unreadable files raise ``error`` naming the path."""
    try:
        text = pathlib.Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: cannot read the file ({exc.__class__.__name__}: {exc})") from None
    return parse_yaml(text, str(path), error)
