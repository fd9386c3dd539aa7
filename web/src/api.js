// Fetches from the JSON API. A newer request for the same chart aborts the
// older one, so a fast clicker never sees stale data land last.

const inflight = new Map();

export class ApiError extends Error {
  constructor(message, parameter) {
    super(message);
    this.parameter = parameter;
  }
}

export async function getJson(key, path) {
  inflight.get(key)?.abort();
  const controller = new AbortController();
  inflight.set(key, controller);
  try {
    const response = await fetch(path, { signal: controller.signal, headers: { Accept: 'application/json' } });
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      const error = body?.error;
      throw new ApiError(error ? `${error.message} — ${error.hint}` : `HTTP ${response.status}`, error?.parameter);
    }
    return body;
  } finally {
    if (inflight.get(key) === controller) inflight.delete(key);
  }
}

export const isAbort = (error) => error?.name === 'AbortError';
