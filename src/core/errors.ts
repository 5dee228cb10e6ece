/**
 * One error family for the whole project. Every error has a stable `code`; the context sits in fields,
 * never only in the message. Each layer has its own subclass (KmpError, MeterError, DomoticzError, …);
 * which exit code an error earns is the CLI's business (src/cli/exit-codes.ts), not the thrower's.
 */
import { toHex } from './hex.js';

export interface MulticalErrorOptions {
  cause?: unknown;
  fields?: Record<string, unknown>;
}

export class MulticalError extends Error {
  readonly code: string;
  readonly fields: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, options: MulticalErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.fields = options.fields ?? {};
  }
}

/** A layer's error whose `code` is one of `C`: `class MeterError extends CodedError<MeterErrorCode> {}`. */
export class CodedError<C extends string> extends MulticalError {
  declare readonly code: C;

  constructor(code: C, message: string, options: MulticalErrorOptions = {}) {
    super(code, message, options);
  }
}

/** What a protocol violation names: the bytes expected and those that came (a number is one byte). */
export interface ProtocolErrorContext {
  expected?: number | Uint8Array | string;
  actual?: number | Uint8Array | string;
  cause?: unknown;
}

/** A protocol violation, the base of KmpError and MbusError: expected and actual bytes in hex, in `fields` too. */
export class ProtocolError<C extends string> extends CodedError<C> {
  readonly expected: string | undefined;
  readonly actual: string | undefined;

  constructor(code: C, message: string, context: ProtocolErrorContext = {}) {
    const expected = hexOf(context.expected);
    const actual = hexOf(context.actual);
    super(code, message, { cause: context.cause, fields: { expected, actual } });
    this.expected = expected;
    this.actual = actual;
  }
}

function hexOf(v: number | Uint8Array | string | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return toHex(Uint8Array.of(v & 0xff));
  return toHex(v);
}

/** Bad command line, bad configuration, a file we cannot use: found before anything is contacted. */
export class UsageError extends MulticalError {
  constructor(message: string, options: MulticalErrorOptions = {}) {
    super('USAGE', message, options);
  }
}

/** The run was stopped from outside: its deadline ran out, a signal came, or its output was closed. */
export class StopError extends MulticalError {
  declare readonly code: 'DEADLINE' | 'INTERRUPTED' | 'TERMINATED' | 'CLOSED';
  constructor(code: 'DEADLINE' | 'INTERRUPTED' | 'TERMINATED' | 'CLOSED', message: string) {
    super(code, message);
  }
}

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
