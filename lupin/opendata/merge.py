"""Compile the releases of one contracting process with the OCDS merge rules, fast.

`compile_releases(releases)` returns what ocdsmerge's `CompiledRelease` returns for the same
releases in the same order (`lupin/opendata/tests/test_import_ocds_merge.py` checks it on every
process of the real captures and on the rules' corner cases), merging the nested objects
directly instead of flattening every value to a path and back, which is several times faster.

The rules (https://standard.open-contracting.org/1.1/en/schema/merging/): a later release's
value replaces an earlier one, `null` removes it; objects merge field by field; arrays of objects
merge by `id` (objects without one are added); arrays of other values, and arrays the schema marks
`wholeListMerge`, are replaced whole; fields marked `omitWhenMerged` (the release's `id`, `date`
and `tag`) are left out, and the compiled release gets `tag: ["compiled"]` and the `id`, `date`
and `ocid` of the last release.

Whenever the releases disagree on what a field is (an object in one, a text or an array in
another), or an `id` is neither a text nor a whole number, this module hands the releases to
ocdsmerge itself, so those cases behave exactly as ocdsmerge does (including its
`InconsistentTypeError`).
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from ocdsmerge.merge import CompiledRelease

OMIT = "omitWhenMerged"
WHOLE = "wholeListMerge"
MergeRules = dict[tuple[str, ...], str]
# The merge rules of the release schema Lupin ships (lupin/opendata/data/ocds-schema-1.1.5), as
# `ocdsmerge.rules.get_merge_rules` reads them from it; `test_import_ocds_merge` checks that they
# are still equal. Kept here so that importing needs neither ocdsmerge nor its dependencies
# (jsonref, requests) unless releases disagree (see `ocdsmerge_compiler`).
MERGE_RULES: MergeRules = {
    ("id",): OMIT,
    ("date",): OMIT,
    ("tag",): OMIT,
    ("parties", "additionalIdentifiers"): WHOLE,
    ("parties", "roles"): WHOLE,
    ("buyer", "additionalIdentifiers"): WHOLE,
    ("tender", "procuringEntity", "additionalIdentifiers"): WHOLE,
    ("tender", "items", "additionalClassifications"): WHOLE,
    ("tender", "additionalProcurementCategories"): WHOLE,
    ("tender", "submissionMethod"): WHOLE,
    ("tender", "tenderers", "additionalIdentifiers"): WHOLE,
    ("tender", "amendments", "changes"): WHOLE,
    ("tender", "amendment", "changes"): WHOLE,
    ("awards", "suppliers", "additionalIdentifiers"): WHOLE,
    ("awards", "items", "additionalClassifications"): WHOLE,
    ("awards", "amendments", "changes"): WHOLE,
    ("awards", "amendment", "changes"): WHOLE,
    ("contracts", "items", "additionalClassifications"): WHOLE,
    ("contracts", "implementation", "transactions", "payer", "additionalIdentifiers"): WHOLE,
    ("contracts", "implementation", "transactions", "payee", "additionalIdentifiers"): WHOLE,
    ("contracts", "relatedProcesses", "relationship"): WHOLE,
    ("contracts", "amendments", "changes"): WHOLE,
    ("contracts", "amendment", "changes"): WHOLE,
    ("relatedProcesses", "relationship"): WHOLE,
}
# A rules tree: key -> (rule or None, the tree below the key).
Tree = dict[str, tuple[str | None, "Tree"]]
_EMPTY: Tree = {}
_LEAF: tuple[str | None, Tree] = (None, _EMPTY)
_MISSING = object()


class _Disagreement(Exception):
    """The releases disagree on a field's type: ocdsmerge decides."""


def merge_rules() -> MergeRules:
    """The merge rules of the release schema Lupin ships (never fetched from the web)."""
    return MERGE_RULES


def compile_leniently(
    releases: Sequence[dict[str, Any]],
    conflict: Callable[[dict[str, Any], Exception], None] | None = None,
) -> dict[str, Any]:
    """`compile_releases`, except that a release which cannot be merged with the ones before it
    (ocdsmerge's InconsistentTypeError) is left out, and told to `conflict`, instead of failing
    the whole process."""
    try:
        return compile_releases(releases)
    except Exception as error:
        if not is_inconsistent_type(error):
            raise
    merged = ocdsmerge_compiler()
    for release in releases:
        before = dict(merged.data)
        merged.append(release)
        try:
            merged.asdict()
        except Exception as error:
            if not is_inconsistent_type(error):
                raise
            merged.data = before
            if conflict is not None:
                conflict(release, error)
    return cast(dict[str, Any], merged.asdict())


def ocdsmerge_compiler(rules: MergeRules | None = None) -> CompiledRelease:
    """ocdsmerge's own compiler, for releases that disagree on a field's type. Objects sharing
    an id are not warned about: the import's checks report them."""
    from ocdsmerge.exceptions import DuplicateIdValueWarning
    from ocdsmerge.merge import CompiledRelease

    warnings.simplefilter("ignore", DuplicateIdValueWarning)
    return CompiledRelease(merge_rules=MERGE_RULES if rules is None else rules)


def is_inconsistent_type(error: Exception) -> bool:
    """Whether `error` is ocdsmerge's InconsistentTypeError (without importing ocdsmerge when
    it was never used)."""
    exceptions = sys.modules.get("ocdsmerge.exceptions")
    return exceptions is not None and isinstance(error, exceptions.InconsistentTypeError)


def _tree(rules: MergeRules) -> Tree:
    tree: Tree = {}
    for path, rule in rules.items():
        node = tree
        for depth, key in enumerate(path):
            current, below = node.get(key, (None, {}))
            node[key] = (rule if depth == len(path) - 1 else current, below)
            node = below
    return tree


@cache
def _schema_tree() -> Tree:
    return _tree(merge_rules())


def compile_releases(
    releases: Sequence[dict[str, Any]], rules: MergeRules | None = None
) -> dict[str, Any]:
    """The compiled release of `releases`, merged in the order given (oldest first)."""
    tree = _schema_tree() if rules is None else _tree(rules)
    try:
        return _Merge(tree).run(releases)
    except _Disagreement:
        merged = ocdsmerge_compiler(rules)
        for release in releases:
            merged.append(release)
        return merged.asdict()


class _Merge:
    def __init__(self, tree: Tree) -> None:
        self.tree = tree
        # The objects and arrays built by the merge, as opposed to values copied from a release
        # (by id(), holding each one so that no id is reused while the merge runs): a later
        # release that puts a plain value where one of them is disagrees. Not needed while the
        # last release is merged: nothing comes after it.
        self.built: dict[int, object] = {}
        self.track = True
        self.number = 0  # of the release being merged
        # For each array merged by id: its objects by id, with the id as first given and the
        # number of the release that brought it.
        self.by_id: dict[int, dict[str, tuple[dict[str, Any], object, int]]] = {}

    def run(self, releases: Sequence[dict[str, Any]]) -> dict[str, Any]:
        compiled: dict[str, Any] = {"tag": ["compiled"]}
        self.built[id(compiled)] = compiled
        last = len(releases) - 1
        for number, release in enumerate(releases):
            self.number = number
            self.track = number < last
            ocid = release.get("ocid")
            date = release.get("date")
            compiled["id"] = f"{ocid}-{date}"
            for key, value in (("date", date), ("ocid", ocid)):
                if isinstance(value, dict | list):
                    raise _Disagreement
                if value is None:
                    compiled.pop(key, None)
                else:
                    compiled[key] = value
            self.merge(compiled, release, self.tree)
        return compiled

    def merge(self, target: dict[str, Any], source: dict[str, Any], tree: Tree) -> bool:
        """Merge `source` into `target` (an object built by an earlier release); True when
        `source` held any value (even a null)."""
        touched = False
        built = self.built
        for key, value in source.items():
            rule, below = tree.get(key, _LEAF)
            if rule == OMIT:
                continue
            existing = target.get(key, _MISSING)
            if existing is _MISSING:
                # Nothing there yet: a plain copy, as for a first release.
                if self.put(target, key, value, rule, below):
                    touched = True
                continue
            if (
                rule == WHOLE
                or not isinstance(value, dict | list)
                or (type(value) is list and any(not isinstance(item, dict) for item in value))
            ):
                if id(existing) in built:
                    raise _Disagreement
                if value is None:
                    del target[key]
                else:
                    target[key] = value
                touched = True
            elif value:
                if id(existing) not in built or type(existing) is not type(value):
                    raise _Disagreement
                if type(value) is dict:
                    if self.merge(existing, value, below):
                        touched = True
                elif self.merge_array(existing, cast(list[dict[str, Any]], value), below):
                    touched = True
        return touched

    def put(
        self, target: dict[str, Any], key: str, value: Any, rule: str | None, tree: Tree
    ) -> bool:
        """Copy `value` to `target[key]`, where nothing was; True when it held any value."""
        kind = type(value)
        if rule != WHOLE:
            if kind is dict:
                if not value:
                    return False
                child, touched = self.fresh(value, tree)
                if touched:
                    target[key] = child
                return touched
            if kind is list and all(type(item) is dict for item in value):
                if not value:
                    return False
                array = self.new_array(value, tree)
                if array:
                    target[key] = array
                    return True
                return False
        if value is not None:
            target[key] = value
        return True

    def fresh(self, source: dict[str, Any], tree: Tree) -> tuple[dict[str, Any], bool]:
        """A new object with the values of `source` (the usual case: most of a release is new to
        the compiled release, and all of a process's only release is)."""
        node: dict[str, Any] = {}
        if self.track:
            self.built[id(node)] = node
        touched = False
        if tree:
            for key, value in source.items():
                rule, below = tree.get(key, _LEAF)
                if rule != OMIT and self.put(node, key, value, rule, below):
                    touched = True
            return node, touched
        # No rule below this point (most of the schema): the same as `put`, inlined.
        for key, value in source.items():
            kind = type(value)
            if kind is dict:
                if value:
                    child, added = self.fresh(value, _EMPTY)
                    if added:
                        node[key] = child
                        touched = True
            elif kind is list:
                if not value:
                    continue
                for item in value:
                    if type(item) is not dict:
                        node[key] = value
                        break
                else:
                    array = self.new_array(value, _EMPTY)
                    if not array:
                        continue
                    node[key] = array
                touched = True
            else:
                if value is not None:
                    node[key] = value
                touched = True
        return node, touched

    def new_array(self, items: list[dict[str, Any]], tree: Tree) -> list[dict[str, Any]]:
        array: list[dict[str, Any]] = []
        if self.track:
            self.built[id(array)] = array
        self.by_id[id(array)] = {}
        self.merge_array(array, items, tree)
        return array

    def merge_array(
        self, array: list[dict[str, Any]], items: list[dict[str, Any]], tree: Tree
    ) -> bool:
        """Merge objects into an array built by the merge: by `id`, and those without one added."""
        index = self.by_id[id(array)]
        touched = False
        for item in items:
            if not item:
                continue
            if "id" not in item:
                node, added = self.fresh(item, tree)
                if added:
                    array.append(node)
                    touched = True
                continue
            raw = item["id"]
            if type(raw) is not str and type(raw) is not int:
                raise _Disagreement
            identifier = str(raw)
            found = index.get(identifier)
            if found is None:
                node, _ = self.fresh(item, tree)
                index[identifier] = (node, raw, self.number)
                array.append(node)
            elif type(found[1]) is not type(raw) or (not self.track and found[2] == self.number):
                # (Two objects with one id in the last release: its objects are not tracked.)
                raise _Disagreement
            else:
                self.merge(found[0], item, tree)
            touched = True
        return touched
