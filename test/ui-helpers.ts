// Driving an Ink app from ink-testing-library: key sequences and waiting for frames.
import {setTimeout as delay} from 'node:timers/promises';

export const KEY = {
	up: '\u001B[A',
	down: '\u001B[B',
	right: '\u001B[C',
	left: '\u001B[D',
	pageUp: '\u001B[5~',
	pageDown: '\u001B[6~',
	enter: '\r',
	escape: '\u001B',
	tab: '\t',
	space: ' ',
	backspace: '\u007F',
	ctrlC: '\u0003',
} as const;

type Stdin = {write(data: string): void};

/**
 * Writes each key on its own, with a pause after each so Ink parses it as one key press (a lone
 * ESC is only taken as Escape once no more bytes follow) and React commits before the next.
 */
export async function press(stdin: Stdin, ...keys: string[]): Promise<void> {
	for (const key of keys) {
		await delay(15);
		stdin.write(key);
		await delay(15);
	}
}

/** Waits until `check` passes (it throws until then), up to a generous time on a busy machine. */
export async function eventually(check: () => void, timeoutMs = 3000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		try {
			check();
			return;
		} catch (error) {
			if (Date.now() > deadline) throw error;
			await delay(20);
		}
	}
}

/** Splits a frame into lines with trailing spaces trimmed. */
export function frameLines(frame: string | undefined): string[] {
	return (frame ?? '').split('\n').map((line) => line.trimEnd());
}
