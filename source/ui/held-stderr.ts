// What is written to stderr while the TUI owns the screen (the message of an uncaught error,
// a warning) is held and written again after leaving the alternate screen: written at once,
// it would vanish with the alternate screen.

/** Enough for any message; a flood beyond it is cut, and the cut is said. */
export const HELD_STDERR_MAX = 64 * 1024;

export type HeldStderr = {
	/** Gives stderr its own write back; returns the text held meanwhile. */
	release(): string;
};

type WriteCallback = (error?: Error | null) => void;

export function holdStderr(stderr: NodeJS.WriteStream): HeldStderr {
	let held = '';
	let cut = 0;
	const write = stderr.write;
	const hold = (
		chunk: string | Uint8Array,
		encoding?: BufferEncoding | WriteCallback,
		callback?: WriteCallback,
	): boolean => {
		const text =
			typeof chunk === 'string'
				? chunk
				: Buffer.from(chunk).toString(typeof encoding === 'string' ? encoding : 'utf8');
		const room = HELD_STDERR_MAX - held.length;
		held += text.slice(0, Math.max(0, room));
		cut += Math.max(0, text.length - room);
		const done = typeof encoding === 'function' ? encoding : callback;
		if (done) process.nextTick(done);
		return true;
	};
	stderr.write = hold as NodeJS.WriteStream['write'];
	return {
		release() {
			if (stderr.write === hold) stderr.write = write;
			const text = cut > 0 ? `${held}\n[${cut} more characters of stderr left out]\n` : held;
			held = '';
			cut = 0;
			return text;
		},
	};
}
