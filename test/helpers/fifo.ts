// Real FIFOs for the tests that prove zeek-tui never blocks on one, and a watchdog that makes a
// regression fail instead of hanging the test run: after `afterMs` it opens the FIFO read-write
// (which never blocks on Linux), releasing an open() of either end that blocked, then closes it so
// a blocked read() sees end of file.
import {execFileSync, spawn, type ChildProcess} from 'node:child_process';

export function makeFifo(file: string): void {
	execFileSync('mkfifo', [file]);
}

/** The watchdogs of the running test: `guard(fifo)` arms one, `stop()` (in afterEach) ends all. */
export class FifoGuards {
	private readonly children: ChildProcess[] = [];

	guard(file: string, afterMs = 3000): void {
		this.children.push(
			spawn('sh', ['-c', 'sleep "$2"; exec 3<>"$1"; sleep 1', 'sh', file, String(afterMs / 1000)], {
				stdio: 'ignore',
			}),
		);
	}

	stop(): void {
		for (const child of this.children.splice(0)) child.kill('SIGKILL');
	}
}

/** Runs `step` and returns how long it took, in ms. */
export function timed(step: () => void): number {
	const began = performance.now();
	step();
	return performance.now() - began;
}
