// Runs the TUI on a terminal: alternate screen in, App until it exits, terminal back as it was.
import {render} from 'ink';
import {App} from '../app.js';
import type {ClusterClient} from '../cluster/types.js';
import {holdStderr, type HeldStderr} from './held-stderr.js';
import {installFastOutput} from './ink-fast-output.js';
import {createLivePainter} from './live-painter.js';

// Home: the painter addresses lines by their row, so Ink's frame must start on the first.
const ENTER_ALTERNATE_SCREEN = '\u001B[?1049h\u001B[H\u001B[?25l';
const LEAVE_ALTERNATE_SCREEN = '\u001B[?25h\u001B[?1049l';

export type RunTuiOptions = {
	stdin?: NodeJS.ReadStream;
	stdout?: NodeJS.WriteStream;
	/** Held while the TUI runs when it is a terminal too, and written out after leaving. */
	stderr?: NodeJS.WriteStream;
	/** Called once the UI has ended and the terminal is restored, before runTui settles. */
	beforeExit?: () => void;
};

/** The terminal the TUI has taken over, until restoreTerminal gives it back. */
let taken:
	| {
			stdin: NodeJS.ReadStream;
			stdout: NodeJS.WriteStream;
			stderr: NodeJS.WriteStream;
			heldStderr?: HeldStderr;
	  }
	| undefined;

/**
 * Leaves the alternate screen, shows the cursor, ends raw mode and writes out what stderr got
 * meanwhile (an uncaught error's message). Safe to call at any time and more than once (it does
 * nothing when the TUI is not running): exit and signal handlers call it so the operator's shell
 * is never left on a blank screen without a cursor or without the reason.
 */
export function restoreTerminal(): void {
	if (!taken) return;
	const {stdin, stdout, stderr, heldStderr} = taken;
	taken = undefined;
	const held = heldStderr?.release() ?? '';
	try {
		if (stdin.isTTY) stdin.setRawMode(false);
	} catch {
		// stdin may be gone already (hangup); the screen still has to be restored.
	}
	stdout.write(LEAVE_ALTERNATE_SCREEN);
	if (held !== '') {
		try {
			stderr.write(held);
		} catch {
			// The terminal is gone; the event log has the fatal errors.
		}
	}
}

/**
 * Shows the cluster until the operator quits (`q` or Ctrl-C, then `y`: the App stops the cluster
 * with client.stopAll() first). Rejects with the error that ended the UI, if one did.
 */
export async function runTui(client: ClusterClient, options: RunTuiOptions = {}): Promise<void> {
	const stdin = options.stdin ?? process.stdin;
	const stdout = options.stdout ?? process.stdout;
	const stderr = options.stderr ?? process.stderr;
	if (!stdin.isTTY) throw new Error('the TUI needs a terminal on stdin (use --headless)');

	stdout.write(ENTER_ALTERNATE_SCREEN);
	// stderr to a file or a pipe is left alone: only on the screen would it vanish.
	taken = {stdin, stdout, stderr, ...(stderr.isTTY ? {heldStderr: holdStderr(stderr)} : {})};
	try {
		await installFastOutput();
		const live = createLivePainter({stdout, client});
		// Ctrl-C is ours: the App asks before stopping the cluster in order, and kills what is left
		// while it stops. Console output is not redirected: nothing may print to the terminal while
		// the TUI owns it (log to files; stderr is held).
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
