// Drives the real program in a real terminal: a tmux server of the test's own (its own socket,
// so it never touches the operator's tmux), send-keys to type, capture-pane to read the screen.
import {execFileSync} from 'node:child_process';
import {cleanEnv} from './cli.js';
import {waitFor} from './processes.js';

export type Terminal = {
	screen(): string;
	press(...keys: string[]): void;
	type(text: string): void;
	resize(columns: number, rows: number): void;
	waitForText(text: string | RegExp, timeoutMs?: number): Promise<string>;
	alive(): boolean;
	close(): void;
};

export type TerminalOptions = {
	columns: number;
	rows: number;
	cwd: string;
	env?: Record<string, string>;
	/**
	 * The command's exit status goes to this file, as the shell reports it (128 + N after signal
	 * N), even after the terminal went away: a shell that ignores the hangup runs it.
	 */
	exitStatusFile?: string;
	/** With exitStatusFile: keep the pane alive after the program exits, to read all it printed. */
	holdPane?: boolean;
};

/**
 * `command` under a shell that outlives the terminal and writes the exit status to `file`; with
 * `holdPane`, the shell then stays until close(), since tmux drops the first line of a dead pane.
 */
function recordingExitStatus(command: string[], file: string, holdPane: boolean): string[] {
	const hold = holdPane ? '; trap - HUP; exec sleep 600' : '';
	return ['sh', '-c', `trap "" HUP; "$@"; echo $? > "$0"${hold}`, file, ...command];
}

export function openTerminal(command: string[], options: TerminalOptions): Terminal {
	const socket = `zeek-tui-test-${process.pid}-${Date.now()}`;
	// The server's environment is what the program inherits: the test's, less ZEEK_* and CI markers.
	const serverEnv = cleanEnv();
	const tmux = (...args: string[]) =>
		execFileSync('tmux', ['-L', socket, ...args], {encoding: 'utf8', env: serverEnv});
	const envArgs = Object.entries(options.env ?? {}).flatMap(([key, value]) => [
		'-e',
		`${key}=${value}`,
	]);
	// remain-on-exit keeps the pane after the program exits, so the test can read its last screen.
	tmux(
		'-f',
		'/dev/null',
		'start-server',
		';',
		'set-option',
		'-g',
		'remain-on-exit',
		'on',
		';',
		'new-session',
		'-d',
		'-s',
		'main',
		'-x',
		String(options.columns),
		'-y',
		String(options.rows),
		'-c',
		options.cwd,
		...envArgs,
		'--',
		...(options.exitStatusFile
			? recordingExitStatus(command, options.exitStatusFile, options.holdPane === true)
			: command),
	);
	const screen = () => tmux('capture-pane', '-p', '-t', 'main');
	// The shell that records the exit status outlives the terminal; close() ends it by its pid.
	const panePid = Number(tmux('display-message', '-p', '-t', 'main', '#{pane_pid}').trim());
	return {
		screen,
		press: (...keys) => tmux('send-keys', '-t', 'main', ...keys),
		type: (text) => tmux('send-keys', '-t', 'main', '-l', text),
		resize(columns, rows) {
			tmux('resize-window', '-t', 'main', '-x', String(columns), '-y', String(rows));
		},
		async waitForText(text, timeoutMs = 15_000) {
			return waitFor(
				() => {
					const current = screen();
					return (typeof text === 'string' ? current.includes(text) : text.test(current))
						? current
						: undefined;
				},
				{timeoutMs, what: `${String(text)} on screen`},
			);
		},
		alive() {
			return tmux('display-message', '-p', '-t', 'main', '#{pane_dead}').trim() === '0';
		},
		close() {
			try {
				tmux('kill-server');
			} catch {
				// Already gone.
			}
			if (options.holdPane !== true) return;
			try {
				process.kill(panePid, 'SIGKILL');
			} catch {
				// Already gone.
			}
		},
	};
}
