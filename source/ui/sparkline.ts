// Sparklines: a series of numbers as a row of block characters, one per value.

const BARS = '▁▂▃▄▅▆▇█';

/**
 * The newest `width` values as bars from 0 (▁) to `max` (█; default: the largest value shown).
 * Shorter than `width` while the series is. A value that is not a positive number draws ▁.
 */
export function sparkline(values: readonly number[], width: number, max?: number): string {
	const shown = width > 0 ? values.slice(-width) : [];
	const top = max ?? Math.max(0, ...shown.filter(Number.isFinite));
	const last = BARS.length - 1;
	return shown
		.map((value) => {
			if (!(top > 0) || !(value > 0)) return BARS[0];
			return BARS[Math.min(last, Math.round((Math.min(value, top) / top) * last))];
		})
		.join('');
}

/** CPU bars on a fixed 0-100 % scale (beyond that, the peak): rows compare at a glance. */
export function cpuSparkline(values: readonly number[], width: number): string {
	return sparkline(values, width, Math.max(100, ...values.slice(-width).filter(Number.isFinite)));
}
