// How zeek-tui ends (DESIGN §3). Every path leaves the nodes either stopped in order or running
// and recorded in the state file (which the controller keeps current on every change), so the
// next zeek-tui on the spool adopts them instead of starting a second copy.
//
//   SIGINT, SIGTERM        stop every node in stop order, then exit 0
//   again while stopping   SIGKILL every node still running (the operator will not wait), exit 0
//   SIGHUP                 the operator's terminal went away: leave the nodes running, write the
//                          state file, exit 0 (nothing failed; the next zeek-tui adopts them).
//                          While already stopping in order, the stop goes on.
//   uncaught exception,    log it (stderr and the event stream), stop every node in order, exit 1
//   unhandled rejection
import type {Controller} from './controller.js';

export type ExitHooks = {
	/** Runs before the program ends (the TUI restores the terminal here). Errors are ignored. */
	beforeExit?: () => void | Promise<void>;
	/** Ends the program; `process.exit` by default (runHeadless resolves its promise instead). */
	exit?: (code: number) => void;
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

	const reportFatal = (what: string, error: unknown) => {
		const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
		try {
			process.stderr.write(`zeek-tui: ${what}: ${message}\n`);
		} catch {
			// stderr may be closed; the event log still has it.
		}
		controller.logEvent('fatal', {
			what,
			message: error instanceof Error ? error.message : String(error),
		});
	};

	const onFatal = (what: string) => (error: unknown) => {
		exitCode = 1;
		reportFatal(what, error);
		if (ending) return;
		ending = true;
		stopInOrder();
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

	function uninstall(): void {
		process.off('SIGINT', onInterrupt);
		process.off('SIGTERM', onTerminate);
		process.off('SIGHUP', onHangup);
		process.off('uncaughtException', onException);
		process.off('unhandledRejection', onRejection);
	}

	return uninstall;
}
