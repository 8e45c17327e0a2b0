// Starting the cluster: --headless prints events; otherwise the TUI over an in-process client.
// Heavy modules (Ink, React) load only here, so validation and --dry-run stay quick.
import type {ClusterSpec} from '../cluster/types.js';

/**
 * Ink draws no frame at all when it believes it runs in CI (is-in-ci reads CI when Ink loads).
 * zeek-tui only gets here with a terminal on stdin and stdout, so it is interactive whatever CI
 * says: the markers are hidden while Ink loads, then put back for the nodes' environment.
 */
async function loadTuiOutsideCi() {
	const markers = ['CI', 'CONTINUOUS_INTEGRATION'] as const;
	const saved = markers.map((name) => [name, process.env[name]] as const);
	for (const name of markers) delete process.env[name];
	try {
		return await import('../ui/run-tui.js');
	} finally {
		for (const [name, value] of saved) if (value !== undefined) process.env[name] = value;
	}
}

export async function runCluster(
	spec: ClusterSpec,
	options: {headless: boolean; json: boolean},
): Promise<number> {
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
		loadTuiOutsideCi(),
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
