"""Safe YAML reading: safe loader only, duplicate keys are errors, clear messages.

Alias bombs ("billion laughs": a few anchors whose aliases nest into 10^9 leaves) are refused
before anything walks the document: the composed node graph is measured with aliases expanded
(``MAX_NODES``) and the number of aliases is limited (``MAX_ALIASES``); a scenario or batch
never needs more.
"""

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


MAX_ALIASES = 100
MAX_NODES = 100_000


def _expanded_size(root: yaml.Node, origin: str, error: type[Exception]) -> int:
    """Number of nodes of the document with every alias expanded (shared nodes counted each
    time they are referenced), stopping as soon as it exceeds ``MAX_NODES``."""
    sizes: dict[int, int] = {}
    aliases = 0

    def size(node: yaml.Node) -> int:
        nonlocal aliases
        key = id(node)
        if key in sizes:
            aliases += 1  # a node reached twice is an alias
            if aliases > MAX_ALIASES:
                raise error(f"{origin}: more than {MAX_ALIASES} YAML aliases (*name): refused "
                            "(alias bomb?); write the values out")
            return sizes[key]
        sizes[key] = 0  # recursive structures count as small; construction refuses them
        if isinstance(node, yaml.MappingNode):
            total = 1 + sum(size(k) + size(v) for k, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            total = 1 + sum(size(v) for v in node.value)
        else:
            total = 1
        if total > MAX_NODES:
            raise error(f"{origin}: the document expands to more than {MAX_NODES:,} values "
                        "through YAML aliases (*name): refused (alias bomb?)")
        sizes[key] = total
        return total

    return size(root)


def parse_yaml(text: str, origin: str, error: type[Exception]) -> Any:
    """Parse YAML text with the safe loader; raise ``error`` naming ``origin`` on failure.
    The node graph is checked for alias bombs before it is constructed."""
    loader = _UniqueKeyLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        _expanded_size(root, origin, error)
        return loader.construct_document(root)
    except yaml.YAMLError as exc:
        detail = str(exc).replace('"<unicode string>"', origin)
        raise error(f"{origin}: not valid YAML: {detail}") from None
    except RecursionError:
        raise error(f"{origin}: YAML nested too deeply (recursive aliases?)") from None
    finally:
        loader.dispose()


def load_yaml(path: pathlib.Path, error: type[Exception]) -> Any:
    """Read and parse a YAML file; unreadable files raise ``error`` naming the path."""
    try:
        text = pathlib.Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: cannot read the file ({exc.__class__.__name__}: {exc})") from None
    return parse_yaml(text, str(path), error)
