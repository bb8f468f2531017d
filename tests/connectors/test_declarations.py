"""The declarative parts of the SDK: schema builders and endpoint operations, run in-process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from connectors.endpoint import endpoint_operation
from connectors.errors import TerminalError
from connectors.http import ServiceClient
from connectors.schema import identifier, input_object, obj, output_object, string
from connectors.sdk import ClientSettings, OperationContext
from tests.fakes.misbehaving import MisbehavingVendor

GET_THING = endpoint_operation(
    key="get_thing",
    title="Get thing",
    description="One thing.",
    method="GET",
    endpoint="/{thing_id}",
    input_schema=input_object({"thing_id": identifier("Thing ID")}, required=["thing_id"]),
    output_schema=output_object({"thing": obj("Thing")}),
    pick="thing",
)


@pytest.fixture
def vendor() -> Iterator[MisbehavingVendor]:
    with MisbehavingVendor() as server:
        yield server


def context_for(vendor: MisbehavingVendor) -> OperationContext:
    settings = ClientSettings(max_retries=0)
    client = ServiceClient(
        service="Vendor", base_url=vendor.base_url, headers={}, settings=settings
    )
    return OperationContext(step_name="vendor-1", settings=settings, client=client)


def test_schema_keywords_are_written_in_snake_case_and_keep_their_order():
    schema = string("Account ID", "Its id.", min_length=1, max_length=40, write_only=True)

    assert list(schema.items()) == [
        ("type", "string"),
        ("title", "Account ID"),
        ("description", "Its id."),
        ("minLength", 1),
        ("maxLength", 40),
        ("writeOnly", True),
    ]


def test_output_properties_are_required_unless_said_otherwise():
    assert output_object({"a": string("A"), "b": string("B")})["required"] == ["a", "b"]
    assert "required" not in output_object({"a": string("A")}, required=())


def test_an_endpoint_parameter_is_url_encoded_into_the_path(vendor):
    with pytest.raises(TerminalError) as raised:
        GET_THING.run(context_for(vendor), {"thing_id": "a/b c"})

    assert [delivery.path for delivery in vendor.deliveries] == ["/a%2Fb%20c"]
    assert raised.value.message == 'Vendor answered HTTP 404: {"error": "no such endpoint"}'


def test_an_answer_without_the_picked_field_fails_naming_what_was_asked_for(vendor):
    # /ok answers {"ok": true}: JSON, but no "thing" object in it
    with pytest.raises(TerminalError) as raised:
        GET_THING.run(context_for(vendor), {"thing_id": "ok"})

    assert raised.value.message == "Vendor answered the thing with an unexpected body."


def test_an_endpoint_parameter_must_be_a_required_input():
    with pytest.raises(ValueError, match=r"get_other: the endpoint's parameters \['other_id'\]"):
        endpoint_operation(
            key="get_other",
            title="Get other",
            description="One other.",
            method="GET",
            endpoint="/others/{other_id}",
            input_schema=input_object({"other_id": identifier("Other ID")}),
            output_schema=output_object({"other": obj("Other")}),
            pick="other",
        )
