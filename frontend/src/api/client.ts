/**
 * Thin fetch wrapper for the Django API.
 *
 * - Sends cookies for same-origin requests (Django session auth).
 * - Sends/accepts JSON.
 * - Adds Django's CSRF token (from the `csrftoken` cookie) as `X-CSRFToken`
 *   on unsafe methods.
 * - Throws `ApiError` (with HTTP status and parsed body) on non-2xx responses.
 */

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS", "TRACE"]);

export const CSRF_COOKIE_NAME = "csrftoken";
export const CSRF_HEADER_NAME = "X-CSRFToken";

export class ApiError extends Error {
  readonly status: number;
  /** Parsed response body: JSON value, text, or `null` when empty. */
  readonly body: unknown;

  constructor(status: number, body: unknown, message?: string) {
    super(message ?? describeError(status, body));
    this.name = "ApiError";
    this.status = status;
    this.body = body;
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

/** Picks a human-readable message from common Django / DRF error bodies. */
function describeError(status: number, body: unknown): string {
  if (typeof body === "string" && body.trim() !== "" && body.length <= 200) {
    return body.trim();
  }
  if (body !== null && typeof body === "object" && !Array.isArray(body)) {
    const record = body as Record<string, unknown>;
    for (const key of ["detail", "error", "message"]) {
      const value = record[key];
      if (typeof value === "string" && value !== "") {
        return value;
      }
    }
  }
  return `Request failed with status ${status}`;
}

export function getCookie(name: string): string | null {
  if (typeof document === "undefined" || document.cookie === "") {
    return null;
  }
  for (const part of document.cookie.split(";")) {
    const [rawKey, ...rest] = part.trim().split("=");
    if (rawKey === name) {
      return decodeURIComponent(rest.join("="));
    }
  }
  return null;
}

/** Parses a response body as JSON when possible, otherwise as text; `null` if empty. */
export async function parseBody(response: Response): Promise<unknown> {
  if (response.status === 204 || response.status === 205) {
    return null;
  }
  const text = await response.text();
  if (text === "") {
    return null;
  }
  const contentType = response.headers.get("content-type") ?? "";
  if (contentType.includes("json")) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

export interface ApiRequestOptions {
  method?: string;
  /** Serialized as JSON unless it is already a string, FormData, Blob or URLSearchParams. */
  body?: unknown;
  headers?: HeadersInit;
  signal?: AbortSignal;
}

function encodeBody(body: unknown): BodyInit | undefined {
  if (body === undefined) {
    return undefined;
  }
  if (
    typeof body === "string" ||
    body instanceof FormData ||
    body instanceof Blob ||
    body instanceof URLSearchParams
  ) {
    return body;
  }
  return JSON.stringify(body);
}

export async function apiFetch<T>(path: string, options: ApiRequestOptions = {}): Promise<T> {
  const method = (options.method ?? "GET").toUpperCase();
  const headers = new Headers(options.headers);
  if (!headers.has("Accept")) {
    headers.set("Accept", "application/json");
  }
  const body = encodeBody(options.body);
  const isRawBody = body instanceof FormData || body instanceof Blob || body instanceof URLSearchParams;
  if (body !== undefined && !isRawBody && !headers.has("Content-Type")) {
    headers.set("Content-Type", "application/json");
  }
  if (!SAFE_METHODS.has(method)) {
    const token = getCookie(CSRF_COOKIE_NAME);
    if (token !== null && !headers.has(CSRF_HEADER_NAME)) {
      headers.set(CSRF_HEADER_NAME, token);
    }
  }

  const init: RequestInit = { method, headers, credentials: "same-origin" };
  if (body !== undefined) {
    init.body = body;
  }
  if (options.signal !== undefined) {
    init.signal = options.signal;
  }

  const response = await fetch(path, init);
  const parsed = await parseBody(response);
  if (!response.ok) {
    throw new ApiError(response.status, parsed);
  }
  return parsed as T;
}

type BodylessOptions = Omit<ApiRequestOptions, "method" | "body">;

export const api = {
  get: <T>(path: string, options?: BodylessOptions) => apiFetch<T>(path, { ...options, method: "GET" }),
  post: <T>(path: string, body?: unknown, options?: BodylessOptions) =>
    apiFetch<T>(path, { ...options, method: "POST", body }),
  put: <T>(path: string, body?: unknown, options?: BodylessOptions) =>
    apiFetch<T>(path, { ...options, method: "PUT", body }),
  patch: <T>(path: string, body?: unknown, options?: BodylessOptions) =>
    apiFetch<T>(path, { ...options, method: "PATCH", body }),
  delete: <T>(path: string, options?: BodylessOptions) => apiFetch<T>(path, { ...options, method: "DELETE" }),
};
