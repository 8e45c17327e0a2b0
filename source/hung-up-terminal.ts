// Exiting after the terminal went away (the SSH session dropped, the tmux pane was killed), in
// the TUI and headless alike.
//
// Why: at exit, Node 20 restores the terminal settings it saw at start on each of descriptors
// 0-2 that was a terminal then, and aborts when that fails (nodejs/node#51519, fixed in later
// majors); on a hung-up terminal it always fails (EIO), so the documented exit 0 became a
// SIGABRT and a core dump. Node skips a descriptor that now refers to another file, so each
// hung-up one is pointed at /dev/null before exiting.
import {closeSync, fstatSync, openSync} from 'node:fs';
import {isatty} from 'node:tty';

const STDIO = [0, 1, 2] as const;

/** A character device that no longer answers as a terminal: a terminal that hung up. */
function isHungUpTerminal(fd: number): boolean {
	try {
		return fstatSync(fd).isCharacterDevice() && !isatty(fd);
	} catch {
		// Closed: Node skips it too.
		return false;
	}
}

/**
 * Points each of stdin, stdout and stderr that is a hung-up terminal at /dev/null. Safe at any
 * time: a live terminal, a file or a pipe is left alone. Returns the descriptors replaced.
 */
export function releaseHungUpTerminal(): number[] {
	const replaced: number[] = [];
	for (const fd of STDIO) {
		if (!isHungUpTerminal(fd)) continue;
		try {
			closeSync(fd);
			// The lowest free descriptor: the one just closed.
			const devNull = openSync('/dev/null', 'r+');
			if (devNull !== fd) closeSync(devNull);
			replaced.push(fd);
		} catch {
			// Nothing better to do on the way out.
		}
	}
	return replaced;
}

let installed = false;

/**
 * Releases the hung-up terminal however zeek-tui exits (process.exit or the end of the event
 * loop): 'exit' listeners run before Node's own reset. Once per process.
 */
export function releaseHungUpTerminalOnExit(): void {
	if (installed) return;
	installed = true;
	process.once('exit', () => releaseHungUpTerminal());
}
