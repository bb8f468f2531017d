import { describe, expect, it } from "vitest";
import { makeRun } from "../test/runs";
import { runListTriggerText, runTriggerText } from "./triggers";

describe("an alert run's origin", () => {
  it("names the failed run it tells of", () => {
    const run = makeRun({ trigger_kind: "alert", started_by: null, alert_for: "3f2a9c1e-0000-4000-8000-000000000000" });
    expect(runTriggerText(run)).toBe("Alert for");
    expect(runListTriggerText(run)).toBe("Alert for run 3f2a9c1e");
  });

  it("says so when the failed run is no longer kept", () => {
    const run = makeRun({ trigger_kind: "alert", started_by: null, alert_for: null });
    expect(runTriggerText(run)).toBe("Alert for a run no longer kept");
    expect(runListTriggerText(run)).toBe("Alert for a run no longer kept");
  });
});
