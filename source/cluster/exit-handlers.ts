// How zeek-tui ends (DESIGN §3). Every path leaves the nodes either stopped in order or running
// and recorded in the state file (which the controller keeps current on every change), so the
// next zeek-tui on the spool adopts them instead of starting a second copy.
//
//   SIGINT, SIGTERM        stop every node in stop order, then exit 0
//   again while stopping   SIGKILL every node still running (the operator will not wait), exit 0
//   SIGHUP                 the operator's terminal went away: leave the nodes running, write the
//                          state file, exit 0 (nothing failed; the next zeek-tui adopts them).
//                          While already stopping in order, the stop goes on.
//   uncaught exception,    a bug in zeek-tui, not a reason to take the sensor down: log it (stderr
//   unhandled rejection    and zeek-tui.log), leave the nodes running with the state file written
//                          (detach), exit 1 so that systemd restarts the supervisor and the new
//                          one adopts them. While already stopping in order, the stop goes on.
//   the terminal is gone   EIO/EPIPE writing to stdout or stderr (the SSH session or the tmux
//                          server died before or without a SIGHUP): as SIGHUP. Writing about it
//                          to that terminal fails again, so nothing is written there twice.
//                          Not for --headless: there a closed stdout only stops the printing.
import type {Controller} from './controller.js';

const TERMINAL_GONE = new Set(['EIO', 'EPIPE', 'ENXIO', 'ECONNRESET']);

function isTerminalGone(error: unknown): boolean {
	return TERMINAL_GONE.has((error as NodeJS.ErrnoException | undefined)?.code ?? '');
}

/** Only the first few fatal errors are logged: a handler that fails again must not loop. */
const MAX_FATAL_REPORTS = 5;

export type ExitHooks = {
	/** Runs before the program ends (the TUI restores the terminal here). Errors are ignored. */
	beforeExit?: () => void | Promise<void>;
	/** Ends the program; `process.exit` by default (runHeadless resolves its promise instead). */
	exit?: (code: number) => void;
	/**
	 * The streams whose failure means the operator's terminal is gone (as SIGHUP): stdout and
	 * stderr by default; none for --headless, whose output nobody may read without it mattering.
	 */
	terminalStreams?: readonly NodeJS.WritableStream[];
};

/** Installs the handlers on `process`; returns the function that removes them. */
export function installExitHandlers(controller: Controller, hooks: ExitHooks = {}): () => void {
	let ending = false;
	let killed = false;
	let exitCode = 0;

	const finish = async () => {
		try {
			await hooks.beforeExit?.();
		} catch {
			// The terminal may be gone (SIGHUP); exiting matters more.
		}
		uninstall();
		(hooks.exit ?? process.exit)(exitCode);
	};

	const stopInOrder = () => {
		controller.stopAll().then(finish, (error: unknown) => {
			exitCode = 1;
			reportFatal('stopAll', error);
			void finish();
		});
	};

	const onStopSignal = (signal: NodeJS.Signals) => {
		if (ending) {
			if (killed) return;
			killed = true;
			controller.logEvent('signal', {signal, action: 'kill-all'});
			controller.killAll();
			return;
		}
		ending = true;
		controller.logEvent('signal', {signal, action: 'stop-all'});
		stopInOrder();
	};

	const onHangup = () => {
		if (ending) return;
		ending = true;
		controller.logEvent('signal', {signal: 'SIGHUP', action: 'detach'});
		controller.detach();
		void finish();
	};

	let fatalReports = 0;
	let terminalGone = false;
	const reportFatal = (what: string, error: unknown) => {
		if (++fatalReports > MAX_FATAL_REPORTS) return;
		const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
		if (!terminalGone) {
			try {
				process.stderr.write(`zeek-tui: ${what}: ${message}\n`);
			} catch {
				// stderr may be closed; the event log still has it.
			}
		}
		controller.logEvent('fatal', {
			what,
			message: error instanceof Error ? error.message : String(error),
		});
	};

	const onTerminalError = (error: unknown) => {
		terminalGone = true;
		if (!ending)
			controller.logEvent('terminal-gone', {
				code: (error as NodeJS.ErrnoException).code ?? 'unknown',
			});
		onHangup();
	};

	const onFatal = (what: string) => (error: unknown) => {
		if (isTerminalGone(error)) {
			onTerminalError(error);
			return;
		}
		exitCode = 1;
		reportFatal(what, error);
		if (ending) return;
		ending = true;
		try {
			controller.detach();
		} catch (detachError) {
			// The state file was written on the last change; exiting for a restart matters more.
			reportFatal('detach', detachError);
		}
		void finish();
	};

	const onInterrupt = () => onStopSignal('SIGINT');
	const onTerminate = () => onStopSignal('SIGTERM');
	const onException = onFatal('uncaught exception');
	const onRejection = onFatal('unhandled rejection');

	process.on('SIGINT', onInterrupt);
	process.on('SIGTERM', onTerminate);
	process.on('SIGHUP', onHangup);
	process.on('uncaughtException', onException);
	process.on('unhandledRejection', onRejection);
	// A write to a terminal that is gone fails asynchronously on the stream, not at the call.
	const terminalStreams: readonly NodeJS.WritableStream[] = hooks.terminalStreams ?? [
		process.stdout,
		process.stderr,
	];
	for (const stream of terminalStreams) stream.on('error', onTerminalError);

	function uninstall(): void {
		process.off('SIGINT', onInterrupt);
		process.off('SIGTERM', onTerminate);
		process.off('SIGHUP', onHangup);
		process.off('uncaughtException', onException);
		process.off('unhandledRejection', onRejection);
		for (const stream of terminalStreams) stream.off('error', onTerminalError);
	}

	return uninstall;
}
