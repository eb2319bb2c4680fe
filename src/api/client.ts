/**
 * The Upload-Post API client: the only module that imports got. got does the
 * retrying (429, 5xx, timeouts, resets) and waits for X-RateLimit-Reset or
 * Retry-After; 401 is never retried. Every answer comes back with its raw
 * record (thrown errors carry it as `raw`), so failures are recorded whole.
 */
import { isUtf8 } from 'node:buffer';
import got, { HTTPError, RequestError, type Got, type RetryObject } from 'got';
import {
  ApiBadRequestError,
  ApiKeyRefusedError,
  ApiMalformedResponseError,
  ApiNetworkError,
  ApiNotFoundError,
  ApiRateLimitedError,
  ApiServerError,
  type ApiError,
} from '../errors.js';
import { errorMessageOf, parseUsers, parseUsersBytes, type UserProfile } from './parse.js';
import { RatePacer, readRateHeaders } from './pacer.js';

export type Endpoint = 'analytics' | 'total-impressions' | 'platform-metrics' | 'post-analytics' | 'post-analytics-cached' | 'users' | 'history';

export interface RawAnswer {
  endpoint: Endpoint;
  profile: string | undefined;
  params: Record<string, string>;
  status: number | undefined;
  receivedAt: string;
  /** The server's own `Date` header: its clock decides which server day an answer describes. */
  serverDate?: string;
  body: string;
  /**
   * `body` as UTF-8 bytes, when the client holds them already: the store takes
   * these instead of encoding the text again (a copy the size of the answer).
   */
  bytes?: Buffer;
}

export interface ApiClientOptions {
  baseUrl: string;
  apiKey: string;
  timeoutMs?: number;
  retries?: number;
  /** First backoff step for 5xx and network retries; doubles each attempt. */
  retryBaseMs?: number;
  /** Longest wait for a rate-limit reset before giving up on the request. */
  maxRateLimitWaitMs?: number;
}

export interface ApiStats {
  requests: number;
  retries: number;
  rateLimited: number;
}

export interface Answer<T = unknown> {
  body: T;
  raw: RawAnswer;
}

/** Thrown errors carry the raw answer (when there was one) for the record. */
export type ApiFailure = ApiError & { raw?: RawAnswer };

export class ApiClient {
  readonly stats: ApiStats = { requests: 0, retries: 0, rateLimited: 0 };
  /** The general per-minute limit. */
  readonly pacer = new RatePacer();
  /** Live post-analytics has its own window (100 per 5 minutes). */
  readonly postPacer = new RatePacer();
  private readonly http: Got;

  constructor(private readonly options: ApiClientOptions) {
    const retryBaseMs = options.retryBaseMs ?? 1000;
    const maxWait = options.maxRateLimitWaitMs ?? 10 * 60_000;
    this.http = got.extend({
      prefixUrl: options.baseUrl.replace(/\/+$/, ''),
      headers: { authorization: `Apikey ${options.apiKey}`, 'x-upload-post-source': 'upw', accept: 'application/json' },
      timeout: { request: options.timeoutMs ?? 30_000 },
      retry: {
        limit: options.retries ?? 4,
        methods: ['GET'],
        statusCodes: [408, 429, 500, 502, 503, 504, 521, 522, 524],
        enforceRetryRules: true,
        maxRetryAfter: maxWait,
        calculateDelay: ({ attemptCount, error, retryAfter }: RetryObject) => {
          const status = error.response?.statusCode;
          if (status === 429) {
            // Live post-analytics counts 100 per 5 minutes: waiting out its reset would stall
            // the whole run, so give up at once and let post tracking defer the rest.
            if (this.pacerFor(String(error.options.url)) === this.postPacer) return 0;
            if (retryAfter !== undefined) return retryAfter;
            const { resetAtMs } = readRateHeaders(error.response!.headers);
            if (resetAtMs !== undefined) {
              const wait = resetAtMs - Date.now() + 50;
              // A reset in the past or absurdly far means clocks disagree: back off instead.
              if (wait > 0 && wait <= maxWait) return wait;
            }
          }
          return retryBaseMs * 2 ** (attemptCount - 1) * (1 + Math.random() * 0.1);
        },
      },
      hooks: {
        // Every attempt is a request the API counts against the limit.
        beforeRequest: [() => void this.stats.requests++],
        beforeRetry: [() => void this.stats.retries++],
        afterResponse: [
          (response) => {
            // Counted here, not in calculateDelay: got skips that for the attempt that exhausts the retries.
            if (response.statusCode === 429) this.stats.rateLimited++;
            this.pacerFor(response.url).observe(readRateHeaders(response.headers));
            return response;
          },
        ],
      },
    });
  }

  /** GET /analytics/{profile}?platforms=… : all platforms in one request. */
  analytics(profile: string, platforms: readonly string[], extra: { pageId?: string; pageUrn?: string } = {}): Promise<Answer> {
    const params: Record<string, string> = { platforms: platforms.join(',') };
    if (extra.pageId) params.page_id = extra.pageId;
    if (extra.pageUrn) params.page_urn = extra.pageUrn;
    return this.get('analytics', `analytics/${encodeURIComponent(profile)}`, params, profile);
  }

  /** GET /uploadposts/total-impressions/{profile} with the API's own parameter names. */
  totalImpressions(profile: string, params: Record<string, string>): Promise<Answer> {
    return this.get('total-impressions', `uploadposts/total-impressions/${encodeURIComponent(profile)}`, params, profile);
  }

  /** GET /uploadposts/platform-metrics (public). */
  platformMetrics(): Promise<Answer> {
    return this.get('platform-metrics', 'uploadposts/platform-metrics', {}, undefined);
  }

  /** GET /uploadposts/post-analytics/{request_id}, paced by its own window. */
  postAnalytics(requestId: string, platform?: string, profile?: string): Promise<Answer> {
    return this.get('post-analytics', `uploadposts/post-analytics/${encodeURIComponent(requestId)}`, platform ? { platform } : {}, profile);
  }

  /** GET /uploadposts/post-analytics/cached. */
  cachedPostAnalytics(params: Record<string, string>): Promise<Answer> {
    return this.get('post-analytics-cached', 'uploadposts/post-analytics/cached', params, params.user);
  }

  /**
   * GET /uploadposts/users, read into its profiles. At 10,000 profiles the
   * answer is 15 MB: it is read from its bytes a profile at a time
   * (parseUsersBytes), so neither its whole text nor its whole tree is held.
   */
  users(): Promise<Answer<UserProfile[]>> {
    return this.get('users', 'uploadposts/users', {}, undefined, { fromBytes: parseUsersBytes, fromJson: parseUsers });
  }

  /** GET /uploadposts/history (one page). */
  history(params: { page: number; limit: number; profile?: string }): Promise<Answer> {
    const q: Record<string, string> = { page: String(params.page), limit: String(params.limit) };
    if (params.profile) q.profile_username = params.profile;
    return this.get('history', 'uploadposts/history', q, params.profile);
  }

  /**
   * A body with the key cut out. Some servers quote the credential they refused
   * or reflect request headers; the key must reach neither the raw record nor an
   * error message. Keys too short to be real are left alone: cutting them would
   * mangle ordinary text.
   */
  private withoutKey(body: string): string {
    const key = this.options.apiKey;
    return key.length >= 8 && body.includes(key) ? body.split(key).join('[REDACTED]') : body;
  }

  /**
   * What to store of a body received as `received`: its text (UTF-8, without
   * the key) and those same bytes. They are the bytes received when decoding
   * and redaction change nothing, which is the common case; the text is then
   * decoded only when asked for (`text`).
   */
  private stored(received: Buffer): { bytes: Buffer; text?: string } {
    const key = this.options.apiKey;
    // Valid UTF-8 decodes and encodes back to itself, and holds the key's bytes exactly when its text holds the key.
    if (isUtf8(received) && !(key.length >= 8 && received.includes(key))) return { bytes: received };
    const text = this.withoutKey(received.toString('utf8'));
    return { bytes: Buffer.from(text, 'utf8'), text };
  }

  private pacerFor(url: string): RatePacer {
    return /\/uploadposts\/post-analytics\/(?!cached)/.test(url) ? this.postPacer : this.pacer;
  }

  /** An answer read into `T` rather than kept as its JSON tree: from its bytes when `fromBytes` can, else from the parsed JSON. */
  private async get<T = unknown>(
    endpoint: Endpoint,
    path: string,
    params: Record<string, string>,
    profile: string | undefined,
    read?: { fromBytes: (bytes: Buffer) => T | undefined; fromJson: (json: unknown) => T },
  ): Promise<Answer<T>> {
    const url = `${this.options.baseUrl.replace(/\/+$/, '')}/${path}`;
    const pacer = endpoint === 'post-analytics' ? this.postPacer : this.pacer;
    const record = (status: number | undefined, { bytes, text: redacted }: { bytes: Buffer; text?: string }, date: string | undefined): RawAnswer => {
      let text = redacted;
      return {
        endpoint,
        profile,
        params,
        status,
        receivedAt: new Date().toISOString(),
        ...(date !== undefined && { serverDate: date }),
        // Decoded when first read: the store takes the bytes, and /users is read from them.
        get body() {
          return (text ??= bytes.toString('utf8'));
        },
        bytes,
      };
    };
    await pacer.acquire();
    try {
      // The bytes, not text: they are what the raw record stores, and a large answer
      // (/users, 15 MB at 10,000 profiles) is then not held as bytes and text at once.
      const response = await this.http.get(path, { searchParams: params, responseType: 'buffer' });
      const stored = this.stored(response.body);
      const raw = record(response.statusCode, stored, response.headers.date);
      const fromBytes = read?.fromBytes(stored.bytes);
      if (fromBytes !== undefined) return { body: fromBytes, raw };
      let json: unknown;
      try {
        json = JSON.parse(raw.body);
      } catch (cause) {
        throw Object.assign(new ApiMalformedResponseError('The API answered with a body that is not JSON', { method: 'GET', url }, response.statusCode, raw.body, { cause }), { raw });
      }
      return { body: read ? read.fromJson(json) : (json as T), raw };
    } catch (error) {
      if (error instanceof HTTPError) {
        const { statusCode, body, headers } = error.response as { statusCode: number; body: unknown; headers: Record<string, string | undefined> };
        const raw = record(statusCode, this.stored(Buffer.isBuffer(body) ? body : Buffer.from(String(body ?? ''), 'utf8')), headers.date);
        throw Object.assign(this.httpError(statusCode, raw.body, url, error), { raw });
      }
      if (error instanceof RequestError) {
        throw new ApiNetworkError(`Network failure: ${error.code ?? error.message}`, { method: 'GET', url }, undefined, undefined, { cause: error });
      }
      throw error;
    } finally {
      pacer.release();
    }
  }

  private httpError(status: number, body: string, url: string, cause: HTTPError): ApiError {
    const request = { method: 'GET', url };
    const said = errorMessageOf(body);
    const message = said ? `The API said: ${said}` : `The API answered ${status}`;
    if (status === 401) return new ApiKeyRefusedError(`The API refused the key${said ? `: ${said}` : ''}`, request, status, body, { cause });
    if (status === 404) return new ApiNotFoundError(message, request, status, body, { cause });
    if (status === 429) {
      const { resetAtMs } = readRateHeaders(cause.response.headers);
      return new ApiRateLimitedError(message, request, status, body, resetAtMs === undefined ? undefined : new Date(resetAtMs), { cause });
    }
    if (status >= 500) return new ApiServerError(message, request, status, body, { cause });
    return new ApiBadRequestError(message, request, status, body, { cause });
  }
}
