// runTui on FAKE terminal streams (in-memory objects shaped like a TTY): what it writes around the
// App, and that the terminal is given back however the UI ends.
import {EventEmitter} from 'node:events';
import {afterEach, expect, test} from 'vitest';
import {restoreTerminal, runTui} from '../source/ui/run-tui.js';
import {FakeClusterClient} from './fake-cluster-client.js';
import {eventually, KEY, press} from './ui-helpers.js';

const ENTER = '\u001B[?1049h\u001B[H\u001B[?25l';
const LEAVE = '\u001B[?25h\u001B[?1049l';

/** A FAKE terminal output: records what is written; 100x30. */
class FakeTerminalOutput extends EventEmitter {
	isTTY = true;
	columns = 100;
	rows = 30;
	written = '';
	write(data: string) {
		this.written += data;
		return true;
	}
}

/** A FAKE terminal input in raw mode: `write` delivers one chunk the way a TTY does. */
class FakeTerminalInput extends EventEmitter {
	isTTY = true;
	rawMode = false;
	#pending: string[] = [];
	write(data: string) {
		this.#pending.push(data);
		this.emit('readable');
	}
	read() {
		return this.#pending.shift() ?? null;
	}
	setRawMode(mode: boolean) {
		this.rawMode = mode;
	}
	setEncoding() {}
	ref() {}
	unref() {}
	resume() {}
	pause() {}
}

function terminal() {
	const stdin = new FakeTerminalInput();
	const stdout = new FakeTerminalOutput();
	return {
		stdin,
		stdout,
		options: {
			stdin: stdin as unknown as NodeJS.ReadStream,
			stdout: stdout as unknown as NodeJS.WriteStream,
		},
	};
}

afterEach(() => {
	restoreTerminal();
});

test('enters the alternate screen, and after q y stops the cluster, leaves it and settles', async () => {
	const client = new FakeClusterClient();
	const {stdin, stdout, options} = terminal();
	const order: string[] = [];
	client.stopAllResult = async () => {
		order.push('stopAll');
	};
	const done = runTui(client, {...options, beforeExit: () => order.push('beforeExit')});
	expect(stdout.written.startsWith(ENTER)).toBe(true);
	await eventually(() => expect(stdout.written).toContain('worker-2'));
	expect(stdin.rawMode).toBe(true);

	await press(stdin, 'q', 'y');
	await done;
	expect(order).toEqual(['stopAll', 'beforeExit']);
	expect(stdout.written.endsWith(LEAVE)).toBe(true);
	expect(stdout.written.split(LEAVE)).toHaveLength(2);
	expect(stdin.rawMode).toBe(false);
});

test('Ctrl-C y stops the cluster and ends the UI (Ink does not exit on its own)', async () => {
	const client = new FakeClusterClient();
	const {stdin, stdout, options} = terminal();
	const done = runTui(client, options);
	await eventually(() => expect(stdout.written).toContain('worker-2'));
	await press(stdin, KEY.ctrlC);
	await eventually(() => expect(stdout.written).toContain('Stop the cluster and quit?'));
	await press(stdin, 'y');
	await done;
	expect(client.commands).toEqual([{command: 'stopAll'}]);
	expect(stdout.written.endsWith(LEAVE)).toBe(true);
});

test('an error inside the UI rejects runTui and still restores the terminal', async () => {
	const client = new FakeClusterClient();
	client.stopAllResult = () => Promise.reject(new Error('manager would not stop'));
	const {stdin, stdout, options} = terminal();
	let exits = 0;
	const done = runTui(client, {...options, beforeExit: () => exits++});
	await eventually(() => expect(stdout.written).toContain('worker-2'));
	// Observed before the key: runTui may reject while press() still waits after it.
	const rejected = expect(done).rejects.toThrow('manager would not stop');
	await press(stdin, KEY.ctrlC, 'y');
	await rejected;
	expect(stdout.written.endsWith(LEAVE)).toBe(true);
	expect(exits).toBe(1);
});

test('a render error rejects runTui and restores the terminal', async () => {
	const client = new FakeClusterClient();
	client.snapshot = () => {
		throw new Error('snapshot failed');
	};
	const {stdout, options} = terminal();
	await expect(runTui(client, options)).rejects.toThrow('snapshot failed');
	expect(stdout.written.startsWith(ENTER)).toBe(true);
	expect(stdout.written.endsWith(LEAVE)).toBe(true);
});

test('restoreTerminal (for signal handlers) restores once, however often it is called', async () => {
	const client = new FakeClusterClient();
	const {stdin, stdout, options} = terminal();
	const done = runTui(client, options);
	await eventually(() => expect(stdout.written).toContain('worker-2'));
	restoreTerminal();
	restoreTerminal();
	expect(stdout.written.split(LEAVE)).toHaveLength(2);
	expect(stdin.rawMode).toBe(false);
	await press(stdin, KEY.ctrlC, 'y');
	await done;
	expect(stdout.written.split(LEAVE)).toHaveLength(2);
});

test('without a terminal on stdin it refuses before touching the screen', async () => {
	const {stdin, stdout, options} = terminal();
	stdin.isTTY = false;
	await expect(runTui(new FakeClusterClient(), options)).rejects.toThrow('needs a terminal');
	expect(stdout.written).toBe('');
});

test('what stderr gets while the TUI runs (an uncaught error) is written after leaving the screen', async () => {
	const client = new FakeClusterClient();
	const {stdin, stdout, options} = terminal();
	// The same terminal as stdout: what was written where, in order.
	const stderr = new FakeTerminalOutput();
	const screen: string[] = [];
	stdout.write = (data: string) => (screen.push(data), true);
	stderr.write = (data: string) => (screen.push(`stderr:${data}`), true);
	const done = runTui(client, {...options, stderr: stderr as unknown as NodeJS.WriteStream});
	await eventually(() => expect(screen.join('')).toContain('worker-2'));

	// As exit-handlers' report of an uncaught exception writes it, then restores the terminal.
	(stderr as unknown as NodeJS.WriteStream).write('zeek-tui: uncaught exception: boom\n');
	expect(screen.join('')).not.toContain('boom');
	restoreTerminal();
	const leave = screen.findIndex((data) => data.includes(LEAVE));
	const message = screen.findIndex((data) => data.includes('boom'));
	expect(leave).toBeGreaterThan(-1);
	expect(message).toBeGreaterThan(leave);
	expect(screen[message]).toBe('stderr:zeek-tui: uncaught exception: boom\n');

	// stderr is its own again.
	(stderr as unknown as NodeJS.WriteStream).write('later\n');
	expect(screen.at(-1)).toBe('stderr:later\n');
	await press(stdin, 'q', 'y');
	await done;
});

test('stderr that is not a terminal is not held', async () => {
	const client = new FakeClusterClient();
	const {stdin, stdout, options} = terminal();
	const stderr = new FakeTerminalOutput();
	stderr.isTTY = false;
	const done = runTui(client, {...options, stderr: stderr as unknown as NodeJS.WriteStream});
	await eventually(() => expect(stdout.written).toContain('worker-2'));
	(stderr as unknown as NodeJS.WriteStream).write('warning\n');
	expect(stderr.written).toBe('warning\n');
	await press(stdin, 'q', 'y');
	await done;
});
