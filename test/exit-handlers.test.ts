// How a bug of the supervisor itself ends it, with the hooks the TUI passes (the terminal restored
// before the exit): the nodes are detached, never stopped, and the exit code is 1. The headless
// process test (headless.test.ts) runs the same path in a real process.
import {afterEach, beforeEach, expect, it, vi} from 'vitest';
import type {Controller} from '../source/cluster/controller.js';
import {installExitHandlers} from '../source/cluster/exit-handlers.js';

let saved: NodeJS.UncaughtExceptionListener[] = [];
let written: string[] = [];

beforeEach(() => {
	// The test runner's own handler would report the error this test raises on purpose.
	saved = process.listeners('uncaughtException');
	process.removeAllListeners('uncaughtException');
	written = [];
	vi.spyOn(process.stderr, 'write').mockImplementation((text) => {
		written.push(String(text));
		return true;
	});
});

afterEach(() => {
	vi.restoreAllMocks();
	for (const listener of saved) process.on('uncaughtException', listener);
});

it('an uncaught exception: logged, the nodes detached not stopped, the terminal restored, exit 1', async () => {
	const calls: string[] = [];
	const controller = {
		stopAll: async () => {
			calls.push('stopAll');
		},
		killAll: () => calls.push('killAll'),
		detach: () => calls.push('detach'),
		logEvent: (kind: string, detail: object) => calls.push(`${kind} ${JSON.stringify(detail)}`),
	} as unknown as Controller;
	const sigintListeners = process.listenerCount('SIGINT');
	const exited = new Promise<number>((resolve) => {
		installExitHandlers(controller, {
			beforeExit: () => {
				calls.push('restore terminal');
			},
			exit: (code) => {
				calls.push(`exit ${code}`);
				resolve(code);
			},
		});
	});
	// What Node does with an error nothing caught (its typings leave this event out of emit()).
	const emit = process.emit.bind(process) as (event: string, ...args: unknown[]) => boolean;
	emit('uncaughtException', new Error('boom'), 'uncaughtException');
	expect(await exited).toBe(1);
	expect(calls).toEqual([
		'fatal {"what":"uncaught exception","message":"boom"}',
		'detach',
		'restore terminal',
		'exit 1',
	]);
	expect(written.join('')).toMatch(/^zeek-tui: uncaught exception: Error: boom\n/);
	expect(process.listenerCount('SIGINT')).toBe(sigintListeners);
});
