/**
 * The one error family. Everything the product throws on purpose is an
 * `UpwError`; the CLI maps `exitCode` to the process exit status in one place.
 */
export const ExitCode = {
  ok: 0,
  unexpected: 1,
  badInput: 2,
  keyRefused: 3,
  profileNotFound: 4,
  partial: 5,
  /** The same 5: the team warehouse (PostgreSQL) could not be reached or refused the sync. */
  teamWarehouse: 5,
  busy: 6,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export abstract class UpwError extends Error {
  abstract override readonly name: string;
  abstract readonly exitCode: ExitCode;
  /** User errors print a message, never a stack trace. */
  readonly userFacing: boolean = true;
}

/** Bad flags, config, dates or metric names (exit 2). */
export class BadInputError extends UpwError {
  override readonly name: string = 'BadInputError';
  readonly exitCode = ExitCode.badInput;
  constructor(message: string, readonly problems: string[] = [message]) {
    super(message);
  }
}

/** The config file failed validation; every problem is listed with its key path. */
export class ConfigError extends BadInputError {
  override readonly name = 'ConfigError';
  constructor(file: string, problems: string[]) {
    super(`Invalid config ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`, problems);
  }
}

/** A profile the warehouse or the API knows nothing about (exit 4). */
export class ProfileNotFoundError extends UpwError {
  override readonly name = 'ProfileNotFoundError';
  readonly exitCode = ExitCode.profileNotFound;
  constructor(readonly profile: string, where: string) {
    super(`Profile "${profile}" not found ${where}`);
  }
}

/** Another upw process holds this warehouse's writer lock (exit 6). */
export class WarehouseBusyError extends UpwError {
  override readonly name = 'WarehouseBusyError';
  readonly exitCode = ExitCode.busy;
  constructor(
    readonly path: string,
    readonly holderPid: number | undefined,
  ) {
    super(
      `another upw process${holderPid === undefined ? '' : ` (pid ${holderPid})`} is writing the warehouse ${path}: ` +
        'one writer at a time (a daemon runs its own collections and catch-up); try again when it has finished',
    );
  }
}

/** No warehouse at the path yet (exit 4, as for a profile it does not hold): a reader never creates one. */
export class WarehouseNotFoundError extends UpwError {
  override readonly name = 'WarehouseNotFoundError';
  readonly exitCode = ExitCode.profileNotFound;
  constructor(readonly path: string, why: string) {
    super(`There is no warehouse at ${path} (${why}): run upw collect or upw backfill first, or pass --db`);
  }
}

/** A run finished, but some profile or platform failed (exit 5). */
export class PartialRunError extends UpwError {
  override readonly name = 'PartialRunError';
  readonly exitCode = ExitCode.partial;
}

/**
 * The team warehouse (PostgreSQL) could not be reached, refused the login,
 * has no such database, or refused the sync's statements (exit 5). The message
 * names the server by its URL with the password masked; the collection is not
 * affected.
 */
export class TeamWarehouseError extends UpwError {
  override readonly name = 'TeamWarehouseError';
  readonly exitCode = ExitCode.teamWarehouse;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** PostgreSQL holds this account from another warehouse file (exit 2: give each collector its own account). */
export class AccountTakenError extends BadInputError {
  override readonly name = 'AccountTakenError';
}

interface RequestContext {
  method: string;
  url: string;
}

/**
 * The live endpoint gave nothing to compare with: a 5xx, 429s or no connection
 * after the retries, or a body that is no answer (exit 5, in the server's words).
 */
export class LiveAnswerUnavailableError extends UpwError {
  override readonly name = 'LiveAnswerUnavailableError';
  readonly exitCode = ExitCode.partial;
  constructor(message: string, options?: { cause?: unknown }) {
    super(`the live endpoint gave no answer to compare with: ${message}`, options);
  }
}

/** Base of every failure talking to the Upload-Post API. */
export abstract class ApiError extends UpwError {
  readonly exitCode: ExitCode = ExitCode.unexpected;
  /** The kind recorded in run_errors. */
  abstract readonly kind: string;
  constructor(
    message: string,
    readonly request: RequestContext,
    readonly status?: number,
    readonly body?: string,
    options?: { cause?: unknown },
  ) {
    super(`${message} (${request.method} ${request.url}${status ? ` → ${status}` : ''})`, options);
  }
}

/** 401: the API refused the key. Never retried; stops the run (exit 3). */
export class ApiKeyRefusedError extends ApiError {
  override readonly name = 'ApiKeyRefusedError';
  override readonly exitCode = ExitCode.keyRefused;
  readonly kind = 'unauthorized';
}

/** 404: the profile (or post) does not exist for this key. */
export class ApiNotFoundError extends ApiError {
  override readonly name = 'ApiNotFoundError';
  override readonly exitCode = ExitCode.profileNotFound;
  readonly kind = 'not_found';
}

/** 400: the API rejected the parameters. */
export class ApiBadRequestError extends ApiError {
  override readonly name = 'ApiBadRequestError';
  override readonly exitCode = ExitCode.badInput;
  readonly kind = 'bad_request';
}

/** 429 still answered after got's retries ran out. */
export class ApiRateLimitedError extends ApiError {
  override readonly name = 'ApiRateLimitedError';
  readonly kind = 'rate_limited';
  constructor(message: string, request: RequestContext, status: number, body: string | undefined, readonly resetAt: Date | undefined, options?: { cause?: unknown }) {
    super(message, request, status, body, options);
  }
}

/** 5xx still answered after got's retries ran out. */
export class ApiServerError extends ApiError {
  override readonly name = 'ApiServerError';
  readonly kind = 'server_error';
}

/** Timeouts, resets, refused connections, after retries. */
export class ApiNetworkError extends ApiError {
  override readonly name = 'ApiNetworkError';
  readonly kind = 'network';
}

/** A 2xx whose body is not the JSON it should be. The raw text is kept in `body`. */
export class ApiMalformedResponseError extends ApiError {
  override readonly name = 'ApiMalformedResponseError';
  readonly kind = 'malformed';
}

/** Decide the exit code for anything thrown below the entry point. */
export function exitCodeOf(error: unknown): ExitCode {
  return error instanceof UpwError ? error.exitCode : ExitCode.unexpected;
}
