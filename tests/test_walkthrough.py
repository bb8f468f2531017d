"""The Totango connector guide's workflow, end to end: REST API → Celery on Redis → PostgreSQL."""

from __future__ import annotations

import json

import pytest

from tests.helpers import (
    SLACK_TOKEN,
    TOTANGO_TOKEN,
    all_step_runs,
    create_workflow,
    slack_authentication,
    totango_authentication,
    wait_for_run,
    walkthrough_definition,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_walkthrough_posts_one_message_per_account_in_order(
    api, celery_worker, fake_totango, fake_slack
):
    # Given 250 Totango accounts and the guide's workflow saved through the API
    fake_totango.seed_accounts(250)
    definition = walkthrough_definition(
        totango_auth=totango_authentication(api, fake_totango),
        slack_auth=slack_authentication(api, fake_slack),
    )
    workflow = create_workflow(api, definition)

    # When it is run with the manual trigger
    response = api.post(f"/api/workflows/{workflow['id']}/runs/", {}, format="json")
    assert response.status_code == 202
    assert response.json()["status"] == "queued"
    run = wait_for_run(api, response.json()["id"])

    # Then it succeeded and Slack received one message per account, in order
    assert run["status"] == "succeeded", run
    assert run["error"] == ""
    expected_texts = [f"New paying account: Account {number:04d}" for number in range(1, 251)]
    assert [message["text"] for message in fake_slack.messages] == expected_texts
    assert {message["channel"] for message in fake_slack.messages} == {"C0000000001"}
    searches = fake_totango.requests_to("/api/v1/search/accounts")
    assert len(searches) == 1
    assert searches[0].headers["app-token"] == TOTANGO_TOKEN

    # And every step's resolved input and output is recorded: 1 + 1 + 250 step runs
    steps = all_step_runs(api, run["id"])
    assert len(steps) == 1 + 1 + 1 + 250  # trigger, totango-1, loop-1, then slack-1 250 times
    assert [step["path"] for step in steps[:3]] == ["trigger", "totango-1", "loop-1"]
    assert [step["path"] for step in steps[3:]] == [
        f"loop-1[{index}].slack-1" for index in range(250)
    ]
    assert [step["sequence"] for step in steps] == sorted(step["sequence"] for step in steps)
    assert all(step["status"] == "succeeded" for step in steps)
    totango = steps[1]
    assert totango["input"] == {
        "data_type": "accounts",
        "query": '{"terms": [], "fields": [], "count": 1000}',
    }
    assert totango["output"]["total_hits"] == 250
    assert [hit["display_name"] for hit in totango["output"]["hits"]][:2] == [
        "Account 0001",
        "Account 0002",
    ]
    assert steps[2]["output"] == {"count": 250, "iterations": 250, "continued_failures": 0}
    third_message = steps[5]
    assert third_message["input"] == {
        "channel": "#customer-success",
        "text": "New paying account: Account 0003",
    }
    assert third_message["output"]["ok"] is True
    assert third_message["output"]["ts"] == fake_slack.messages[2]["ts"]

    # And neither token appears in any API response or step run
    everything = json.dumps(
        [
            steps,
            run,
            api.get("/api/authentications/").json(),
            api.get(f"/api/workflows/{workflow['id']}/").json(),
        ]
    )
    assert TOTANGO_TOKEN not in everything
    assert SLACK_TOKEN not in everything
