// A line of the screen as plain data: runs of text, each with its colour and weight. The views
// draw it with Ink (<SegmentLine>), the live painter writes the very same data as ANSI text, so a
// figure painted between two Ink frames looks exactly as the next frame will draw it.

export type Segment = {
	text: string;
	/** An Ink colour name from the theme, or undefined for the terminal's own. */
	color?: string | undefined;
	bold?: boolean | undefined;
	dim?: boolean | undefined;
};

/** SGR codes of the colours the theme uses (the ones chalk, and so Ink, writes for them). */
const FOREGROUND: Record<string, number> = {
	black: 30,
	red: 31,
	green: 32,
	yellow: 33,
	blue: 34,
	magenta: 35,
	cyan: 36,
	white: 37,
	gray: 90,
	grey: 90,
};

const ELLIPSIS = '…';

/**
 * Columns of a text of these lines: one per code point. Every character the header and the
 * table draw is one column wide (ASCII, `›`, `…`, the sparkline's blocks); a node name or a spool
 * path in a wide script would be cut a little early, never wrap.
 */
function columnsOf(text: string): number {
	// Counted without building an array: this runs for every segment of every line each refresh.
	let columns = text.length;
	for (let index = 0; index < text.length; index++) {
		const code = text.charCodeAt(index);
		// The second half of a surrogate pair is part of the code point before it.
		if (code >= 0xdc_00 && code <= 0xdf_ff && index > 0) {
			const previous = text.charCodeAt(index - 1);
			if (previous >= 0xd8_00 && previous <= 0xdb_ff) columns--;
		}
	}
	return columns;
}

/** The segments' text, cut to `width` columns with Ink's `truncate-end` mark. */
export function fitSegments(segments: readonly Segment[], width: number): readonly Segment[] {
	if (segmentsWidth(segments) <= width) return segments;
	const fitted: Segment[] = [];
	let room = Math.max(0, width - 1);
	for (const segment of segments) {
		if (room <= 0) break;
		let text = '';
		for (const character of segment.text) {
			const characterWidth = columnsOf(character);
			if (characterWidth > room) {
				room = 0;
				break;
			}
			text += character;
			room -= characterWidth;
		}
		fitted.push({...segment, text});
	}
	if (width > 0) fitted.push({...fitted.at(-1), text: ELLIPSIS});
	return fitted;
}

/**
 * The line as a terminal shows it: fitted to `width`, styles opened and closed per segment, and
 * the whole line inverse (the selection) when asked.
 */
export function segmentsToAnsi(
	segments: readonly Segment[],
	options: {width: number; inverse?: boolean},
): string {
	let line = '';
	for (const segment of fitSegments(segments, options.width)) {
		if (!segment.text) continue;
		const weight = segment.bold ? (segment.dim ? '1;2' : '1') : segment.dim ? '2' : '';
		const color = segment.color === undefined ? undefined : FOREGROUND[segment.color];
		if (!weight && color === undefined) {
			line += segment.text;
			continue;
		}
		const open = color === undefined ? weight : weight ? `${weight};${color}` : String(color);
		const close = color === undefined ? '22' : weight ? '22;39' : '39';
		line += `\u001B[${open}m${segment.text}\u001B[${close}m`;
	}
	return options.inverse ? `\u001B[7m${line}\u001B[27m` : line;
}

/** Columns the line takes on screen. */
export function segmentsWidth(segments: readonly Segment[]): number {
	let columns = 0;
	for (const segment of segments) columns += columnsOf(segment.text);
	return columns;
}
