/** An expected failure (bad input, missing file): printed as one line, exit code non-zero. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Runs a command body; any error it throws becomes a one-line CLI error. */
export async function asCliError<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(describeError(err));
  }
}

/** What a failed system call means, for the errors people meet running the CLI. */
const ERRNO_TEXT: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  EIO: 'input/output error',
  ENOENT: 'no such file or folder',
  ENOTDIR: 'not a folder',
  EISDIR: 'is a folder',
  EMFILE: 'too many open files',
  EADDRINUSE: 'address already in use',
};

const VERB: Record<string, string> = {
  open: 'opening',
  write: 'writing',
  mkdir: 'creating',
  rename: 'renaming',
  unlink: 'removing',
  read: 'reading',
  scandir: 'reading',
  listen: 'listening on',
};

/**
 * One line saying what went wrong, for anything a command can throw: an Error (first line of its
 * message), an errno error (`no space left on device writing /data/x`), an AggregateError (its
 * first cause; pg reports a refused connection so, with an empty message), or a value that is no
 * Error at all (a string, an object), never `[object Object]`.
 */
export function describeError(err: unknown): string {
  const e = (typeof err === 'object' && err !== null ? err : {}) as Partial<NodeJS.ErrnoException> & {
    errors?: unknown[];
  };
  if (typeof e.code === 'string' && ERRNO_TEXT[e.code] !== undefined) {
    const where = e.path ?? (e as { address?: string }).address;
    const verb = (e.syscall && VERB[e.syscall]) ?? 'at';
    return where ? `${ERRNO_TEXT[e.code]} ${verb} ${where}` : ERRNO_TEXT[e.code]!;
  }
  if (err instanceof AggregateError && !err.message && err.errors.length > 0)
    return describeError(err.errors[0]);
  const message = typeof e.message === 'string' && e.message !== '' ? e.message : undefined;
  if (message) return firstLine(message);
  if (err instanceof Error) return err.name;
  if (typeof err === 'object' && err !== null) {
    try {
      return firstLine(JSON.stringify(err)).slice(0, 200);
    } catch {
      return `${err.constructor?.name ?? 'an object'} thrown (not an Error)`;
    }
  }
  return firstLine(String(err));
}

const firstLine = (s: string) => s.split('\n')[0]!;
