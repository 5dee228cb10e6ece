/**
 * One error family for the whole project. Every error has a stable `code`; the context sits in fields,
 * never only in the message. The CLI maps an error to an exit code through `exitCode`.
 */
export const ExitCode = {
  ok: 0,
  internal: 1,
  usage: 2,
  meter: 3,
  domoticz: 4,
  refused: 5,
  mqtt: 6,
  locked: 7,
  deadline: 8,
  sigint: 130,
  sigterm: 143,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface MulticalErrorOptions {
  cause?: unknown;
  exitCode?: ExitCodeValue;
  fields?: Record<string, unknown>;
}

export class MulticalError extends Error {
  readonly code: string;
  readonly exitCode: ExitCodeValue;
  readonly fields: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, options: MulticalErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = options.exitCode ?? ExitCode.internal;
    this.fields = options.fields ?? {};
  }
}

/** Bad command line, bad configuration: found before anything is contacted. */
export class UsageError extends MulticalError {
  constructor(message: string, options: Omit<MulticalErrorOptions, 'exitCode'> = {}) {
    super('USAGE', message, { ...options, exitCode: ExitCode.usage });
  }
}

export function isMulticalError(e: unknown): e is MulticalError {
  return e instanceof MulticalError;
}

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
