// Output into a closed pipe (`zeek-tui --dry-run | head -1`) ends quietly: the reader has what
// it wanted. Without a listener, the EPIPE would be an uncaught exception with a stack trace.

function isClosedPipe(error: unknown): boolean {
	return (error as NodeJS.ErrnoException | undefined)?.code === 'EPIPE';
}

/**
 * For the commands that print and end (help, version, --dry-run, layout): stdout's reader gone
 * ends the program, exit 0 (1 for any other failure of stdout). Returns the function that
 * removes the listener, before a run that handles its own output.
 */
export function endQuietlyWhenStdoutCloses(): () => void {
	const onError = (error: unknown) => process.exit(isClosedPipe(error) ? 0 : 1);
	process.stdout.on('error', onError);
	return () => process.stdout.off('error', onError);
}

/** A message to a stderr nobody reads is lost, not a crash; the exit code still says what happened. */
export function ignoreStderrFailures(): void {
	process.stderr.on('error', () => undefined);
}
