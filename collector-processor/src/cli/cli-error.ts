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
    const e = err as NodeJS.ErrnoException;
    const msg =
      e?.code === 'ENOENT' && e.path ? `no such file or folder: ${e.path}` : (e?.message ?? String(err));
    throw new CliError(msg.split('\n')[0]!);
  }
}
