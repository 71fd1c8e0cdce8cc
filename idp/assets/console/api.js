// The console page's one way to the lab: the JSON control API of this origin (`/api`). Under
// docker compose it answers for every container, so the page needs nothing else.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(`${code ?? status}: ${message ?? 'request failed'}`);
    this.status = status;
    this.code = code;
  }
}

async function call(method, path, body) {
  const res = await fetch(`/api${path}`, {
    method,
    headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) throw new ApiError(res.status, json?.error?.code, json?.error?.message ?? text.slice(0, 200));
  return json;
}

export const getJson = (path) => call('GET', path);
export const postJson = (path, body = {}) => call('POST', path, body);
export const deleteJson = (path) => call('DELETE', path);

/** Query string from the non-empty values of an object. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
