from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from operator import attrgetter
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLAbstractType,
    GraphQLEnumType,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    is_leaf_type,
    located_error,
)
from graphql.execution.get_variable_signature import GraphQLVariableSignature, get_variable_signature
from graphql.execution.values import (
    VariableValues,
    VariableValueSource,
    get_argument_values,
    get_variable_values,
    input_is_nested_too_deeply,
    maybe_use_default_value,
)
from graphql.pyutils import Path, Undefined
from graphql.utilities.coerce_input_value import coerce_input_literal, coerce_input_value
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import _OperationContextAwareGraphQLResolveInfo

# performance.md: interpreting a document with graphql-core costs more than the whole request may. A query whose
# document is known (every distinct text is prepared once) is compiled here into a plan: which value each response
# key reads, how it is serialised, what to do with null, decided once per document instead of once per field per
# request. Resolvers still run (access checks stay in them), argument and variable coercion are graphql-core's own,
# and whatever the compiler does not cover (mutations, subscriptions, introspection, directives) runs through
# graphql-core as before. tests/api/test_plan.py runs documents through both paths and requires the same JSON.

_STRAWBERRY_FIELD = "strawberry-definition"


class Unsupported(Exception):
    """The compiler does not cover this document; graphql-core executes it."""


@dataclass(slots=True)
class _Field:
    key: str
    name: str
    nodes: list[FieldNode]
    definition: GraphQLField
    parent: GraphQLObjectType
    getter: Callable[[Any], Any] | None  # a plain attribute; None: call the field's resolver
    has_arguments: bool
    completion: _Completion
    direct: _DirectCall | None = None  # the resolver called as strawberry would, without its per-call wrapping
    arguments: _Arguments | None = None  # None: graphql-core coerces them at every call


@dataclass(frozen=True, slots=True)
class _Arguments:
    """A field's arguments settled once: constants and defaults coerced, variables read as already coerced."""

    constants: tuple[tuple[str, Any], ...]
    variables: tuple[tuple[str, str], ...]  # (argument's out name, variable's name)


@dataclass(slots=True)
class _Object:
    type: GraphQLObjectType
    fields: list[_Field]


@dataclass(slots=True)
class _Completion:
    """How a value of one output type becomes JSON."""

    non_null: bool
    kind: str  # "leaf", "object", "abstract", "list"
    serialize: Callable[[Any], Any] | None = None
    object: _Object | None = None
    by_type: dict[str, _Object] = field(default_factory=dict)
    abstract: GraphQLAbstractType | None = None
    item: _Completion | None = None
    type: GraphQLOutputType | None = None


@dataclass(slots=True)
class Plan:
    operation: OperationDefinitionNode
    fragments: dict[str, FragmentDefinitionNode]
    root: _Object
    signatures: list[GraphQLVariableSignature] | None = None  # the variables' types, resolved once


class _NullBubble(Exception):
    """A null where the schema promises none: the nearest nullable parent becomes null."""


def compile_plan(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
    config: StrawberryConfig | None = None,
) -> Plan:
    """The plan of a validated query; raises Unsupported for what graphql-core must execute itself."""
    if operation.operation is not OperationType.QUERY:
        raise Unsupported("only queries are compiled")
    root = schema.query_type
    assert root is not None
    signatures = [get_variable_signature(schema, node) for node in operation.variable_definitions or ()]
    if any(isinstance(signature, GraphQLError) for signature in signatures):
        raise Unsupported("a variable of a type that is not an input type")
    return Plan(
        operation,
        fragments,
        _compile_object(schema, root, [operation.selection_set], fragments, config),
        [s for s in signatures if isinstance(s, GraphQLVariableSignature)],
    )


def _compile_object(
    schema: GraphQLSchema,
    object_type: GraphQLObjectType,
    selection_sets: list[SelectionSetNode],
    fragments: Mapping[str, FragmentDefinitionNode],
    config: StrawberryConfig | None,
) -> _Object:
    grouped: dict[str, list[FieldNode]] = {}
    for selection_set in selection_sets:
        _collect(schema, object_type, selection_set, fragments, grouped, set())
    fields: list[_Field] = []
    for key, nodes in grouped.items():
        name = nodes[0].name.value
        if name == "__typename":
            fields.append(_typename_field(key, nodes, object_type))
            continue
        if name.startswith("__"):
            raise Unsupported("introspection")
        definition = object_type.fields[name]
        subsets = [node.selection_set for node in nodes if node.selection_set is not None]
        fields.append(
            _Field(
                key=key,
                name=name,
                nodes=nodes,
                definition=definition,
                parent=object_type,
                getter=_plain_getter(definition),
                has_arguments=bool(definition.args),
                completion=_compile_completion(schema, definition.type, subsets, fragments, config),
                direct=_direct_call(definition, config),
                arguments=_compile_arguments(definition, nodes[0]),
            )
        )
    return _Object(object_type, fields)


_IMMUTABLE = (str, int, float, bool, type(None))


def _compile_arguments(definition: GraphQLField, node: FieldNode) -> _Arguments | None:
    """What graphql-core's get_argument_values would give, where it can be decided without the request.

    A literal of a scalar or enum type, and an absent argument's default, are the same at every call; a variable
    is the value coerce_variables already coerced. Anything else (input objects, lists written inline, a
    variable that may be absent or null) stays graphql-core's, with its errors.
    """
    if not definition.args:
        return None
    given = {argument.name.value: argument.value for argument in node.arguments or ()}
    constants: list[tuple[str, Any]] = []
    variables: list[tuple[str, str]] = []
    for name, argument in definition.args.items():
        out_name = argument.out_name or name
        value_node = given.get(name)
        if isinstance(value_node, VariableNode):
            variables.append((out_name, value_node.name.value))
            continue
        settled: dict[str, Any] = {}
        if value_node is None:
            if argument.default_value is Undefined and argument.default is None:
                if isinstance(argument.type, GraphQLNonNull):
                    return None  # graphql-core reports the missing argument
                continue
            try:
                maybe_use_default_value(settled, out_name, argument, _refuse_default)
            except GraphQLError:
                return None
        else:
            named = argument.type.of_type if isinstance(argument.type, GraphQLNonNull) else argument.type
            if not is_leaf_type(named):
                return None
            value = coerce_input_literal(value_node, argument.type)
            if value is Undefined:
                return None
            settled[out_name] = value
        if not all(isinstance(value, _IMMUTABLE) for value in settled.values()):
            return None  # one object shared by every request could be changed by one of them
        constants.extend(settled.items())
    return _Arguments(tuple(constants), tuple(variables))


def _refuse_default(error: GraphQLError, path: list[str | int]) -> None:
    raise error


def _collect(
    schema: GraphQLSchema,
    object_type: GraphQLObjectType,
    selection_set: SelectionSetNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    grouped: dict[str, list[FieldNode]],
    visited: set[str],
) -> None:
    for selection in selection_set.selections:
        if selection.directives:
            raise Unsupported("directives")
        if isinstance(selection, FieldNode):
            key = selection.alias.value if selection.alias else selection.name.value
            grouped.setdefault(key, []).append(selection)
        elif isinstance(selection, InlineFragmentNode):
            if selection.type_condition is None or _applies(schema, selection.type_condition.name.value, object_type):
                _collect(schema, object_type, selection.selection_set, fragments, grouped, visited)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments[name]
            if name not in visited and _applies(schema, fragment.type_condition.name.value, object_type):
                visited.add(name)
                _collect(schema, object_type, fragment.selection_set, fragments, grouped, visited)


def _applies(schema: GraphQLSchema, condition: str, object_type: GraphQLObjectType) -> bool:
    conditional = schema.get_type(condition)
    if conditional is object_type:
        return True
    return isinstance(conditional, GraphQLAbstractType) and schema.is_sub_type(conditional, object_type)


def _compile_completion(
    schema: GraphQLSchema,
    output: GraphQLOutputType,
    subsets: list[SelectionSetNode],
    fragments: Mapping[str, FragmentDefinitionNode],
    config: StrawberryConfig | None,
) -> _Completion:
    non_null = isinstance(output, GraphQLNonNull)
    inner = output.of_type if isinstance(output, GraphQLNonNull) else output
    if isinstance(inner, GraphQLList):
        return _Completion(
            non_null, "list", item=_compile_completion(schema, inner.of_type, subsets, fragments, config)
        )
    if isinstance(inner, GraphQLScalarType | GraphQLEnumType):
        return _Completion(non_null, "leaf", serialize=inner.serialize, type=inner)
    if isinstance(inner, GraphQLObjectType):
        return _Completion(
            non_null, "object", object=_compile_object(schema, inner, subsets, fragments, config), type=inner
        )
    if isinstance(inner, GraphQLAbstractType):
        by_type = {
            possible.name: _compile_object(schema, possible, subsets, fragments, config)
            for possible in schema.get_possible_types(inner)
        }
        return _Completion(non_null, "abstract", by_type=by_type, abstract=inner, type=inner)
    raise Unsupported(f"output type {inner}")


def _plain_getter(definition: GraphQLField) -> Callable[[Any], Any] | None:
    """A plain strawberry attribute is read directly; everything else goes through its resolver."""
    strawberry_field = (definition.extensions or {}).get(_STRAWBERRY_FIELD)
    resolver = definition.resolve
    if (
        strawberry_field is None
        or strawberry_field.base_resolver is not None
        or strawberry_field.extensions
        or not getattr(resolver, "_is_default", False)
        or definition.args
    ):
        return None
    return attrgetter(strawberry_field.python_name)


@dataclass(frozen=True, slots=True)
class _DirectCall:
    """How strawberry would call a resolver whose arguments are scalars and enums, settled once."""

    function: Callable[..., Any]
    field: Any  # the StrawberryField, for the Info it gives the resolver
    info_class: type[Any]
    info_name: str | None
    self_name: bool
    source_names: tuple[str, ...]  # `root` / `parent` parameters
    names: dict[str, str]  # GraphQL argument name -> Python parameter name


def _direct_call(definition: GraphQLField, config: StrawberryConfig | None) -> _DirectCall | None:
    """For a resolver strawberry would only rename arguments for, the call it would make; else None.

    Strawberry's own wrapper also converts input objects and runs field extensions and permission classes: a field
    that has any of those keeps the wrapper.
    """
    strawberry_field = (definition.extensions or {}).get(_STRAWBERRY_FIELD)
    if config is None or strawberry_field is None or strawberry_field.base_resolver is None:
        return None
    if strawberry_field.extensions or getattr(strawberry_field, "permission_classes", None):
        return None
    for argument in definition.args.values():
        named = argument.type
        while isinstance(named, GraphQLNonNull | GraphQLList):
            named = named.of_type
        if not isinstance(named, GraphQLScalarType | GraphQLEnumType):
            return None
    resolver = strawberry_field.base_resolver
    names = {config.name_converter.from_argument(a): a.python_name for a in strawberry_field.arguments}
    if set(names) != set(definition.args):
        return None
    return _DirectCall(
        function=resolver.wrapped_func,
        field=strawberry_field,
        info_class=config.info_class,
        info_name=resolver.info_parameter.name if resolver.info_parameter else None,
        self_name=resolver.self_parameter is not None,
        source_names=tuple(p.name for p in (resolver.root_parameter, resolver.parent_parameter) if p is not None),
        names=names,
    )


def _typename_field(key: str, nodes: list[FieldNode], object_type: GraphQLObjectType) -> _Field:
    name = object_type.name
    return _Field(
        key=key,
        name="__typename",
        nodes=nodes,
        definition=GraphQLField(GraphQLNonNull(GraphQLString)),
        parent=object_type,
        getter=lambda _: name,
        has_arguments=False,
        completion=_Completion(True, "leaf", serialize=_identity),
    )


def _identity(value: Any) -> Any:
    return value


class PlanRun:
    """One execution of a plan: the request's context, variables, and the errors met on the way."""

    __slots__ = ("context", "errors", "plan", "schema", "variables")

    def __init__(self, plan: Plan, schema: GraphQLSchema, context: Any, variables: Any) -> None:
        self.plan, self.schema, self.context, self.variables = plan, schema, context, variables
        self.errors: list[GraphQLError] = []

    async def execute(self) -> dict[str, Any] | None:
        try:
            return await self._object(self.plan.root, None, None)
        except _NullBubble:
            return None

    async def _object(self, plan: _Object, source: Any, path: Path | None) -> dict[str, Any]:
        result: dict[str, Any] = {}
        pending: list[tuple[_Field, Any]] = []
        for step in plan.fields:
            try:
                if step.getter is not None:
                    value = step.getter(source)
                else:
                    value = self._resolve(step, source, path)
                    if inspect.isawaitable(value):
                        result[step.key] = None  # keeps the response in field order until it is known
                        pending.append((step, self._complete(step, step.completion, value, path)))
                        continue
                completion = step.completion
                if completion.kind == "leaf" and value is not None:
                    # Most fields are scalars read from an attribute: serialised here, without a coroutine each.
                    result[step.key] = completion.serialize(value)  # type: ignore[misc]  # set for every leaf
                else:
                    result[step.key] = await self._complete(step, completion, value, path)
            except Exception as error:
                self._failed(step, error, path)
                result[step.key] = None
        if len(pending) == 1:  # one async field (the scan's root): awaited here, without a task
            step, completion = pending[0]
            try:
                result[step.key] = await completion
            except Exception as error:
                self._failed(step, error, path)
        elif pending:
            # Siblings resolve concurrently, as in graphql-core, so that their DataLoaders batch together.
            values = await asyncio.gather(*(completion for _, completion in pending), return_exceptions=True)
            for (step, _), value in zip(pending, values, strict=True):
                if isinstance(value, Exception):
                    self._failed(step, value, path)
                    value = None
                result[step.key] = value
        return result

    def _resolve(self, step: _Field, source: Any, path: Path | None) -> Any:
        field_path = Path(path, step.key, step.parent.name)
        arguments = self._arguments(step) if step.has_arguments else {}
        info = self._info(step, field_path)
        direct = step.direct
        if direct is None:
            resolver = step.definition.resolve
            assert resolver is not None
            return resolver(source, info, **arguments)
        names = direct.names
        kwargs = {names[name]: value for name, value in arguments.items()}
        if direct.info_name is not None:
            kwargs[direct.info_name] = direct.info_class(_raw_info=info, _field=direct.field)
        for name in direct.source_names:
            kwargs[name] = source
        return direct.function(source, **kwargs) if direct.self_name else direct.function(**kwargs)

    def _arguments(self, step: _Field) -> dict[str, Any]:
        settled = step.arguments
        if settled is not None:
            arguments = dict(settled.constants)
            coerced = self.variables.coerced
            for out_name, variable in settled.variables:
                value = coerced.get(variable)
                if value is None:  # absent or null: defaults and non-null errors are graphql-core's to decide
                    return get_argument_values(step.definition, step.nodes[0], self.variables)
                arguments[out_name] = value
            return arguments
        return get_argument_values(step.definition, step.nodes[0], self.variables)

    def _info(self, step: _Field, path: Path) -> Any:
        return _OperationContextAwareGraphQLResolveInfo(
            step.name,
            step.nodes,
            step.definition.type,
            step.parent,
            path,
            self.schema,
            self.plan.fragments,
            None,
            self.plan.operation,
            self.variables.coerced,
            self.context,
            inspect.isawaitable,
            None,
            None,
            {},
        )

    async def _complete(self, step: _Field, completion: _Completion, value: Any, path: Path | None) -> Any:
        if inspect.isawaitable(value):
            value = await value
        if value is None:
            if completion.non_null:
                raise _NullViolation(step)
            return None
        kind = completion.kind
        if kind == "leaf":
            assert completion.serialize is not None
            return completion.serialize(value)
        field_path = Path(path, step.key, step.parent.name)
        if kind == "object":
            assert completion.object is not None
            return await self._object(completion.object, value, field_path)
        if kind == "abstract":
            return await self._abstract(step, completion, value, field_path)
        assert completion.item is not None
        return await self._list(step, completion.item, value, field_path)

    async def _abstract(self, step: _Field, completion: _Completion, value: Any, path: Path) -> Any:
        assert completion.abstract is not None
        resolve_type = completion.abstract.resolve_type
        if resolve_type is None:
            raise Unsupported("an abstract type without resolve_type")
        type_name = resolve_type(value, self._info(step, path), completion.abstract)
        if inspect.isawaitable(type_name):
            type_name = await type_name
        if not isinstance(type_name, str) or type_name not in completion.by_type:
            raise GraphQLError(f"Abstract type '{completion.abstract.name}' must resolve to an object type.")
        return await self._object(completion.by_type[type_name], value, path)

    async def _list(self, step: _Field, item: _Completion, values: Any, path: Path) -> list[Any]:
        if item.kind == "leaf" and not any(inspect.isawaitable(value) for value in values):
            return self._leaves(step, item, values, path)
        completed = await asyncio.gather(
            *(self._list_item(step, item, value, Path(path, index, None)) for index, value in enumerate(values)),
            return_exceptions=True,
        )
        for value in completed:
            if isinstance(value, BaseException):
                raise value  # a non-null item was null: the whole list is (the error is recorded already)
        return completed

    def _leaves(self, step: _Field, item: _Completion, values: Any, path: Path) -> list[Any]:
        """A list of scalars or enums, serialised in place: no coroutine or task per item."""
        assert item.serialize is not None
        serialize, completed = item.serialize, []
        for index, value in enumerate(values):
            if value is not None:
                try:
                    completed.append(serialize(value))
                    continue
                except Exception as error:
                    self.errors.append(located_error(error, step.nodes, Path(path, index, None).as_list()))
            elif item.non_null:
                message = _NullViolation(step).message
                self.errors.append(located_error(GraphQLError(message), step.nodes, Path(path, index, None).as_list()))
            if item.non_null:
                raise _NullBubble()
            completed.append(None)
        return completed

    async def _list_item(self, step: _Field, item: _Completion, value: Any, path: Path) -> Any:
        try:
            return await self._complete_item(step, item, value, path)
        except _NullBubble:
            if item.non_null:
                raise
            return None
        except _NullViolation as violation:
            self.errors.append(located_error(GraphQLError(violation.message), step.nodes, path.as_list()))
            raise _NullBubble() from None
        except Exception as error:
            self.errors.append(located_error(error, step.nodes, path.as_list()))
            if item.non_null:
                raise _NullBubble() from None
            return None

    async def _complete_item(self, step: _Field, item: _Completion, value: Any, path: Path) -> Any:
        if inspect.isawaitable(value):
            value = await value
        if value is None:
            if item.non_null:
                raise _NullViolation(step)
            return None
        if item.kind == "leaf":
            assert item.serialize is not None
            return item.serialize(value)
        if item.kind == "object":
            assert item.object is not None
            return await self._object(item.object, value, path)
        if item.kind == "abstract":
            return await self._abstract(step, item, value, path)
        assert item.item is not None
        return await self._list(step, item.item, value, path)

    def _failed(self, step: _Field, error: Exception, path: Path | None) -> None:
        """Record a field's error; the field is null, or, if it may not be, its parent is (by raising)."""
        field_path = Path(path, step.key, step.parent.name)
        if isinstance(error, _NullBubble):
            located = None
        elif isinstance(error, _NullViolation):
            located = located_error(GraphQLError(error.message), step.nodes, field_path.as_list())
        else:
            located = located_error(error, step.nodes, field_path.as_list())
        if located is not None:
            self.errors.append(located)
        if step.completion.non_null:
            raise _NullBubble()
        return


class _NullViolation(Exception):
    def __init__(self, step: _Field) -> None:
        super().__init__()
        self.message = f"Cannot return null for non-nullable field {step.parent.name}.{step.name}."


def coerce_variables(plan: Plan, schema: GraphQLSchema, inputs: dict[str, Any]) -> VariableValues | None:
    """The variables coerced as graphql-core coerces them, or None when they do not fit (graphql-core then says why).

    Every variable sent is coerced by graphql-core's coerce_input_value against the signature the plan resolved
    once; a document that leaves a variable out (defaults, nulls) goes through graphql-core's own path whole.
    """
    if plan.signatures is None or len(inputs) != len(plan.signatures):
        coerced = get_variable_values(schema, plan.operation.variable_definitions or (), inputs, max_errors=50)
        return None if isinstance(coerced, list) else coerced
    sources: dict[str, VariableValueSource] = {}
    values: dict[str, Any] = {}
    for signature in plan.signatures:
        value = inputs.get(signature.name, Undefined)
        if value is Undefined or value is None or input_is_nested_too_deeply(value, signature.type):
            return coerce_variables(replace(plan, signatures=None), schema, inputs)
        coerced_value = coerce_input_value(value, signature.type)
        if coerced_value is Undefined:
            return None
        sources[signature.name] = VariableValueSource(signature, value)
        values[signature.name] = coerced_value
    return VariableValues(sources, values)
