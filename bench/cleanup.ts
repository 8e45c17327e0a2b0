// Everything the benchmark starts is registered here and undone on every way out: a run that
// passes, one that throws, a Ctrl-C, or the watchdog that bounds a run in time.
type Cleanup = {what: string; run: () => void | Promise<void>};

const pending: Cleanup[] = [];

/** Registers an undo step; the returned function runs it now (once) and forgets it. */
export function onCleanup(what: string, run: () => void | Promise<void>): () => Promise<void> {
	const entry = {what, run};
	pending.push(entry);
	return async () => {
		const index = pending.indexOf(entry);
		if (index === -1) return;
		pending.splice(index, 1);
		await runOne(entry);
	};
}

async function runOne(entry: Cleanup): Promise<void> {
	try {
		await entry.run();
	} catch (error) {
		console.error(`bench: cleanup "${entry.what}" failed: ${(error as Error).message}`);
	}
}

/** Undoes everything still registered, newest first. */
export async function cleanupAll(): Promise<void> {
	while (pending.length > 0) await runOne(pending.pop()!);
}

let exiting = false;

export async function cleanupAndExit(code: number, reason?: string): Promise<never> {
	if (!exiting) {
		exiting = true;
		if (reason) console.error(`bench: ${reason}`);
		await cleanupAll();
	}
	process.exit(code);
}

export function installExitHandlers(): void {
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
		process.on(signal, () => void cleanupAndExit(130, `${signal}: cleaning up`));
	}
	process.on(
		'uncaughtException',
		(error) => void cleanupAndExit(1, `uncaught: ${error.stack ?? error}`),
	);
	process.on(
		'unhandledRejection',
		(error) => void cleanupAndExit(1, `unhandled rejection: ${(error as Error)?.stack ?? error}`),
	);
}

/**
 * Runs `body` with a hard time limit: when it is exceeded everything is cleaned up and the
 * benchmark exits, so a hung program or terminal never leaves the machine busy.
 */
export async function withinTime<T>(
	what: string,
	limitMs: number,
	body: () => Promise<T>,
): Promise<T> {
	const watchdog = setTimeout(
		() => void cleanupAndExit(1, `${what}: exceeded ${Math.round(limitMs / 1000)} s, aborted`),
		limitMs,
	);
	try {
		return await body();
	} finally {
		clearTimeout(watchdog);
	}
}
