import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, apiFetch, api, isApiError } from "./client";

function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json" },
  });
}

function stubFetch(response: Response) {
  const fetchMock = vi.fn<typeof fetch>().mockResolvedValue(response);
  vi.stubGlobal("fetch", fetchMock);
  return fetchMock;
}

function lastInit(fetchMock: ReturnType<typeof stubFetch>): RequestInit {
  const call = fetchMock.mock.calls.at(-1);
  if (call === undefined) {
    throw new Error("fetch was not called");
  }
  return call[1] ?? {};
}

describe("apiFetch", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("returns parsed JSON and sends same-origin credentials and JSON headers", async () => {
    const fetchMock = stubFetch(jsonResponse({ status: "ok" }));

    await expect(api.get("/api/health/")).resolves.toEqual({ status: "ok" });

    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(fetchMock.mock.calls[0]?.[0]).toBe("/api/health/");
    const init = lastInit(fetchMock);
    expect(init.method).toBe("GET");
    expect(init.credentials).toBe("same-origin");
    const headers = new Headers(init.headers);
    expect(headers.get("Accept")).toBe("application/json");
    expect(headers.has("X-CSRFToken")).toBe(false);
  });

  it("throws ApiError with status and parsed JSON body on error responses", async () => {
    stubFetch(jsonResponse({ detail: "Not found." }, 404));

    const error = await apiFetch("/api/missing/").catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ApiError);
    expect(isApiError(error)).toBe(true);
    const apiError = error as ApiError;
    expect(apiError.status).toBe(404);
    expect(apiError.body).toEqual({ detail: "Not found." });
    expect(apiError.message).toBe("Not found.");
    expect(apiError.name).toBe("ApiError");
  });

  it("keeps validation error bodies intact", async () => {
    const body = { name: ["This field is required."] };
    stubFetch(jsonResponse(body, 400));

    const error = (await api.post("/api/workflows/", {}).catch((e: unknown) => e)) as ApiError;

    expect(error.status).toBe(400);
    expect(error.body).toEqual(body);
    expect(error.message).toBe("Request failed with status 400");
  });

  it("falls back to text for non-JSON error bodies", async () => {
    stubFetch(new Response("Bad gateway", { status: 502, headers: { "Content-Type": "text/plain" } }));

    const error = (await apiFetch("/api/health/").catch((e: unknown) => e)) as ApiError;

    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(502);
    expect(error.body).toBe("Bad gateway");
    expect(error.message).toBe("Bad gateway");
  });

  it("falls back to text when a JSON content type carries invalid JSON", async () => {
    stubFetch(new Response("<html>oops</html>", { status: 500, headers: { "Content-Type": "application/json" } }));

    const error = (await apiFetch("/api/health/").catch((e: unknown) => e)) as ApiError;

    expect(error.status).toBe(500);
    expect(error.body).toBe("<html>oops</html>");
  });

  it("uses a null body for empty error responses", async () => {
    stubFetch(new Response(null, { status: 503 }));

    const error = (await apiFetch("/api/health/").catch((e: unknown) => e)) as ApiError;

    expect(error.status).toBe(503);
    expect(error.body).toBeNull();
    expect(error.message).toBe("Request failed with status 503");
  });

  it("sends the csrftoken cookie as X-CSRFToken and a JSON body on unsafe methods", async () => {
    document.cookie = "sessionid=abc";
    document.cookie = "csrftoken=tok%3D123";
    const fetchMock = stubFetch(new Response(null, { status: 204 }));

    await expect(api.post("/api/workflows/", { name: "Demo" })).resolves.toBeNull();

    const init = lastInit(fetchMock);
    expect(init.method).toBe("POST");
    expect(init.body).toBe(JSON.stringify({ name: "Demo" }));
    const headers = new Headers(init.headers);
    expect(headers.get("X-CSRFToken")).toBe("tok=123");
    expect(headers.get("Content-Type")).toBe("application/json");
  });

  it("does not send the CSRF header on safe methods", async () => {
    document.cookie = "csrftoken=tok123";
    const fetchMock = stubFetch(jsonResponse([]));

    await api.get("/api/workflows/");

    expect(new Headers(lastInit(fetchMock).headers).has("X-CSRFToken")).toBe(false);
  });
});
