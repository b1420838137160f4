// Mentiondesk agent UI — HTTP client and sign-in (dev login, Cognito PKCE).

const TOKEN_KEY = 'md.token';
const PKCE_VERIFIER_KEY = 'md.pkce.verifier';
const PKCE_STATE_KEY = 'md.pkce.state';
const RETURN_HASH_KEY = 'md.pkce.return';

export class ApiError extends Error {
  constructor(status, message, { network = false } = {}) {
    super(message || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.serverMessage = message || '';
    this.network = network;
  }
}

export class UnauthorizedError extends ApiError {
  constructor(message) {
    super(401, message);
    this.name = 'UnauthorizedError';
  }
}

function session() {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

export function getToken() {
  return session()?.getItem(TOKEN_KEY) || null;
}

export function setToken(token) {
  session()?.setItem(TOKEN_KEY, token);
}

export function clearToken() {
  session()?.removeItem(TOKEN_KEY);
}

async function readMessage(res) {
  try {
    const body = await res.json();
    if (body && typeof body.message === 'string') return body.message;
  } catch {
    /* not JSON */
  }
  return '';
}

async function send(url, init) {
  let res;
  try {
    res = await fetch(url, { cache: 'no-store', credentials: 'same-origin', ...init });
  } catch (err) {
    if (err && err.name === 'AbortError') throw err;
    throw new ApiError(0, '', { network: true });
  }
  return res;
}

async function parseJson(res) {
  try {
    return await res.json();
  } catch {
    throw new ApiError(res.status, 'Invalid JSON in response');
  }
}

/** GET an /api/* resource with the bearer token. 401 → UnauthorizedError. */
export async function apiGet(path, { signal } = {}) {
  const token = getToken();
  if (!token) throw new UnauthorizedError('');
  const res = await send(path, {
    method: 'GET',
    headers: { Accept: 'application/json', Authorization: `Bearer ${token}` },
    signal,
  });
  if (res.status === 401) {
    clearToken();
    throw new UnauthorizedError(await readMessage(res));
  }
  if (!res.ok) throw new ApiError(res.status, await readMessage(res));
  return parseJson(res);
}

/** An error answer's details (the API's `details` list, the 409's `current`), kept on ApiError.body. */
async function readBody(res) {
  try {
    return await res.json();
  } catch {
    return null;
  }
}

/**
 * POST / PUT / PATCH / DELETE an /api/* resource with a JSON body. 401 → UnauthorizedError; other
 * errors → ApiError with `status`, `message` and `body` (the parsed answer: details, current state).
 * Answers the parsed JSON, or null for 204.
 */
export async function apiSend(method, path, body, { signal } = {}) {
  const token = getToken();
  if (!token) throw new UnauthorizedError('');
  const headers = { Accept: 'application/json', Authorization: `Bearer ${token}` };
  const init = { method, headers, signal };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await send(path, init);
  if (res.status === 401) {
    clearToken();
    throw new UnauthorizedError(await readMessage(res));
  }
  if (!res.ok) {
    const answer = await readBody(res);
    const message = answer && typeof answer.message === 'string' ? answer.message : '';
    const error = new ApiError(res.status, message);
    error.body = answer;
    throw error;
  }
  if (res.status === 204) return null;
  return parseJson(res);
}

/**
 * GET a file (a CSV export) with the bearer token, which a plain link could not send. Answers
 * { blob, filename (from Content-Disposition, or ''), truncated (the x-mentiondesk-truncated
 * header, or null) }; errors as for apiGet.
 */
export async function apiDownload(path, { signal } = {}) {
  const token = getToken();
  if (!token) throw new UnauthorizedError('');
  const res = await send(path, {
    method: 'GET',
    headers: { Accept: 'text/csv, application/octet-stream;q=0.9, */*;q=0.1', Authorization: `Bearer ${token}` },
    signal,
  });
  if (res.status === 401) {
    clearToken();
    throw new UnauthorizedError(await readMessage(res));
  }
  if (!res.ok) throw new ApiError(res.status, await readMessage(res));
  const disposition = res.headers.get('content-disposition') || '';
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
  let filename = '';
  if (match) {
    try {
      filename = decodeURIComponent(match[1]);
    } catch {
      filename = match[1];
    }
  }
  // Only a plain file name: no folders, nothing hidden.
  filename = filename.replace(/[/\\]/g, '_').replace(/^\.+/, '');
  return { blob: await res.blob(), filename, truncated: res.headers.get('x-mentiondesk-truncated') };
}

export async function getAuthConfig() {
  const res = await send('/auth/config', { method: 'GET', headers: { Accept: 'application/json' } });
  if (!res.ok) throw new ApiError(res.status, await readMessage(res));
  return parseJson(res);
}

export async function devLogin(email) {
  const res = await send('/auth/dev-login', {
    method: 'POST',
    headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
    body: JSON.stringify({ email }),
  });
  if (!res.ok) throw new ApiError(res.status, await readMessage(res));
  const body = await parseJson(res);
  if (!body || typeof body.token !== 'string' || !body.token) throw new ApiError(res.status, 'No token in response');
  setToken(body.token);
  return body.token;
}

// ---------------------------------------------------------------- Cognito

function base64url(bytes) {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomString(byteLength) {
  const bytes = new Uint8Array(byteLength);
  crypto.getRandomValues(bytes);
  return base64url(bytes);
}

export class ConfigError extends Error {}
export class CryptoUnavailableError extends Error {}
export class StateMismatchError extends Error {}

/** Validate the cognito block of /auth/config; return the hosted-UI base URL. */
function cognitoBase(cognito) {
  if (!cognito || typeof cognito.client_id !== 'string' || !cognito.client_id || !cognito.redirect_uri) {
    throw new ConfigError('cognito settings missing');
  }
  let base;
  try {
    base = new URL(cognito.domain);
  } catch {
    throw new ConfigError('cognito domain invalid');
  }
  const local = base.hostname === 'localhost' || base.hostname === '127.0.0.1';
  if (base.protocol !== 'https:' && !(local && base.protocol === 'http:')) {
    throw new ConfigError('cognito domain must be https');
  }
  return base.origin;
}

/** Redirect to the Cognito hosted UI (Authorization Code + PKCE). */
export async function startCognitoLogin(cognito) {
  const base = cognitoBase(cognito);
  if (!window.crypto || !crypto.subtle) throw new CryptoUnavailableError('WebCrypto unavailable');
  const verifier = randomString(48);
  const state = randomString(24);
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  const challenge = base64url(new Uint8Array(digest));
  const store = session();
  store?.setItem(PKCE_VERIFIER_KEY, verifier);
  store?.setItem(PKCE_STATE_KEY, state);
  if (location.hash && location.hash.length > 1) store?.setItem(RETURN_HASH_KEY, location.hash);
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: cognito.client_id,
    redirect_uri: cognito.redirect_uri,
    scope: 'openid email profile mentiondesk/api',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state,
  });
  location.assign(`${base}/oauth2/authorize?${params.toString()}`);
}

/** Is this page load a return from the hosted UI? */
export function isCognitoReturn() {
  const q = new URLSearchParams(location.search);
  return q.has('code') || q.has('error');
}

/**
 * Finish the hosted-UI round trip: check state, swap the code for tokens and
 * keep the access token. Always removes the code from the address bar.
 * Returns the hash the user was on before the redirect (or '').
 */
export async function completeCognitoLogin(cognito) {
  const q = new URLSearchParams(location.search);
  const store = session();
  const expectedState = store?.getItem(PKCE_STATE_KEY);
  const verifier = store?.getItem(PKCE_VERIFIER_KEY);
  const returnHash = store?.getItem(RETURN_HASH_KEY) || '';
  store?.removeItem(PKCE_STATE_KEY);
  store?.removeItem(PKCE_VERIFIER_KEY);
  store?.removeItem(RETURN_HASH_KEY);
  history.replaceState(null, '', location.pathname + (returnHash || ''));

  if (q.has('error')) {
    throw new ApiError(400, q.get('error_description') || q.get('error') || 'error');
  }
  const code = q.get('code');
  const state = q.get('state');
  if (!code || !state || !expectedState || !verifier || state !== expectedState) {
    throw new StateMismatchError('state mismatch');
  }
  const base = cognitoBase(cognito);
  const body = new URLSearchParams({
    grant_type: 'authorization_code',
    client_id: cognito.client_id,
    code,
    redirect_uri: cognito.redirect_uri,
    code_verifier: verifier,
  });
  const res = await send(`${base}/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: body.toString(),
    credentials: 'omit',
  });
  if (!res.ok) {
    let message = '';
    try {
      const err = await res.json();
      message = err.error_description || err.error || '';
    } catch {
      /* ignore */
    }
    throw new ApiError(res.status, message);
  }
  const tokens = await parseJson(res);
  if (!tokens || typeof tokens.access_token !== 'string' || !tokens.access_token) {
    throw new ApiError(res.status, 'No access token in response');
  }
  setToken(tokens.access_token);
  return returnHash;
}

/** Where to send the browser after local sign-out in Cognito mode (or null). */
export function cognitoLogoutUrl(cognito) {
  if (!cognito || !cognito.logout_uri) return null;
  try {
    const base = cognitoBase(cognito);
    const params = new URLSearchParams({ client_id: cognito.client_id, logout_uri: cognito.logout_uri });
    return `${base}/logout?${params.toString()}`;
  } catch {
    return null;
  }
}
