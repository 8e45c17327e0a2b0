// holdStderr on a FAKE stream: held text is bounded, and the stream gets its write back.
import {expect, test} from 'vitest';
import {HELD_STDERR_MAX, holdStderr} from '../source/ui/held-stderr.js';

function fakeStream() {
	const stream = {
		written: '',
		write(data: string) {
			stream.written += data;
			return true;
		},
	};
	return stream;
}

test('holds strings and buffers, calls the callbacks, and gives the write back', async () => {
	const stream = fakeStream();
	const held = holdStderr(stream as unknown as NodeJS.WriteStream);
	const out = stream as unknown as NodeJS.WriteStream;
	let called = 0;
	out.write('one ', () => called++);
	out.write(Buffer.from('two'), 'utf8', () => called++);
	expect(stream.written).toBe('');
	await new Promise((resolve) => process.nextTick(resolve));
	expect(called).toBe(2);
	expect(held.release()).toBe('one two');
	out.write('after');
	expect(stream.written).toBe('after');
	expect(held.release()).toBe('');
});

test('a flood is cut at the cap, and the cut is said', () => {
	const stream = fakeStream();
	const held = holdStderr(stream as unknown as NodeJS.WriteStream);
	const out = stream as unknown as NodeJS.WriteStream;
	for (let index = 0; index < 100; index++) out.write('x'.repeat(1024));
	const text = held.release();
	expect(text.startsWith('x'.repeat(HELD_STDERR_MAX))).toBe(true);
	expect(text.length).toBeLessThan(HELD_STDERR_MAX + 100);
	expect(text).toContain(`[${100 * 1024 - HELD_STDERR_MAX} more characters of stderr left out]`);
});
