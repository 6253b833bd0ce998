from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)

from schema.relay import MAX_PAGE_SIZE

# OWASP GraphQL cheat sheet: bound what a document may ask for before the server spends work on it. Depth and
# aliases are counted on the bare syntax tree, before validation, whose overlapping-fields rule is quadratic in
# aliases; cost needs the schema and the variables, so it is counted after validation, per request.


@dataclass(frozen=True, slots=True)
class Limits:
    max_depth: int
    max_aliases: int
    max_cost: int


@dataclass(frozen=True, slots=True)
class LimitExceeded:
    code: str  # DEPTH_LIMIT_EXCEEDED, ALIAS_LIMIT_EXCEEDED or COST_LIMIT_EXCEEDED
    details: Mapping[str, int]


def check_shape(
    operation: OperationDefinitionNode, fragments: Mapping[str, FragmentDefinitionNode], limits: Limits
) -> LimitExceeded | None:
    depth, aliases = _shape(operation.selection_set, fragments, frozenset(), {})
    if depth > limits.max_depth:
        return LimitExceeded("DEPTH_LIMIT_EXCEEDED", {"depth": depth, "limit": limits.max_depth})
    if aliases > limits.max_aliases:
        return LimitExceeded("ALIAS_LIMIT_EXCEEDED", {"aliases": aliases, "limit": limits.max_aliases})
    return None


def shape_rule(limits: Limits) -> type[ASTValidationRule]:
    """`check_shape` as a validation rule, for paths that validate with graphql-core's machinery (the websocket)."""

    class ShapeLimits(ASTValidationRule):
        def enter_document(self, node: DocumentNode, *_: object) -> None:
            fragments = {d.name.value: d for d in node.definitions if isinstance(d, FragmentDefinitionNode)}
            for definition in node.definitions:
                if isinstance(definition, OperationDefinitionNode):
                    exceeded = check_shape(definition, fragments, limits)
                    if exceeded is not None:
                        details = ", ".join(f"{key} {value}" for key, value in exceeded.details.items())
                        self.report_error(
                            GraphQLError(f"{exceeded.code}: {details}", extensions={"code": exceeded.code})
                        )

    return ShapeLimits


def _shape(
    selections: SelectionSetNode | None,
    fragments: Mapping[str, FragmentDefinitionNode],
    seen: frozenset[str],
    known: dict[str, tuple[int, int]],
) -> tuple[int, int]:
    """(deepest field nesting, aliases) of a selection set, entering each fragment once per path."""
    if selections is None:
        return 0, 0
    depth = aliases = 0
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            inner_depth, inner_aliases = _shape(selection.selection_set, fragments, seen, known)
            depth = max(depth, 1 + inner_depth)
            aliases += inner_aliases + (selection.alias is not None)
        elif isinstance(selection, InlineFragmentNode):
            inner_depth, inner_aliases = _shape(selection.selection_set, fragments, seen, known)
            depth, aliases = max(depth, inner_depth), aliases + inner_aliases
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is None or name in seen:
                continue  # unknown and cyclic spreads are left to validation to report
            # Each fragment is measured once: a fragment spreading the next one twice, thirty deep, would
            # otherwise be walked 2**30 times in a few hundred tokens.
            if name not in known:
                known[name] = _shape(fragment.selection_set, fragments, seen | {name}, known)
            inner_depth, inner_aliases = known[name]
            depth, aliases = max(depth, inner_depth), aliases + inner_aliases
    return depth, aliases


def uses_variable_sizes(operation: OperationDefinitionNode) -> bool:
    """Whether the cost may depend on variables, so it must be counted per request rather than once per document."""
    # A named fragment may size a page with a variable too, and the operation alone cannot see into it: an
    # operation that spreads one is counted per request (cheap), rather than once with every such page at 100.
    return any(
        isinstance(argument.value, VariableNode) and argument.name.value in ("first", "last")
        for argument in _all_arguments(operation.selection_set)
    ) or _spreads_fragments(operation.selection_set)


def _spreads_fragments(selections: SelectionSetNode | None) -> bool:
    return selections is not None and any(
        isinstance(selection, FragmentSpreadNode) or _spreads_fragments(getattr(selection, "selection_set", None))
        for selection in selections.selections
    )


def _all_arguments(selections: SelectionSetNode | None) -> list[Any]:
    found: list[Any] = []
    if selections is None:
        return found
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            found.extend(selection.arguments or ())
        found.extend(_all_arguments(getattr(selection, "selection_set", None)))
    return found


def cost(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
) -> int:
    """Points for a validated operation: one per field, a list field's selection counted once per item asked."""
    root = schema.get_root_type(operation.operation)
    assert root is not None
    defaults = {
        definition.variable.name.value: int(definition.default_value.value)
        for definition in operation.variable_definitions or ()
        if isinstance(definition.default_value, IntValueNode)
    }
    return _cost(schema, root, operation.selection_set, fragments, {**defaults, **variables}, {})


def _cost(
    schema: GraphQLSchema,
    parent: Any,
    selections: SelectionSetNode | None,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
    known: dict[str, int],
) -> int:
    if selections is None:
        return 0
    total = 0
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            name = selection.name.value
            fields = parent.fields if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType) else {}
            definition = fields.get(name)
            if definition is None:  # __typename and introspection
                total += 1
                continue
            inner_type = get_named_type(definition.type)
            inner = _cost(schema, inner_type, selection.selection_set, fragments, variables, known)
            total += 1 + _page_size(selection, definition.args, variables) * inner
        else:
            if isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name not in known:  # a fragment's cost depends only on its own type condition: count it once
                    fragment = fragments[name]
                    target = schema.get_type(fragment.type_condition.name.value)
                    known[name] = _cost(schema, target, fragment.selection_set, fragments, variables, known)
                total += known[name]
                continue
            assert isinstance(selection, InlineFragmentNode)
            condition, inner_selections = selection.type_condition, selection.selection_set
            target = schema.get_type(condition.name.value) if condition else parent
            total += _cost(schema, target, inner_selections, fragments, variables, known)
    return total


def _page_size(field: FieldNode, arguments: Mapping[str, Any], variables: Mapping[str, Any]) -> int:
    if "first" not in arguments and "last" not in arguments:
        return 1
    for argument in field.arguments or ():
        if argument.name.value in ("first", "last"):
            value = argument.value
            if isinstance(value, IntValueNode):
                return max(int(value.value), 1)
            if isinstance(value, VariableNode) and isinstance(variables.get(value.name.value), int):
                return max(int(variables[value.name.value]), 1)
    return MAX_PAGE_SIZE  # no size given: the connection's largest page
