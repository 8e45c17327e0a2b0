// Sparklines: a series of numbers as a row of block characters, one per value.

const BARS = '▁▂▃▄▅▆▇█';
/** One ASCII letter per bar, in the same order; none of them occurs in an ANSI colour code. */
const LETTERS = 'abcdefgh';

/**
 * The newest `width` values as bars from 0 (▁) to `max` (█; default: the largest value shown).
 * Shorter than `width` while the series is. A value that is not a positive number draws ▁.
 */
export function sparkline(values: readonly number[], width: number, max?: number): string {
	// Loops, not slice/filter/map: this draws a row of every table line at each refresh.
	const from = firstShown(values, width);
	const top = max ?? peak(values, from, 0);
	const last = BARS.length - 1;
	let bars = '';
	for (let index = from; index < values.length; index++) {
		const value = values[index]!;
		const level = top > 0 && value > 0 ? Math.round((Math.min(value, top) / top) * last) : 0;
		// An infinite top or value gives NaN: the lowest bar, not a gap in the row.
		bars += BARS[Math.min(last, level)] ?? BARS[0];
	}
	return bars;
}

/** Index of the oldest of the newest `width` values (none shown for a width of 0 or less). */
function firstShown(values: readonly number[], width: number): number {
	return width > 0 ? Math.max(0, values.length - width) : values.length;
}

/** The largest finite value from `from` on, and at least `floor`. */
function peak(values: readonly number[], from: number, floor: number): number {
	let top = floor;
	for (let index = from; index < values.length; index++) {
		const value = values[index]!;
		if (Number.isFinite(value) && value > top) top = value;
	}
	return top;
}

/** CPU bars on a fixed 0-100 % scale (beyond that, the peak): rows compare at a glance. */
export function cpuSparkline(values: readonly number[], width: number): string {
	return sparkline(values, width, peak(values, firstShown(values, width), 100));
}

/**
 * The bars as ASCII letters of the same width, and back. Ink measures every text on every frame,
 * a text of ASCII in one test and any other by grapheme (32 sparklines were 40 % of a key's frame);
 * the table hands Ink the letters inside a <Transform> that turns them back into bars as Ink
 * writes them out. Anything else (ANSI codes, `…`) passes through.
 */
export function barsAsLetters(bars: string): string {
	return translate(bars, BARS, LETTERS);
}

export function lettersAsBars(text: string): string {
	return translate(text, LETTERS, BARS);
}

function translate(text: string, from: string, to: string): string {
	let translated = '';
	for (const character of text) {
		const index = from.indexOf(character);
		translated += index === -1 ? character : to[index]!;
	}
	return translated;
}
