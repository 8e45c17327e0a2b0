// Starting the cluster: --headless prints events; otherwise the TUI over an in-process client.
// Heavy modules (Ink, React) load only here, so validation and --dry-run stay quick.
import {setFlagsFromString} from 'node:v8';
import type {ClusterSpec} from '../cluster/types.js';

/**
 * V8 tuned for a small program that lives for months next to the capture: the young generation
 * stays at its initial 2 MB instead of growing to 32 MB (16 MB semi-spaces, and RSS with them)
 * after a burst of allocation such as a log flood; zeek-tui's live objects are few, so the extra
 * scavenges cost little. The same as node's `--max-semi-space-size=1`, which cannot be changed
 * once the heap exists, while the growth factor is read at every resize (measured: RSS 128 MB ->
 * 100 MB watching 32 nodes). Not every flag may change at run time: `--single-threaded-gc`,
 * which would save another half point of CPU, aborts V8 at the next major GC when set here.
 */
function tuneHeap(): void {
	setFlagsFromString('--semi-space-growth-factor=1');
}

/**
 * Loads Ink and React the way an interactive program needs them, without changing the
 * environment the nodes inherit:
 * - Ink draws no frame at all when it believes it runs in CI (is-in-ci reads CI when Ink loads);
 *   zeek-tui only gets here with a terminal on stdin and stdout, so it is interactive anyway.
 * - React picks its development build (several times the CPU per render) unless NODE_ENV says
 *   production when it loads.
 */
async function loadTui() {
	const overrides: Record<string, string | undefined> = {
		CI: undefined,
		CONTINUOUS_INTEGRATION: undefined,
		NODE_ENV: process.env['NODE_ENV'] ?? 'production',
	};
	const saved = Object.keys(overrides).map((name) => [name, process.env[name]] as const);
	for (const [name, value] of Object.entries(overrides)) {
		if (value === undefined) delete process.env[name];
		else process.env[name] = value;
	}
	try {
		return await import('../ui/run-tui.js');
	} finally {
		for (const [name, value] of saved) {
			if (value === undefined) delete process.env[name];
			else process.env[name] = value;
		}
	}
}

export async function runCluster(
	spec: ClusterSpec,
	options: {headless: boolean; json: boolean},
): Promise<number> {
	tuneHeap();
	if (options.headless) {
		const {runHeadless} = await import('../headless.js');
		return runHeadless(spec, {json: options.json, out: process.stdout});
	}

	const [
		{createController},
		{createLocalClient},
		{installExitHandlers},
		{runTui, restoreTerminal},
	] = await Promise.all([
		import('../cluster/controller.js'),
		import('../cluster/local-client.js'),
		import('../cluster/exit-handlers.js'),
		loadTui(),
	]);
	const controller = createController(spec);
	// Signals and uncaught errors stop the cluster in order; the terminal comes back first.
	const uninstall = installExitHandlers(controller, {beforeExit: restoreTerminal});
	try {
		await controller.start();
	} catch (error) {
		// Refused before anything started (another zeek-tui owns the spool, a corrupt state file).
		uninstall();
		throw error;
	}
	const client = createLocalClient(controller, spec);
	try {
		await runTui(client);
	} finally {
		client.close();
	}
	return 0;
}
