// Starting the cluster: --headless prints events; otherwise the TUI over an in-process client.
// Heavy modules (Ink, React) load only here, so validation and --dry-run stay quick.
import type {ClusterSpec} from '../cluster/types.js';
import {releaseHungUpTerminalOnExit} from '../hung-up-terminal.js';

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
	// A terminal that goes away must end in exit 0, not in Node 20's abort (nodejs/node#51519).
	releaseHungUpTerminalOnExit();
	if (options.headless) {
		const {runHeadless} = await import('../headless.js');
		return runHeadless(spec, {json: options.json, out: process.stdout});
	}

	const [
		{createController},
		{createLocalClient},
		{installExitHandlers},
		{runTui, restoreTerminal},
		{releaseMemoryWhenClusterQuiet, startAfterRelease},
	] = await Promise.all([
		import('../cluster/controller.js'),
		import('../cluster/local-client.js'),
		import('../cluster/exit-handlers.js'),
		loadTui(),
		import('../release-memory.js'),
	]);
	const controller = createController(spec);
	// Signals stop the cluster in order, an uncaught error leaves it running for the next supervisor;
	// either way the terminal comes back first.
	const uninstall = installExitHandlers(controller, {beforeExit: restoreTerminal});
	try {
		await startAfterRelease(controller);
	} catch (error) {
		// Refused before anything started (another zeek-tui owns the spool, a corrupt state file).
		uninstall();
		throw error;
	}
	const client = createLocalClient(controller, spec);
	const memory = releaseMemoryWhenClusterQuiet(controller);
	try {
		await runTui(client);
	} finally {
		memory.stop();
		client.close();
	}
	return 0;
}
