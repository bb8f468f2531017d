"""How Boolean condition and Branch compare JSON values: strictly, with errors a user can act on."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from connectors.errors import InputError

COMPARISONS = (
    "===",
    "!==",
    ">",
    "<",
    ">=",
    "<=",
    "contains",
    "does_not_contain",
    "is_empty",
    "is_not_empty",
)
# In words, as the condition row reads: "<value 1> is greater than <value 2>".
COMPARISON_TITLES = (
    "equals",
    "does not equal",
    "is greater than",
    "is less than",
    "is greater than or equal to",
    "is less than or equal to",
    "contains",
    "does not contain",
    "is empty",
    "is not empty",
)
# The comparisons that look at value1 alone.
UNARY_COMPARISONS = frozenset({"is_empty", "is_not_empty"})
ORDERINGS: dict[str, Callable[[Any, Any], bool]] = {
    ">": operator.gt,
    "<": operator.lt,
    ">=": operator.ge,
    "<=": operator.le,
}


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def kind_of(value: Any) -> str:
    """A JSON value's type in the words of the properties panel."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if is_number(value):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


def strictly_equal(left: Any, right: Any) -> bool:
    """JSON equality without coercion: 1 equals 1.0, but not "1" nor true; lists and objects
    are equal when their members are."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if is_number(left) and is_number(right):
        return bool(left == right)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(strictly_equal, left, right))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(
            strictly_equal(left[key], right[key]) for key in left
        )
    return type(left) is type(right) and left == right


def is_empty(value: Any) -> bool:
    return value is None or value in ("", [], {})


def contains(container: Any, member: Any) -> bool:
    if container is None:
        return False
    if isinstance(container, str):
        if not isinstance(member, str):
            raise TypeError
        return member in container
    if isinstance(container, list):
        return any(strictly_equal(item, member) for item in container)
    if isinstance(container, dict):
        return isinstance(member, str) and member in container
    raise TypeError


def compare(value1: Any, comparison: str, value2: Any = None) -> bool:
    """Whether `value1 <comparison> value2` holds; InputError when the two cannot be compared."""
    if comparison == "===":
        return strictly_equal(value1, value2)
    if comparison == "!==":
        return not strictly_equal(value1, value2)
    if comparison == "is_empty":
        return is_empty(value1)
    if comparison == "is_not_empty":
        return not is_empty(value1)
    if comparison in ORDERINGS:
        if (is_number(value1) and is_number(value2)) or (
            isinstance(value1, str) and isinstance(value2, str)
        ):
            return ORDERINGS[comparison](value1, value2)
        raise InputError(
            f"'{comparison}' compares two numbers or two strings, "
            f"not {kind_of(value1)} and {kind_of(value2)}."
        )
    if comparison in ("contains", "does_not_contain"):
        try:
            found = contains(value1, value2)
        except TypeError:
            raise InputError(
                f"'{comparison}' looks for a string in a string, an item in a list or a key "
                f"in an object, not {kind_of(value2)} in {kind_of(value1)}."
            ) from None
        return found if comparison == "contains" else not found
    raise InputError(f"{comparison!r} is not a comparison.")
