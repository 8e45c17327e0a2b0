// `zeek-tui --headless`: the supervisor with no screen, for systemd and scripts. One event per
// line on `out` (text, or JSON lines with --json); the same lines go to <spool>/.zeek-tui/zeek-tui.log.
import type {Writable} from 'node:stream';
import {
	createController,
	formatEventJson,
	formatEventText,
	type ControllerOptions,
} from './cluster/controller.js';
import {installExitHandlers} from './cluster/exit-handlers.js';
import type {ClusterSpec} from './cluster/types.js';
import {releaseMemoryWhenClusterQuiet, startAfterRelease} from './release-memory.js';

export type HeadlessOptions = {
	json: boolean;
	out: Writable;
	controllerOptions?: ControllerOptions;
};

/**
 * Supervises until a signal ends it; resolves with the exit code (0 after a clean stop or a
 * SIGHUP detach, 1 after a fatal error). Rejects, having started nothing, when the spool cannot be
 * taken: SpoolBusyError (another zeek-tui supervises it) or StateFileError (corrupt state file).
 */
export async function runHeadless(spec: ClusterSpec, options: HeadlessOptions): Promise<number> {
	const controller = createController(spec, options.controllerOptions);
	const format = options.json ? formatEventJson : formatEventText;
	let outputOpen = true;
	// A closed stdout (the reader of a pipe went away) must not take the sensor down: the events
	// still go to zeek-tui.log.
	options.out.on('error', (error: Error) => {
		if (!outputOpen) return;
		outputOpen = false;
		controller.logEvent('error', {message: `event output closed: ${error.message}`});
	});
	controller.onEvent((event) => {
		if (outputOpen) options.out.write(`${format(event)}\n`);
	});
	// A message to a stderr nobody reads is lost, not a reason to stop supervising.
	const ignore = () => undefined;
	process.stderr.on('error', ignore);
	const memory = releaseMemoryWhenClusterQuiet(controller);
	return new Promise<number>((resolve, reject) => {
		// No terminal here: a closed stdout or stderr is not a hangup (that is SIGHUP's word).
		const uninstall = installExitHandlers(controller, {exit: resolve, terminalStreams: []});
		startAfterRelease(controller).catch((error: unknown) => {
			uninstall();
			reject(error);
		});
	}).finally(() => {
		memory.stop();
		process.stderr.off('error', ignore);
	});
}
