// Starting the cluster: --headless prints events; otherwise the TUI over an in-process client.
// Heavy modules (Ink, React) load only here, so validation and --dry-run stay quick.
import {setFlagsFromString} from 'node:v8';
import type {ClusterSpec} from '../cluster/types.js';

/**
 * Starting (loading Ink and React, spawning every node, the first frames) leaves many objects
 * alive, which V8 takes as a reason to grow its young generation to its 32 MB maximum, and that
 * memory stays resident for as long as zeek-tui runs. Growth is held off while starting (V8 reads
 * the factor at every resize; node's --max-semi-space-size could not be changed from here) and
 * allowed again once the screen is up, where it grows only as far as the steady state needs.
 * Held off for good, the young generation stays at 2 MB and the objects of a 2 s refresh get
 * promoted and collected by full GCs: 0.75 points more CPU with 32 nodes.
 */
const STARTUP_MS = 15_000;
function holdYoungGenerationWhileStarting(): void {
	setFlagsFromString('--semi-space-growth-factor=1');
	setTimeout(() => setFlagsFromString('--semi-space-growth-factor=2'), STARTUP_MS).unref();
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
	holdYoungGenerationWhileStarting();
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
