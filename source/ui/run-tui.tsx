// Runs the TUI on a terminal: alternate screen in, App until it exits, terminal back as it was.
import {render} from 'ink';
import {App} from '../app.js';
import type {ClusterClient} from '../cluster/types.js';
import {releaseHungUpTerminal} from './hung-up-terminal.js';
import {installFastOutput} from './ink-fast-output.js';
import {createLivePainter} from './live-painter.js';

// Home: the painter addresses lines by their row, so Ink's frame must start on the first.
const ENTER_ALTERNATE_SCREEN = '\u001B[?1049h\u001B[H\u001B[?25l';
const LEAVE_ALTERNATE_SCREEN = '\u001B[?25h\u001B[?1049l';

export type RunTuiOptions = {
	stdin?: NodeJS.ReadStream;
	stdout?: NodeJS.WriteStream;
	/** Called once the UI has ended and the terminal is restored, before runTui settles. */
	beforeExit?: () => void;
};

/** The terminal the TUI has taken over, until restoreTerminal gives it back. */
let taken: {stdin: NodeJS.ReadStream; stdout: NodeJS.WriteStream} | undefined;

/**
 * Leaves the alternate screen, shows the cursor and ends raw mode. Safe to call at any time and
 * more than once (it does nothing when the TUI is not running): exit and signal handlers call it
 * so the operator's shell is never left on a blank screen without a cursor.
 */
export function restoreTerminal(): void {
	if (!taken) {
		releaseHungUpTerminal();
		return;
	}
	const {stdin, stdout} = taken;
	taken = undefined;
	try {
		if (stdin.isTTY) stdin.setRawMode(false);
	} catch {
		// stdin may be gone already (hangup); the screen still has to be restored.
	}
	stdout.write(LEAVE_ALTERNATE_SCREEN);
	// Last: exit and signal handlers call this right before process.exit.
	releaseHungUpTerminal();
}

/**
 * Shows the cluster until the operator quits (`q` then `y`, or Ctrl-C: the App stops the cluster
 * with client.stopAll() first). Rejects with the error that ended the UI, if one did.
 */
export async function runTui(client: ClusterClient, options: RunTuiOptions = {}): Promise<void> {
	const stdin = options.stdin ?? process.stdin;
	const stdout = options.stdout ?? process.stdout;
	if (!stdin.isTTY) throw new Error('the TUI needs a terminal on stdin (use --headless)');

	stdout.write(ENTER_ALTERNATE_SCREEN);
	taken = {stdin, stdout};
	try {
		await installFastOutput();
		const live = createLivePainter({stdout, client});
		// Ctrl-C is ours: the App stops the cluster in order before it exits. Console output is not
		// redirected: nothing may print to the terminal while the TUI owns it (log to files).
		const instance = render(<App client={client} live={live} />, {
			stdin,
			stdout: live.stream,
			exitOnCtrlC: false,
			patchConsole: false,
		});
		try {
			await instance.waitUntilExit();
		} finally {
			live.stop();
			instance.cleanup();
		}
	} finally {
		restoreTerminal();
		options.beforeExit?.();
	}
}
